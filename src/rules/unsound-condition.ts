import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unsound-condition',
    title: 'Condition that is always true',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-1',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'GitHub evaluates `if:` as a whole expression only when it is one. With text around a `${{ }}` (`if: ${{ a }} && ${{ b }}`), or a block scalar that leaves a trailing newline (`if: |`), the result is a non-empty string, which is always true: the guard that was meant to stop forks, bots or other branches does nothing.',
      bad: "if: |\n  ${{ github.actor == 'trusted-bot' }}",
      good: "if: github.actor == 'trusted-bot'",
      remedy: 'Write the condition as one expression, without text around it and without a block scalar: `if: a && b` or `if: ${{ a && b }}`.',
    },
  },
  check({ pipeline, report }) {
    const conditions = pipeline.jobs.flatMap((j) => [j.if, ...j.steps.map((s) => s.if)]);
    for (const c of conditions) {
      if (!c || c.expressions.length === 0) continue;
      const outside = c.value.replace(/\$\{\{[\s\S]*?\}\}/g, '');
      const delimited = c.value.includes('${{');
      if (delimited && outside.length > 0) {
        report({ span: c.span, message: `\`if: ${c.value.replace(/\n/g, '\\n').slice(0, 80)}\` has text outside \`\${{ }}\`, so it is a non-empty string and always true` });
      }
    }
  },
});
