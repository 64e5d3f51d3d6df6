/** The Groovy lexer: every string form, interpolation offsets, comments, and input that does not end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, type Token } from '../../src/platforms/jenkins/lexer.js';

function strings(text: string): Token[] {
  return lex(text).tokens.filter((t) => t.type === 'string');
}

function only(text: string): Token {
  const s = strings(text);
  assert.equal(s.length, 1, `one string in ${JSON.stringify(text)}, got ${s.map((t) => t.text).join(' | ')}`);
  return s[0]!;
}

test('single-quoted strings do not interpolate: the shell expands $X itself', () => {
  const text = "sh 'echo $TOKEN ${OTHER}'";
  const t = only(text);
  assert.equal(t.str!.quote, "'");
  assert.equal(t.str!.value, 'echo $TOKEN ${OTHER}');
  assert.equal(t.str!.interpolating, false);
  assert.deepEqual(t.str!.interpolations, []);
  assert.equal(t.start, 3);
  assert.equal(t.end, text.length);
  assert.deepEqual([t.str!.contentStart, t.str!.contentEnd], [4, text.length - 1]);
});

test('GStrings record each ${expr} and $name.prop interpolation with exact offsets and inner text', () => {
  const text = 'sh "git checkout ${params.BRANCH} && echo $env.BUILD_URL. $X-y \\${not} $"';
  const t = only(text);
  assert.equal(t.str!.interpolating, true);
  const got = t.str!.interpolations.map((i) => [text.slice(i.start, i.end), i.inner, text.slice(i.innerStart, i.innerEnd), i.braced]);
  assert.deepEqual(got, [
    ['${params.BRANCH}', 'params.BRANCH', 'params.BRANCH', true],
    // A trailing dot is text, not part of the path.
    ['$env.BUILD_URL', 'env.BUILD_URL', 'env.BUILD_URL', false],
    ['$X', 'X', 'X', false],
  ]);
  assert.equal(t.str!.interpolations[0]!.start, text.indexOf('${params'));
  // `\$` is a literal dollar; a lone `$` at the end is text.
  assert.equal(t.str!.value, 'git checkout ${params.BRANCH} && echo $env.BUILD_URL. $X-y ${not} $');
});

test('an interpolation may hold strings and braces of its own', () => {
  const text = 'echo "a ${ [x: "}"].collect { it } } b"';
  const t = only(text);
  assert.equal(t.end, text.length);
  assert.equal(t.str!.interpolations.length, 1);
  assert.equal(t.str!.interpolations[0]!.inner, ' [x: "}"].collect { it } ');
});

test('triple-quoted strings: \'\'\' is literal, """ interpolates, both span lines', () => {
  const text = "a = '''one\n$X two'''\nb = \"\"\"\n  run ${params.P}\n  \"quoted\" end\"\"\"\n";
  const [a, b] = strings(text);
  assert.equal(a!.str!.quote, "'''");
  assert.equal(a!.str!.value, 'one\n$X two');
  assert.deepEqual(a!.str!.interpolations, []);
  assert.equal(b!.str!.quote, '"""');
  assert.equal(b!.str!.value, '\n  run ${params.P}\n  "quoted" end');
  const i = b!.str!.interpolations[0]!;
  assert.equal(text.slice(i.start, i.end), '${params.P}');
  assert.equal(i.start, text.indexOf('${params.P}'));
});

test('slashy strings where a regex may start, division elsewhere', () => {
  const text = 'if (name ==~ /release\\/.*$/) { x = a / b / c }\ndef r = ~/v${n}\\d+/';
  const s = strings(text);
  assert.deepEqual(s.map((t) => [t.str!.quote, t.str!.value]), [['/', 'release/.*$'], ['/', 'v${n}\\d+']]);
  assert.equal(s[1]!.str!.interpolations[0]!.inner, 'n');
  const ops = lex(text).tokens.filter((t) => t.type === 'op' && t.text === '/');
  assert.equal(ops.length, 2, 'a / b / c divides');
});

test('dollar-slashy strings: $$ and $/ escape, $name interpolates', () => {
  const text = 'def s = $/a $$b $/ c/ ${d} $e/$';
  const t = only(text);
  assert.equal(t.str!.quote, '$/');
  assert.equal(t.str!.value, 'a $b / c/ ${d} $e');
  assert.deepEqual(t.str!.interpolations.map((i) => i.inner), ['d', 'e']);
  assert.equal(t.end, text.length);
});

test('comments are not tokens, even when they hold quotes', () => {
  const text = "#!/usr/bin/env groovy\n// it's \"not\" a string\n/* don't\n  \"stop\" */ sh 'real' // trailing 'x\n";
  const r = lex(text);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.comments.map((c) => c.kind), ['shebang', 'line', 'block', 'line']);
  assert.deepEqual(r.tokens.filter((t) => t.type === 'string').map((t) => t.str!.value), ['real']);
  assert.deepEqual(r.tokens.filter((t) => t.type === 'ident').map((t) => t.text), ['sh']);
});

test('numbers, ranges, operators and newlines', () => {
  const r = lex('x = 1..3\ny = 0x1F + 2.5e3 ?: a?.b\n\n\nz');
  const toks = r.tokens.map((t) => (t.type === 'newline' ? '\\n' : t.text));
  assert.deepEqual(toks, ['x', '=', '1', '..', '3', '\\n', 'y', '=', '0x1F', '+', '2.5e3', '?:', 'a', '?.', 'b', '\\n', 'z', '']);
  assert.equal(r.tokens[2]!.type, 'number');
});

test('unterminated strings and comments are errors with offsets, never a throw or a hang', () => {
  const cases: [string, number, RegExp][] = [
    ["sh 'abc\nnext()", 3, /unterminated string/],
    ['x = """abc', 4, /unterminated string/],
    ["x = '''abc''", 4, /unterminated string/],
    ['a /* never closed', 2, /unterminated comment/],
    ['echo "${abc', 6, /unterminated interpolation/],
    ['s = $/abc', 4, /unterminated dollar-slashy/],
  ];
  for (const [text, offset, message] of cases) {
    const r = lex(text);
    assert.ok(r.errors.length >= 1, `an error for ${JSON.stringify(text)}`);
    assert.equal(r.errors[0]!.offset, offset, JSON.stringify(text));
    assert.match(r.errors[0]!.message, message);
    assert.equal(r.tokens[r.tokens.length - 1]!.type, 'eof');
  }
  // A single-quoted string ends at the line break: the next line is still read.
  const r = lex("sh 'abc\nnext()");
  assert.ok(r.tokens.some((t) => t.type === 'ident' && t.text === 'next'));
});

test('a `/` that would open a slashy string with no end is division', () => {
  const r = lex('x = (a + 1) * (/ 2)\ny = [/foo\n]');
  assert.deepEqual(r.errors, []);
  assert.equal(r.tokens.filter((t) => t.type === 'string').length, 0);
});

test('stray characters are reported and skipped', () => {
  const r = lex('a # b');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.offset, 2);
  assert.deepEqual(r.tokens.filter((t) => t.type === 'ident').map((t) => t.text), ['a', 'b']);
});
