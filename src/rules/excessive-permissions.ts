import type { Permissions } from '../model/pipeline.js';
import { defaultPermissionsFix, jobWriteAllFix, workflowWriteFix } from '../fix/permissions.js';
import { defineRule } from './types.js';

function writeScopes(p: Permissions): string[] {
  return [...p.scopes.entries()].filter(([, s]) => s.level === 'write').map(([k]) => k);
}

export default defineRule({
  meta: {
    id: 'excessive-permissions',
    title: 'Token permissions broader than needed',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-5',
    platforms: ['gha'],
    fixable: true,
    docs: {
      description:
        'Every job gets a `GITHUB_TOKEN`. Without a `permissions:` block its scopes are the repository or organisation default, which is write access to contents, packages, pull requests and more in many repositories; `write-all` grants every write scope. Any code that runs in the job (a compromised action, an injected command) inherits that token. Workflow-level write scopes reach jobs that do not need them.',
      bad: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test',
      good: 'on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test',
      remedy: 'Add `permissions: contents: read` at the top of the workflow and grant write scopes per job, only where a step needs them. `pipewarden fix` does this from a table of well-known actions and `gh` commands; a job that uses something it cannot judge makes the fix unsafe.',
    },
  },
  check({ pipeline, report }) {
    const p = pipeline;
    if (p.kind === 'composite-action' || p.kind === 'docker-action' || p.kind === 'javascript-action') return;
    // A reusable workflow can only narrow its caller's token; fork pull requests get a read-only one.
    const callerBound = p.triggers.length > 0 && p.triggers.every((t) => t.event === 'workflow_call');
    const forkOnly = p.triggers.length > 0 && p.triggers.every((t) => t.event === 'pull_request' || t.event === 'pull_request_review' || t.event === 'pull_request_review_comment');
    if (p.permissions?.kind === 'write-all') {
      const fix = workflowWriteFix(p);
      report({ span: p.permissions.span, message: '`permissions: write-all` gives every job a token that can write to every scope', ...(fix ? { fix } : {}) });
    }
    const workflowWrites = p.permissions ? writeScopes(p.permissions) : [];
    if (p.permissions && workflowWrites.length > 0 && p.jobs.length > 1) {
      const unshadowed = p.jobs.filter((j) => !j.permissions && !j.uses);
      if (unshadowed.length > 1) {
        const fix = workflowWriteFix(p);
        report({
          ...(fix ? { fix } : {}),
          span: p.permissions.span,
          message: `workflow-level write scopes (${workflowWrites.join(', ')}) reach every job; ${unshadowed.length} jobs inherit them`,
          severity: 'medium',
          confidence: 'medium',
        });
      }
    }
    // One fix gives the workflow its permissions and every job what it needs: made once and given to the first such job's
    // finding, as a fix is given once for all it covers (made and repeated per job, it made a report quadratic in jobs).
    let defaultFix: ReturnType<typeof defaultPermissionsFix> | null = null;
    let defaultFixGiven = false;
    for (const job of p.jobs) {
      if (job.permissions?.kind === 'write-all') {
        const fix = jobWriteAllFix(p, job);
        report({ span: job.permissions.span, message: `job \`${job.id.value}\` has \`permissions: write-all\``, ...(fix ? { fix } : {}) });
        continue;
      }
      if (!p.permissions && !job.permissions && !job.uses) {
        if (callerBound) continue;
        if (defaultFix === null) defaultFix = defaultPermissionsFix(p);
        const fix = defaultFixGiven ? undefined : defaultFix;
        defaultFixGiven = true;
        report({
          ...(fix ? { fix } : {}),
          span: job.id.span,
          message: `job \`${job.id.value}\` sets no \`permissions:\` and neither does the workflow, so its token has the repository's default scopes`,
          severity: forkOnly ? 'low' : 'medium',
          confidence: 'medium',
        });
      }
    }
  },
});
