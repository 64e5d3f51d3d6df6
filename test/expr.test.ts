import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from './helpers/fc.js';
import { contextAccesses, findExpressions, parseExpression, walk } from '../src/expr/parser.js';
import type { ExprNode } from '../src/expr/ast.js';

/** Parses and fails the test on an error. */
function ast(text: string): ExprNode {
  const r = parseExpression(text);
  assert.equal(r.error, undefined, `unexpected error for ${JSON.stringify(text)}`);
  assert.ok(r.ast);
  return r.ast;
}

/** Compact rendering of a tree, to compare shapes without offsets. */
function show(n: ExprNode): string {
  switch (n.type) {
    case 'literal':
      return typeof n.value === 'string' ? `'${n.value}'` : String(n.value);
    case 'identifier':
      return n.name;
    case 'index': {
      const ix = n.index.type === 'star' ? '*' : show(n.index);
      return n.computed ? `${show(n.object)}[${ix}]` : `${show(n.object)}.${n.index.type === 'literal' ? String(n.index.value) : ix}`;
    }
    case 'call':
      return `${n.callee}(${n.args.map(show).join(', ')})`;
    case 'unary':
      return `!${show(n.operand)}`;
    case 'binary':
      return `(${show(n.left)} ${n.operator} ${show(n.right)})`;
  }
}

function literal(text: string): unknown {
  const n = ast(text);
  assert.equal(n.type, 'literal');
  return n.type === 'literal' ? n.value : undefined;
}

function errorOf(text: string): string {
  const r = parseExpression(text);
  assert.equal(r.ast, null, `expected an error for ${JSON.stringify(text)}`);
  assert.ok(r.error);
  return r.error;
}

function paths(text: string): string[] {
  return contextAccesses(ast(text)).map((a) => a.path);
}

test('literals: null, booleans, case-insensitive keywords', () => {
  assert.equal(literal('null'), null);
  assert.equal(literal('NULL'), null);
  assert.equal(literal('true'), true);
  assert.equal(literal('True'), true);
  assert.equal(literal('false'), false);
  assert.equal(literal('FALSE'), false);
});

test('literals: numbers', () => {
  assert.equal(literal('42'), 42);
  assert.equal(literal('-7'), -7);
  assert.equal(literal('3.25'), 3.25);
  assert.equal(literal('-0.5'), -0.5);
  assert.equal(literal('1e3'), 1000);
  assert.equal(literal('2.5E-2'), 0.025);
  assert.equal(literal('1e+2'), 100);
  assert.equal(literal('0x1F'), 31);
  assert.equal(literal('0xff'), 255);
  assert.equal(literal('-0x10'), -16);
});

test('literals: strings with the doubled-quote escape', () => {
  assert.equal(literal("'hello'"), 'hello');
  assert.equal(literal("''"), '');
  assert.equal(literal("'it''s'"), "it's");
  assert.equal(literal("''''"), "'");
  assert.equal(literal("'a }} b'"), 'a }} b');
});

test('surrounding whitespace is ignored', () => {
  assert.equal(show(ast('  github.actor \n')), 'github.actor');
});

test('precedence: && binds tighter than ||', () => {
  assert.equal(show(ast('a || b && c')), '(a || (b && c))');
  assert.equal(show(ast('a && b || c')), '((a && b) || c)');
  assert.equal(show(ast('(a || b) && c')), '((a || b) && c)');
});

test('precedence: equality, comparison, unary', () => {
  assert.equal(show(ast('a == b && c != d')), '((a == b) && (c != d))');
  assert.equal(show(ast('a == b < c')), '(a == (b < c))');
  assert.equal(show(ast('a < b == c >= d')), '((a < b) == (c >= d))');
  assert.equal(show(ast('!a == b')), '(!a == b)');
  assert.equal(show(ast('!!a.b')), '!!a.b');
  assert.equal(show(ast('a <= 1 || b > 2')), '((a <= 1) || (b > 2))');
});

test('binary operators are left-associative', () => {
  assert.equal(show(ast('a || b || c')), '((a || b) || c)');
  assert.equal(show(ast('a == b == c')), '((a == b) == c)');
});

test('property access, index and wildcards', () => {
  assert.equal(show(ast('github.event.pull_request.title')), 'github.event.pull_request.title');
  assert.equal(show(ast("github.event['pull_request']")), "github.event['pull_request']");
  assert.equal(show(ast('matrix[inputs.key]')), 'matrix[inputs.key]');
  assert.equal(show(ast('github.event.commits[0].message')), 'github.event.commits[0].message');
  assert.equal(show(ast('steps.my-step.outputs.value')), 'steps.my-step.outputs.value');
  assert.equal(show(ast('github.event.commits.*.message')), 'github.event.commits.*.message');
  assert.equal(show(ast('needs[*].result')), 'needs[*].result');
  assert.equal(show(ast('inputs.true')), 'inputs.true');

  const star = ast('a.*');
  assert.ok(star.type === 'index' && star.index.type === 'star' && !star.computed);
  const bracketStar = ast('a[*]');
  assert.ok(bracketStar.type === 'index' && bracketStar.index.type === 'star' && bracketStar.computed);
  const dotted = ast('a.b');
  assert.ok(dotted.type === 'index' && !dotted.computed && dotted.index.type === 'literal' && dotted.index.value === 'b');
});

