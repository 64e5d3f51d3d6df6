import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from './helpers/fc.js';
import { compileGlob, matchesAny } from '../src/config/glob.js';

/**
 * The meaning of a pattern, written as the regular expression pipewarden used to
 * compile it to: the matcher must agree with it on every path.
 */
function reference(pattern: string): RegExp {
  let p = pattern.trim().replace(/\\/g, '/');
  if (p.startsWith('./')) p = p.slice(2);
  const anyDepth = !p.replace(/\/$/, '').includes('/');
  if (p.endsWith('/')) p = p.slice(0, -1);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      if (p[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${anyDepth ? '(?:^|.*/)' : '^'}${re}(?:/.*)?$`);
}

test('patterns match as written: folders, any depth, segments and spans', () => {
  const cases: [string, string, boolean][] = [
    ['vendor/', 'vendor/x/.github/workflows/a.yml', true],
    ['vendor/', 'src/vendor/a.yml', true],
    ['ci/vendor/', 'x/ci/vendor/a.yml', false],
    ['*.generated.yml', 'a/b/c.generated.yml', true],
    ['**/*.generated.yml', 'c.generated.yml', true],
    ['ci/*.yml', 'ci/a/b.yml', false],
    ['ci/**.yml', 'ci/a/b.yml', true],
    ['ci/?.yml', 'ci/a.yml', true],
    ['ci/?.yml', 'ci/ab.yml', false],
    ['./deploy', 'deploy/x.yaml', true],
    ['a\\b', 'a/b', true],
    ['actions/*', 'actions/checkout', true],
    ['actions/*', 'actions/checkout/sub', true],
  ];
  for (const [pattern, path, expected] of cases) assert.equal(compileGlob(pattern).test(path), expected, `${pattern} on ${path}`);
  assert.equal(matchesAny('./vendor/', [compileGlob('vendor')]), true);
});

test('the matcher agrees with the regular expression on any pattern and path', () => {
  const piece = fc.constantFrom('a', 'b', '-', '.', '/', '*', '**', '?', '**/', 'ab');
  // Line breaks too: a regular expression's `.` does not match them, and the names are whoever writes the repository's.
  const pathPiece = fc.constantFrom('a', 'b', '-', '.', '/', 'ab', 'a-b', '\n', '\r', '\u2028');
  fc.assert(
    fc.property(fc.array(piece, { minLength: 1, maxLength: 7 }), fc.array(pathPiece, { maxLength: 10 }), (pattern, path) => {
      const p = pattern.join('');
      const s = path.join('');
      assert.equal(compileGlob(p).test(s), reference(p).test(s), `${p} on ${s}`);
    }),
    { numRuns: 3000 },
  );
});

test('a pattern of many wildcards on a long name that almost matches answers at once', { timeout: 30_000 }, () => {
  // As a regular expression this backtracked through every way of placing the dashes: 1.3 s for 120 of them, growing with the fifth power.
  const name = `.github/workflows/${'a-'.repeat(5000)}.yml`;
  const glob = compileGlob('**/*-*-*-*-*.yaml');
  const t0 = performance.now();
  assert.equal(glob.test(name), false);
  assert.equal(compileGlob('**/*-*-*-*-*.yml').test(name), true);
  assert.ok(performance.now() - t0 < 5_000);
});
