import { walk } from '../expr/parser.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unsound-contains',
    title: 'contains() on a string that an attacker can satisfy',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-1',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "`contains('refs/heads/main refs/heads/release', github.ref)` checks for a substring, not for membership: a branch named `main` or `heads/m` matches too. When the value comes from the event (a ref, a branch name, a label), an outsider can pick one that passes the guard.",
      bad: "if: contains('refs/heads/main,refs/heads/release', github.ref)",
      good: "if: contains(fromJSON('[\"refs/heads/main\", \"refs/heads/release\"]'), github.ref)",
      remedy: "Test membership in a list (`contains(fromJSON('[\"a\", \"b\"]'), x)`) or compare with `==` for each value.",
    },
  },
  check({ pipeline, report }) {
    for (const e of pipeline.expressions) {
      if (!e.ast) continue;
      walk(e.ast, (n) => {
        if (n.type !== 'call' || n.callee.toLowerCase() !== 'contains' || n.args.length !== 2) return;
        const [haystack, needle] = n.args;
        if (haystack?.type !== 'literal' || typeof haystack.value !== 'string' || needle?.type === 'literal') return;
        report({ span: e.span, message: `\`contains('${haystack.value}', …)\` is a substring test: a value such as a short branch name can satisfy it` });
      });
    }
  },
});
