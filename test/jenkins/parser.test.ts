/** The tolerant Groovy parser: nested blocks, calls with and without parentheses, named arguments, recovery. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  closureOf, literalString, namedArg, parseGroovy, positionalArgs, statementCall, walk,
  type CallExpr, type Expr, type Stmt,
} from '../../src/platforms/jenkins/parser.js';

function parse(text: string) {
  const r = parseGroovy(text);
  assert.deepEqual(r.problems, [], 'no problems');
  return r;
}

/** A compact shape of statements: calls as `name(args){…}`, for structure assertions. */
function shape(stmts: Stmt[]): unknown[] {
  return stmts.map((s) => {
    if (s.type !== 'expr') return s.type;
    return exprShape(s.expr);
  });
}

function exprShape(e: Expr): unknown {
  switch (e.type) {
    case 'call': {
      const out: Record<string, unknown> = { call: e.name };
      if (e.args.length) out.args = e.args.map((a) => (a.name ? `${a.name.value}:${String(exprShape(a.value))}` : exprShape(a.value)));
      const c = closureOf(e);
      if (c && e.closures.length) out.body = shape(c.body);
      return out;
    }
    case 'string':
      return `'${e.token.str!.value}'`;
    case 'ident':
      return e.name;
    case 'literal':
      return e.value;
    case 'number':
      return Number(e.text);
    case 'property':
      return `${String(exprShape(e.object))}.${e.name}`;
    case 'assign':
      return `${String(exprShape(e.target))} = ${JSON.stringify(exprShape(e.value))}`;
    default:
      return e.type;
  }
}

function calls(stmts: Stmt[]): CallExpr[] {
  const out: CallExpr[] = [];
  walk(stmts, (n) => {
    if (n.type === 'call') out.push(n);
  });
  return out;
}

test('nested declarative blocks become calls with closures', () => {
  const r = parse(`
pipeline {
  agent { docker { image 'maven:3'; args '-v /tmp:/tmp' } }
  stages {
    stage('Build') {
      steps { sh 'make' }
    }
  }
}`);
  assert.deepEqual(shape(r.statements), [
    {
      call: 'pipeline',
      body: [
        { call: 'agent', body: [{ call: 'docker', body: [{ call: 'image', args: ["'maven:3'"] }, { call: 'args', args: ["'-v /tmp:/tmp'"] }] }] },
        { call: 'stages', body: [{ call: 'stage', args: ["'Build'"], body: [{ call: 'steps', body: [{ call: 'sh', args: ["'make'"] }] }] }] },
      ],
    },
  ]);
});

test('calls with and without parentheses, named arguments across lines', () => {
  const r = parse(`
sh 'one'
sh('two')
sh(script: "three", returnStdout: true)
echo "four"
mail to: 'a@b.c',
     subject: "five"
checkout scm
agent any
def out = sh returnStdout: true, script: 'six'
timeout(time: 5, unit: 'MINUTES') { retry(3) { sh 'seven' } }
`);
  assert.deepEqual(shape(r.statements), [
    { call: 'sh', args: ["'one'"] },
    { call: 'sh', args: ["'two'"] },
    { call: 'sh', args: ["script:'three'", 'returnStdout:true'] },
    { call: 'echo', args: ["'four'"] },
    { call: 'mail', args: ["to:'a@b.c'", "subject:'five'"] },
    { call: 'checkout', args: ['scm'] },
    { call: 'agent', args: ['any'] },
    'def',
    { call: 'timeout', args: ['time:5', "unit:'MINUTES'"], body: [{ call: 'retry', args: [3], body: [{ call: 'sh', args: ["'seven'"] }] }] },
  ]);
  const sh3 = statementCall(r.statements[2]!)!;
  assert.equal(sh3.parens, true);
  assert.equal(literalString(namedArg(sh3, 'script')), 'three');
  const def = r.statements[7]!;
  assert.equal(def.type, 'def');
  if (def.type === 'def') {
    assert.equal(def.declarators[0]!.name, 'out');
    const v = def.declarators[0]!.value!;
    assert.equal(v.type, 'call');
    assert.equal((v as CallExpr).name, 'sh');
    assert.equal((v as CallExpr).parens, false);
    assert.equal(literalString(namedArg(v as CallExpr, 'script')), 'six');
  }
});

test('property access, assignment, if/else, try/catch/finally and script blocks', () => {
  const r = parse(`
node {
  env.FOO = "bar"
  if (env.BRANCH_NAME == 'main') {
    sh 'deploy'
  } else if (params.X) sh 'other'
  else {
    echo 'no'
  }
  try {
    script { def v = params.TARGET }
  } catch (Exception e) {
    currentBuild.result = 'FAILURE'
    throw e
  } finally {
    cleanWs()
  }
}`);
  const node = statementCall(r.statements[0]!)!;
  const body = closureOf(node)!.body;
  assert.deepEqual(body.map((s) => s.type), ['expr', 'if', 'try']);
  assert.equal(exprShape((body[0] as { expr: Expr }).expr), 'env.FOO = "\'bar\'"');
  const ifs = body[1]!;
  assert.ok(ifs.type === 'if');
  if (ifs.type === 'if') {
    assert.deepEqual(shape(ifs.then), [{ call: 'sh', args: ["'deploy'"] }]);
    assert.equal(ifs.else![0]!.type, 'if', 'else if chains');
  }
  const t = body[2]!;
  assert.ok(t.type === 'try');
  if (t.type === 'try') {
    assert.equal(t.catches[0]!.param, 'e');
    assert.deepEqual(shape(t.finally!), [{ call: 'cleanWs' }]);
  }
  assert.deepEqual(calls(r.statements).map((c) => c.name), ['node', 'sh', 'sh', 'echo', 'script', 'cleanWs']);
});

