import { githubRefs } from '../online/collect.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'ref-confusion',
    title: 'Action ref names both a tag and a branch',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'A `uses: owner/repo@ref` whose ref is both a tag and a branch of the action\'s repository is ambiguous: which one runs depends on how the ref is resolved, and anyone who can push a branch of that name (often more people than can create release tags) can put code behind the name the workflow trusts. Checked online (`pipewarden scan --online`) against the GitHub API: the tag and branch of that exact name are looked up.',
      bad: '- uses: some-org/setup-tool@v2   # v2 is a tag and a branch',
      good: '- uses: some-org/setup-tool@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v2.1.0',
      remedy: 'Pin the action to the full commit SHA of the release you reviewed; ask the maintainers to delete the branch that shadows the tag.',
    },
  },
  check({ pipeline, report, external }) {
    const facts = external?.github;
    if (!facts) return;
    for (const ref of githubRefs(pipeline)) {
      if (ref.pin !== 'tag') continue;
      const kinds = facts.refKind(`${ref.owner}/${ref.repo}`.toLowerCase(), ref.version!);
      if (!kinds?.tag || !kinds.branch) continue;
      report({
        span: ref.span,
        message: `\`${ref.raw.trim()}\`: \`${ref.version}\` is both a tag and a branch of ${ref.owner}/${ref.repo}, so whoever can push that branch can change the code this runs`,
      });
    }
  },
});
