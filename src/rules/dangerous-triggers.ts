import { actionKey } from '../platforms/github/uses.js';
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
    // The job token is reachable as `secrets.GITHUB_TOKEN` in any case; other secrets widen the blast radius.
    const usesSecrets = p.expressions.some((e) => /\bsecrets\b/i.test(e.raw) && !/^\s*secrets\.github_token\s*$/i.test(e.raw));
    // Touching pull request content: a checkout of a non-default ref, downloaded artifacts, PR refs passed on.
    const touchesPr = p.jobs.some((j) =>
      j.steps.some((s) => {
        const key = actionKey(s.uses) ?? '';
        if (key === 'actions/checkout') return [...s.with.keys()].some((k) => /^(ref|repository)$/i.test(k));
        if (/download-artifact|dawidd6\/action-download-artifact/.test(key)) return true;
        return /pull_request\.head|head_ref|workflow_run\.head|refs\/pull\//.test(s.script?.text ?? '');
      }) || [...j.with.values()].some((v) => /pull_request\.head|head_ref|workflow_run\.head/.test(v.value.value)),
    );
    for (const t of p.triggers) {
      const why = DANGEROUS[t.event];
      if (!why) continue;
      const contained = (readOnly && jobsReadOnly && !usesSecrets) || !touchesPr;
      report({
        span: t.span,
        message: `\`${t.event}\` ${why}${contained ? (touchesPr ? ' (this workflow has a read-only token and uses no secrets)' : ' (this workflow does not check out, download or pass on pull request content)') : ''}`,
        severity: contained ? 'low' : 'medium',
      });
    }
  },
});
