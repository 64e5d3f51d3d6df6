import type { Span } from '../model/source.js';
import type { Step } from '../model/pipeline.js';
import { firstLaterSteps, input, isCheckout, jobUsesSecrets, tokenCanWrite } from '../platforms/github/steps.js';
import { defineRule } from './types.js';

/** Refs that name the pull request's code rather than the base branch. */
const PR_REF = /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch)|github\.event\.issue\.number|refs\/pull\/|github\.event\.pull_request\.merge_commit_sha|github\.event\.number|github\.event\.pull_request\.number|github\.event\.workflow_run\.pull_requests/i;

/** Shell commands that fetch pull request code. */
const PR_FETCH = /\b(gh|hub)\s+pr\s+checkout\b|\bgit\s+(fetch|checkout|switch|pull)\b[^\n]*(pull\/|refs\/pull\/|\$\{\{\s*(github\.event\.pull_request\.head|github\.head_ref|github\.event\.workflow_run\.head_))/i;

/** Events where a checkout of the PR head runs outsiders' code with privileges. */
const PRIVILEGED_PR_EVENTS = new Set(['pull_request_target', 'workflow_run', 'issue_comment']);

/** Commands that only talk to APIs or print: they do not run anything from the checked-out tree. */
const INERT_COMMAND = /^\s*(echo|printf|curl|jq|gh\s+(api|pr\s+(comment|view|edit|review)|issue|label|run\s+(view|list))|cat|ls|test|\[|if|fi|then|else|export|[A-Z_][A-Z0-9_]*=|#|set\s|cd\s|mkdir|rm|cp|mv|sleep|date|exit|\}|\{|done|do|for\s|while\s)/;

/** Does this step execute or build something from the checked-out tree? */
function executes(step: Step): boolean {
  if (step.script && step.script.kind === 'run') {
    // Any line that is not an inert command may run code from the tree (make, npm, ./script.sh, python x.py …).
    return step.script.text.split('\n').some((line) => line.trim() !== '' && !INERT_COMMAND.test(line));
  }
  if (!step.uses) return false;
  if (step.uses.pin === 'local') return true;
  // Build and package actions run the project's own scripts and configs.
  return /^(actions\/setup-(node|python|go|java)|docker\/build-push-action|gradle\/|github\/codeql-action\/autobuild|pnpm\/action-setup|bahmutov\/npm-install|goreleaser\/|pypa\/gh-action-pypi-publish)/i.test(step.uses.name + '/');
}

export default defineRule({
  meta: {
    id: 'untrusted-checkout',
    title: 'Privileged workflow runs pull request code',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'Under `pull_request_target`, `workflow_run` and `issue_comment`, the workflow runs with the base repository\'s secrets and a write token. Checking out the pull request\'s head and then building or running it (npm install, make, a test script, a local action) lets the pull request\'s author run code with those privileges: a "pwn request".',
      bad: 'on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm install && npm test',
      good: 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm install && npm test',
      remedy: 'Run untrusted code under `pull_request` (no secrets, read-only token). If results must be posted with privileges, split it: an unprivileged `pull_request` workflow builds and uploads, a `workflow_run` workflow only reads the uploaded data as data.',
    },
  },
  check({ pipeline, report }) {
    const events = pipeline.triggers.filter((t) => PRIVILEGED_PR_EVENTS.has(t.event)).map((t) => t.event);
    if (events.length === 0) return;
    const on = [...new Set(events)].join(', ');
    for (const job of pipeline.jobs) {
      // A reusable workflow handed the pull request's ref checks it out and builds it in the caller's privileged context.
      if (job.uses) {
        for (const [name, input] of job.with) {
          if (!/ref|sha|branch|commit/i.test(name) || !PR_REF.test(input.value.value)) continue;
          report({
            span: input.value.span,
            message: `under \`${on}\`, job \`${job.id.value}\` passes the pull request's \`${input.value.value.trim()}\` to \`${job.uses.raw.trim()}\`, which runs with this workflow's privileges`,
            severity: 'high',
            confidence: 'medium',
          });
        }
      }
      // Made for the job's first step that brings in the pull request's code, for all of them.
      let runners: Map<Step, Step | undefined> | undefined;
      for (const step of job.steps) {
        let at: Span | undefined;
        let what = '';
        if (isCheckout(step)) {
          const ref = input(step, 'ref');
          const repo = input(step, 'repository');
          if (ref && PR_REF.test(ref.value.value)) {
            at = ref.value.span;
            what = `checks out \`${ref.value.value.trim()}\``;
          } else if (repo && /github\.event\.pull_request\.head\.repo|github\.event\.workflow_run\.head_repository/i.test(repo.value.value)) {
            at = repo.value.span;
            what = `checks out the fork \`${repo.value.value.trim()}\``;
          }
        } else if (step.script?.kind === 'run' && PR_FETCH.test(step.script.text)) {
          at = step.anchor;
          what = 'fetches the pull request\'s code';
        }
        if (!at) continue;
        runners ??= firstLaterSteps(job, executes);
        const runsIt = runners.get(step) !== undefined;
        // A protected environment or an author/label gate puts a human or a trust check before the run.
        const gated = job.environment !== undefined || /author_association|contains\(\s*github\.event\.pull_request\.labels|github\.event\.label\.name|github\.actor\s*==/.test(job.if?.value ?? '');
        const privileged = jobUsesSecrets(job) || tokenCanWrite(pipeline, job);
        report({
          span: at,
          message: `under \`${on}\`, job \`${job.id.value}\` ${what}${runsIt ? ' and then runs code from it' : ''}${privileged ? ' with secrets or a write token in reach' : ''}${gated ? ' (behind an environment or author gate)' : ''}`,
          severity: runsIt && privileged && !gated ? 'high' : 'medium',
          confidence: runsIt ? (gated ? 'medium' : 'high') : 'medium',
        });
      }
    }
  },
});
