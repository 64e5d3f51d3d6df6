/**
 * Searches by halving, for the many places that look up an offset, a line or
 * a position among items kept in order.
 */

/**
 * The first index in `[0, length)` for which `before` is false, given that it
 * is true for every index before that one and false from there on.
 */
export function partitionPoint(length: number, before: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last number of `sorted` (ascending) that is at most `x`, or -1 when none is. */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  // Without a callback: line lookups run for every span of every file.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
