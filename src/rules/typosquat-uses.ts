import { defineRule } from './types.js';

/** Widely used actions, lower case `owner/repo`; a name one edit away from one of these is suspicious. */
const POPULAR = [
  'actions/checkout', 'actions/setup-node', 'actions/setup-python', 'actions/setup-go', 'actions/setup-java', 'actions/setup-dotnet',
  'actions/cache', 'actions/upload-artifact', 'actions/download-artifact', 'actions/github-script', 'actions/labeler', 'actions/stale',
  'actions/configure-pages', 'actions/deploy-pages', 'actions/upload-pages-artifact', 'actions/create-github-app-token',
  'docker/login-action', 'docker/build-push-action', 'docker/setup-buildx-action', 'docker/setup-qemu-action', 'docker/metadata-action',
  'github/codeql-action', 'aws-actions/configure-aws-credentials', 'google-github-actions/auth', 'azure/login',
  'softprops/action-gh-release', 'peter-evans/create-pull-request', 'codecov/codecov-action', 'pypa/gh-action-pypi-publish',
  'ruby/setup-ruby', 'dtolnay/rust-toolchain', 'swatinem/rust-cache', 'hashicorp/setup-terraform', 'peaceiris/actions-gh-pages',
  'jamesives/github-pages-deploy-action', 'golangci/golangci-lint-action', 'pnpm/action-setup', 'gradle/actions', 'astral-sh/setup-uv',
  'tj-actions/changed-files', 'dorny/paths-filter', 'step-security/harden-runner', 'sigstore/cosign-installer', 'slsa-framework/slsa-github-generator',
];

/** Optimal string alignment distance, capped: only 0, 1 and "more" matter here. */
/**
 * Edit distance capped at 2 (0, 1, or "2 or more"), counting a swap of two
 * neighbours as one edit. Linear: it runs for every `uses:` against every
 * popular name.
 */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > 1) return 2;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return 1; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2) ? 1 : 2; // transposition
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  return long.slice(i + 1) === short.slice(i) ? 1 : 2; // insertion or deletion
}

export default defineRule({
  meta: {
    id: 'typosquat-uses',
    title: 'Action name one edit away from a popular action',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'Attackers publish actions whose names differ from popular ones by one character (`actions/chekout`, `action/checkout`), so that a typo runs their code with your secrets. A reference one edit away from a well-known action is most likely such a typo.',
      bad: '- uses: actions/chekout@v4',
      good: '- uses: actions/checkout@<sha> # v4',
      remedy: 'Correct the name to the action you meant, and pin it by commit SHA.',
    },
  },
  check({ pipeline, report }) {
    for (const ref of pipeline.references) {
      if ((ref.kind !== 'action' && ref.kind !== 'reusable-workflow') || !ref.owner || !ref.repo) continue;
      const name = `${ref.owner}/${ref.repo}`.toLowerCase();
      if (POPULAR.includes(name)) continue;
      const near = POPULAR.find((p) => distance(p, name) === 1);
      if (near) report({ span: ref.span, message: `\`${ref.owner}/${ref.repo}\` is one character away from the popular \`${near}\`` });
    }
  },
});
