import { walk } from '../expr/parser.js';
import { contextAccesses } from '../expr/parser.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unredacted-secrets',
    title: 'Secret transformed so that log masking misses it',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'GitHub masks the exact value of each secret in logs. `fromJSON(secrets.X)` (or a field of it) yields a different string, a part of the secret, which is not masked when a step prints it.',
      bad: '- run: ./deploy --key "${{ fromJSON(secrets.CONFIG).apiKey }}"',
      good: '# store apiKey as its own secret\n- run: ./deploy --key "$API_KEY"\n  env:\n    API_KEY: ${{ secrets.API_KEY }}',
      remedy: 'Store each value that must stay secret as its own secret, or register derived values with `::add-mask::` before using them.',
    },
  },
  check({ pipeline, report }) {
    for (const e of pipeline.expressions) {
      if (!e.ast) continue;
      walk(e.ast, (n) => {
        if (n.type !== 'call' || n.callee.toLowerCase() !== 'fromjson') return;
        const secret = n.args.flatMap((a) => contextAccesses(a)).find((a) => a.path.startsWith('secrets.'));
        if (secret) report({ span: e.span, message: `\`fromJSON(${secret.path})\` produces values that log masking does not know` });
      });
    }
  },
});
