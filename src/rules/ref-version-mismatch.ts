import { githubRefs, versionComment } from '../online/collect.js';
import { byVersionDesc } from '../online/facts.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'ref-version-mismatch',
    title: 'Version comment disagrees with the pinned commit',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'The `# v1.2.3` comment beside a SHA pin is what reviewers, advisories (`known-vulnerable-actions`) and Dependabot read; when the tag it names points at another commit, the workflow runs something other than what everyone believes, whether by a botched update or to hide a malicious pin. A comment naming only a major or minor version (`# v4`) agrees with any release of that line. Checked online (`pipewarden scan --online`) against the repository\'s tags.',
      bad: '- uses: actions/checkout@8e5e7e5ab8b370d6c329ec480221332ada57f0ab # v4.2.2   # that commit is v3.5.2',
      good: '- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      remedy: 'Pin the commit the tag points at (or correct the comment to the release the commit is).',
    },
  },
  check({ pipeline, report, external }) {
    const facts = external?.github;
    if (!facts) return;
    for (const ref of githubRefs(pipeline)) {
      if (ref.pin !== 'hash') continue;
      const comment = versionComment(pipeline, ref);
      if (!comment) continue;
      const key = `${ref.owner}/${ref.repo}`.toLowerCase();
      const sha = ref.version!.toLowerCase();
      const at = facts.tagsAt(key, sha);
      if (!at) continue;
      // `# 4.2.2` for a `v4.2.2` tag, and the other way round.
      const names = [comment.text, comment.text.startsWith('v') ? comment.text.slice(1) : `v${comment.text}`];
      const name = names.find((n) => facts.tagCommit(key, n));
      const actual = at.sort(byVersionDesc);
      const tagged = actual.length > 0 ? `it is ${actual.slice(0, 3).join(', ')}` : 'no tag points at it';
      if (name === undefined) {
        if (names.every((n) => facts.tagCommit(key, n) === null) && !actual.some((a) => names.some((n) => a.startsWith(`${n}.`)))) {
          report({ span: comment.span, message: `the comment says \`${comment.text}\`, which is no tag of ${ref.owner}/${ref.repo}; ${tagged}`, severity: 'low', confidence: 'medium' });
        }
        continue;
      }
      if (facts.tagCommit(key, name) === sha) continue;
      // `# v4` was right when pinned if the commit is some v4.x release; the major tag has moved on since.
      if (actual.some((a) => names.some((n) => a.startsWith(`${n}.`)))) continue;
      report({ span: comment.span, message: `the comment says \`${comment.text}\` but that tag of ${ref.owner}/${ref.repo} is commit ${facts.tagCommit(key, name)!.slice(0, 12)}, not the pinned ${sha.slice(0, 12)}; ${tagged}` });
    }
  },
});
