import type { Finding } from '../model/finding.js';
import type { ScanResult } from '../model/result.js';
import { jsonPieces, Streamed } from './json-pieces.js';
import { sortFindings, summarize } from './text.js';

/** Bumped when the shape of the JSON report changes incompatibly. */
export const JSON_REPORT_VERSION = 1;

function findingToJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rule: f.rule,
    severity: f.severity,
    confidence: f.confidence,
    message: f.message,
    file: f.file,
    line: f.span.line,
    column: f.span.column,
    endLine: f.span.endLine,
    endColumn: f.span.endColumn,
    owasp: f.owasp ?? null,
    remedy: f.remedy,
  };
  if (f.fix) {
    out.fix = {
      description: f.fix.description,
      safety: f.fix.safety,
      edits: f.fix.edits.map((e) => ({ offset: e.offset, endOffset: e.endOffset, replacement: e.replacement })),
    };
    // Its edits come at fix time, once the value is looked up.
    if (f.fix.lookup) (out.fix as Record<string, unknown>).lookup = { kind: f.fix.lookup.kind, key: f.fix.lookup.key };
  }
  if (f.related && f.related.length > 0) {
    out.related = f.related.map((r) => ({
      file: r.file,
      line: r.span.line,
      column: r.span.column,
      endLine: r.span.endLine,
      endColumn: r.span.endColumn,
      message: r.message,
    }));
  }
  return out;
}

/** Machine-readable report: stable field names, 1-based lines and columns (UTF-16 code units). */
export function formatJson(result: ScanResult): string {
  return [...jsonReportPieces(result)].join('');
}

/** `formatJson`'s text in pieces: findings and files are written one at a time (see json-pieces.ts). */
export function* jsonReportPieces(result: ScanResult): Generator<string> {
  const s = summarize(result);
  const doc = {
    version: JSON_REPORT_VERSION,
    tool: { name: 'pipewarden', version: result.toolVersion },
    findings: new Streamed(mapped(sortFindings(result.findings), findingToJson)),
    files: new Streamed(result.files),
    summary: {
      findings: s.findings,
      bySeverity: s.bySeverity,
      filesScanned: s.filesScanned,
      filesSkipped: s.filesSkipped,
      filesNotPipeline: s.filesNotPipeline,
      suppressed: s.suppressed,
    },
  };
  yield* jsonPieces(doc);
  yield '\n';
}

function* mapped<T, U>(items: readonly T[], f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item);
}
