import type { ScanResult } from '../model/result.js';
import { formatGithub, githubPieces } from './github.js';
import { formatJson, jsonReportPieces } from './json.js';
import { formatSarif, sarifPieces } from './sarif.js';
import { formatText, textPieces } from './text.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'github'];

export function isOutputFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

export interface FormatOptions {
  /** ANSI colours in the text format; ignored by the others. */
  color?: boolean;
}

export function formatResult(result: ScanResult, format: OutputFormat, opts: FormatOptions = {}): string {
  return [...formatPieces(result, format, opts)].join('');
}

/**
 * The report in pieces, each made as it is asked for, so the whole report is
 * never one string (a scan of 100,000 files gives a JSON report of ~420 MB).
 */
export function formatPieces(result: ScanResult, format: OutputFormat, opts: FormatOptions = {}): Iterable<string> {
  switch (format) {
    case 'text':
      return textPieces(result, { color: opts.color ?? false });
    case 'json':
      return jsonReportPieces(result);
    case 'sarif':
      return sarifPieces(result);
    case 'github':
      return githubPieces(result);
    default: {
      const never: never = format;
      throw new Error(`unknown output format: ${String(never)}`);
    }
  }
}

export { formatText, formatJson, formatSarif, formatGithub };
