/**
 * Image digests for `unpinned-images` fixes: taken from the lock file
 * `.pipewarden/images.lock.json` when it has them (no network), otherwise asked
 * of the registries and added to it, so a committed lock file makes `fix`
 * reproducible and usable offline.
 */
import * as path from 'node:path';
import { readBelow, UnsafePathError, writeBelow } from '../core/safe-files.js';
import { parseImageTagKey } from '../core/refs.js';
import { RegistryClient, ResolveError, loadDockerCredentials } from './registry.js';

export const IMAGES_LOCK = path.join('.pipewarden', 'images.lock.json');

const LOCK_VERSION = 1;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

export interface ImageResolverOptions {
  /** Folder holding `.pipewarden/images.lock.json`. */
  root: string;
  /** Only the lock file; no registry is contacted. */
  offline: boolean;
  /** Registries reached over plain HTTP (loopback only, checked by the caller). */
  insecure: ReadonlySet<string>;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface ImageResolution {
  digests: Map<string, string>;
  /** Keys that could not be resolved, with the reason. */
  failed: Map<string, string>;
  /** Problems with the lock file itself. */
  errors: { file: string; message: string }[];
  /** Writes the lock file when new digests were found. */
  save(): Promise<void>;
}

/** Below `root` no symlink is followed, neither `.pipewarden` nor the file. */
async function readLock(root: string): Promise<Map<string, string>> {
  let text: string | undefined;
  try {
    text = await readBelow(root, IMAGES_LOCK);
  } catch (err) {
    if (err instanceof UnsafePathError) throw err;
    throw new Error(`cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (text === undefined) return new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON; fix or delete it');
  }
  const images = (doc as { images?: unknown } | null)?.images;
  if (!doc || typeof doc !== 'object' || (doc as { version?: unknown }).version !== LOCK_VERSION || !images || typeof images !== 'object') {
    throw new Error(`expected { "version": ${LOCK_VERSION}, "images": { "<registry>/<repository>:<tag>": "sha256:…" } }`);
  }
  const out = new Map<string, string>();
  for (const [key, digest] of Object.entries(images as Record<string, unknown>)) {
    // Only the digest reaches workflow files (the keys come from them): it alone must be exact. The key is
    // shown escaped, so a control character in the lock cannot reach the terminal.
    if (typeof digest !== 'string' || !DIGEST.test(digest)) throw new Error(`${JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}…` : key)}: not a digest`);
    out.set(key, digest);
  }
  return out;
}

async function writeLock(root: string, digests: Map<string, string>): Promise<void> {
  const images = Object.fromEntries([...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeBelow(root, IMAGES_LOCK, JSON.stringify({ version: LOCK_VERSION, images }, null, 2) + '\n');
}

export async function resolveImageDigests(keys: Iterable<string>, opts: ImageResolverOptions): Promise<ImageResolution> {
  const lockFile = path.join(opts.root, IMAGES_LOCK);
  const result: ImageResolution = { digests: new Map(), failed: new Map(), errors: [], save: async () => {} };
  let locked: Map<string, string>;
  try {
    locked = await readLock(opts.root);
  } catch (err) {
    result.errors.push({ file: lockFile, message: (err as Error).message });
    // A lock file we cannot read is never overwritten; nothing is looked up without it either.
    for (const k of keys) result.failed.set(k, `${IMAGES_LOCK} is unusable`);
    return result;
  }
  const missing: string[] = [];
  for (const key of new Set(keys)) {
    const digest = locked.get(key);
    if (digest) result.digests.set(key, digest);
    else missing.push(key);
  }
  if (opts.offline) {
    for (const key of missing) result.failed.set(key, `not in ${IMAGES_LOCK}, and registries are asked only with --online`);
    return result;
  }
  const client = new RegistryClient({ insecure: opts.insecure, credentials: loadDockerCredentials(opts.env), ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  // One unreachable registry fails its other images at once instead of waiting for each to time out.
  const unreachable = new Map<string, string>();
  const found = new Map<string, string>();
  const queue = [...missing];
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const where = parseImageTagKey(key);
      if (!where) {
        result.failed.set(key, 'not an image reference pipewarden can look up');
        continue;
      }
      const down = unreachable.get(where.registry);
      if (down) {
        result.failed.set(key, down);
        continue;
      }
      try {
        found.set(key, await client.resolveDigest(where.registry, where.repository, where.tag));
      } catch (err) {
        const message = err instanceof ResolveError ? err.message : `internal error: ${(err as Error).message}`;
        if (message.startsWith('cannot reach')) unreachable.set(where.registry, message);
        result.failed.set(key, message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  for (const [key, digest] of found) result.digests.set(key, digest);
  if (found.size > 0) {
    result.save = async () => {
      try {
        await writeLock(opts.root, new Map([...locked, ...found]));
      } catch (err) {
        result.errors.push({ file: lockFile, message: `not written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      }
    };
  }
  return result;
}
