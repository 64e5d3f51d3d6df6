import type { ExprNode } from '../expr/ast.js';
import { accessPath, contextAccesses, walk } from '../expr/parser.js';
import type { Pipeline } from '../model/pipeline.js';
import { defineRule } from './types.js';

/**
 * What the middle operand of `a && b || c` can be:
 * - falsy: always falsy, so the expression never yields it
 * - boolean: a comparison, negation or boolean function, which is false as often as true
 * - maybe-empty: a value read at run time that is empty when unset (a secret, an output, an input)
 * - truthy: never falsy, so the idiom works
 */
type Falsiness = 'falsy' | 'boolean' | 'maybe-empty' | 'truthy';

const BOOLEAN_FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'success', 'failure', 'always', 'cancelled']);

/** Context values that every run sets to a non-empty string. */
const ALWAYS_SET = new Set([
  'github.sha', 'github.ref', 'github.repository', 'github.repository_owner', 'github.repository_id', 'github.run_id', 'github.run_number',
  'github.run_attempt', 'github.workflow', 'github.workflow_ref', 'github.event_name', 'github.actor', 'github.triggering_actor',
  'github.server_url', 'github.api_url', 'github.graphql_url', 'github.job', 'github.workspace', 'github.token', 'github.action_path',
  'github.retention_days', 'runner.os', 'runner.arch', 'runner.temp', 'runner.tool_cache', 'runner.name', 'secrets.github_token',
  // Set for every event of the kind the surrounding condition tests (`github.event_name == 'pull_request' && … || …`).
  'github.head_ref', 'github.base_ref', 'github.event.number', 'github.event.pull_request.number', 'github.event.pull_request.head.sha',
  'github.event.pull_request.head.ref', 'github.event.pull_request.base.sha', 'github.event.pull_request.base.ref',
  'github.event.pull_request.head.repo.full_name', 'github.event.pull_request.title', 'github.event.pull_request.html_url',
  'github.event.pull_request.user.login', 'github.event.workflow_run.head_sha', 'github.event.workflow_run.id',
]);

/** GitHub's falsy values are `false`, `0`, `-0`, `''` and `null`; any other literal is truthy (`'0'` included). */
function literalFalsiness(value: string | number | boolean | null): Falsiness {
  return value === null || value === false || value === '' || value === 0 ? 'falsy' : 'truthy';
}

/** Two operands that are each sometimes falsy: the less certain description wins. */
function either(l: Falsiness, r: Falsiness): Falsiness {
  return l === r ? l : 'maybe-empty';
}

/** Beyond this depth an operand is not judged (long `||` chains make deep trees). */
const MAX_DEPTH = 64;

function falsiness(n: ExprNode, pipeline: Pipeline, depth = 0): Falsiness {
  if (depth > MAX_DEPTH) return 'maybe-empty';
  switch (n.type) {
    case 'literal':
      return literalFalsiness(n.value);
    case 'unary':
      return 'boolean';
    case 'binary': {
      if (n.operator === '||' || n.operator === '&&') {
        const l = falsiness(n.left, pipeline, depth + 1);
        const r = falsiness(n.right, pipeline, depth + 1);
        if (n.operator === '||') {
          if (l === 'truthy' || r === 'truthy') return 'truthy';
          return l === 'falsy' ? r : r === 'falsy' ? l : either(l, r);
        }
        if (l === 'falsy' || r === 'falsy') return 'falsy';
        return l === 'truthy' ? r : r === 'truthy' ? l : either(l, r);
      }
      return 'boolean';
    }
    case 'call': {
      const name = n.callee.toLowerCase();
      if (BOOLEAN_FUNCTIONS.has(name)) return 'boolean';
      // toJSON always yields text (`null`, `""`, `{}` at the least).
      if (name === 'tojson') return 'truthy';
      if (name === 'format') {
        const fmt = n.args[0];
        // Literal text beside the placeholders keeps the result non-empty.
        if (fmt?.type === 'literal' && typeof fmt.value === 'string' && fmt.value.replace(/\{\d+\}/g, '').replace(/\{\{|\}\}/g, 'x').length > 0) return 'truthy';
      }
      if (name === 'fromjson') {
        const arg = n.args[0];
        if (arg?.type === 'literal' && typeof arg.value === 'string') return fromJsonLiteral(arg.value);
      }
      return 'maybe-empty';
    }
    case 'identifier':
    case 'index': {
      const path = accessPath(n);
      if (path === undefined) return 'maybe-empty';
      if (ALWAYS_SET.has(path)) return 'truthy';
      const input = /^(?:inputs|github\.event\.inputs)\.([^.]+)$/.exec(path);
      // Paths are lower-cased; input names are case-insensitive.
      if (input) for (const [k, v] of pipeline.inputs) if (k.toLowerCase() === input[1] && v.type === 'boolean') return 'boolean';
      return 'maybe-empty';
    }
  }
}

