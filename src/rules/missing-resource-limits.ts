import { runningContainers, yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'missing-resource-limits',
    title: 'Step without CPU and memory limits',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo'],
    fixable: false,
    docs: {
      description:
        'A step without CPU and memory limits can starve every other workload on its node: a runaway build, a fork bomb in a pull request or a crypto miner in a compromised image then turns into a denial of service for the cluster\'s pipelines.',
      bad: 'steps:\n  - name: build\n    image: golang@sha256:<digest>',
      good: 'steps:\n  - name: build\n    image: golang@sha256:<digest>\n    computeResources:\n      limits:\n        cpu: "2"\n        memory: 2Gi',
      remedy: 'Set `limits` for cpu and memory on each step (Tekton `computeResources`, or once in `stepTemplate`; Argo `resources`), or a LimitRange in the namespace.',
    },
  },
  check({ pipeline, report }) {
    const y = yamlOf(pipeline);
    const limitsOf = (node: unknown) => {
      const res = y.get(node, 'computeResources') ?? y.get(node, 'resources');
      const limits = y.get(res, 'limits');
      return { cpu: y.get(limits, 'cpu') !== null, memory: y.get(limits, 'memory') !== null };
    };
    for (const job of pipeline.jobs) {
      const template = (job.containers ?? []).find((c) => c.role === 'stepTemplate');
      const t = template ? limitsOf(template.node) : { cpu: false, memory: false };
      for (const step of runningContainers(job)) {
        if (!step.container || step.container.role === 'init') continue;
        const own = limitsOf(step.container.node);
        const missing = [!(own.cpu || t.cpu) ? 'cpu' : '', !(own.memory || t.memory) ? 'memory' : ''].filter(Boolean);
        if (missing.length === 0) continue;
        report({ span: step.anchor, message: `${step.container.role} \`${step.container.name?.value ?? job.id.value}\` has no ${missing.join(' or ')} limit` });
      }
    }
  },
});
