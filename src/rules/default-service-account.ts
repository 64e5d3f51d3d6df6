import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

/** Objects that start pipeline pods themselves; templates and tasks get their account from the run. */
const RUNS = new Set(['PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow']);

export default defineRule({
  meta: {
    id: 'default-service-account',
    title: 'Pipeline runs as the namespace\'s default service account',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-5',
    platforms: ['tekton', 'argo'],
    fixable: false,
    docs: {
      description:
        'A run that names no service account uses the namespace\'s `default` one, which every other workload in the namespace shares and which operators often bind to broad roles "to make things work". A compromised step then acts with whatever that account can do, and the grant cannot be narrowed for this pipeline alone.',
      bad: 'kind: PipelineRun\nspec:\n  pipelineRef:\n    name: build',
      good: 'kind: PipelineRun\nspec:\n  pipelineRef:\n    name: build\n  taskRunTemplate:\n    serviceAccountName: build-pipeline-sa',
      remedy: 'Create one service account per pipeline with only the permissions it needs, and name it in the run (`taskRunTemplate.serviceAccountName`, Argo `spec.serviceAccountName`).',
    },
  },
  check({ pipeline, report }) {
    const kube = pipeline.kube;
    if (!kube || !RUNS.has(kube.kind)) return;
    const y = yamlOf(pipeline);
    // Pipelines-as-Code and trigger templates fill in the account at run time.
    if (kube.name === undefined && y.get(y.get(kube.objectNode, 'metadata'), 'generateName') === null) return;
    const sa = kube.serviceAccount ?? pipeline.jobs.map((j) => j.serviceAccount).find((s) => s !== undefined);
    if (sa && sa.value !== 'default') return;
    if (sa && /\$\(|\{\{/.test(sa.value)) return;
    report({
      span: sa?.span ?? kube.span,
      message: sa ? `${kube.kind} names the \`default\` service account` : `${kube.kind} \`${kube.name?.value ?? ''}\` names no service account, so its pods run as the namespace's \`default\``,
    });
  },
});