/** `c` in `a && b || c` is itself a test (a comparison, a negation, a boolean function): the whole is boolean logic, not a choice of values. */
function isBooleanLogic(c: ExprNode, depth = 0): boolean {
  if (c.type === 'unary' || depth > MAX_DEPTH) return true;
  if (c.type === 'binary') return c.operator === '&&' || c.operator === '||' ? isBooleanLogic(c.left, depth + 1) && isBooleanLogic(c.right, depth + 1) : true;
  return c.type === 'call' && BOOLEAN_FUNCTIONS.has(c.callee.toLowerCase());
}

/** `c` is itself falsy (`… && b || ''`): an empty `b` gives the same nothing, so no value is lost. */
function fallsBackToNothing(c: ExprNode): boolean {
  return c.type === 'literal' && literalFalsiness(c.value) === 'falsy';
}

/** The condition already tests what `b` reads (`inputs.x != '' && inputs.x || d`), so `b` is set when chosen. */
function guardedBy(condition: ExprNode, b: ExprNode): boolean {
  const tested = new Set(contextAccesses(condition).map((a) => a.path));
  const read = contextAccesses(b).map((a) => a.path);
  return read.length > 0 && read.every((p) => tested.has(p));
}

function fromJsonLiteral(text: string): Falsiness {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || v === false || v === 0 || v === '') return 'falsy';
    return 'truthy';
  } catch {
    return 'maybe-empty';
  }
}

function source(raw: string, n: ExprNode): string {
  const s = raw.slice(n.start, n.end).trim();
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

export default defineRule({
  meta: {
    id: 'unsound-ternary',
    title: '`a && b || c` where b can be falsy',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-1',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "GitHub expressions have no `? :`, so `cond && b || c` stands in for one. It only works when `b` is truthy: when `b` is `''`, `0`, `false`, a comparison that fails, or a value that is empty at run time (an unset secret or variable, a missing step output, a boolean input), the expression yields `c` even though `cond` held. A flag meant to switch off publishing, a token chosen per event or a safe default then silently goes the other way. Literal falsy values and booleans are reported at the regular level; values that are empty only when unset are reported for pedantic readers. In `if:` conditions, and where `c` is itself a test (`a && b || c == 'x'`), the expression is plain boolean logic and only an always-falsy `b` is reported. A condition that already tests what `b` reads (`inputs.x != '' && inputs.x || d`) and an empty fallback (`… && b || ''`) are not reported either.",
      bad: "run: ./release.sh ${{ inputs.dry-run && '' || '--publish' }}",
      good: "run: ./release.sh ${{ !inputs.dry-run && '--publish' || '' }}",
      remedy: "Rewrite so the middle operand is a non-empty literal (negate the condition and swap the branches), or compute the value in a script step where both branches are explicit.",
    },
  },
  check({ pipeline, report }) {
    // In `if:` the result is read as true or false, so `a && b || c` is plain boolean logic there.
    const conditions = new Set(pipeline.jobs.flatMap((j) => [j.if, ...j.steps.map((s) => s.if)]).flatMap((c) => c?.expressions ?? []));
    for (const e of pipeline.expressions) {
      if (!e.ast || (e.syntax && e.syntax !== 'gha')) continue;
      const inCondition = conditions.has(e);
      walk(e.ast, (n) => {
        if (n.type !== 'binary' || n.operator !== '||' || n.left.type !== 'binary' || n.left.operator !== '&&') return;
        const middle = n.left.right;
        const kind = falsiness(middle, pipeline);
        if (kind === 'truthy') return;
        if (kind !== 'falsy' && (inCondition || isBooleanLogic(n.right) || fallsBackToNothing(n.right) || guardedBy(n.left.left, middle))) return;
        const b = source(e.raw, middle);
        const c = source(e.raw, n.right);
        const message =
          kind === 'falsy'
            ? `\`${b}\` is always falsy, so \`… && ${b} || ${c}\` always yields \`${c}\``
            : kind === 'boolean'
              ? `\`${b}\` can be false, and then \`… && ${b} || ${c}\` yields \`${c}\` even when the condition holds`
              : `\`${b}\` is empty when unset, and then \`… && ${b} || ${c}\` yields \`${c}\` even when the condition holds`;
        report({
          span: e.span,
          message,
          ...(kind === 'falsy' ? { confidence: 'high' as const } : {}),
          ...(kind === 'maybe-empty' ? { confidence: 'low' as const, persona: 'pedantic' as const } : {}),
        });
      });
    }
  },
});
