/** Reports written in pieces: the same text as one JSON.stringify, written without holding the whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from './helpers/fc.js';
import { jsonPieces, Streamed } from '../src/report/json-pieces.js';
import { batched, writePieces } from '../src/cli/write.js';

/** A JSON-like value in which some arrays are to be streamed; `plain` is the same value with plain arrays. */
const streamable = fc.letrec<{ value: { doc: unknown; plain: unknown } }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.constantFrom('a\nb', '"\\', '\u0000pipewarden-stream-x-0', 'line\r\n'), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)).map((v) => ({ doc: v, plain: v })),
    fc.tuple(fc.array(tie('value'), { maxLength: 4 }), fc.boolean()).map(([items, stream]) => {
      const plain = items.map((i) => i.plain);
      const docs = items.map((i) => i.doc);
      return { doc: stream ? new Streamed(docs) : docs, plain };
    }),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('value')), { maxLength: 4 }).map((entries) => ({
      doc: Object.fromEntries(entries.map(([k, v]) => [k, v.doc])),
      plain: Object.fromEntries(entries.map(([k, v]) => [k, v.plain])),
    })),
  ),
})).value;

test('pieces join to exactly what JSON.stringify(value, null, 2) gives, streamed arrays anywhere', () => {
  fc.assert(
    fc.property(streamable, ({ doc, plain }) => {
      assert.equal([...jsonPieces(doc)].join(''), JSON.stringify(plain, null, 2));
    }),
    { numRuns: 500 },
  );
});

test('a streamed array at the top, empty, nested in another, and holding what JSON has no form for', () => {
  const cases: [unknown, unknown][] = [
    [new Streamed([1, 2]), [1, 2]],
    [new Streamed([]), []],
    [{ a: new Streamed([]) }, { a: [] }],
    [{ a: [new Streamed([{ b: new Streamed(['x']) }])] }, { a: [[{ b: ['x'] }]] }],
    [{ a: new Streamed([undefined, () => 1, 'y']) }, { a: [undefined, () => 1, 'y'] }],
  ];
  for (const [doc, plain] of cases) assert.equal([...jsonPieces(doc)].join(''), JSON.stringify(plain, null, 2));
});

test('items are made only as they are written: a streamed array need not fit in memory', () => {
  let made = 0;
  function* endless(): Generator<{ n: number }> {
    for (;;) yield { n: made++ };
  }
  const pieces = jsonPieces({ head: 'h', items: new Streamed(endless()) });
  const first: string[] = [];
  for (const piece of pieces) {
    first.push(piece);
    if (first.length === 4) break;
  }
  assert.equal(first.join(''), '{\n  "head": "h",\n  "items": [\n    {\n      "n": 0\n    },\n    {\n      "n": 1\n    },\n    {\n      "n": 2\n    }');
  assert.equal(made, 3);
});

test('pieces are joined into chunks of the asked size, none lost', () => {
  const pieces = Array.from({ length: 1000 }, (_, i) => `piece ${i};`);
  const chunks = [...batched(pieces, 100)];
  assert.equal(chunks.join(''), pieces.join(''));
  assert.ok(chunks.length > 50);
  for (const c of chunks.slice(0, -1)) assert.ok(c.length >= 100 && c.length < 100 + 12, `chunk of ${c.length}`);
});

test('a slow reader gets the whole report and never more than a chunk is queued for it', async () => {
  const received: string[] = [];
  let mostQueued = 0;
  const slow = new Writable({
    highWaterMark: 1024,
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      received.push(chunk);
      setImmediate(done);
    },
  });
  const pieces = Array.from({ length: 20_000 }, (_, i) => `finding ${i}\n`);
  const watch = setInterval(() => (mostQueued = Math.max(mostQueued, slow.writableLength)), 0);
  const realWrite = slow.write.bind(slow);
  slow.write = ((chunk: string) => {
    const ok = realWrite(chunk);
    mostQueued = Math.max(mostQueued, slow.writableLength);
    return ok;
  }) as typeof slow.write;
  await writePieces(slow, pieces);
  clearInterval(watch);
  await new Promise<void>((resolve) => slow.end(resolve));
  assert.equal(received.join(''), pieces.join(''));
  // Without waiting for 'drain' every chunk would be queued at once (~250 KB).
  assert.ok(mostQueued <= 2 * 64 * 1024, `queued ${mostQueued} bytes`);
});

test('a stream that fails while full ends the write with its error instead of waiting for ever', async () => {
  const broken = new Writable({
    highWaterMark: 16,
    write(_chunk, _encoding, done) {
      setImmediate(() => done(Object.assign(new Error('reader gone'), { code: 'EPIPE' })));
    },
  });
  broken.on('error', () => {});
  await assert.rejects(writePieces(broken, Array.from({ length: 100_000 }, () => 'x'.repeat(10))), /reader gone|write after|destroyed/);
});
