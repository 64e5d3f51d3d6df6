/** A unified diff of two texts, line by line (Myers' algorithm), for `fix --dry-run`. */

function myers(a: string[], b: string[]): ('=' | '-' | '+')[] {
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

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): ('=' | '-' | '+')[] {
  const ops: ('=' | '-' | '+')[] = [];
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

export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  const ops = myers(a, b);
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
