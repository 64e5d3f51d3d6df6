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
 * cheaper than hashing, which would load `node:crypto`, 9 ms; the source is
 * then taken from that copy), its V8 data
 * passes V8's checksum, and V8 accepts it (its version and flags). Otherwise
 * the bundle compiles as usual, a little slower and otherwise the same.
 * Nothing is written at run time. The cache is code: it sits beside the
 * bundle in the package and has the same trust, since whoever can replace it
 * can replace the bundle too.
 */
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { Script } from 'node:vm';
import { nodeBuiltin } from '../core/lazy-builtins.js';
import { tuneV8ForScanning } from '../core/v8-tuning.js';

export type CliMain = (argv: string[], io?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }) => Promise<number>;

export interface LoadedCli {
  main: CliMain;
  /** Everything the bundle exports (the scan worker's loop among them: see cli/worker-launch.ts). */
  exports: { main: CliMain; runScanWorker?: () => void };
  /** Whether V8 took the code cache (false when there was none, it was made from other bytes, or V8 refused it). */
  cacheUsed: boolean;
  /** The code compiled so far, after the header and bundle copy `loadCli` checks: what the build writes after a warm-up scan. */
  createCache(): Buffer;
}

/**
 * A cache file: a header line naming the Node.js release, V8 version and
 * architecture it was made with, the bundle's length and whether it is ASCII,
 * the bundle's bytes, then V8's data. V8 checks its own version but not
 * Node's patches to it, and checks the source only by length; its data's
 * checksum is verified under `--verify-snapshot-checksum` (set with the other flags).
 */
function cacheHeader(bundleLength: number, ascii: boolean): string {
  return `pipewarden-code-cache node ${process.version} v8 ${process.versions.v8} ${process.arch} ${bundleLength} ${ascii ? 'ascii' : 'utf8'}\n`;
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

export function loadCli(bundlePath: string, cachePath?: string, options: { tuneV8?: boolean } = {}): LoadedCli {
  // The flags a scan runs with, set before compiling: V8 refuses a cache made under other flags. A worker
  // thread leaves them as the main thread set them (they are the process's), rather than writing them while other threads run.
  if (options.tuneV8 !== false) tuneV8ForScanning();
  const { script, bytes, cacheUsed } = compileBundle(bundlePath, cachePath);
  const module = { exports: {} as Partial<LoadedCli['exports']> };
  const run = script.runInThisContext() as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, bundleRequire(), module, bundlePath, path.dirname(bundlePath));
  const { main } = module.exports;
  if (typeof main !== 'function') throw new Error(`${bundlePath} does not export main`);
  return {
    main,
    exports: { ...module.exports, main },
    cacheUsed,
    // The bytes compiled, not the file again: it may have changed since.
    createCache: () => {
      const compiled = bytes();
      return Buffer.concat([Buffer.from(cacheHeader(compiled.length, isAscii(compiled)), 'latin1'), compiled, script.createCachedData()]);
    },
  };
}

/**
 * The bundle's `require`. It requires only Node built-ins, which resolve the
 * same from any folder, so the launcher's own serves (a `require` made for the
 * bundle's path would load node:module, and with it Node's ES module loader:
 * ~1 ms of every start).
 */
function bundleRequire(): NodeRequire {
  return typeof require === 'function' ? require : nodeBuiltin<typeof import('node:module')>('node:module').createRequire(import.meta.url);
}

/** The bundle compiled, through its code cache when V8 takes it; with the bytes it was compiled from (only the build asks for them). */
function compileBundle(bundlePath: string, cachePath: string | undefined): { script: Script; bytes: () => Buffer; cacheUsed: boolean } {
  const cached = cachePath ? readCache(cachePath, bundlePath) : undefined;
  if (cached) {
    const script = compile(bundlePath, cached.source, cached.v8Data);
    // Refused (other flags, damaged data, a header that misdescribes the bytes): the bundle as it is, compiled afresh.
    if (!script.cachedDataRejected) return { script, bytes: () => cached.bundle ?? Buffer.from(cached.source, 'latin1'), cacheUsed: true };
  }
  const bytes = readFileSync(bundlePath);
  return { script: compile(bundlePath, decode(bytes, isAscii(bytes))), bytes: () => bytes, cacheUsed: false };
}