test('function calls, nested arguments and postfix on results', () => {
  assert.equal(show(ast('success()')), 'success()');
  assert.equal(show(ast("contains(github.event.issue.labels.*.name, 'bug')")), "contains(github.event.issue.labels.*.name, 'bug')");
  assert.equal(
    show(ast("format('{0}-{1}', join(matrix.os, ','), toJSON(fromJSON(inputs.x)))")),
    "format('{0}-{1}', join(matrix.os, ','), toJSON(fromJSON(inputs.x)))",
  );
  assert.equal(show(ast("fromJSON(steps.s.outputs.json).items[0]")), 'fromJSON(steps.s.outputs.json).items[0]');
  assert.equal(show(ast("hashFiles('**/package-lock.json', '**/yarn.lock')")), "hashFiles('**/package-lock.json', '**/yarn.lock')");
  assert.equal(show(ast('always() && !cancelled()')), '(always() && !cancelled())');
  assert.equal(show(ast("startsWith(github.ref, 'refs/tags/') || endsWith(github.ref, '-rc')")), "(startsWith(github.ref, 'refs/tags/') || endsWith(github.ref, '-rc'))");
  // Any name is accepted; checking names is a rule's job.
  assert.equal(show(ast('someFunction(1)')), 'someFunction(1)');
});

test('errors: never thrown, carry a column', () => {
  assert.match(errorOf("'abc"), /unterminated string.*column 1/);
  assert.match(errorOf("a == 'abc"), /unterminated string.*column 6/);
  assert.match(errorOf('a =='), /unexpected end of expression at column 5/);
  assert.match(errorOf(')'), /unexpected '\)' at column 1/);
  assert.match(errorOf('(a'), /expected '\)'.*column 3/);
  assert.match(errorOf('a b'), /after end of expression at column 3/);
  assert.match(errorOf(''), /empty expression/);
  assert.match(errorOf('   '), /empty expression/);
  assert.match(errorOf('"abc"'), /single quotes/);
  assert.match(errorOf('a = b'), /did you mean '=='/);
  assert.match(errorOf('a & b'), /did you mean '&&'/);
  assert.match(errorOf('a.'), /property name/);
  assert.match(errorOf('a.1'), /property name/);
  assert.match(errorOf('a[]'), /empty index/);
  assert.match(errorOf('a[1'), /expected '\]'/);
  assert.match(errorOf('f(a,)'), /unexpected '\)'/);
  assert.match(errorOf('f(a'), /expected '\)'/);
  assert.match(errorOf('12abc'), /in number/);
  assert.match(errorOf('0x'), /hexadecimal/);
  assert.match(errorOf('1e'), /exponent/);
  assert.match(errorOf('a @ b'), /unexpected character "@" at column 3/);
  assert.match(errorOf('- 1'), /unexpected character "-"/);
});

test('errors: nesting deeper than 200 levels', () => {
  assert.equal(show(ast('('.repeat(200) + 'a' + ')'.repeat(200))), 'a');
  assert.match(errorOf('('.repeat(201) + 'a' + ')'.repeat(201)), /nested more than 200/);
  assert.match(errorOf('!'.repeat(201) + 'a'), /nested more than 200/);
  assert.match(errorOf('f('.repeat(201) + '1' + ')'.repeat(201)), /nested more than 200/);
  assert.match(errorOf('a['.repeat(201) + '1' + ']'.repeat(201)), /nested more than 200/);
  // Deep input must not blow the stack either.
  assert.match(errorOf('('.repeat(100000)), /nested more than 200/);
});

test('long flat chains parse and can be walked', () => {
  const n = 20000;
  const tree = ast(Array.from({ length: n }, (_, i) => `a${i}`).join(' || '));
  let count = 0;
  walk(tree, () => count++);
  assert.equal(count, 2 * n - 1);
  assert.equal(contextAccesses(tree).length, n);
});

