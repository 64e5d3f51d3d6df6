import { storedSecretsOf } from '../platforms/github/secrets.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'secrets-outside-env',
    title: 'Secret used in a job with no deployment environment',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-6',
    platforms: ['gha'],
    fixable: false,
    persona: 'auditor',
    docs: {
      description:
        'Repository and organisation secrets reach every workflow of the repository, on every branch, for anyone who can push or edit a workflow. A secret stored in a deployment environment is released only to jobs that name the environment, and only when its protection rules pass (required reviewers, allowed branches and tags). A job that reads `secrets.X` (other than `GITHUB_TOKEN`) without `environment:` relies on repository-wide secrets. This is a posture check for auditors; calls of reusable workflows are left out because the called jobs choose their environment.',
      bad: 'jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./publish.sh\n        env:\n          TOKEN: ${{ secrets.REGISTRY_TOKEN }}',
      good: 'jobs:\n  publish:\n    runs-on: ubuntu-latest\n    environment: registry\n    steps:\n      - run: ./publish.sh\n        env:\n          TOKEN: ${{ secrets.REGISTRY_TOKEN }}',
      remedy: 'Move the secret into a deployment environment with protection rules and add `environment: <name>` to the job that needs it.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.kind !== 'workflow' && pipeline.kind !== 'reusable-workflow') return;
    for (const job of pipeline.jobs) {
      if (job.environment || job.uses) continue;
      const use = storedSecretsOf(pipeline, job);
      if (!use) continue;
      const { names, first } = use;
      const list = [...names].slice(0, 3).map((n) => `\`${n}\``).join(', ') + (names.size > 3 ? ` and ${names.size - 3} more` : '');
      report({
        span: first.span,
        message: `job \`${job.id.value}\` reads ${names.size === 1 ? 'secret' : 'secrets'} ${list} with no \`environment:\`: repository-wide secrets, released without protection rules`,
      });
    }
  },
});
