import { input, isAction } from '../platforms/github/steps.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'github-app',
    title: 'GitHub App token wider or longer-lived than needed',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-2',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        '`actions/create-github-app-token` without `repositories:` (or `owner:` alone) mints a token for every repository the app is installed on, and `skip-token-revoke: true` leaves it valid for an hour after the job. A step that leaks it then reaches far beyond this repository.',
      bad: '- uses: actions/create-github-app-token@<sha>\n  with:\n    app-id: ${{ vars.APP_ID }}\n    private-key: ${{ secrets.APP_KEY }}\n    owner: my-org',
      good: '- uses: actions/create-github-app-token@<sha>\n  with:\n    app-id: ${{ vars.APP_ID }}\n    private-key: ${{ secrets.APP_KEY }}\n    repositories: this-repo',
      remedy: 'Name the repositories the token is for (`repositories:`), request only the permissions needed (`permission-*` inputs), and let the action revoke the token.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        if (!isAction(step, 'actions/create-github-app-token') && !isAction(step, 'tibdex/github-app-token')) continue;
        const owner = input(step, 'owner');
        const repos = input(step, 'repositories');
        if (owner && !repos) report({ span: owner.key.span, message: 'the app token covers every repository the app is installed on in this owner; name `repositories:`' });
        const skip = input(step, 'skip-token-revoke');
        if (skip && /^\s*true\s*$/i.test(skip.value.value)) report({ span: skip.key.span, message: 'the app token is not revoked at the end of the job and stays valid for up to an hour' });
      }
    }
  },
});
