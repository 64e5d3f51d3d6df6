import { publishes } from '../core/commands.js';
import type { Step } from '../model/pipeline.js';
import { gitlabJobInfo } from '../platforms/gitlab/build.js';
import { input } from '../platforms/github/steps.js';
import { actionKey } from '../platforms/github/uses.js';
import { defineRule } from './types.js';

/** Steps that restore a GitHub Actions cache: actions/cache, and setup actions with caching on. */
function restoresCache(step: Step): boolean {
  const key = actionKey(step.uses);
  if (!key) return false;
  if (key === 'actions/cache' || key === 'swatinem/rust-cache') return !/\/save$/.test(step.uses!.path ?? '');
  const cache = input(step, 'cache')?.value.value.trim();
  const enable = input(step, 'enable-cache')?.value.value.trim();
  if (key === 'actions/setup-go') return cache !== 'false'; // on by default since v4
  if (key === 'astral-sh/setup-uv') return enable === 'true';
  if (/^actions\/setup-(node|python|java|dotnet)$/.test(key)) return cache !== undefined && cache !== '' && cache !== 'false';
  return false;
}

/** A workflow that runs on published releases. */
function releases(p: { triggers: { event: string }[] }): boolean {
  return p.triggers.some((t) => t.event === 'release');
}

export default defineRule({
  meta: {
    id: 'cache-poisoning',
    title: 'Release job restores a cache that less-trusted jobs can write',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-9',
    platforms: ['gha', 'gitlab'],
    fixable: false,
    docs: {
      description:
        'Caches are shared: on GitHub every workflow run on the default branch (including `pull_request_target`, `issue_comment` and other outsider-triggered runs) writes caches that a release job then restores; in GitLab a cache marked `unprotect: true` is shared between merge request pipelines and protected-branch jobs. A poisoned cache puts attacker files into the build that is signed and published.',
      bad: 'on: release\njobs:\n  publish:\n    steps:\n      - uses: actions/setup-node@<sha>\n        with:\n          cache: npm\n      - run: npm publish',
      good: 'on: release\njobs:\n  publish:\n    steps:\n      - uses: actions/setup-node@<sha>   # no cache in release jobs\n      - run: npm ci && npm publish',
      remedy: 'Do not restore caches in jobs that build release artifacts; in GitLab keep caches protected (no `unprotect: true`) for deploy and release jobs.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      const publishing = publishes(job).some((p) => p.ecosystem !== 'deploy');
      if (pipeline.platform === 'gitlab') {
        if (!publishing && !/release|publish|deploy/i.test(job.id.value)) continue;
        for (const c of gitlabJobInfo(job)?.caches ?? []) {
          if (c.unprotect) report({ span: c.span, message: `job \`${job.id.value}\` releases with a cache marked \`unprotect: true\`, which merge request pipelines share` });
        }
        continue;
      }
      if (!publishing && !releases(pipeline)) continue;
      for (const step of job.steps) {
        if (!restoresCache(step)) continue;
        report({ span: step.anchor, message: `job \`${job.id.value}\` ${publishing ? 'publishes' : 'runs on release'} and restores a cache that other runs on the default branch can write` });
      }
    }
  },
});
