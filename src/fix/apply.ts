/**
 * Applying fixes: edits sorted and checked for overlap (the first fix that
 * claims a range keeps it; a later overlapping fix is skipped whole and
 * reported, never applied halfway), then written atomically.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../core/safe-files.js';
import { compareIds, type Fix, type TextEdit } from '../model/finding.js';

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
  const ordered = [...fixes].sort((a, b) => (a.fix.edits[0]?.offset ?? 0) - (b.fix.edits[0]?.offset ?? 0) || compareIds(a.rule, b.rule));
  const taken: TextEdit[] = [];
  const applied: PlannedFix[] = [];
  const skipped: FileFixResult['skipped'] = [];
  for (const p of ordered) {
    const edits = p.fix.edits;
    if (edits.some((e) => e.offset < 0 || e.endOffset > text.length || e.endOffset < e.offset)) {
      skipped.push({ planned: p, reason: 'edit outside the file' });
      continue;
    }
    if (edits.some((e, i) => edits.some((f, j) => j > i && overlaps(e, f)))) {
      skipped.push({ planned: p, reason: 'its own edits overlap' });
      continue;
    }
    if (edits.some((e) => taken.some((t) => overlaps(e, t)))) {
      skipped.push({ planned: p, reason: 'overlaps another fix at the same place' });
      continue;
    }
    taken.push(...edits);
    applied.push(p);
  }
  // One forward pass over the edits by position. At one offset, insertions go before a
  // replacement that starts there (applying from the end used to let the replacement
  // swallow the insertion), and insertions keep the order they were planned in.
  const sorted = taken
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.offset - b.e.offset || Number(a.e.endOffset > a.e.offset) - Number(b.e.endOffset > b.e.offset) || a.i - b.i);
  const pieces: string[] = [];
  let cursor = 0;
  for (const { e } of sorted) {
    pieces.push(text.slice(cursor, e.offset), e.replacement);
    cursor = e.endOffset;
  }
  pieces.push(text.slice(cursor));
  return { text: pieces.join(''), applied, skipped };
}

/**
 * Writes a fixed file atomically (see writeFileAtomic), its mode kept.
 * A symlink is kept and its target written (discovery checked that the
 * target is inside the scanned tree). With `expected`, a file whose content
 * changed since it was read is left alone: an editor's save is not lost.
 */
export async function writeAtomic(file: string, content: string, opts: { expected?: string } = {}): Promise<void> {
  const target = await fs.realpath(file);
  if (opts.expected !== undefined) {
    // Bytes, not decoded text: invalid UTF-8 decodes to U+FFFD whatever the bytes were.
    const current = await fs.readFile(target);
    if (!isUtf8(current)) {
      throw Object.assign(new Error('not valid UTF-8: writing the fix would replace its invalid bytes; not written'), { code: 'EENCODING' });
    }
    if (!current.equals(Buffer.from(opts.expected, 'utf8'))) {
      throw Object.assign(new Error('changed since it was scanned; not written (run fix again)'), { code: 'ECHANGED' });
    }
  }
  const st = await fs.stat(target);
  await writeFileAtomic(target, content, st.mode & 0o7777);
}
