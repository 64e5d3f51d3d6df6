import { defineRule } from './types.js';

const DANGEROUS: Record<string, string> = {
  pull_request_target: 'runs with the base repository\'s secrets and a write token on pull requests from forks',
  workflow_run: 'runs with the repository\'s secrets and a write token after workflows that forks can trigger, often consuming their artifacts',
};

export default defineRule({
  meta: {
    id: 'dangerous-triggers',
    title: 'Privileged trigger that outsiders can cause',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        '`pull_request_target` and `workflow_run` run in the context of the base repository, with its secrets and a token that can write, on events that anyone with a GitHub account can cause. They are safe only when the workflow never runs, builds or reads code or data from the pull request. Most workflows that use them do not need them.',
      bad: 'on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4',
      good: 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4',
      remedy: 'Use `pull_request` (no secrets, read-only token) unless the workflow must comment or label; if it must, keep it from touching pull request code and limit `permissions:` to exactly what it writes.',
    },
  },
  check({ pipeline, report }) {
    const p = pipeline;
    // With no write scope and no secrets, the blast radius is small: say so with a lower severity.
    const readOnly = p.permissions !== undefined && p.permissions.kind !== 'write-all' && p.permissions.kind !== 'dynamic' && [...p.permissions.scopes.values()].every((s) => s.level !== 'write');
    const jobsReadOnly = p.jobs.every((j) => !j.permissions || (j.permissions.kind !== 'write-all' && [...j.permissions.scopes.values()].every((s) => s.level !== 'write')));
    const usesSecrets = p.expressions.some((e) => /\bsecrets\b/i.test(e.raw));
    for (const t of p.triggers) {
      const why = DANGEROUS[t.event];
      if (!why) continue;
      const contained = readOnly && jobsReadOnly && !usesSecrets;
      report({
        span: t.span,
        message: `\`${t.event}\` ${why}${contained ? ' (this workflow has a read-only token and uses no secrets)' : ''}`,
        severity: contained ? 'low' : 'medium',
      });
    }
  },
});
