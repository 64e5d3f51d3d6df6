/** The bounded cache behind scan-wide caches: keeps the most recently used entries only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentCache } from '../src/core/recent-cache.js';

test('the least recently used entry goes first when the cache is full', () => {
  const c = new RecentCache<string, number>(2);
  c.set('a', 1).set('b', 2);
  assert.equal(c.get('a'), 1); // a is now the most recent
  c.set('c', 3);
  assert.deepEqual([...c.keys()], ['a', 'c']);
  assert.equal(c.get('b'), undefined);
});

test('a stored null is a hit, and overwriting refreshes without growing', () => {
  const c = new RecentCache<string, number | null>(2);
  c.set('x', null).set('y', 1).set('x', null);
  assert.equal(c.size, 2);
  assert.equal(c.get('x'), null);
  c.set('z', 2);
  assert.deepEqual([...c.keys()], ['x', 'z']);
});

test('a cache with no room is refused', () => {
  assert.throws(() => new RecentCache(0), RangeError);
});
