import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locateInScript } from '../src/core/templated.js';
import { SourceFile } from '../src/model/source.js';

/** A file whose script is the scalar starting at `marker`, with the value the model would hold. */
function scriptIn(text: string, marker: string, value: string) {
  const file = new SourceFile('w.yml', text);
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, `marker ${marker} not in the file`);
  const end = text.indexOf('\n# end', offset);
  return { file, script: { text: value, span: file.span(offset, end < 0 ? text.length : end) } };
}

/** Line, column and text where `locateInScript` places the n-th (0-based) occurrence of `piece` in the value. */
function placeOf(file: SourceFile, script: { text: string; span: ReturnType<SourceFile['span']> }, piece: string, n = 0) {
  let index = -1;
  for (let k = 0; k <= n; k++) index = script.text.indexOf(piece, index + 1);
  assert.ok(index >= 0, `occurrence ${n} of ${piece} not in the value`);
  const span = locateInScript(file, script, index, piece.length);
  return { line: span.line, column: span.column, text: file.text.slice(span.offset, span.endOffset) };
}

test('a literal block: each piece at its own line and column, blank and deeper lines included', () => {
  const text = 'steps:\n  - run: |\n      echo a\n\n        curl x | sh\n      curl x | sh\n# end\n';
  const { file, script } = scriptIn(text, '|', 'echo a\n\n  curl x | sh\ncurl x | sh\n');
  assert.deepEqual(placeOf(file, script, 'echo a'), { line: 3, column: 7, text: 'echo a' });
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 0), { line: 5, column: 9, text: 'curl x | sh' });
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 1), { line: 6, column: 7, text: 'curl x | sh' });
});

test('a piece that the header comment also holds is placed in the body, where the value has it', () => {
  // Counting occurrences from the `|` counted the comment's too, and put the first site on the header line.
  const text = 'run: | # curl x | sh\n  curl x | sh\n  curl x | sh\n# end\n';
  const { file, script } = scriptIn(text, '|', 'curl x | sh\ncurl x | sh\n');
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 0), { line: 2, column: 3, text: 'curl x | sh' });
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 1), { line: 3, column: 3, text: 'curl x | sh' });
});

test('CRLF line ends: pieces on the right lines', () => {
  const text = 'run: | # b c\r\n  a\r\n  b c\r\n# end\r\n';
  const { file, script } = scriptIn(text, '|', 'a\nb c\n');
  assert.deepEqual(placeOf(file, script, 'b c'), { line: 3, column: 3, text: 'b c' });
});

test('past a line the file does not show verbatim, pieces are found by occurrence as before', () => {
  // The value's second line differs from the file's (as for a script the model joined): the map ends there.
  const text = 'run: |\n  one\n  two\n  x y\n# end\n';
  const { file, script } = scriptIn(text, '|', 'one\nTWO\nx y\n');
  assert.deepEqual(placeOf(file, script, 'one'), { line: 2, column: 3, text: 'one' });
  assert.deepEqual(placeOf(file, script, 'x y'), { line: 4, column: 3, text: 'x y' });
  // Not in the file at all: the whole script.
  const whole = locateInScript(file, script, script.text.indexOf('TWO'), 3);
  assert.equal(whole.offset, script.span.offset);
  assert.equal(whole.endOffset, script.span.endOffset);
});

test('a quoted one-line script and a Groovy string: each piece at its offset between the quotes', () => {
  const text = 'run: "a; curl x | sh; curl x | sh"\n# end\n';
  const { file, script } = scriptIn(text, '"', 'a; curl x | sh; curl x | sh');
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 1), { line: 1, column: 23, text: 'curl x | sh' });
  const groovy = "sh '''\n  curl x | sh\n'''\n# end\n";
  const g = scriptIn(groovy, "'''", '\n  curl x | sh\n');
  assert.deepEqual(placeOf(g.file, g.script, 'curl x | sh'), { line: 2, column: 3, text: 'curl x | sh' });
});

test('a scalar with escapes or folded lines: pieces found by occurrence', () => {
  const q = scriptIn('run: "a\\tb; curl x | sh"\n# end\n', '"', 'a\tb; curl x | sh');
  assert.deepEqual(placeOf(q.file, q.script, 'curl x | sh'), { line: 1, column: 13, text: 'curl x | sh' });
  const f = scriptIn('run: echo a\n  curl x | sh\n# end\n', 'echo', 'echo a curl x | sh');
  assert.deepEqual(placeOf(f.file, f.script, 'curl x | sh'), { line: 2, column: 3, text: 'curl x | sh' });
});

test('two scripts asked about in turn are each placed in their own lines', () => {
  const text = 'a: |\n  p q\n  p q\nb: |\n    p q\n# end\n';
  const file = new SourceFile('w.yml', text);
  const first = { text: 'p q\np q\n', span: file.span(3, text.indexOf('b:') - 1) };
  const second = { text: 'p q\n', span: file.span(text.indexOf('|', text.indexOf('b:')), text.indexOf('\n# end')) };
  assert.equal(placeOf(file, first, 'p q', 1).line, 3);
  assert.deepEqual(placeOf(file, second, 'p q'), { line: 5, column: 5, text: 'p q' });
  assert.equal(placeOf(file, first, 'p q', 0).line, 2);
});

test('a heredoc: pieces placed in its body, not in its header line', () => {
  // The header line may hold the piece too (here as an argument); counting occurrences from `<<` put the first site there.
  const text = 'RUN <<EOF sh -c "curl x | sh"\ncurl x | sh\necho\ncurl x | sh\nEOF\n# end\n';
  const file = new SourceFile('Dockerfile', text);
  const script = { text: 'curl x | sh\necho\ncurl x | sh\n', span: file.span(text.indexOf('<<'), text.indexOf('EOF\n# end') + 3) };
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 0), { line: 2, column: 1, text: 'curl x | sh' });
  assert.deepEqual(placeOf(file, script, 'curl x | sh', 1), { line: 4, column: 1, text: 'curl x | sh' });
});
