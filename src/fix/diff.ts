/** A unified diff of two texts, line by line (Myers' algorithm), for `fix --dry-run`. */
import { lastAtOrBefore } from '../core/sorted.js';
import type { TextEdit } from '../model/finding.js';

type Op = '=' | '-' | '+';

function myers(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    // Only diagonals -d..d can be read back at this step: a copy of the whole array made a
    // long file's diff cost its length times its edits (4.4 s of a 12,000-file dry run).
    trace.push(v.slice(max - d, max + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[max + k - 1]! < v[max + k + 1]!) ? v[max + k + 1]! : v[max + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[max + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return [];
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    // trace[d] holds diagonals -d..d, diagonal k at k + d.
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[d + k - 1]! < v[d + k + 1]!) ? k + 1 : k - 1;
    const prevX = v[d + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('=');
      x--;
      y--;
    }
    ops.push(x === prevX ? '+' : '-');
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push('=');
    x--;
    y--;
  }
  return ops.reverse();
}

/**
 * `edits`, when given, are the edits that made `after` from `before`: the
 * lines between the stretches they touch are then known to be equal, and
 * Myers' algorithm runs on each stretch alone. On the whole file it took the
 * file's length times its changed lines, and their square in memory (8,000
 * fixes in one file: 11 s of a dry run).
 */
export function unifiedDiff(file: string, before: string, after: string, context = 3, edits?: readonly TextEdit[]): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = (edits && stretchOps(before, a, b, edits)) ?? myers(a, b);
  const lines: { op: '=' | '-' | '+'; text: string; ai: number; bi: number }[] = [];
  let ai = 0;
  let bi = 0;
  for (const op of ops) {
    if (op === '=') lines.push({ op, text: a[ai]!, ai: ai++, bi: bi++ });
    else if (op === '-') lines.push({ op, text: a[ai]!, ai: ai++, bi });
    else lines.push({ op, text: b[bi]!, ai, bi: bi++ });
  }
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.op === '=') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2×context lines of each other.
    while (end < lines.length) {
      let j = end;
      while (j < lines.length && lines[j]!.op !== '=') j++;
      let k = j;
      while (k < lines.length && lines[k]!.op === '=' && k - j < 2 * context) k++;
      if (k < lines.length && lines[k]!.op !== '=') end = k;
      else {
        end = Math.min(lines.length, j + context);
        break;
      }
    }
    const hunk = lines.slice(start, end);
    const aStart = hunk[0]!.ai + 1;
    const bStart = hunk[0]!.bi + 1;
    const aLen = hunk.filter((l) => l.op !== '+').length;
    const bLen = hunk.filter((l) => l.op !== '-').length;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const l of hunk) out.push(`${l.op === '=' ? ' ' : l.op}${l.text.replace(/\r$/, '')}`);
    i = end;
    start = end;
  }
  return out.join('\n') + '\n';
}

/**
 * The line diff made stretch by stretch: the lines each edit touches (edits
 * on the same or neighbouring lines make one stretch) are diffed alone, and
 * the lines between stretches are equal. Undefined when the edits do not account for
 * `b` (the whole file is diffed then).
 */
/** Lines of neighbouring edits diffed together, at most (Myers' cost grows with the square of a stretch's changes). */
const MAX_STRETCH = 256;

function stretchOps(before: string, a: string[], b: string[], edits: readonly TextEdit[]): Op[] | undefined {
  // Lines as `split('\n')` cuts them: a lone `\r` ends none here, unlike SourceFile's line index.
  const starts = [0];
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (offset: number): number => lastAtOrBefore(starts, offset);
  const newlines = (s: string): number => {
    let n = 0;
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
    return n;
  };
  const stretches: { from: number; to: number; delta: number }[] = [];
  for (const e of [...edits].sort((x, y) => x.offset - y.offset || x.endOffset - y.endOffset)) {
    const from = lineOf(e.offset);
    const to = lineOf(e.endOffset);
    const delta = newlines(e.replacement) - newlines(before.slice(e.offset, e.endOffset));
    const last = stretches[stretches.length - 1];
    // Edits on the same or neighbouring lines make one stretch, diffed as one (changed lines then read
    // `-` all, `+` all, as on the whole file), up to a length that keeps each stretch's diff cheap.
    if (last && (from <= last.to || (from === last.to + 1 && to - last.from < MAX_STRETCH))) {
      last.to = Math.max(last.to, to);
      last.delta += delta;
    } else stretches.push({ from, to, delta });
  }
  const ops: Op[] = [];
  let ai = 0;
  let bi = 0;
  const equalUpTo = (end: number): boolean => {
    for (; ai < end; ai++, bi++) {
      if (a[ai] !== b[bi]) return false;
      ops.push('=');
    }
    return true;
  };
  for (const s of stretches) {
    if (!equalUpTo(s.from)) return undefined;
    const aLen = s.to - s.from + 1;
    const bLen = aLen + s.delta;
    if (bLen < 0 || bi + bLen > b.length) return undefined;
    for (const op of myers(a.slice(ai, ai + aLen), b.slice(bi, bi + bLen))) ops.push(op);
    ai += aLen;
    bi += bLen;
  }
  if (!equalUpTo(a.length) || bi !== b.length) return undefined;
  return ops;
}
