import { contextAccesses } from '../expr/parser.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'overprovisioned-secrets',
    title: 'Every secret handed over at once',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        '`toJSON(secrets)` or `secrets[<computed key>]` makes every secret of the repository available to the step, so GitHub must hand all of them to the runner. One leak then exposes every credential instead of one.',
      bad: '- run: ./deploy.sh\n  env:\n    ALL_SECRETS: ${{ toJSON(secrets) }}',
      good: '- run: ./deploy.sh\n  env:\n    DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}',
      remedy: 'Reference each secret the step needs by name: `${{ secrets.NAME }}`.',
    },
  },
  check({ pipeline, report }) {
    for (const expr of pipeline.expressions) {
      if (!expr.ast) continue;
      // `toJSON(secrets)` shows up as a bare `secrets`, `secrets[matrix.name]` as `secrets[?]`.
      const whole = contextAccesses(expr.ast).some((a) => a.path === 'secrets' || a.path.startsWith('secrets[?]') || a.path === 'secrets.*');
      if (whole) report({ span: expr.span, message: `\`\${{${expr.raw}}}\` gives the step every secret, not just the one it needs` });
    }
  },
});
