/**
 * The CLI's online parts: `scan --online` and `--advisories`, pin resolution
 * for `fix`, and `pipewarden advisories update`. Kept apart from main.ts so
 * the offline commands read as before.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ScanOptions } from '../core/scan.js';
import { AdvisoryFileError, chooseSnapshot, DEFAULT_ADVISORIES_FILE, fetchAdvisories, writeSnapshot } from '../online/advisories.js';
import type { ExternalData } from '../online/external.js';
import { GitHubClient, GitHubError } from '../online/github.js';
import { NO_TOKEN, OnlineSettingsError, onlineSettings, prefetchForScan, resolveForFix } from '../online/index.js';
import { DEFAULT_LOCK_FILE, LockFileError, readLock, writeLock, type PinEntry } from '../online/pins.js';

/** A mistake in online options or files: the command exits 2 with this message. */
export class OnlineCliError extends Error {}

/** parseArgs options shared by `scan` and `fix`. */
export const ONLINE_OPTIONS = {
  online: { type: 'boolean' },
  'github-api': { type: 'string' },
  'cache-dir': { type: 'string' },
} as const;

interface OnlineFlags {
  online?: boolean;
  'github-api'?: string;
  'cache-dir'?: string;
}

function settingsOf(values: OnlineFlags) {
  try {
    return onlineSettings({ ...(values['github-api'] ? { githubApi: values['github-api'] } : {}), ...(values['cache-dir'] ? { cacheDir: path.resolve(values['cache-dir']) } : {}) });
  } catch (err) {
    if (err instanceof OnlineSettingsError) throw new OnlineCliError(err.message);
    throw err;
  }
}

/** What `scan` hands the rules from outside the files: the advisory snapshot, and GitHub facts with --online. */
export async function scanExternal(values: OnlineFlags & { advisories?: string }, paths: string[], root: string, scan: ScanOptions, warn: (message: string) => void): Promise<ExternalData> {
  const external: ExternalData = {};
  try {
    const snapshot = await chooseSnapshot(values.advisories, root, warn);
    if (snapshot) external.advisories = snapshot;
  } catch (err) {
    if (err instanceof AdvisoryFileError) throw new OnlineCliError(err.message);
    throw err;
  }
  // Offline unless asked: without --online no client is even built.
  if (values.online) {
    const facts = await prefetchForScan(paths, scan, settingsOf(values), warn);
    if (facts) external.github = facts;
  }
  return external;
}

export interface FixPins {
  external: ExternalData;
  unresolved: { file: string; line: number; ref: string; reason: string }[];
  /** Writes the lock file with the pins resolved in this run (not in a dry run). */
  saveLock(): Promise<string | undefined>;
}

/** Pins for `fix`, from the lock file and (with --online) the API. */
export async function fixPins(values: OnlineFlags & { lock?: string; 'dry-run'?: boolean }, paths: string[], root: string, scan: ScanOptions): Promise<FixPins> {
  const lockFile = values.lock ? path.resolve(values.lock) : path.join(root, DEFAULT_LOCK_FILE);
  let lock: Map<string, PinEntry>;
  try {
    lock = await readLock(lockFile, root);
  } catch (err) {
    if (err instanceof LockFileError) throw new OnlineCliError(err.message);
    throw err;
  }
  const resolution = await resolveForFix(paths, scan, lock, values.online ? settingsOf(values) : undefined);
  return {
    external: { pins: resolution.pins },
    unresolved: resolution.unresolved.map(({ use, reason }) => ({ file: use.file, line: use.span.line, ref: `${use.owner}/${use.repo}@${use.ref}`, reason })),
    async saveLock() {
      if (values['dry-run'] || resolution.fresh.length === 0) return undefined;
      const merged = new Map(lock);
      for (const key of resolution.fresh) merged.set(key, resolution.pins.get(key)!);
      try {
        await writeLock(lockFile, merged, root);
      } catch (err) {
        if (err instanceof LockFileError) throw new OnlineCliError(err.message);
        throw err;
      }
      return lockFile;
    },
  };
}

/** `pipewarden advisories update [--output FILE] [--github-api URL]`. */
export async function advisoriesCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'update') throw new OnlineCliError('usage: pipewarden advisories update [--output FILE] [--github-api URL]');
  const { values } = parseArgs({ args: rest, options: { output: { type: 'string', short: 'o' }, 'github-api': { type: 'string' } } });
  const settings = settingsOf({ ...(values['github-api'] ? { 'github-api': values['github-api'] } : {}) });
  if (!settings.token) throw new OnlineCliError(`advisories update ${NO_TOKEN}`);
  // Always asked afresh: an update that answered from a cache would not be one.
  const client = new GitHubClient({ apiBase: settings.apiBase, token: settings.token });
  const file = values.output ?? DEFAULT_ADVISORIES_FILE;
  try {
    const { snapshot, skipped } = await fetchAdvisories(client);
    await writeSnapshot(file, snapshot);
    out(`wrote ${snapshot.advisories.length} advisor${snapshot.advisories.length === 1 ? 'y' : 'ies'} (${snapshot.date}) to ${file}\n`);
    if (skipped > 0) err(`${skipped} affected range${skipped === 1 ? '' : 's'} could not be represented and ${skipped === 1 ? 'was' : 'were'} left out\n`);
    return 0;
  } catch (e) {
    if (e instanceof GitHubError || e instanceof AdvisoryFileError) {
      err(`pipewarden: advisories not updated: ${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code) {
      err(`pipewarden: cannot write ${file}: ${(e as NodeJS.ErrnoException).code}\n`);
      return 2;
    }
    throw e;
  }
}
