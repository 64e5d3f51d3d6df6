/** The literal-credential recognisers: the quick test in front of them must never hide a match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from './helpers/fc.js';
import { findTokens, matchFormats } from '../src/core/secrets.js';

const PIECES = [
  'https://', 'http://', 'postgres://', '://', 'user', 'admin', ':', 'Hunter2Pass', 'p4ssw0rd!', '@', 'host.example', '/', '/path', ' ', '\t', '"', "'", '$', '{', '}',
  'ghp_' + 'a1B2'.repeat(9), 'AKIA' + 'ABCDEFGHIJKLMNOP', 'xoxb-1234567890-abc', 'npm_' + 'x'.repeat(36), 'EXAMPLE', 'password',
];

test('property: the quick test passes every text in which a format matches', () => {
  let matched = 0;
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }).map((p) => p.join('')), (text) => {
      const all = matchFormats(text);
      if (all.length > 0) matched++;
      assert.deepEqual(findTokens(text), all, JSON.stringify(text));
    }),
    { numRuns: 20000 },
  );
  assert.ok(matched > 500, `only ${matched} texts held a token: the property would say little`);
});

test('a password in a URL is found; a plain URL is not', () => {
  assert.deepEqual(findTokens('curl https://admin:Hunter2Pass@registry.corp.net/api').map((t) => t.kind), ['password in URL']);
  assert.deepEqual(findTokens('curl https://registry.corp.net/api?user=admin'), []);
  assert.deepEqual(findTokens('see https://x.org/a@b'), []);
});
