import type { Finding, Severity } from '../model/finding.js';
import type { ScanResult } from '../model/result.js';
import { normalizePath } from './sarif.js';
import { sortFindings } from './text.js';

type Command = 'error' | 'warning' | 'notice';

export function githubCommand(s: Severity): Command {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'notice';
}

/** Escape the message part of a workflow command (after `::`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escape a property value of a workflow command (between the command and `::`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands, one annotation per finding. */
export function formatGithub(result: ScanResult): string {
  return [...githubPieces(result)].join('');
}

/** `formatGithub`'s text in pieces, an annotation at a time. */
export function* githubPieces(result: ScanResult): Generator<string> {
  for (const f of sortFindings(result.findings)) yield annotation(f);
}

function annotation(f: Finding): string {
  const props: [string, string | number][] = [
    ['file', normalizePath(f.file)],
    ['line', f.span.line],
    ['col', f.span.column],
    ['endLine', f.span.endLine],
    ['endColumn', f.span.endColumn],
    ['title', f.rule],
  ];
  const p = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${githubCommand(f.severity)} ${p}::${escapeData(f.message)}\n`;
}
