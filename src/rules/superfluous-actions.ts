import type { Job } from '../model/pipeline.js';
import { actionKey } from '../platforms/github/uses.js';
import { defineRule } from './types.js';

/**
 * Third-party actions whose only job is to install or run a tool that GitHub's
 * Ubuntu runner images already carry (jq, yq, the GitHub CLI, curl, wget, the
 * AWS CLI v2, zip, the shell's `test`), by lower-case `owner/repo`. Kept short on purpose: only actions
 * that add nothing beyond the preinstalled tool.
 */
const PREINSTALLED: Record<string, { tool: string; command: string }> = {
  'dcarbone/install-jq-action': { tool: 'jq', command: 'jq' },
  'sergeysova/jq-action': { tool: 'jq', command: 'jq' },
  'dcarbone/install-yq-action': { tool: 'yq', command: 'yq' },
  'mikefarah/yq': { tool: 'yq', command: 'yq' },
  'chrisdickinson/setup-yq': { tool: 'yq', command: 'yq' },
  'frenck/action-setup-yq': { tool: 'yq', command: 'yq' },
  'sersoft-gmbh/setup-gh-cli-action': { tool: 'the GitHub CLI', command: 'gh' },
  'ksivamuthu/actions-setup-gh-cli': { tool: 'the GitHub CLI', command: 'gh' },
  'wei/curl': { tool: 'curl', command: 'curl' },
  'wei/wget': { tool: 'wget', command: 'wget' },
  'unfor19/install-aws-cli-action': { tool: 'the AWS CLI v2', command: 'aws' },
  'chrislennon/action-aws-cli': { tool: 'the AWS CLI v2', command: 'aws' },
  'montudor/action-zip': { tool: 'zip and unzip', command: 'zip' },
  'andstor/file-existence-action': { tool: 'a file existence check', command: 'test -e' },
};

/** Every label names a GitHub-hosted Ubuntu image, so the preinstalled tools are known. */
function onHostedUbuntu(job: Job): boolean {
  const r = job.runner;
  if (!r || r.selfHosted !== 'no' || r.labels.length === 0) return false;
  return r.labels.every((l) => /^ubuntu-(latest|\d{2}\.\d{2})(-arm)?$/i.test(l.value.trim()));
}

export default defineRule({
  meta: {
    id: 'superfluous-actions',
    title: 'Action that installs what the runner image already has',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        "Every third-party action is code from another party that runs with the job's token and secrets. GitHub's Ubuntu runner images already ship jq, yq, the GitHub CLI, curl, wget, zip and the AWS CLI v2 (and every shell has `test -e`), so an action that only installs or runs one of them adds a dependency (and a party to trust) for nothing. Reported only for jobs on GitHub-hosted Ubuntu runners, where the image contents are documented; listed actions: dcarbone/install-jq-action, sergeysova/jq-action, dcarbone/install-yq-action, mikefarah/yq, chrisdickinson/setup-yq, frenck/action-setup-yq, sersoft-gmbh/setup-gh-cli-action, ksivamuthu/actions-setup-gh-cli, wei/curl, wei/wget, unfor19/install-aws-cli-action, chrislennon/action-aws-cli, montudor/action-zip, andstor/file-existence-action.",
      bad: 'runs-on: ubuntu-latest\nsteps:\n  - uses: dcarbone/install-jq-action@v3\n  - run: jq .version package.json',
      good: 'runs-on: ubuntu-latest\nsteps:\n  - run: jq .version package.json',
      remedy: 'Drop the action and call the preinstalled tool in a `run:` step (`jq --version` shows the image\'s version). Keep it only when you need a version the image does not have, and then pin it.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (!onHostedUbuntu(job)) continue;
      for (const step of job.steps) {
        const key = actionKey(step.uses);
        const known = key ? PREINSTALLED[key] : undefined;
        if (!known) continue;
        report({
          span: step.uses!.span,
          message: `\`${key}\` adds a third-party dependency for ${known.tool}, which the GitHub-hosted Ubuntu image already has (\`${known.command}\`)`,
        });
      }
    }
  },
});
