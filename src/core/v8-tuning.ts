/**
 * V8 tuning for a scan, set once before any file is read.
 *
 * - No TurboFan inlining: with it, TurboFan compiles the large rule and
 *   builder functions again and again as new file shapes arrive; on the corpus
 *   its background threads took about a third of all CPU time. Without it a
 *   scan uses ~17% less CPU and ~8% less wall time (`npm run bench`).
 * - Heap growth of 30% past the live size after each full GC, instead of
 *   V8's dynamic factor: a scan's garbage dies young and its full GCs take
 *   milliseconds, so V8 judged them cheap and let the heap grow to up to four
 *   times what was live (peak RSS 445 MB at 12,000 files, 262 MB with this;
 *   wall time unchanged within the bench's noise).
 * - Twice V8's interrupt budget before a function is optimized: TurboFan
 *   kept a second core busy (2.2 s of CPU beside a 4 s scan of the corpus,
 *   much of it re-optimizing after deopts). With this, callgrind counts 30%
 *   fewer instructions off the main thread and 10% fewer in all at corpus
 *   scale, which is what `--jobs` on a small machine runs short of; the main
 *   thread's count rises 5.6% but its CPU time stayed within noise.
 * - Regular expressions compiled to machine code on first use: by default V8
 *   first compiles each one for its interpreter, then again once it has run.
 *   The rules use hundreds, so a one-file scan compiled most of those it ran
 *   twice (the first scan in a process took 26 ms, 22 ms with this; later
 *   ones 3-4 ms). Callgrind on 388 files: 2.2% fewer instructions on the
 *   main thread, the same in all.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneV8ForScanning(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-turbo-inlining');
  setFlagsFromString('--heap-growing-percent=30');
  setFlagsFromString('--interrupt-budget=135168');
  setFlagsFromString('--no-regexp-tier-up');
  // A damaged code cache (see cli/launch.ts) is refused rather than run: release builds of V8 skip the check otherwise.
  setFlagsFromString('--verify-snapshot-checksum');
}
