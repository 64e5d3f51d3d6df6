import { contextAccesses, walk } from '../expr/parser.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'bot-conditions',
    title: 'Spoofable bot check',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-1',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "`github.actor == 'dependabot[bot]'` tells who caused the latest event, not who wrote the code: an attacker can open a pull request, then make the bot act on it (a rebase, a comment command), and the workflow runs with the bot's trust on the attacker's commits.",
      bad: "if: github.actor == 'dependabot[bot]'",
      good: "if: github.event.pull_request.user.login == 'dependabot[bot]' && github.repository == github.event.pull_request.head.repo.full_name",
      remedy: 'Check who opened the pull request (`github.event.pull_request.user.login`) and that its head is in this repository, not the actor of the event.',
    },
  },
  check({ pipeline, report }) {
    // The spoof matters where an outsider's change runs with privileges after the bot acts on it.
    const privileged = pipeline.triggers.some((t) => t.actor === 'external' && t.privileged);
    const conditions = pipeline.jobs.flatMap((j) => [j.if, ...j.steps.map((s) => s.if)]);
    for (const c of conditions) {
      for (const e of c?.expressions ?? []) {
        if (!e.ast) continue;
        walk(e.ast, (n) => {
          // `!=` only skips work for the bot; `==` grants it trust.
          if (n.type !== 'binary' || n.operator !== '==') return;
          const sides = [n.left, n.right];
          const bot = sides.find((s) => s.type === 'literal' && typeof s.value === 'string' && /\[bot\]$/i.test(s.value));
          const actor = sides.flatMap((s) => contextAccesses(s)).find((a) => a.path === 'github.actor' || a.path === 'github.triggering_actor');
          if (!bot || !actor) return;
          report({
            span: e.span,
            message: `\`${actor.path}\` compared with a bot name can be satisfied on an attacker's pull request`,
            ...(privileged ? {} : { severity: 'low' as const, persona: 'pedantic' as const }),
          });
        });
      }
    }
  },
});
