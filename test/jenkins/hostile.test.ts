/** Hostile Groovy: random token soup, long chains and deep nesting never throw or hang the Jenkins reader. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from '../helpers/fc.js';
import { SourceFile } from '../../src/model/source.js';
import { buildJenkins } from '../../src/platforms/jenkins/build.js';
import { lex } from '../../src/platforms/jenkins/lexer.js';

const PIECES = [
  'pipeline', 'node', 'stage', "('x')", 'steps', 'sh', 'agent', 'docker', 'image', "'img:1'", 'withCredentials', 'def', 'if', 'else', 'try', 'catch',
  '{', '}', '(', ')', '[', ']', ',', ':', '=', '+', '/', '*', '.', '?.', '?', '->', '@Library', '_', "'", '"', "'''", '"""', '$/', '/$', '${', '$x', '\\',
  '//', '/*', '*/', '\n', ' ', 'a', 'env.B', 'params.C', '"${params.X}"', "'$Y'", '0x1', '1..2', '#', '\r\n', '\t', 'é',
];

function mustBuild(text: string): void {
  const out = buildJenkins(new SourceFile('Jenkinsfile', text));
  assert.ok(Array.isArray(out.problems));
  for (const p of out.problems) {
    assert.ok(p.span.offset >= 0 && p.span.endOffset <= text.length && p.span.offset <= p.span.endOffset, JSON.stringify(p));
  }
  if (out.pipeline) {
    for (const e of out.pipeline.expressions) assert.ok(e.span.endOffset <= text.length);
  }
}

test('random token soup never throws, and problem spans stay inside the file', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 120 }), (parts) => {
      mustBuild(parts.join(''));
      mustBuild(parts.join(' '));
    }),
    { numRuns: 400, seed: 20240917 },
  );
});

test('random text never throws and the lexer always ends with eof', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const r = lex(s);
      assert.equal(r.tokens[r.tokens.length - 1]!.type, 'eof');
      mustBuild(s);
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('long chains and deep nesting are read in bounded time', () => {
  const cases = [
    "node { sh 'a' + " + "'b' + ".repeat(50_000) + "'c' }",
    'x = a' + '.b'.repeat(50_000),
    'x = ' + '!'.repeat(50_000) + 'y',
    'node { '.repeat(2_000) + "sh 'x'" + ' }'.repeat(2_000),
    '['.repeat(20_000),
    '"${'.repeat(5_000),
    "sh '" + 'x'.repeat(200_000),
    'a ** '.repeat(20_000) + 'b',
  ];
  for (const text of cases) {
    const started = Date.now();
    mustBuild(text);
    assert.ok(Date.now() - started < 5_000, `slow on ${text.slice(0, 30)}…`);
  }
});
