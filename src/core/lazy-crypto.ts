/**
 * `node:crypto`, loaded on first use. Loading it costs a one-file scan about
 * 9 ms, and only some commands hash anything (SARIF fingerprints, the online
 * cache, registry digests, temporary names for safe writes).
 */
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';

let loaded: typeof Crypto | undefined;

export function nodeCrypto(): typeof Crypto {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto);
}
