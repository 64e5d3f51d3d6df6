import type { Pipeline } from '../model/pipeline.js';
import type { ProjectIndex } from '../platforms/kube/project.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

function accessModes(index: ProjectIndex, claim: string, namespace: string | undefined): { modes: string[]; pvc?: Pipeline } {
  const pvc = index.find(['PersistentVolumeClaim'], claim, namespace)[0];
  if (!pvc) return { modes: [] };
  const y = yamlOf(pvc);
  const modes = y.items(y.get(y.get(pvc.kube!.objectNode, 'spec'), 'accessModes')).map((m) => y.str(m) ?? '');
  return { modes, pvc };
}

export default defineRule({
  meta: {
    id: 'shared-workspace',
    title: 'Runs share a pre-existing volume',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo'],
    fixable: false,
    docs: {
      description:
        'A workspace or volume bound to a pre-existing claim is the same disk for every run that uses it. Concurrent or later runs read each other\'s sources, credentials and build outputs, and one poisoned run (a malicious pull request) can plant a binary that the next release run executes or signs. A ReadWriteMany claim makes concurrent sharing certain.',
      bad: 'kind: PipelineRun\nspec:\n  workspaces:\n    - name: source\n      persistentVolumeClaim:\n        claimName: shared-build-cache',
      good: 'kind: PipelineRun\nspec:\n  workspaces:\n    - name: source\n      volumeClaimTemplate:\n        spec:\n          accessModes: ["ReadWriteOnce"]\n          resources:\n            requests:\n              storage: 1Gi',
      remedy: 'Give each run its own volume (`volumeClaimTemplate`, Argo `volumeClaimTemplates`), or `emptyDir` for data that does not outlive the run.',
    },
  },
  check() {},
  checkProject({ index, report }) {
    for (const p of index.ofKind('PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow')) {
      if (p.platform !== 'tekton' && p.platform !== 'argo') continue;
      // Claim bindings are in the model (Tekton `workspaces`, Argo `volumes`): a run's YAML is not kept for this.
      for (const c of p.kube!.claims ?? []) {
        const { modes, pvc } = accessModes(index, c.claim, p.kube!.namespace);
        const rwx = modes.includes('ReadWriteMany');
        report(p, {
          span: c.span,
          message: rwx
            ? `workspace \`${c.name}\` uses claim \`${c.claim}\`, which is ReadWriteMany: concurrent runs read and write the same files`
            : `workspace \`${c.name}\` uses the pre-existing claim \`${c.claim}\`, shared by every run that binds it`,
          severity: rwx ? 'high' : 'medium',
          confidence: rwx ? 'high' : 'medium',
          ...(pvc ? { related: [{ file: pvc.file.path, span: pvc.kube!.span, message: `PersistentVolumeClaim \`${c.claim}\` (${modes.join(', ') || 'no access modes'})` }] } : {}),
        });
      }
    }
  },
});
