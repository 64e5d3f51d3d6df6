/**
 * Applying fixes: edits sorted and checked for overlap (the first fix that
 * claims a range keeps it; a later overlapping fix is skipped whole and
 * reported, never applied halfway), then written atomically.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../core/safe-files.js';
import { partitionPoint } from '../core/sorted.js';
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

/**
 * Whether any two of the edits overlap, by one pass over them in position order: an edit overlaps an
 * earlier-starting one when it starts before the furthest end so far, and one starting at the same
 * place when both replace text (insertions at one point never overlap). Checking every pair was
 * quadratic in a fix's edits.
 */
function overlapEachOther(edits: readonly TextEdit[]): boolean {
  const sorted = [...edits].sort((a, b) => a.offset - b.offset);
  let endBefore = -1;
  for (let i = 0; i < sorted.length; ) {
    const at = sorted[i]!.offset;
    let replacing = 0;
    let end = endBefore;
    for (; i < sorted.length && sorted[i]!.offset === at; i++) {
      const e = sorted[i]!;
      if (at < endBefore) return true;
      if (e.endOffset > e.offset && ++replacing > 1) return true;
      end = Math.max(end, e.endOffset);
    }
    endBefore = end;
  }
  return false;
}

/** Index of the first edit of `sorted` that comes after `e` by (offset, end). */
function firstAfter(sorted: readonly TextEdit[], e: TextEdit): number {
  return partitionPoint(sorted.length, (i) => sorted[i]!.offset < e.offset || (sorted[i]!.offset === e.offset && sorted[i]!.endOffset <= e.endOffset));
}

/**
 * Whether `e` overlaps one of `sorted`, edits that do not overlap each other, in position order: of those
 * starting before `e` ends, the last one reaches furthest.
 */
function overlapsTaken(sorted: readonly TextEdit[], e: TextEdit): boolean {
  // Edits starting where `e` ends, or later, cannot overlap it; nor can an insertion at the end of a replaced range.
  for (let k = partitionPoint(sorted.length, (i) => sorted[i]!.offset < e.endOffset) - 1; k >= 0; k--) {
    const t = sorted[k]!;
    if (overlaps(e, t)) return true;
    // Ends are in order: once one ends at or before `e` starts, all earlier ones do too.
    if (t.endOffset <= e.offset) return false;
  }
  return false;
}

/** Applies whole fixes in order (by position, then rule) to `text`; offsets are into `text`. */
export function applyFixes(text: string, fixes: PlannedFix[]): FileFixResult {
  const ordered = [...fixes].sort((a, b) => (a.fix.edits[0]?.offset ?? 0) - (b.fix.edits[0]?.offset ?? 0) || compareIds(a.rule, b.rule));
  const taken: TextEdit[] = [];
  /** The same edits by position (offset, then end): they never overlap, so their ends are in order too. */
  const byPosition: TextEdit[] = [];
  const applied: PlannedFix[] = [];
  const skipped: FileFixResult['skipped'] = [];
  for (const p of ordered) {
    const edits = p.fix.edits;
    if (edits.some((e) => e.offset < 0 || e.endOffset > text.length || e.endOffset < e.offset)) {
      skipped.push({ planned: p, reason: 'edit outside the file' });
      continue;
    }
    if (overlapEachOther(edits)) {
      skipped.push({ planned: p, reason: 'its own edits overlap' });
      continue;
    }
    if (edits.some((e) => overlapsTaken(byPosition, e))) {
      skipped.push({ planned: p, reason: 'overlaps another fix at the same place' });
      continue;
    }
    for (const e of edits) byPosition.splice(firstAfter(byPosition, e), 0, e);
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
