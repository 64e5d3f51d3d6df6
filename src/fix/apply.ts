/**
 * Applying fixes: edits sorted and checked for overlap (the first fix that
 * claims a range keeps it; a later overlapping fix is skipped whole and
 * reported, never applied halfway), then written atomically.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../core/safe-files.js';
import type { Fix, TextEdit } from '../model/finding.js';

export interface PlannedFix {
  fix: Fix;
  rule: string;
  line: number;
}

export interface FileFixResult {
  text: string;
  applied: PlannedFix[];
  skipped: { planned: PlannedFix; reason: string }[];
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  // Two insertions at the same point do not overlap; an insertion inside a replaced range does.
  if (a.offset === a.endOffset && b.offset === b.endOffset) return false;
  return a.offset < b.endOffset && b.offset < a.endOffset || (a.offset === a.endOffset && a.offset > b.offset && a.offset < b.endOffset) || (b.offset === b.endOffset && b.offset > a.offset && b.offset < a.endOffset);
}

/** Applies whole fixes in order (by position, then rule) to `text`; offsets are into `text`. */
export function applyFixes(text: string, fixes: PlannedFix[]): FileFixResult {
  const ordered = [...fixes].sort((a, b) => (a.fix.edits[0]?.offset ?? 0) - (b.fix.edits[0]?.offset ?? 0) || a.rule.localeCompare(b.rule));
  const taken: TextEdit[] = [];
  const applied: PlannedFix[] = [];
  const skipped: FileFixResult['skipped'] = [];
  for (const p of ordered) {
    if (p.fix.edits.some((e) => taken.some((t) => overlaps(e, t)))) {
      skipped.push({ planned: p, reason: 'overlaps another fix at the same place' });
      continue;
    }
    if (p.fix.edits.some((e) => e.offset < 0 || e.endOffset > text.length || e.endOffset < e.offset)) {
      skipped.push({ planned: p, reason: 'edit outside the file' });
      continue;
    }
    taken.push(...p.fix.edits);
    applied.push(p);
  }
  // From the end backwards, so earlier offsets stay valid; same-point insertions keep their order.
  const edits = taken.map((e, i) => ({ e, i })).sort((a, b) => b.e.offset - a.e.offset || b.i - a.i);
  let out = text;
  for (const { e } of edits) out = out.slice(0, e.offset) + e.replacement + out.slice(e.endOffset);
  return { text: out, applied, skipped };
}

/** Writes a fixed file atomically (see writeFileAtomic), its mode kept. */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const st = await fs.stat(file);
  await writeFileAtomic(file, content, st.mode & 0o7777);
}