test('node offsets', () => {
  const text = " github.event['x'] == 'y' && !f(a, 1) ";
  const root = ast(text);
  const slice = (n: { start: number; end: number }): string => text.slice(n.start, n.end);
  assert.equal(slice(root), "github.event['x'] == 'y' && !f(a, 1)");
  assert.ok(root.type === 'binary');
  const eq = root.left;
  assert.ok(eq.type === 'binary');
  assert.equal(slice(eq), "github.event['x'] == 'y'");
  assert.equal(slice(eq.left), "github.event['x']");
  assert.equal(slice(eq.right), "'y'");
  assert.ok(eq.left.type === 'index');
  assert.equal(slice(eq.left.object), 'github.event');
  assert.equal(slice(eq.left.index), "'x'");
  const not = root.right;
  assert.ok(not.type === 'unary');
  assert.equal(slice(not), '!f(a, 1)');
  assert.ok(not.operand.type === 'call');
  assert.equal(slice(not.operand), 'f(a, 1)');
  assert.equal(slice(not.operand.args[1]!), '1');

  const dot = ast('a.b.*');
  assert.ok(dot.type === 'index' && dot.index.type === 'star');
  assert.deepEqual([dot.start, dot.end, dot.index.start, dot.index.end], [0, 5, 4, 5]);
  assert.ok(dot.object.type === 'index');
  assert.deepEqual([dot.object.index.start, dot.object.index.end], [2, 3]);

  // Parents cover parenthesised operands; the operand keeps its own extent.
  const grouped = '(a || b) && c';
  const g = ast(grouped);
  assert.equal(grouped.slice(g.start, g.end), grouped);
  assert.ok(g.type === 'binary');
  assert.equal(grouped.slice(g.left.start, g.left.end), 'a || b');
  assert.equal(show(ast('(a).b')), 'a.b');
  const pb = ast('(a).b');
  assert.deepEqual([pb.start, pb.end], [0, 5]);
});

test('every node lies within its parent and the text', () => {
  const text = "contains(toJSON(github.event), format('{0}', (a || b)[c])) && !(x.y[*] != -1.5e3)";
  const root = ast(text);
  walk(root, (node, parent) => {
    assert.ok(node.start >= 0 && node.start <= node.end && node.end <= text.length);
    if (parent) assert.ok(parent.start <= node.start && node.end <= parent.end, `${show(node)} in ${show(parent)}`);
  });
});

test('walk is pre-order with parents', () => {
  const root = ast('f(a.b, !c) || d');
  const seen: string[] = [];
  walk(root, (node, parent) => seen.push(`${show(node)}<${parent ? parent.type : 'root'}`));
  assert.deepEqual(seen, [
    '(f(a.b, !c) || d)<root',
    'f(a.b, !c)<binary',
    'a.b<call',
    'a<index',
    "'b'<index",
    '!c<call',
    'c<unary',
    'd<binary',
  ]);
});

test('findExpressions: several in one string', () => {
  const v = 'echo ${{ github.actor }} and ${{inputs.x}}!';
  const found = findExpressions(v);
  assert.equal(found.length, 2);
  assert.equal(v.slice(found[0]!.start, found[0]!.end), '${{ github.actor }}');
  assert.equal(v.slice(found[0]!.innerStart, found[0]!.innerEnd), ' github.actor ');
  assert.equal(v.slice(found[1]!.start, found[1]!.end), '${{inputs.x}}');
  assert.equal(v.slice(found[1]!.innerStart, found[1]!.innerEnd), 'inputs.x');
  assert.deepEqual(findExpressions('no expressions ${ { here }}'), []);
});

test('findExpressions: }} inside a quoted string does not close', () => {
  const v = "a ${{ format('}}', 'it''s }}') }} b";
  const found = findExpressions(v);
  assert.equal(found.length, 1);
  assert.equal(v.slice(found[0]!.innerStart, found[0]!.innerEnd), " format('}}', 'it''s }}') ");
  assert.equal(found[0]!.end, v.length - 2);
  const call = ast(v.slice(found[0]!.innerStart, found[0]!.innerEnd));
  assert.ok(call.type === 'call');
  assert.deepEqual(
    call.args.map((a) => (a.type === 'literal' ? a.value : a.type)),
    ['}}', "it's }}"],
  );
});

test('findExpressions: unterminated', () => {
  const v = 'ok ${{ a }} then ${{ b.c';
  const found = findExpressions(v);
  assert.equal(found.length, 2);
  assert.deepEqual(found[1], { start: 17, end: v.length, innerStart: 20, innerEnd: v.length });

  // An unterminated string swallows the rest, so the expression is unterminated too.
  const q = "${{ 'abc }} ${{ x }}";
  assert.deepEqual(findExpressions(q), [{ start: 0, end: q.length, innerStart: 3, innerEnd: q.length }]);
  assert.deepEqual(findExpressions('${{'), [{ start: 0, end: 3, innerStart: 3, innerEnd: 3 }]);
});

