/** Line and column of offsets: what every reported location rests on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from './helpers/fc.js';
import { lineStartsOf, SourceFile } from '../src/model/source.js';

/** The definition, one character at a time: a line starts after `\n`, after `\r\n`, and after a lone `\r`. */
function referenceLineStarts(t: string): number[] {
  const starts = [0];
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

test('line starts after \\n, \\r\\n and a lone \\r, with and without a \\r in the text', () => {
  assert.deepEqual(lineStartsOf('a\nbc\n\nd'), [0, 2, 5, 6]);
  assert.deepEqual(lineStartsOf('a\r\nb\rc\n'), [0, 3, 5, 7]);
  assert.deepEqual(lineStartsOf(''), [0]);
  const file = new SourceFile('w.yml', 'on: push\r\njobs:\r  a: 1\n');
  assert.deepEqual([file.span(10, 15).line, file.span(16, 17).line, file.span(16, 17).column], [2, 3, 1]);
});

test('property: line starts equal the definition for any text', () => {
  const text = fc.array(fc.constantFrom('a', ' ', '\n', '\r', '\r\n', 'é', '😀'), { maxLength: 60 }).map((parts) => parts.join(''));
  fc.assert(fc.property(text, (t) => assert.deepEqual(lineStartsOf(t), referenceLineStarts(t))), { numRuns: 2000 });
});
