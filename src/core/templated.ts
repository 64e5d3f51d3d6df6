/**
 * Finds `${{ }}` expressions in YAML scalars and maps each one back to its exact
 * place in the file, also inside block scalars (`run: |`), where the value's
 * text differs from the source by indentation, folding and escapes.
 */
import { isScalar } from './yaml-nodes.js';
import { lastAtOrBefore } from './sorted.js';
import type { Scalar } from 'yaml';
import { findExpressions, parseExpression } from '../expr/parser.js';
import type { Expression, TemplatedText } from '../model/pipeline.js';
import type { Span } from '../model/source.js';
import type { YamlDoc } from './yaml.js';

/** Maps offsets in a scalar's value to offsets in the file. */
export class ScalarLocator {
  private readonly srcStart: number;
  private readonly src: string;
  private alignment: Int32Array | undefined;
  private verbatim: VerbatimScript | undefined;
  /** Per piece: the value offset of the last occurrence located and its source offset (-1: none left). */
  private readonly cursors = new Map<string, { vi: number; si: number }>();

  constructor(
    private readonly ydoc: YamlDoc,
    private readonly node: Scalar,
    private readonly value: string,
  ) {
    const r = node.range ?? [0, 0, 0];
    this.srcStart = r[0];
    this.src = ydoc.file.text.slice(r[0], r[1]);
  }

  /** File span of `value.slice(start, end)`. */
  span(start: number, end: number): Span {
    const piece = this.value.slice(start, end);
    if (piece.length > 0 && !piece.includes('\n')) {
      // Where the source shows the value verbatim, offsets carry over: searching for each new piece from the start was quadratic.
      this.verbatim ??= new VerbatimScript(this.ydoc.file, { text: this.value, span: { offset: this.srcStart, endOffset: this.srcStart + this.src.length } });
      const placed = this.verbatim.place(start);
      if (placed !== undefined) return this.ydoc.file.span(placed, placed + piece.length);
    }
    const direct = this.findOccurrence(piece, start);
    if (direct !== undefined) return this.ydoc.file.span(this.srcStart + direct, this.srcStart + direct + piece.length);
    const map = this.align();
    const s = map[Math.min(start, map.length - 1)] ?? 0;
    const e = end > start ? (map[Math.min(end - 1, map.length - 1)] ?? s) + 1 : s;
    return this.ydoc.file.span(this.srcStart + s, this.srcStart + Math.max(s, e));
  }

  /**
   * When the piece appears verbatim in the source, the k-th occurrence in the
   * value is the k-th in the source (indentation and folding never add it).
   */
  private findOccurrence(piece: string, start: number): number | undefined {
    if (piece.length === 0 || piece.includes('\n')) return undefined;
    // Resume from the previous match of the same piece: expressions are located in
    // order, and counting from the start each time was quadratic (a 5 MB line with
    // 100,000 copies of one expression took minutes).
    const prev = this.cursors.get(piece);
    let vi: number;
    let si: number;
    if (prev && prev.vi <= start) {
      if (prev.si < 0) return undefined;
      ({ vi, si } = prev);
    } else {
      vi = this.value.indexOf(piece);
      si = this.src.indexOf(piece, this.bodyStart());
    }
    while (vi >= 0 && si >= 0 && vi < start) {
      vi = this.value.indexOf(piece, vi + 1);
      si = this.src.indexOf(piece, si + 1);
    }
    if (vi !== start) {
      if (si < 0) this.cursors.set(piece, { vi: start, si: -1 });
      return undefined;
    }
    this.cursors.set(piece, { vi, si });
    return si;
  }

  /** Skip a block scalar's header line and a quoted scalar's opening quote. */
  private bodyStart(): number {
    const t = this.node.type;
    if (t === 'BLOCK_LITERAL' || t === 'BLOCK_FOLDED') {
      const nl = this.src.indexOf('\n');
      return nl < 0 ? this.src.length : nl + 1;
    }
    if (t === 'QUOTE_DOUBLE' || t === 'QUOTE_SINGLE') return Math.min(1, this.src.length);
    return 0;
  }

