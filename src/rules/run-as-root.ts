import { runningContainers, effectiveSecurity, yamlOf } from '../platforms/kube/security.js';
import type { Pipeline } from '../model/pipeline.js';
import { dockerInfo } from '../platforms/docker/build.js';
import { defineRule, type RuleContext } from './types.js';

export default defineRule({
  meta: {
    id: 'run-as-root',
    title: 'Runs as root',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['docker', 'tekton', 'argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'A container that explicitly runs as user 0 (or sets `runAsNonRoot: false`) gives any code it runs root inside the container: together with a kernel bug, a mounted host path or a writable shared volume, that is the shortest road to the node and to other runs\' data.',
      bad: 'securityContext:\n  runAsUser: 0',
      good: 'securityContext:\n  runAsNonRoot: true\n  runAsUser: 65532',
      remedy: 'Run as a non-root user (`runAsNonRoot: true` with a numeric `runAsUser`), and use an image built to run unprivileged.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.platform === 'docker') return checkDockerfile(pipeline, report);
    const y = yamlOf(pipeline);
    for (const job of pipeline.jobs) {
      for (const step of runningContainers(job)) {
        if (!step.container) continue;
        const sec = effectiveSecurity(pipeline, job, step);
        const who = step.container.name?.value ?? job.id.value;
        if (sec.runAsUser === 0 && sec.where.runAsUser) report({ span: y.span(sec.where.runAsUser), message: `container \`${who}\` runs as root (\`runAsUser: 0\`)` });
        else if (sec.runAsNonRoot === false && sec.where.runAsNonRoot) report({ span: y.span(sec.where.runAsNonRoot), message: `container \`${who}\` allows root (\`runAsNonRoot: false\`)`, confidence: 'medium' });
      }
    }
  },
});

/** The final stage is what runs: no USER there (or inherited) means root, unless the base image sets one. */
function checkDockerfile(pipeline: Pipeline, report: RuleContext['report']): void {
  const final = dockerInfo(pipeline)?.stages.find((s) => s.final);
  if (!final || final.scratch) return;
  const user = final.effectiveUser;
  if (user?.dynamic) return;
  if (user?.root) {
    report({ span: user.value.span, message: `the final stage switches to \`USER ${user.value.value}\`, so the container runs as root` });
  } else if (!user) {
    report({
      span: final.from.span,
      message: 'the final stage sets no non-root `USER`, so the container runs as root unless its base image sets a user',
      confidence: 'medium',
    });
  }
}