function compile(bundlePath: string, source: string, cachedData?: Buffer): Script {
  if (!source.startsWith(MODULE_START)) throw new Error(`${bundlePath} is not a wrapped module (see wrapModule)`);
  return new Script(source, { filename: bundlePath, ...(cachedData ? { cachedData } : {}) });
}

/** The build escapes every other character, so the source is read as one-byte text (UTF-8 decoding took 7 ms). */
function decode(bytes: Buffer, ascii: boolean): string {
  return ascii ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * The source and V8 data of a cache made from exactly the bundle's bytes, or
 * undefined (missing, unreadable, made elsewhere, other bytes). The bundle is
 * compared with the cache's copy a slice at a time and the source taken from
 * that copy: reading it whole as well cost ~4 ms of page faults at each start.
 * For the same reason an ASCII copy's memory, once decoded, is read over with
 * V8's data: first touches of fresh memory cost ~2.7 ms per MB here, and the
 * copy is as large as the data.
 */
function readCache(cachePath: string, bundlePath: string): { source: string; bundle?: Buffer; v8Data: Buffer } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(cachePath, 'r');
    const head = Buffer.allocUnsafe(HEADER_MAX);
    const headLength = readSync(fd, head, 0, HEADER_MAX, 0);
    const headerEnd = head.subarray(0, headLength).indexOf(10);
    const fields = headerEnd > 0 ? /^pipewarden-code-cache .* (\d+) (ascii|utf8)$/.exec(head.toString('latin1', 0, headerEnd)) : null;
    if (!fields) return undefined;
    const length = Number(fields[1]);
    const ascii = fields[2] === 'ascii';
    const start = headerEnd + 1;
    const dataLength = fstatSync(fd).size - start - length;
    if (head.toString('latin1', 0, start) !== cacheHeader(length, ascii) || dataLength <= 0) return undefined;
    const buf = Buffer.allocUnsafe(ascii ? Math.max(length, dataLength) : length + dataLength);
    const copy = buf.subarray(0, length);
    if (!readFully(fd, copy, start) || !sameBytes(bundlePath, copy)) return undefined;
    const source = decode(copy, ascii);
    // Latin-1 gives the ASCII copy's bytes back exactly (createCache needs them); UTF-8 may not, so that copy is kept.
    const v8Data = ascii ? buf.subarray(0, dataLength) : buf.subarray(length);
    if (!readFully(fd, v8Data, start + length)) return undefined;
    return ascii ? { source, v8Data } : { source, bundle: copy, v8Data };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The header line is shorter than this (a Node.js release and a V8 version are short). */
const HEADER_MAX = 512;

/** Fills `into` from the file at `position`; false when the file ends first. */
function readFully(fd: number, into: Buffer, position: number): boolean {
  let at = 0;
  while (at < into.length) {
    const n = readSync(fd, into, at, into.length - at, position + at);
    if (n === 0) return false;
    at += n;
  }
  return true;
}

/** Whether the file holds exactly `expected`, read in slices into one small buffer. */
function sameBytes(file: string, expected: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).size !== expected.length) return false;
    const slice = Buffer.allocUnsafe(Math.min(COMPARED_AT_ONCE, expected.length));
    let at = 0;
    while (at < expected.length) {
      const n = readSync(fd, slice, 0, Math.min(slice.length, expected.length - at), at);
      if (n === 0 || !slice.subarray(0, n).equals(expected.subarray(at, at + n))) return false;
      at += n;
    }
    // A file that grew after the size was read is not the one the cache was made from.
    return readSync(fd, slice, 0, 1, at) === 0;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Small enough to stay in memory already touched; large enough for few reads. */
const COMPARED_AT_ONCE = 64 * 1024;
