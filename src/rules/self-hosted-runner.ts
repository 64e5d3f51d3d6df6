import { jobRunsFor } from '../platforms/gitlab/build.js';
import { defineRule } from './types.js';

const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment', 'issue_comment', 'workflow_run']);

export default defineRule({
  meta: {
    id: 'self-hosted-runner',
    title: 'Self-hosted runner reachable from pull requests',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-7',
    platforms: ['gha', 'gitlab'],
    fixable: false,
    docs: {
      description:
        'Self-hosted runners are usually persistent machines inside your network. A workflow that runs on one for pull request events lets the author of a fork\'s pull request run code there: they can leave a backdoor for the next job, read other jobs\' secrets from disk, or reach internal services.',
      bad: 'on: pull_request\njobs:\n  test:\n    runs-on: [self-hosted, linux]',
      good: 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest',
      remedy: 'Run pull request jobs on GitHub-hosted or ephemeral, isolated runners (one job per machine, destroyed after); require approval for fork workflows in the repository settings.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.platform === 'gitlab') {
      // Merge request pipelines run in the fork's project by default; in the parent project
      // (the setting for fork pipelines) they reach its runners. Tags say little about the runner itself.
      for (const job of pipeline.jobs) {
        const r = job.runner;
        if (!r || r.selfHosted === 'no' || jobRunsFor(job).mergeRequests === false) continue;
        report({
          span: r.span,
          message: `job \`${job.id.value}\` selects runners by tags \`${r.labels.map((l) => l.value).join(', ')}\` and can run in merge request pipelines; if those are self-managed, shared runners, merge request code runs on them`,
          severity: 'medium',
          confidence: 'low',
          persona: jobRunsFor(job).mergeRequests === true ? 'regular' : 'auditor',
        });
      }
      return;
    }
    const prEvents = pipeline.triggers.filter((t) => PR_EVENTS.has(t.event)).map((t) => t.event);
    for (const job of pipeline.jobs) {
      const r = job.runner;
      if (!r || r.selfHosted === 'no') continue;
      if (r.selfHosted === 'yes' && prEvents.length > 0) {
        report({ span: r.span, message: `job \`${job.id.value}\` runs on a self-hosted runner for \`${[...new Set(prEvents)].join(', ')}\`, which fork authors can trigger` });
      } else if (prEvents.length > 0) {
        report({
          span: r.span,
          message: `job \`${job.id.value}\` runs on custom labels \`${r.labels.map((l) => l.value).join(', ')}\` for \`${[...new Set(prEvents)].join(', ')}\`; if they are self-hosted, fork authors can run code there`,
          severity: 'medium',
          confidence: 'low',
        });
      } else {
        report({
          span: r.span,
          message: r.selfHosted === 'yes' ? `job \`${job.id.value}\` runs on a self-hosted runner` : `job \`${job.id.value}\` runs on custom labels \`${r.labels.map((l) => l.value).join(', ')}\` that may be self-hosted`,
          severity: 'low',
          confidence: r.selfHosted === 'yes' ? 'high' : 'low',
          persona: 'auditor',
        });
      }
    }
  },
});
