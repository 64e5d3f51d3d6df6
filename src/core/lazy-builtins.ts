/**
 * Node built-ins loaded on first use, not at start-up. A one-file scan needs
 * neither: `node:crypto` costs it ~9 ms (only SARIF fingerprints, the online
 * cache, registry digests and safe writes hash anything), `node:worker_threads`
 * 4 to 8 ms (only `--jobs` starts threads). Through `require`, since the CLI
 * bundle runs as a script (see cli/launch.ts), where `import()` has no loader.
 */
import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as WorkerThreads from 'node:worker_threads';

let crypto: typeof Crypto | undefined;
let workerThreads: typeof WorkerThreads | undefined;

export function nodeCrypto(): typeof Crypto {
  return (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof Crypto);
}

export function nodeWorkerThreads(): typeof WorkerThreads {
  return (workerThreads ??= createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads);
}
