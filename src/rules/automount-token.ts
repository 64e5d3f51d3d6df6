import { yamlOf, podLayers } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

/** Scripts and images that talk to the Kubernetes API and need the token. */
const USES_API = /\b(kubectl|oc|helm|argo|tkn|kustomize|kubernetes|kube-?api|serviceaccount\/token|k8s)\b/i;

export default defineRule({
  meta: {
    id: 'automount-token',
    title: 'Service account token mounted where the API is not used',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-5',
    platforms: ['argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'Kubernetes mounts the service account token into every container unless told not to. A step that never calls the Kubernetes API does not need it, and code injected into that step can use it to act on the cluster with the account\'s permissions.',
      bad: 'kind: Workflow\nspec:\n  templates:\n    - name: test\n      container:\n        image: golang@sha256:<digest>\n        command: [go, test, ./...]',
      good: 'kind: Workflow\nspec:\n  automountServiceAccountToken: false\n  executor:\n    serviceAccountName: argo-executor\n  templates:\n    - name: test\n      container:\n        image: golang@sha256:<digest>\n        command: [go, test, ./...]',
      remedy: 'Set `automountServiceAccountToken: false` on the pod spec or workflow (Argo needs `executor.serviceAccountName` then), and mount a token only into the steps that call the API.',
    },
  },
  check({ pipeline, report }) {
    const kube = pipeline.kube;
    if (!kube) return;
    if (pipeline.platform === 'argo' && !['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow'].includes(kube.kind)) return;
    if (pipeline.platform === 'k8s' && !['Job', 'CronJob', 'Pod'].includes(kube.kind)) return;
    const y = yamlOf(pipeline);
    const idle: string[] = [];
    for (const job of pipeline.jobs) {
      if (job.steps.length === 0 || y.get(job.node, 'resource') !== null) continue;
      const layers = podLayers(pipeline, job);
      const setting = layers.map((l) => y.scalar(y.get(l, 'automountServiceAccountToken'))).find((s) => s !== null);
      if (setting && (setting.value === false || setting.value === 'false')) continue;
      const callsApi = job.steps.some((s) => USES_API.test(s.script?.text ?? '') || USES_API.test(s.container?.image?.name ?? '') || USES_API.test(y.items(y.get(s.node, 'command')).concat(y.items(y.get(s.node, 'args'))).map((n) => y.str(n) ?? '').join(' ')));
      if (!callsApi) idle.push(job.id.value);
    }
    if (idle.length === 0) return;
    // One finding per object: the fix (switch it off, give the executor its own account) is one change.
    report({
      span: kube.span,
      message:
        pipeline.platform === 'argo'
          ? `templates ${idle.map((t) => `\`${t}\``).join(', ')} get the service account token although none of their containers calls the Kubernetes API; set \`automountServiceAccountToken: false\` with \`executor.serviceAccountName\` for Argo's own sidecar`
          : `containers of \`${idle.join(', ')}\` get the service account token although none calls the Kubernetes API`,
    });
  },
});
