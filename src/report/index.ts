import type { ScanResult } from '../model/result.js';
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

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
  switch (format) {
    case 'text':
      return formatText(result, { color: opts.color ?? false });
    case 'json':
      return formatJson(result);
    case 'sarif':
      return formatSarif(result);
    case 'github':
      return formatGithub(result);
    default: {
      const never: never = format;
      throw new Error(`unknown output format: ${String(never)}`);
    }
  }
}

export { formatText, formatJson, formatSarif, formatGithub };