  /** Greedy alignment of value characters to source characters (fallback for escapes). */
  private align(): Int32Array {
    if (this.alignment) return this.alignment;
    const map = new Int32Array(Math.max(1, this.value.length));
    let p = this.bodyStart();
    for (let i = 0; i < this.value.length; i++) {
      const c = this.value[i];
      let j = p;
      const limit = Math.min(this.src.length, p + 256);
      while (j < limit && this.src[j] !== c && !(c === ' ' && this.src[j] === '\n')) j++;
      if (j < limit) {
        map[i] = j;
        p = j + 1;
      } else map[i] = Math.min(p, Math.max(0, this.src.length - 1));
    }
    this.alignment = map;
    return map;
  }
}

/** A scalar node as templated text with located expressions, or null when the node is not a scalar. */
export function templatedText(ydoc: YamlDoc, raw: unknown): TemplatedText | null {
  const node = ydoc.scalar(raw);
  if (!node || !isScalar(node)) return null;
  const value = node.value === null || node.value === undefined ? '' : typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
  const span = ydoc.span(node);
  const found = value.includes('${{') ? findExpressions(value) : [];
  if (found.length === 0) return { value, span, expressions: [] };
  const locator = new ScalarLocator(ydoc, node, value);
  const expressions: Expression[] = found.map((f) => {
    const inner = value.slice(f.innerStart, f.innerEnd);
    const parsed = f.end > value.length || !value.startsWith('}}', f.innerEnd) ? { ast: null, error: 'unterminated ${{ expression' } : parseExpression(inner);
    const e: Expression = { raw: inner, span: locator.span(f.start, f.end), ast: parsed.ast };
    if (parsed.error) e.error = parsed.error;
    return e;
  });
  return { value, span, expressions };
}

/**
 * An `if:` condition: GitHub evaluates the whole value as an expression when
 * it has no `${{ }}`; with one, the delimiters mark it.
 */
export function conditionText(ydoc: YamlDoc, raw: unknown): TemplatedText | null {
  const t = templatedText(ydoc, raw);
  if (!t || t.expressions.length > 0) return t;
  if (t.value.trim() === '') return t;
  const node = ydoc.scalar(raw)!;
  const parsed = parseExpression(t.value);
  const locator = new ScalarLocator(ydoc, node, t.value);
  const e: Expression = { raw: t.value, span: locator.span(0, t.value.length), ast: parsed.ast };
  if (parsed.error) e.error = parsed.error;
  return { ...t, expressions: [e] };
}

/**
 * File span of `script.text.slice(index, index + length)` for a script whose
 * scalar node is gone. Where the file shows the value verbatim (a literal
 * block after its indentation, a scalar between its quotes), the piece is
 * placed by its offset. Otherwise, or past a line the file does not show
 * verbatim, the k-th occurrence of the piece in the value is the k-th in the
 * scalar's source (indentation never creates one). Falls back to the whole
 * script when the piece spans lines or is not written verbatim.
 */
export function locateInScript(file: { text: string; span(a: number, b: number): Span }, script: { text: string; span: Span }, index: number, length: number): Span {
  const piece = script.text.slice(index, index + length);
  if (piece.length === 0 || piece.includes('\n')) return script.span;
  const placed = verbatimScriptOf(file, script).place(index);
  if (placed !== undefined) return file.span(placed, placed + piece.length);
  let k = 0;
  for (let i = script.text.indexOf(piece); i >= 0 && i < index; i = script.text.indexOf(piece, i + 1)) k++;
  const region = file.text.slice(script.span.offset, script.span.endOffset);
  let at = -1;
  for (let n = 0; n <= k; n++) {
    at = region.indexOf(piece, at + 1);
    if (at < 0) return script.span;
  }
  return file.span(script.span.offset + at, script.span.offset + at + piece.length);
}

/**
 * Where a script's value is written in the file, for the shapes that show it
 * verbatim: a literal block, line by line after its indentation (read as far
 * as pieces are asked for); a scalar or Groovy string whose source between
 * its quotes is the value itself; and a heredoc's body. Searching for each
 * piece from the script's start made a script with thousands of findings
 * quadratic: 16,000
 * in a 1.4 MB block took 3.6 s, and 8,000 on one quoted line over 8 minutes,
 * each finding running to the end of that line. Each line is checked against
 * the file, so a line the file does not show verbatim (a script the model
 * joined, a file edited since) ends the map, and later pieces are searched
 * for as before.
 */