test('findExpressions: adjacent and extra braces', () => {
  const v = '${{a}}${{b}}}';
  const found = findExpressions(v);
  assert.deepEqual(
    found.map((f) => v.slice(f.innerStart, f.innerEnd)),
    ['a', 'b'],
  );
  assert.equal(found[1]!.end, 12);
});

test('contextAccesses: dotted, indexed and wildcard paths', () => {
  assert.deepEqual(paths('github.event.pull_request.title'), ['github.event.pull_request.title']);
  assert.deepEqual(paths("github.event['pull_request']['title']"), ['github.event.pull_request.title']);
  assert.deepEqual(paths('GitHub.Event.Pull_Request.TITLE'), ['github.event.pull_request.title']);
  assert.deepEqual(paths('github.event.commits.*.message'), ['github.event.commits.*.message']);
  assert.deepEqual(paths('github.event.commits[*].message'), ['github.event.commits.*.message']);
  assert.deepEqual(paths('github.event.commits[0].message'), ['github.event.commits.0.message']);
  assert.deepEqual(paths('matrix.os'), ['matrix.os']);
  assert.deepEqual(paths('github'), ['github']);
});

test('contextAccesses: computed indexes, calls and duplicates', () => {
  assert.deepEqual(paths('secrets[matrix.name]'), ['secrets[?]', 'matrix.name']);
  assert.deepEqual(paths("secrets[format('{0}_TOKEN', inputs.env)].x"), ['secrets[?].x', 'inputs.env']);
  assert.deepEqual(paths('toJSON(github.event)'), ['github.event']);
  assert.deepEqual(paths("contains(github.event.issue.title, 'x') && success()"), ['github.event.issue.title']);
  assert.deepEqual(paths('fromJSON(env.DATA).a.b'), ['env.data']);
  assert.deepEqual(paths("'literal'[0] || true"), []);
  assert.deepEqual(paths('a.b == a.b'), ['a.b', 'a.b']);
  const accesses = contextAccesses(ast('x || github.head_ref'));
  assert.equal(accesses[1]!.path, 'github.head_ref');
  assert.equal(accesses[1]!.node.start, 5);
  assert.equal(accesses[1]!.node.end, 20);
});

test('property: parseExpression never throws', () => {
  const alphabet = fc.constantFrom(...'abc_-.*[]()!=<>&|,\' "0123456789xXeE+{}$ \n\t'.split(''));
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 60 })), (s) => {
      const r = parseExpression(s);
      if (r.ast === null) assert.equal(typeof r.error, 'string');
      else {
        assert.equal(r.error, undefined);
        walk(r.ast, (n) => assert.ok(n.start >= 0 && n.start <= n.end && n.end <= s.length));
        contextAccesses(r.ast);
      }
    }),
    { numRuns: 2000 },
  );
});

test('property: findExpressions results are in range and ordered', () => {
  const piece = fc.constantFrom('${{', '}}', "'", "''", ' ', 'a', '}', '{', '$', 'x.y');
  const input = fc.oneof(fc.string(), fc.array(piece, { maxLength: 30 }).map((a) => a.join('')));
  fc.assert(
    fc.property(input, (v) => {
      const found = findExpressions(v);
      let prevEnd = 0;
      for (const f of found) {
        assert.ok(prevEnd <= f.start);
        assert.equal(v.slice(f.start, f.start + 3), '${{');
        assert.equal(f.innerStart, f.start + 3);
        assert.ok(f.innerStart <= f.innerEnd && f.innerEnd <= f.end && f.end <= v.length);
        if (f.end === v.length && f.innerEnd === v.length) continue;
        assert.equal(v.slice(f.innerEnd, f.end), '}}');
        prevEnd = f.end;
      }
    }),
    { numRuns: 2000 },
  );
});

test('walks share their stacks: a walk inside a walk, and a walk after a throw, see every node once', () => {
  const outer = ast('a.b || f(c, d)');
  const inner = ast('x && y');
  const order = (root: ExprNode) => {
    const seen: string[] = [];
    walk(root, (n) => seen.push(show(n)));
    return seen;
  };
  const alone = { outer: order(outer), inner: order(inner) };
  const seen: string[] = [];
  walk(outer, (node) => {
    seen.push(show(node));
    // A rule that walks a sub-expression from inside its own walk: at the call (nothing left to visit
    // outside it) and at `a.b`, while the call still waits on the outer walk's stack.
    if (node.type === 'call' || node.type === 'index') assert.deepEqual(order(inner), alone.inner);
  });
  assert.deepEqual(seen, alone.outer);
  assert.throws(() => walk(outer, (node) => {
    if (node.type === 'call') throw new Error('visitor failed');
  }), /visitor failed/);
  assert.deepEqual(order(outer), alone.outer, 'the stacks are left clean after a throw');
});
