/**
 * `JSON.stringify(doc, null, 2)` written out in pieces, so a report of a
 * million findings never has to fit in one string: V8 caps a string at
 * 2^29 - 24 characters, which a JSON report passes at about 130,000 files
 * and a SARIF report sooner, and the whole text besides the findings was
 * the largest thing in memory at the end of a big scan.
 *
 * The document is written whole except for arrays wrapped in `Streamed`,
 * whose items are written one at a time where the array stands. The pieces
 * join to exactly the text `JSON.stringify(doc, null, 2)` gives for the same
 * document with plain arrays.
 */

/**
 * An array written item by item (from any iterable, read once). Inside an
 * item of another streamed array it is written whole, as a plain array.
 */
export class Streamed {
  constructor(readonly items: Iterable<unknown>) {}

  toJSON(): unknown {
    return marking ? `${marking.marker}${marking.arrays.push(this) - 1}` : [...this.items];
  }
}

/** Set while `jsonPieces` writes a document's outline: streamed arrays then stand as markers in it. */
let marking: { marker: string; arrays: Streamed[] } | undefined;

/** The JSON text of `doc`, indented by two spaces, in pieces. */
export function* jsonPieces(doc: unknown): Generator<string> {
  const arrays: Streamed[] = [];
  // A marker no scanned text can be expected to hold: it would have to guess this run's random part.
  const marker = `\u0000pipewarden-stream-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}-`;
  const outer = marking;
  marking = { marker, arrays };
  let skeleton: string | undefined;
  try {
    skeleton = JSON.stringify(doc, null, 2);
  } finally {
    marking = outer;
  }
  if (skeleton === undefined) return;
  const quoted = JSON.stringify(marker).slice(0, -1);
  let at = 0;
  let next = 0;
  for (let found = skeleton.indexOf(quoted); found >= 0; found = skeleton.indexOf(quoted, found + 1)) {
    const end = skeleton.indexOf('"', found + quoted.length);
    const index = Number(skeleton.slice(found + quoted.length, end));
    // Markers come in the order stringify met the arrays; anything else is scanned text that
    // happened to hold a marker, which is left as it is.
    if (index !== next) continue;
    next++;
    yield skeleton.slice(at, found);
    // The array's items are indented one step past the line it starts on (a key's, or its own as an item).
    const lineStart = skeleton.lastIndexOf('\n', found) + 1;
    let indent = lineStart;
    while (indent < found && skeleton.charCodeAt(indent) === 32) indent++;
    yield* arrayPieces(arrays[index]!.items, ' '.repeat(indent - lineStart));
    at = end + 1;
  }
  yield skeleton.slice(at);
}

function* arrayPieces(items: Iterable<unknown>, indent: string): Generator<string> {
  const inner = `${indent}  `;
  let first = true;
  for (const item of items) {
    // As in JSON.stringify: what has no JSON form (undefined, a function) is null inside an array.
    const text = JSON.stringify(item, null, 2) ?? 'null';
    // Strings in JSON text never hold a raw line break: every one is the indentation's.
    yield `${first ? '[\n' : ',\n'}${inner}${text.includes('\n') ? text.replace(/\n/g, `\n${inner}`) : text}`;
    first = false;
  }
  yield first ? '[]' : `\n${indent}]`;
}
