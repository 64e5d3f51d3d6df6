import { githubRefs } from '../online/collect.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'stale-action-refs',
    title: 'Pinned commit is no release',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        'A SHA pin that no tag of the action\'s repository points at runs an in-between commit that was never released: nobody said it was ready, it may carry unreviewed changes, and Dependabot or Renovate cannot tell which version it is. Checked online (`pipewarden scan --online`) against the repository\'s tags.',
      bad: '- uses: some-org/setup-tool@0d3c8a1f2b4e5d6c7a8b9c0d1e2f3a4b5c6d7e8f   # a commit on main',
      good: '- uses: some-org/setup-tool@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v2.1.0',
      remedy: 'Pin the commit of a release tag, with the version in a comment.',
    },
  },
  check({ pipeline, report, external }) {
    const facts = external?.github;
    if (!facts) return;
    for (const ref of githubRefs(pipeline)) {
      if (ref.pin !== 'hash') continue;
      const key = `${ref.owner}/${ref.repo}`.toLowerCase();
      // An impostor commit is reported as such; its missing tag says nothing more.
      if (facts.reachability(key, ref.version!)?.reachable === false) continue;
      const tags = facts.tagsAt(key, ref.version!);
      if (!tags || tags.length > 0 || !facts.tags.get(key)?.complete) continue;
      report({ span: ref.span, message: `commit ${ref.version!.slice(0, 12)} of ${ref.owner}/${ref.repo} is pointed at by no tag: it is not a release` });
    }
  },
});
