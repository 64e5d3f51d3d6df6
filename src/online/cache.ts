/**
 * On-disk cache of GitHub API responses, one JSON file per URL (named by the
 * URL's SHA-256, so no URL text reaches the file system). Tokens are never
 * stored. A cache that cannot be read or written is simply not used.
 */
import { nodeCrypto, nodeOs } from '../core/lazy-builtins.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/safe-files.js';

/** Tags and branches change rarely and the compare answers for a tagged commit never: a day is fresh enough. */
export const DEFAULT_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export interface CachedResponse {
  url: string;
  status: number;
  storedAt: number;
  etag?: string;
  /** The `Link` header, for pagination. */
  link?: string;
  body: unknown;
}

/** `$XDG_CACHE_HOME/pipewarden/github`, else `~/.cache/pipewarden/github`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] && path.isAbsolute(env['XDG_CACHE_HOME']) ? env['XDG_CACHE_HOME'] : path.join(nodeOs().homedir(), '.cache');
  return path.join(base, 'pipewarden', 'github');
}

export class ResponseCache {
  constructor(
    readonly dir: string,
    readonly ttlMs: number = DEFAULT_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private fileFor(url: string): string {
    return path.join(this.dir, `${nodeCrypto().createHash('sha256').update(url).digest('hex')}.json`);
  }

  /** The stored response (fresh or not), or undefined. */
  async get(url: string): Promise<(CachedResponse & { fresh: boolean }) | undefined> {
    try {
      const entry = JSON.parse(await fs.readFile(this.fileFor(url), 'utf8')) as CachedResponse;
      // A hash collision or a hand-edited file must not answer for another URL.
      if (entry.url !== url || typeof entry.status !== 'number' || typeof entry.storedAt !== 'number') return undefined;
      return { ...entry, fresh: this.now() - entry.storedAt < this.ttlMs && entry.storedAt <= this.now() };
    } catch {
      return undefined;
    }
  }

  async put(entry: Omit<CachedResponse, 'storedAt'>): Promise<void> {
    const file = this.fileFor(entry.url);
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      // Beside the target under a random name created exclusively (never through a planted symlink), then
      // renamed: a concurrent reader sees the old entry or the new one, never half.
      await writeFileAtomic(file, JSON.stringify({ ...entry, storedAt: this.now() }), 0o600);
    } catch {
      /* a cache that cannot be written only costs a request next time */
    }
  }
}
