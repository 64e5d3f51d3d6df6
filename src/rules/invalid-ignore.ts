import { defineRule } from './types.js';

/** Reported by the scan engine for inline ignores that cannot be honoured as written. */
export const invalidIgnoreRule = defineRule({
  meta: {
    id: 'invalid-ignore',
    title: 'Inline ignore without a reason or for an unknown rule',
    severity: 'low',
    confidence: 'high',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s', 'docker', 'dagger', 'dependabot'],
    fixable: false,
    docs: {
      description:
        'An inline `pipewarden: ignore[rule-id]` comment must say why the finding does not apply, so a reviewer can judge the exception later. An ignore without a reason does not silence anything, and one that names an unknown rule is probably a typo.',
      bad: '- uses: actions/checkout@v4  # pipewarden: ignore[unpinned-uses]',
      good: '- uses: actions/checkout@v4  # pipewarden: ignore[unpinned-uses] first-party action, pinned by org policy',
      remedy: 'Add a reason after the bracket, or correct the rule id.',
    },
  },
  check() {},
});
