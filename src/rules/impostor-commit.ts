import { githubRefs } from '../online/collect.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'impostor-commit',
    title: 'Pinned commit is not in the action\'s repository',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'GitHub serves any commit of a repository\'s fork network under the parent\'s name, so `uses: owner/repo@<sha>` runs a commit pushed to a fork by anyone, as long as the SHA is right. A full SHA pin only proves integrity when the commit is reachable from a branch or tag of the action\'s own repository. Checked online (`pipewarden scan --online`): a tag or branch pointing at the commit, or GitHub\'s compare API (`GET /repos/{owner}/{repo}/compare/{branch-or-tag}...{sha}`) answering `identical` or `behind`, shows it belongs; the default branch is compared first, then other branches and the newest tags (at most ten of each; confidence is medium when some were left out).',
      bad: '- uses: actions/checkout@<sha of a commit pushed to a fork>',
      good: '- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      remedy: 'Replace the SHA with the commit of a release tag of the action\'s own repository, and find out who introduced the impostor pin and what it ran.',
    },
  },
  check({ pipeline, report, external }) {
    const facts = external?.github;
    if (!facts) return;
    for (const ref of githubRefs(pipeline)) {
      if (ref.pin !== 'hash') continue;
      const r = facts.reachability(`${ref.owner}/${ref.repo}`.toLowerCase(), ref.version!);
      if (!r || r.reachable) continue;
      report({
        span: ref.span,
        message: `commit ${ref.version!.slice(0, 12)} is on no branch or tag of ${ref.owner}/${ref.repo}${r.complete ? '' : ' that was checked'}: it can come from a fork (impostor commit)`,
        confidence: r.complete ? 'high' : 'medium',
      });
    }
  },
});
