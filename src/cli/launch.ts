/**
 * Starts the CLI from its bundle through V8's code cache.
 *
 * Compiling the 1 MB bundle, and then the functions a scan compiles lazily,
 * took about 60 ms of a ~210 ms one-file scan. `npm run build` runs a
 * warm-up scan and writes the compiled code beside the bundle
 * (`dist/pipewarden.cjs.cache`); later starts hand it to V8 instead of
 * compiling again.
 *
 * The cache is used only when it was made by this Node.js release on this
 * architecture, holds a copy of these exact bundle bytes (compared in full:
 * cheaper than hashing, which would load `node:crypto`, 9 ms), its V8 data
 * passes V8's checksum, and V8 accepts it (its version and flags). Otherwise
 * the bundle compiles as usual, a little slower and otherwise the same.
 * Nothing is written at run time. The cache is code: it sits beside the
 * bundle in the package and has the same trust, since whoever can replace it
 * can replace the bundle too.
 */
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Script } from 'node:vm';
import { tuneV8ForScanning } from '../core/v8-tuning.js';

export type CliMain = (argv: string[], io?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }) => Promise<number>;

export interface LoadedCli {
  main: CliMain;
  /** Whether V8 took the code cache (false when there was none, it was made from other bytes, or V8 refused it). */
  cacheUsed: boolean;
  /** The code compiled so far, after the header and bundle copy `loadCli` checks: what the build writes after a warm-up scan. */
  createCache(): Buffer;
}

/**
 * A cache file: a header line naming the Node.js release, V8 version and
 * architecture it was made with and the bundle's length, the bundle's bytes,
 * then V8's data. V8 checks its own version but not Node's patches to it, and
 * checks the source only by length; its data's checksum is verified under
 * `--verify-snapshot-checksum` (set with the other flags).
 */
function cacheHeader(bundleLength: number): string {
  return `pipewarden-code-cache node ${process.version} v8 ${process.versions.v8} ${process.arch} ${bundleLength}\n`;
}

/**
 * A CommonJS module's code as the bundle file holds it: already inside the
 * function Node would wrap it in. Wrapping it at each start copied the 1 MB
 * source into a new string, which cost a scavenge and ~4 ms of page faults.
 */
export function wrapModule(code: string): string {
  return `${MODULE_START}${code}\n})`;
}

const MODULE_START = '(function (exports, require, module, __filename, __dirname) {';

export function loadCli(bundlePath: string, cachePath?: string): LoadedCli {
  // The flags a scan runs with, set before compiling: V8 refuses a cache made under other flags.
  tuneV8ForScanning();
  const bytes = readFileSync(bundlePath);
  // The build escapes every other character, so the source is read as one-byte text (UTF-8 decoding took 7 ms).
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cachedData = cachePath ? readCache(cachePath, bytes) : undefined;
  if (!source.startsWith(MODULE_START)) throw new Error(`${bundlePath} is not a wrapped module (see wrapModule)`);
  const script = new Script(source, {
    filename: bundlePath,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as { main?: CliMain } };
  const run = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(bundlePath), module, bundlePath, path.dirname(bundlePath));
  const main = module.exports.main;
  if (typeof main !== 'function') throw new Error(`${bundlePath} does not export main`);
  return {
    main,
    cacheUsed: cachedData !== undefined && script.cachedDataRejected !== true,
    createCache: () => Buffer.concat([Buffer.from(cacheHeader(bytes.length), 'latin1'), bytes, script.createCachedData()]),
  };
}

/** The V8 data of a cache made from exactly these bundle bytes, or undefined (missing, unreadable, other bytes). */
function readCache(cachePath: string, bundle: Buffer): Buffer | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(cachePath);
  } catch {
    return undefined;
  }
  const header = cacheHeader(bundle.length);
  const start = header.length;
  if (buf.length <= start + bundle.length || buf.toString('latin1', 0, start) !== header) return undefined;
  if (!buf.subarray(start, start + bundle.length).equals(bundle)) return undefined;
  return buf.subarray(start + bundle.length);
}
