import type { Pipeline } from '../model/pipeline.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

const PIPELINE_KINDS = ['PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow', 'EventListener'];

/** Does this NetworkPolicy restrict egress (policyTypes includes Egress, or it has egress rules)? */
function limitsEgress(np: Pipeline): boolean {
  const y = yamlOf(np);
  const spec = y.get(np.kube!.objectNode, 'spec');
  const types = y.items(y.get(spec, 'policyTypes')).map((t) => y.str(t));
  return types.includes('Egress') || y.get(spec, 'egress') !== null;
}

export default defineRule({
  meta: {
    id: 'unrestricted-egress',
    title: 'Pipeline pods can reach any host',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'Without a NetworkPolicy that limits egress in the namespace where runs execute, a compromised step can send every secret and token it can read to any host on the internet, and reach internal services. The seed\'s hardened setup allows only the registry, the package proxy and DNS.',
      bad: 'kind: PipelineRun\nmetadata:\n  namespace: ci\n# and no NetworkPolicy with policyTypes: [Egress] in namespace ci',
      good: 'kind: NetworkPolicy\nmetadata:\n  namespace: ci\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.50.0/24}\n      ports:\n        - port: 443',
      remedy: 'Add a NetworkPolicy in the pipeline namespace with `policyTypes: [Egress]` that allows only what builds need (registry, package proxy, DNS).',
    },
  },
  check() {},
  checkProject({ index, report }) {
    const policies = index.ofKind('NetworkPolicy');
    const runs = index.ofKind(...PIPELINE_KINDS).filter((p) => p.kube!.namespace);
    const seen = new Set<string>();
    for (const run of runs) {
      const ns = run.kube!.namespace!;
      if (seen.has(ns)) continue;
      seen.add(ns);
      if (policies.some((np) => np.kube!.namespace === ns && limitsEgress(np))) continue;
      const managedHere = policies.length > 0;
      const y = yamlOf(run);
      const nsNode = y.get(y.get(run.kube!.objectNode, 'metadata'), 'namespace');
      report(run, {
        span: nsNode ? y.span(nsNode) : run.kube!.span,
        message: `no NetworkPolicy in the scanned files limits egress in namespace \`${ns}\`, where ${run.kube!.kind} \`${run.kube!.name?.value ?? ''}\` runs`,
        // With no NetworkPolicy anywhere in the tree, policies are likely managed elsewhere.
        confidence: managedHere ? 'medium' : 'low',
        ...(managedHere ? {} : { persona: 'auditor' as const }),
      });
    }
  },
});
