/**
 * Inline suppressions: `# pipewarden: ignore[rule-id, other-id] reason` on the
 * finding's line or the line above. A reason is required, so every silenced
 * finding explains itself in review.
 */
import type { SourceFile, Span } from '../model/source.js';
import { partitionPoint } from './sorted.js';

export interface InlineIgnore {
  line: number;
  rules: string[];
  reason: string;
  span: Span;
}

// Bounded: a long line of unclosed `ignore[` must not make the match quadratic.
const IGNORE = /pipewarden:\s*ignore\[([^\]\r\n]{0,200})\]([^\n\r]{0,500})/g;

export function findInlineIgnores(file: SourceFile): InlineIgnore[] {
  const text = file.text;
  if (!text.includes('pipewarden:')) return [];
  const out: InlineIgnore[] = [];
  for (const m of text.matchAll(IGNORE)) {
    const offset = m.index ?? 0;
    const rules = m[1]!.split(',').map((r) => r.trim()).filter(Boolean);
    // Strip comment closers of other syntaxes (`*/`, `-->`) from the reason.
    const reason = m[2]!.replace(/(\*\/|-->)\s*$/, '').trim().replace(/^[-:–—]\s*/, '');
    const span = file.span(offset, offset + m[0].length);
    out.push({ line: span.line, rules, reason, span });
  }
  return out;
}

/**
 * The ignore that covers a finding of `rule` on `line`, if any (only ignores with a reason count).
 * `ignores` are in file order, as `findInlineIgnores` gives them: the ones on the line and the line
 * above are found by halving, not by reading them all for each finding.
 */
export function coveringIgnore(ignores: InlineIgnore[], rule: string, line: number): InlineIgnore | undefined {
  for (let k = partitionPoint(ignores.length, (i) => ignores[i]!.line < line - 1); k < ignores.length && ignores[k]!.line <= line; k++) {
    const i = ignores[k]!;
    if (i.reason !== '' && (i.rules.includes(rule) || i.rules.includes('*'))) return i;
  }
  return undefined;
}
