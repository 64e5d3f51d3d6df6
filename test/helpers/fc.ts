/**
 * fast-check for every property test: import it from here, never from
 * 'fast-check' itself (a test checks that). With PIPEWARDEN_FC_SEED set,
 * every property starts from that seed, so a run is repeatable: CI sets one,
 * and a property that fails there fails again with the same input. Without
 * it each run draws new inputs; fast-check prints the seed of a failure, which
 * PIPEWARDEN_FC_SEED then replays.
 */
import fc from 'fast-check';

const seed = process.env.PIPEWARDEN_FC_SEED;
if (seed !== undefined && seed !== '') {
  const n = Number(seed);
  if (!Number.isSafeInteger(n)) throw new Error(`PIPEWARDEN_FC_SEED must be an integer, not ${JSON.stringify(seed)}`);
  fc.configureGlobal({ seed: n });
}

export default fc;
