import type { Finding, Severity } from '../model/finding.js';
import type { ScanResult } from '../model/result.js';
import type { SourceView } from '../model/source.js';

export interface TextOptions {
  color: boolean;
}

/** Severities from most to least severe, the order summaries list them in. */
export const SEVERITIES_DESC: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Report order: file, line, column, rule (then the rest, so the order is total and stable). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.file, b.file) ||
    cmp(a.span.line, b.span.line) ||
    cmp(a.span.column, b.span.column) ||
    cmp(a.rule, b.rule) ||
    cmp(a.span.endLine, b.span.endLine) ||
    cmp(a.span.endColumn, b.span.endColumn) ||
    cmp(a.message, b.message)
  );
}

/** A sorted copy of the findings; the input is left alone. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Counts per severity plus file totals, shared by the text and JSON reporters. */
export interface Summary {
  findings: number;
  bySeverity: Record<Severity, number>;
  filesScanned: number;
  filesSkipped: number;
  filesNotPipeline: number;
  suppressed: number;
}

export function summarize(result: ScanResult): Summary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of result.findings) bySeverity[f.severity]++;
  let filesScanned = 0;
  let filesSkipped = 0;
  let filesNotPipeline = 0;
  for (const r of result.files) {
    if (r.status === 'scanned') filesScanned++;
    else if (r.status === 'skipped') filesSkipped++;
    else filesNotPipeline++;
  }
  return { findings: result.findings.length, bySeverity, filesScanned, filesSkipped, filesNotPipeline, suppressed: result.suppressed };
}

/**
 * Make text from a scanned file safe to print on a terminal: control
 * characters become visible (C0 → control pictures, C1 and bidi controls →
 * U+FFFD), so a hostile file cannot move the cursor, recolour the output or
 * reorder what the reader sees. Each character stays one UTF-16 code unit so
 * columns keep lining up. Tabs are kept; newlines too when `keepNewlines`.
 */
export function sanitize(s: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 9) return c;
    if (code === 10 && keepNewlines) return c;
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return '\ufffd';
  });
}

const RESET = '\x1b[0m';
const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '\x1b[1;35m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[34m',
};
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Longest part of a line a code frame shows, and how much of it comes before the finding. */
const FRAME_WIDTH = 240;
const FRAME_BEFORE = 80;

function codeFrame(source: SourceView, finding: Finding, paint: (code: string, s: string) => string): string[] {
  const { line, column, endLine, endColumn } = finding.span;
  if (line < 1 || line > source.lineCount) return [];
  const text = source.lineText(line);
  const multiLine = endLine > line;
  const width = String(line).length;
  const gutter = (label: string) => paint(DIM, `  ${label.padStart(width)} | `);

  const start = Math.max(1, Math.min(column, text.length + 1));
  const stop = multiLine ? text.length + 1 : Math.min(endColumn, text.length + 1);
  // A long line (a minified workflow) is shown around the finding: the whole of it for each of its findings
  // made the report grow with findings times the line's length.
  const from = text.length > FRAME_WIDTH ? Math.max(0, Math.min(start - 1 - FRAME_BEFORE, text.length - FRAME_WIDTH)) : 0;
  const to = Math.min(text.length, from + Math.max(FRAME_WIDTH, 0));
  const before = from > 0 ? '…' : '';
  const after = to < text.length ? '…' : '';
  const out = [gutter(String(line)) + before + sanitize(text.slice(from, to)) + after];

  // Underline the exact columns on the first line; keep tabs so the carets line up under them.
  const count = Math.max(1, Math.min(stop, to + 1) - start);
  const pad = (before ? ' ' : '') + text.slice(from, start - 1).replace(/[^\t]/g, ' ');
  out.push(gutter('') + pad + paint(SEVERITY_COLOR[finding.severity], '^'.repeat(count)));
  if (multiLine) out.push(gutter('') + '…');
  return out;
}

/** Human-readable report with code frames, for terminals. */
export function formatText(result: ScanResult, opts: TextOptions): string {
  return [...textPieces(result, opts)].join('');
}

/** `formatText`'s text in pieces, a finding's block at a time. */
export function* textPieces(result: ScanResult, opts: TextOptions): Generator<string> {
  const paint = (code: string, s: string) => (opts.color ? code + s + RESET : s);
  const summary = summarize(result);

  for (const f of sortFindings(result.findings)) {
    const lines: string[] = [];
    const [first = '', ...rest] = sanitize(f.message, true).split('\n');
    lines.push(
      `${paint(BOLD, `${sanitize(f.file)}:${f.span.line}:${f.span.column}`)} ` +
        `${paint(SEVERITY_COLOR[f.severity], f.severity)} (confidence: ${f.confidence}) ` +
        `${paint(DIM, sanitize(f.rule))} ${first}`,
    );
    for (const r of rest) lines.push(`  ${r}`);
    const source = result.sources.get(f.file);
    if (source) lines.push(...codeFrame(source, f, paint));
    if (f.remedy) lines.push(`  remedy: ${sanitize(f.remedy, true).replace(/\n/g, '\n  ')}`);
    if (f.fix) lines.push(`  fix available (${f.fix.safety}): ${sanitize(f.fix.description)}`);
    // A blank line between blocks, and before the summary.
    yield `${lines.join('\n')}\n\n`;
  }

  const files = plural(summary.filesScanned, 'file');
  let tail: string;
  if (summary.findings === 0) {
    tail = `No findings in ${files} scanned.`;
    const extra: string[] = [];
    if (summary.filesSkipped > 0) extra.push(`${summary.filesSkipped} skipped`);
    if (summary.suppressed > 0) extra.push(`${summary.suppressed} suppressed`);
    if (extra.length > 0) tail += ` ${extra.join(', ')}.`;
  } else {
    const counts = SEVERITIES_DESC.filter((s) => summary.bySeverity[s] > 0).map((s) =>
      paint(SEVERITY_COLOR[s], `${summary.bySeverity[s]} ${s}`),
    );
    tail = `${plural(summary.findings, 'finding')} (${counts.join(', ')}) in ${files} scanned, ${summary.filesSkipped} skipped`;
    if (summary.suppressed > 0) tail += `, ${summary.suppressed} suppressed`;
  }
  yield `${tail}\n`;
}
