import { defineRule } from './types.js';

/** Action repositories archived by their owners (no more fixes), with what replaced them. */
const ARCHIVED: Record<string, string> = {
  'actions-rs/toolchain': 'dtolnay/rust-toolchain or rustup in a run step',
  'actions-rs/cargo': 'cargo in a run step',
  'actions-rs/clippy-check': 'cargo clippy in a run step',
  'actions-rs/audit-check': 'cargo audit in a run step',
  'actions/create-release': 'gh release create or softprops/action-gh-release',
  'actions/upload-release-asset': 'gh release upload',
  'actions/setup-ruby': 'ruby/setup-ruby',
  'actions/setup-elixir': 'erlef/setup-beam',
  'actions/setup-haskell': 'haskell-actions/setup',
};

export default defineRule({
  meta: {
    id: 'archived-uses',
    title: 'Action from an archived repository',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description: 'An archived action gets no security fixes and often runs on a deprecated Node.js version; its dependencies age with it. The list shipped with pipewarden names archived repositories of widely used actions.',
      bad: '- uses: actions-rs/toolchain@v1',
      good: '- uses: dtolnay/rust-toolchain@<sha> # stable',
      remedy: 'Replace it with the maintained alternative named in the finding.',
    },
  },
  check({ pipeline, report }) {
    for (const ref of pipeline.references) {
      if (ref.kind !== 'action' || !ref.owner || !ref.repo) continue;
      const instead = ARCHIVED[`${ref.owner}/${ref.repo}`.toLowerCase()];
      if (instead) report({ span: ref.span, message: `\`${ref.owner}/${ref.repo}\` is archived and gets no fixes; use ${instead}` });
    }
  },
});
