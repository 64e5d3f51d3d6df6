/**
 * Node built-ins loaded on first use, not at start-up. A one-file scan needs
 * none of these: `node:crypto` costs it ~9 ms (only SARIF fingerprints, the
 * online cache, registry digests and safe writes hash anything),
 * `node:worker_threads` 4 to 8 ms (only `--jobs` starts threads), `node:os`
 * ~0.4 ms (`--jobs`' default, home folders for the online cache and registry
 * credentials).
 *
 * They are taken from `process.getBuiltinModule` (Node.js 20.16), or else
 * through the CLI bundle's own `require`: it runs as a CommonJS script (see
 * cli/launch.ts), where `import()` has no loader. Not through `node:module`'s
 * `createRequire`: imported, that module loads Node's ES module loader at every
 * start (~1 ms).
 */
import type * as Crypto from 'node:crypto';
import type * as Os from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';

let crypto: typeof Crypto | undefined;
let workerThreads: typeof WorkerThreads | undefined;
let os: typeof Os | undefined;

export function nodeCrypto(): typeof Crypto {
  return (crypto ??= nodeBuiltin<typeof Crypto>('node:crypto'));
}

export function nodeWorkerThreads(): typeof WorkerThreads {
  return (workerThreads ??= nodeBuiltin<typeof WorkerThreads>('node:worker_threads'));
}

export function nodeOs(): typeof Os {
  return (os ??= nodeBuiltin<typeof Os>('node:os'));
}

/** A Node built-in module by its `node:` name. */
export function nodeBuiltin<T>(id: string): T {
  // In that order: an ES module bundle (the bench's) has a `require` that only throws.
  const found = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.(id);
  if (found !== undefined) return found as T;
  if (typeof require === 'function') return require(id) as T;
  throw new Error(`cannot load ${id}: unbundled, pipewarden needs Node.js 20.16 or later (the built CLI runs on any Node.js 20)`);
}
