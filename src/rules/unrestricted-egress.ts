import type { Job, Pipeline } from '../model/pipeline.js';
import { groupBy } from '../platforms/kube/project.js';
import { yamlOf } from '../platforms/kube/security.js';
import { input, isAction, tokenCanWrite } from '../platforms/github/steps.js';
import { storedSecretsOf } from '../platforms/github/secrets.js';
import type { RuleContext } from './types.js';
import { defineRule } from './types.js';

const PIPELINE_KINDS = ['PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow', 'EventListener'];

/** Does this NetworkPolicy restrict egress (policyTypes includes Egress, or it has egress rules)? */
function limitsEgress(np: Pipeline): boolean {
  const y = yamlOf(np);
  const spec = y.get(np.kube!.objectNode, 'spec');
  const types = y.items(y.get(spec, 'policyTypes')).map((t) => y.str(t));
  return types.includes('Egress') || y.get(spec, 'egress') !== null;
}

/** How a job's first step limits outbound traffic: harden-runner blocking, only auditing, or nothing. */
function egressControl(job: Job): 'block' | 'audit' | 'late' | 'none' {
  const harden = job.steps.find((s) => isAction(s, 'step-security/harden-runner'));
  if (!harden) return 'none';
  const policy = input(harden, 'egress-policy')?.value;
  // A computed policy cannot be judged; trust it as the author's choice.
  if (policy && policy.expressions.length > 0) return 'block';
  if (policy?.value.trim().toLowerCase() !== 'block') return 'audit';
  // Steps before it run before the firewall is in place.
  return harden === job.steps[0] ? 'block' : 'late';
}

function checkWorkflow({ pipeline, report }: RuleContext): void {
  if (pipeline.kind !== 'workflow' && pipeline.kind !== 'reusable-workflow') return;
  const outsiderTrigger = pipeline.triggers.find((t) => t.privileged && t.actor === 'external');
  for (const job of pipeline.jobs) {
    // Self-hosted runners are fenced (or not) by their own network; reusable workflow calls are checked where they are defined.
    if (job.uses || job.runner?.selfHosted !== 'no' || job.steps.length === 0) continue;
    const writesWithSecrets = tokenCanWrite(pipeline, job) && storedSecretsOf(pipeline, job) !== undefined;
    if (!outsiderTrigger && !writesWithSecrets) continue;
    const control = egressControl(job);
    if (control === 'block') continue;
    const why = outsiderTrigger ? `runs on \`${outsiderTrigger.event}\`, which outsiders can cause,` : 'holds secrets and a token that can write';
    const gap =
      control === 'none' ? 'with no egress control' : control === 'audit' ? 'with harden-runner only auditing egress (`egress-policy` is not `block`)' : 'with harden-runner blocking egress only after earlier steps ran';
    report({
      span: job.id.span,
      message: `job \`${job.id.value}\` ${why} ${gap}: a compromised step or dependency can send what it reads anywhere`,
      confidence: 'low',
      persona: outsiderTrigger ? 'pedantic' : 'auditor',
      remedy: 'Make `step-security/harden-runner` with `egress-policy: block` and an `allowed-endpoints` list the first step of the job (run it with `egress-policy: audit` once to learn the endpoints).',
    });
  }
}

export default defineRule({
  meta: {
    id: 'unrestricted-egress',
    title: 'Pipeline steps can reach any host',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo', 'k8s', 'gha'],
    fixable: false,
    docs: {
      description:
        'Without a NetworkPolicy that limits egress in the namespace where runs execute, a compromised step can send every secret and token it can read to any host on the internet, and reach internal services. The seed\'s hardened setup allows only the registry, the package proxy and DNS. On GitHub-hosted runners the same holds for privileged workflows (triggers that outsiders can cause, such as `pull_request_target` or `issue_comment`, or jobs with secrets and a token that can write): without `step-security/harden-runner` with `egress-policy: block` as the first step, any step can reach any host. That part is a hardening check: reported for pedantic readers when outsiders can trigger the workflow, for auditors otherwise; self-hosted runners are left to their own network controls.',
      bad: 'kind: PipelineRun\nmetadata:\n  namespace: ci\n# and no NetworkPolicy with policyTypes: [Egress] in namespace ci\n---\n# GitHub Actions\non: pull_request_target\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./label.sh',
      good: 'kind: NetworkPolicy\nmetadata:\n  namespace: ci\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.50.0/24}\n      ports:\n        - port: 443\n---\n# GitHub Actions\n    steps:\n      - uses: step-security/harden-runner@<sha>\n        with:\n          egress-policy: block\n          allowed-endpoints: api.github.com:443\n      - run: ./label.sh',
      remedy: 'Add a NetworkPolicy in the pipeline namespace with `policyTypes: [Egress]` that allows only what builds need (registry, package proxy, DNS).',
    },
  },
  check(ctx) {
    if (ctx.pipeline.platform === 'gha') checkWorkflow(ctx);
  },
  checkProject({ index, report }) {
    const policies = index.ofKind('NetworkPolicy');
    const policiesIn = groupBy(policies, (np) => np.kube!.namespace);
    const runs = index.ofKind(...PIPELINE_KINDS).filter((p) => p.kube!.namespace);
    const seen = new Set<string>();
    for (const run of runs) {
      const ns = run.kube!.namespace!;
      if (seen.has(ns)) continue;
      seen.add(ns);
      if ((policiesIn.get(ns) ?? []).some(limitsEgress)) continue;
      const managedHere = policies.length > 0;
      report(run, {
        span: run.kube!.namespaceSpan ?? run.kube!.span,
        message: `no NetworkPolicy in the scanned files limits egress in namespace \`${ns}\`, where ${run.kube!.kind} \`${run.kube!.name?.value ?? ''}\` runs`,
        // With no NetworkPolicy anywhere in the tree, policies are likely managed elsewhere.
        confidence: managedHere ? 'medium' : 'low',
        ...(managedHere ? {} : { persona: 'auditor' as const }),
      });
    }
  },
});
