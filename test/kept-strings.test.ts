/** The table that gives a scan's findings one copy of each repeated text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptStrings } from '../src/core/kept-strings.js';

test('a repeated text is kept once, whether it arrives as a slice or a concatenation', () => {
  const kept = new KeptStrings();
  const file = 'jobs:\n  build:\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
  const message = '`github.event.issue.title` is expanded into a `run:` script';
  const first = kept.keep(message);
  const again = kept.keep('`' + file.slice(file.indexOf('github.'), file.indexOf(' }}')) + '` is expanded into a `run:` script');
  assert.equal(first, message);
  assert.equal(again, message);
  assert.equal(kept.size, 1);
  kept.keep('another message entirely, long enough to be copied');
  assert.equal(kept.size, 2);
});

test('past its limits (texts, characters) the table stops growing, long texts are not shared, and texts come back unchanged', () => {
  const byChars = new KeptStrings(100, 40);
  byChars.keep('a message of thirty characters');
  byChars.keep('another of twenty ch');
  assert.equal(byChars.size, 1);
  const long = 'x'.repeat(2000);
  const keeper = new KeptStrings();
  assert.equal(keeper.keep(long), long);
  assert.equal(keeper.size, 0);
  const kept = new KeptStrings(2);
  const texts = ['first text of the findings', 'second text of the findings', 'third text of the findings'];
  assert.deepEqual(texts.map((t) => kept.keep(t)), texts);
  assert.equal(kept.size, 2);
  assert.equal(kept.keep(texts[2]!), texts[2]);
  assert.equal(kept.size, 2);
});
