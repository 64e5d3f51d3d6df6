import { publishes } from '../core/commands.js';
import { defineRule } from './types.js';

const REGISTRY: Record<string, string> = { npm: 'npm', pypi: 'PyPI', crates: 'crates.io', rubygems: 'RubyGems', nuget: 'NuGet' };

export default defineRule({
  meta: {
    id: 'use-trusted-publishing',
    title: 'Publishing with a stored token where trusted publishing exists',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-6',
    platforms: ['gha', 'gitlab'],
    fixable: false,
    docs: {
      description:
        'npm, PyPI, crates.io, RubyGems and NuGet accept short-lived OIDC credentials from GitHub Actions and GitLab CI ("trusted publishing"). A long-lived registry token in CI secrets can be stolen by any step that runs with it and used from anywhere until someone notices and revokes it.',
      bad: '- uses: pypa/gh-action-pypi-publish@<sha>\n  with:\n    password: ${{ secrets.PYPI_TOKEN }}',
      good: 'permissions:\n  id-token: write\nsteps:\n  - uses: pypa/gh-action-pypi-publish@<sha>',
      remedy: 'Configure trusted publishing on the registry for this repository and workflow, grant `id-token: write` (GitLab: `id_tokens:`), and delete the stored token.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const p of publishes(job)) {
        const registry = REGISTRY[p.ecosystem];
        if (!registry || !p.storedToken) continue;
        report({ span: p.step.anchor, message: `job \`${job.id.value}\` publishes to ${registry} with a stored token; ${registry} supports trusted publishing with short-lived OIDC credentials` });
      }
    }
  },
});
