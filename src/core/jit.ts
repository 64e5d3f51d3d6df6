/**
 * V8 tuning for a scan. With inlining, TurboFan compiles the large rule and
 * builder functions again and again as new file shapes arrive: on the corpus
 * its background threads took about a third of all CPU time. Without inlining
 * a scan uses ~17% less CPU and ~8% less wall time (`npm run bench`), and the
 * YAML floor it is compared with is unchanged.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneJitForScanning(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--no-turbo-inlining');
}