test('annotations, library steps, methods, typed declarations and closures with parameters', () => {
  const r = parse(`
@Library(['shared@v1.2', 'other']) _
library 'tools@main'
import groovy.transform.Field
@Field String NAME = 'x'
Map<String, List<String>> m = [:]
@NonCPS
def jobs(String re, int n = 2) {
  return items.collect { it, i -> it.name }
}
List<String> names = ['a', 'b']
def (a, b) = [1, 2]
`);
  assert.deepEqual(r.statements.map((s) => s.type), ['annotation', 'expr', 'expr', 'import', 'annotation', 'def', 'def', 'annotation', 'method', 'def', 'def']);
  const ann = r.statements[0]!;
  if (ann.type === 'annotation') {
    assert.equal(ann.name, 'Library');
    const list = ann.args[0]!.value;
    assert.equal(list.type, 'list');
  }
  const method = r.statements[8]!;
  assert.ok(method.type === 'method');
  if (method.type === 'method') {
    assert.equal(method.name, 'jobs');
    assert.deepEqual(method.params, ['re', 'n']);
    const closure = calls(method.body).find((c) => c.name === 'collect')!.closures[0]!;
    assert.deepEqual(closure.params, ['it', 'i']);
  }
  // `@Library(…) _`: the annotation, then `_` as a statement of its own.
  assert.equal(exprShape((r.statements[1] as { expr: Expr }).expr), '_');
  const typed = r.statements[6]!;
  assert.ok(typed.type === 'def' && typed.typeName === 'Map<String,List<String>>' && typed.declarators[0]!.name === 'm');
  const multi = r.statements[10]!;
  assert.ok(multi.type === 'def');
  if (multi.type === 'def') assert.deepEqual(multi.declarators.map((d) => d.name), ['a', 'b']);
});

test('method chains continue on the next line; a block on the next line belongs to the call', () => {
  const r = parse(`
def items = Jenkins.instance.getAllItems()
    .findAll { it.name }
    .collect { it.fullName }
stage('Allman')
{
    sh 'x'
}
`);
  const def = r.statements[0]!;
  assert.ok(def.type === 'def');
  if (def.type === 'def') assert.equal((def.declarators[0]!.value as CallExpr).name, 'collect');
  assert.deepEqual(shape(r.statements.slice(1)), [{ call: 'stage', args: ["'Allman'"], body: [{ call: 'sh', args: ["'x'"] }] }]);
});

test('parallel branches as named closures, maps and lists', () => {
  const r = parse(`parallel linux: { sh 'a' }, windows: { bat 'b' }, failFast: true\nx = [a: 1, 'b c': [1, 2], (k): v]`);
  const p = statementCall(r.statements[0]!)!;
  assert.deepEqual(p.args.map((a) => [a.name?.value, a.value.type]), [['linux', 'closure'], ['windows', 'closure'], ['failFast', 'literal']]);
  const assign = (r.statements[1] as { expr: Expr }).expr;
  assert.ok(assign.type === 'assign' && assign.value.type === 'map');
  if (assign.type === 'assign' && assign.value.type === 'map') {
    assert.deepEqual(assign.value.entries.map((e) => e.name?.value ?? 'computed'), ['a', 'b c', 'computed']);
  }
  assert.equal(positionalArgs(p).length, 0);
});

test('broken structure is reported with offsets and the rest is still read', () => {
  const text = "node {\n  sh 'a'\n  stage('x') {\n    sh 'b'\n}\n";
  const r = parseGroovy(text);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0]!.message, /never closed/);
  assert.equal(r.problems[0]!.offset, text.indexOf('{'));
  assert.deepEqual(calls(r.statements).map((c) => c.name), ['node', 'sh', 'stage', 'sh']);

  const extra = parseGroovy("sh 'a'\n}\n)\nsh 'b'");
  assert.deepEqual(extra.problems.map((p) => [p.offset, p.message]), [
    [7, 'unexpected `}` with no matching `{`'],
    [9, 'unexpected `)` with no matching `(`'],
  ]);
  assert.deepEqual(calls(extra.statements).map((c) => c.name), ['sh', 'sh']);

  const mismatched = parseGroovy('foo(bar { x }\nsh "c"');
  assert.ok(mismatched.problems.some((p) => p.offset === 3 && /never closed/.test(p.message)));

  const str = parseGroovy("sh 'unterminated\nsh 'next'");
  assert.equal(str.problems.length, 1);
  assert.match(str.problems[0]!.message, /unterminated string/);
  assert.deepEqual(calls(str.statements).map((c) => c.name), ['sh', 'sh']);
});

test('constructs it does not model are skipped silently, and deep nesting does not overflow', () => {
  const r = parseGroovy(`
class Helper implements Serializable { def steps; Helper(steps) { this.steps = steps } }
enum Mode { FAST, SLOW }
switch (x) { case 'a': sh 'a'; break; default: echo 'd' }
for (int i = 0; i < 3; i++) { echo "\${i}" }
while (true) { break }
def y = (String) x as Integer
assert y instanceof Integer : 'msg'
sh 'after'
`);
  assert.deepEqual(r.problems, []);
  const all = calls(r.statements);
  assert.deepEqual(all.map((c) => c.name), ['Helper', 'sh', 'echo', 'echo', 'sh']);
  assert.equal(literalString(positionalArgs(all[4]!)[0]), 'after');
  const deep = 'a { '.repeat(3000) + '}'.repeat(3000);
  const d = parseGroovy(deep);
  assert.deepEqual(d.problems, []);
  const unary = parseGroovy('x = ' + '!'.repeat(50000) + 'y');
  assert.ok(Array.isArray(unary.statements));
});
