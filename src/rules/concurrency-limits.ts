import { isMap } from '../core/yaml-nodes.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'concurrency-limits',
    title: 'Workflow without a concurrency limit',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['gha'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        'Without `concurrency:`, every push or pull request event starts another run beside the ones in flight: a burst of events (or an attacker pushing to a pull request in a loop) ties up runners and, on self-hosted machines, runs many jobs side by side with shared state.',
      bad: 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest',
      good: 'on: pull_request\nconcurrency:\n  group: ${{ github.workflow }}-${{ github.ref }}\n  cancel-in-progress: true\njobs:\n  test:\n    runs-on: ubuntu-latest',
      remedy: 'Add a `concurrency:` group per workflow and ref, with `cancel-in-progress: true` for pull request workflows.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.kind !== 'workflow') return;
    if (!pipeline.triggers.some((t) => t.event === 'push' || t.event.startsWith('pull_request'))) return;
    const y = yamlOf(pipeline);
    const root = pipeline.document.contents;
    if (!isMap(root) || y.get(root, 'concurrency') !== null) return;
    if (pipeline.jobs.every((j) => y.get(j.node, 'concurrency') !== null)) return;
    report({ span: pipeline.triggers[0]!.span, message: 'the workflow sets no `concurrency:`, so every event starts another parallel run' });
  },
});
