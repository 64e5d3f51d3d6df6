/**
 * Completing fixes that need a value from outside the files (`Fix.lookup`):
 * the scan is synchronous and offline, so a rule states what to look up and
 * where the value goes; `fix` looks values up here, all at once, before
 * applying anything.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../config/config.js';
import { LOOKUP_VALUE, type Fix } from '../model/finding.js';
import { resolveImageDigests } from './images.js';
import { isLoopbackHost } from './registry.js';

export interface LookupOptions {
  /** Folder whose `.pipewarden/` holds the lock files (see `lockRoot`). */
  root: string;
  /** Lock files only; no network. */
  offline: boolean;
  env: NodeJS.ProcessEnv;
  /** Registries spoken to over plain HTTP, from PIPEWARDEN_INSECURE_REGISTRIES. */
  insecureRegistries: ReadonlySet<string>;
  /** Injected for tests. */
  fetch?: typeof fetch;
}

export const INSECURE_REGISTRIES_ENV = 'PIPEWARDEN_INSECURE_REGISTRIES';

/**
 * Where the lock files live: the top of the git work tree holding `start`, so
 * one lock file serves the whole repository whichever folder is fixed; `start`
 * itself outside git.
 */
export function lockRoot(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

/** Options from the environment; a registry outside the machine may not be reached over plain HTTP. */
export function lookupOptions(root: string, offline: boolean, env: NodeJS.ProcessEnv): LookupOptions {
  const insecure = new Set<string>();
  for (const entry of (env[INSECURE_REGISTRIES_ENV] ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
    if (!isLoopbackHost(entry)) throw new ConfigError(`${INSECURE_REGISTRIES_ENV}: plain HTTP is allowed only for registries on this machine (localhost, 127.0.0.0/8, [::1]); \`${entry}\` is not one`);
    insecure.add(entry);
  }
  return { root, offline, env, insecureRegistries: insecure };
}

export interface LookupOutcome {
  /** Fixes whose value was not found, with the reason; their edits stay empty. */
  unresolved: Map<Fix, string>;
  errors: { file: string; message: string }[];
}

/**
 * Fills `edits` of each fix whose value is found. `save` writes what was
 * learnt (the lock file) and is false for a dry run.
 */
export async function completeLookups(fixes: Fix[], opts: LookupOptions | undefined, save: boolean): Promise<LookupOutcome> {
  const outcome: LookupOutcome = { unresolved: new Map(), errors: [] };
  const pending = fixes.filter((f) => f.lookup);
  if (pending.length === 0) return outcome;
  if (!opts) {
    for (const f of pending) outcome.unresolved.set(f, 'needs a value looked up at fix time, and lookups are off');
    return outcome;
  }
  const images = await resolveImageDigests(
    pending.filter((f) => f.lookup!.kind === 'image-digest').map((f) => f.lookup!.key),
    { root: opts.root, offline: opts.offline, insecure: opts.insecureRegistries, env: opts.env, ...(opts.fetch ? { fetch: opts.fetch } : {}) },
  );
  for (const f of pending) {
    const { key, edits } = f.lookup!;
    const digest = images.digests.get(key);
    if (digest === undefined) {
      outcome.unresolved.set(f, `could not resolve ${key}: ${images.failed.get(key) ?? 'not looked up'}`);
      continue;
    }
    f.edits = edits.map((e) => ({ ...e, replacement: e.replacement.split(LOOKUP_VALUE).join(digest) }));
  }
  if (save) await images.save();
  outcome.errors.push(...images.errors);
  return outcome;
}
