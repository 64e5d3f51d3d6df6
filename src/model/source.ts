/**
 * A file's text with a line index, so any byte offset turns into a 1-based
 * line/column cheaply. Columns count UTF-16 code units, like editors and SARIF
 * (`columnKind: utf16CodeUnits`).
 */
import { lastAtOrBefore } from '../core/sorted.js';

export interface Span {
  /** 1-based line of the first character. */
  line: number;
  /** 1-based column of the first character. */
  column: number;
  /** 1-based line of the last character's end. */
  endLine: number;
  /** 1-based column just past the last character. */
  endColumn: number;
  /** 0-based offsets into the file text (after BOM removal), start inclusive, end exclusive. */
  offset: number;
  endOffset: number;
}

/**
 * Offsets where each line starts: after `\n`, `\r\n` or a lone `\r`. Most
 * files have no `\r`: their breaks are found by `indexOf`, which scans far
 * faster than a loop over every character (about 90 ms of a 12,000-file scan).
 */
export function lineStartsOf(t: string): number[] {
  const starts = [0];
  if (t.indexOf('\r') < 0) {
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && t.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

export class SourceFile {
  /** Offsets where each line starts. */
  private readonly lineStarts: number[];
  /** True when the file began with a UTF-8 byte-order mark (removed from `text`). */
  readonly hadBom: boolean;
  readonly text: string;

  constructor(
    /** Path as shown to the user (relative to the current directory when possible). */
    readonly path: string,
    text: string,
    /** Absolute path on disk, or undefined for in-memory sources. */
    readonly absPath?: string,
  ) {
    this.hadBom = text.charCodeAt(0) === 0xfeff;
    this.text = this.hadBom ? text.slice(1) : text;
    this.lineStarts = lineStartsOf(this.text);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    const o = this.clamp(offset);
    const line = this.lineIndex(o);
    return { line: line + 1, column: o - this.lineStarts[line]! + 1 };
  }

  span(offset: number, endOffset: number): Span {
    // Every model node gets a span: computed without intermediate position objects.
    const end = Math.max(offset, endOffset);
    const o = this.clamp(offset);
    const e = this.clamp(end);
    const line = this.lineIndex(o);
    // Most spans end on the line they start on: look there before searching.
    const next = this.lineStarts[line + 1];
    const endLine = next === undefined || e < next ? line : this.lineIndex(e);
    return { line: line + 1, column: o - this.lineStarts[line]! + 1, endLine: endLine + 1, endColumn: e - this.lineStarts[endLine]! + 1, offset, endOffset: end };
  }

  private clamp(offset: number): number {
    return Math.max(0, Math.min(offset, this.text.length));
  }

  /** 0-based index of the line an offset (already clamped) is on. */
  private lineIndex(o: number): number {
    return Math.max(0, lastAtOrBefore(this.lineStarts, o));
  }

  /** Text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, end);
  }

  /** Span covering a whole 1-based line. */
  lineSpan(line: number): Span {
    const start = this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length) - 1)]!;
    return this.span(start, start + this.lineText(line).length);
  }
}

/** What reports read of a file: its path and the text of some lines. */
export interface SourceView {
  readonly path: string;
  readonly lineCount: number;
  lineText(line: number): string;
}

/**
 * A copy of a string that owns its characters. V8 builds a substring or a
 * concatenation from 13 characters up as a view into the original, which
 * keeps the whole file text alive as long as the piece lives.
 */
export function ownString(s: string): string {
  // Slicing a concatenation flattens it into a fresh string first: the result points at that copy only.
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * The lines of a file that reports show (where findings start), without the
 * rest of its text: what a scan keeps for code frames and SARIF fingerprints.
 */
export class SourceLines implements SourceView {
  private constructor(
    readonly path: string,
    readonly lineCount: number,
    private readonly lines: Map<number, string>,
  ) {}

  static of(source: SourceFile, lines: Iterable<number>): SourceLines {
    const kept = new Map<number, string>();
    for (const line of lines) if (!kept.has(line)) kept.set(line, ownString(source.lineText(line)));
    return new SourceLines(ownString(source.path), source.lineCount, kept);
  }

  /** Both sets of lines of one file (a callee's findings come from its own scan and from its callers'). */
  static union(a: SourceLines, b: SourceLines): SourceLines {
    return new SourceLines(a.path, a.lineCount, new Map([...a.lines, ...b.lines]));
  }

  /** Text of a kept 1-based line; '' for any other. */
  lineText(line: number): string {
    return this.lines.get(line) ?? '';
  }
}
