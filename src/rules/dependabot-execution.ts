import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'dependabot-execution',
    title: 'Dependabot allowed to run code from dependencies',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['dependabot'],
    fixable: false,
    docs: {
      description:
        '`insecure-external-code-execution: allow` lets Dependabot run code from the packages it updates (setup.py, gemspecs, Gradle builds) while it holds the registry credentials configured for the repository: a malicious new version can steal them.',
      bad: 'updates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly\n    insecure-external-code-execution: allow',
      good: 'updates:\n  - package-ecosystem: pip\n    directory: /\n    schedule:\n      interval: weekly',
      remedy: 'Remove `insecure-external-code-execution: allow` (the default is deny).',
    },
  },
  check({ pipeline, report }) {
    const y = yamlOf(pipeline);
    for (const job of pipeline.jobs) {
      const pair = y.pair(job.node, 'insecure-external-code-execution');
      if (pair && y.str(pair.value) === 'allow') report({ span: y.pairSpan(pair), message: `updates for \`${job.id.value}\` may run code from the new dependency versions with the registry credentials in reach` });
    }
  },
});