class VerbatimScript {
  /** File offset of the value's first character, when the source between its delimiters is the value; -1 otherwise. */
  private verbatimAt = -1;
  /** Value offset of each mapped line's start, and the file offset it is written at. */
  private readonly valueStarts: number[] = [];
  private readonly fileStarts: number[] = [];
  /** Value offset of the next line to read, and file offset of its line; -1 once the map ends. */
  private value = 0;
  private at = -1;
  private indent = -1;

  constructor(
    readonly file: { text: string },
    readonly script: { text: string; span: { offset: number; endOffset: number } },
  ) {
    const { text } = file;
    const { offset, endOffset } = script.span;
    // A literal block's source starts at its `|` header; the body starts on the next line.
    if (text[offset] === '|') {
      const header = text.indexOf('\n', offset);
      if (header >= 0 && header < endOffset) this.at = header + 1;
      return;
    }
    const value = script.text;
    // A heredoc (a Dockerfile's `RUN <<EOF`): after its header line, the body is the value.
    if (text.startsWith('<<', offset)) {
      const body = text.indexOf('\n', offset) + 1;
      if (body > 0 && body + value.length <= endOffset && text.startsWith(value, body)) {
        this.verbatimAt = body;
        return;
      }
    }
    for (const quote of DELIMITERS) {
      const start = offset + quote.length;
      const end = endOffset - quote.length;
      if (end - start === value.length && text.startsWith(quote, offset) && text.startsWith(quote, end) && text.startsWith(value, start)) {
        this.verbatimAt = start;
        return;
      }
    }
  }

  /** File offset of value offset `index`, when its line is mapped. */
  place(index: number): number | undefined {
    if (this.verbatimAt >= 0) return this.verbatimAt + index;
    while (this.at >= 0 && this.value <= index) this.readLine();
    const starts = this.valueStarts;
    const lo = lastAtOrBefore(starts, index);
    if (lo < 0) return undefined;
    const column = index - starts[lo]!;
    const end = this.script.text.indexOf('\n', starts[lo]!);
    // The last mapped line before the index may be a blank one's neighbour: the index must lie on the line itself.
    if (end >= 0 && index > end) return undefined;
    return this.fileStarts[lo]! + column;
  }

  private readLine(): void {
    const value = this.script.text;
    const text = this.file.text;
    const endOffset = this.script.span.endOffset;
    const nl = value.indexOf('\n', this.value);
    const lineEnd = nl < 0 ? value.length : nl;
    const length = lineEnd - this.value;
    let fileEnd = text.indexOf('\n', this.at);
    if (fileEnd < 0 || fileEnd > endOffset) fileEnd = endOffset;
    const written = fileEnd > this.at && text[fileEnd - 1] === '\r' ? fileEnd - 1 : fileEnd;
    if (length > 0) {
      // The block's indentation is what precedes its first non-blank line.
      if (this.indent < 0) this.indent = written - this.at - length;
      if (this.indent < 0 || written - this.at !== this.indent + length || !text.startsWith(value.slice(this.value, lineEnd), this.at + this.indent)) {
        this.at = -1;
        return;
      }
      this.valueStarts.push(this.value);
      this.fileStarts.push(this.at + this.indent);
    }
    if (nl < 0 || fileEnd >= endOffset) {
      this.at = -1;
      return;
    }
    this.value = nl + 1;
    this.at = fileEnd + 1;
  }
}

/** A plain scalar, a quoted one, a Groovy string. */
const DELIMITERS = ['', '"', "'", '"""', "'''"];

/** The map of the script asked about last: rules place a script's pieces one after another. */
let lastVerbatim: VerbatimScript | undefined;

function verbatimScriptOf(file: { text: string }, script: { text: string; span: Span }): VerbatimScript {
  if (lastVerbatim?.file !== file || lastVerbatim.script !== script) lastVerbatim = new VerbatimScript(file, script);
  return lastVerbatim;
}

/** Value offsets of a script's `${{ }}` expressions, in the same order as `script.expressions`. */
export function expressionOffsets(text: string): number[] {
  return findExpressions(text).map((f) => f.start);
}
