/**
 * The online phase of `scan --online` and `fix`: collect the tree's GitHub
 * references, look up what the rules need, hand the answers to the scan.
 * Nothing here runs unless the user asked for it; no network is touched
 * offline.
 */
import type { ScanOptions } from '../core/scan.js';
import { isLoopbackHost } from '../fix/registry.js';
import unpinnedUses from '../rules/unpinned-uses.js';
import { ResponseCache, defaultCacheDir } from './cache.js';
import { collectGithubUses, type GithubUse } from './collect.js';
import { prefetchFacts, type GitHubFacts } from './facts.js';
import { DEFAULT_GITHUB_API, GitHubClient, tokenFromEnv } from './github.js';
import { resolvePins, type PinEntry, type PinResolution } from './pins.js';

export interface OnlineSettings {
  apiBase: string;
  token?: string;
  cacheDir: string;
  timeoutMs?: number;
}

export class OnlineSettingsError extends Error {}

/** From `--github-api` / `PIPEWARDEN_GITHUB_API`, `--cache-dir`, and the token in the environment. */
export function onlineSettings(flags: { githubApi?: string; cacheDir?: string }, env: NodeJS.ProcessEnv = process.env): OnlineSettings {
  const apiBase = flags.githubApi ?? env['PIPEWARDEN_GITHUB_API'] ?? DEFAULT_GITHUB_API;
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new OnlineSettingsError(`--github-api must be a URL (got \`${apiBase}\`)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new OnlineSettingsError(`--github-api must be an http(s) URL (got \`${apiBase}\`)`);
  // The token goes with every request: in clear text only to this machine (a test server, a local proxy).
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new OnlineSettingsError(`--github-api: plain http:// is allowed only for this machine (localhost, 127.0.0.0/8, [::1]), the token would cross the network in clear text; use https://${url.host}${url.pathname === '/' ? '' : url.pathname}`);
  }
  const settings: OnlineSettings = { apiBase, cacheDir: flags.cacheDir ?? defaultCacheDir(env) };
  const token = tokenFromEnv(env);
  if (token) settings.token = token;
  return settings;
}

export function clientFor(settings: OnlineSettings): GitHubClient {
  return new GitHubClient({
    apiBase: settings.apiBase,
    ...(settings.token ? { token: settings.token } : {}),
    cache: new ResponseCache(settings.cacheDir),
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
  });
}

/** The rules that read GitHub facts; with all of them switched off, --online asks nothing. */
export const ONLINE_RULES = ['ref-confusion', 'impostor-commit', 'stale-action-refs', 'ref-version-mismatch'];

export const NO_TOKEN = 'needs a GitHub token in GH_TOKEN or GITHUB_TOKEN';

/** Facts for the online rules, or undefined (after one warning) when they cannot be had. */
export async function prefetchForScan(paths: string[], scan: ScanOptions, settings: OnlineSettings, warn: (message: string) => void): Promise<GitHubFacts | undefined> {
  const enabled = ONLINE_RULES.filter((id) => scan.config.rules.get(id)?.enabled !== false && scan.rules.some((r) => r.meta.id === id));
  if (enabled.length === 0) return undefined;
  if (!settings.token) {
    warn(`--online ${NO_TOKEN}; online checks skipped`);
    return undefined;
  }
  const { uses } = await collectGithubUses(paths, scan);
  const { facts, warnings } = await prefetchFacts(uses, clientFor(settings));
  for (const w of warnings) warn(w);
  return facts;
}

/**
 * Pins for the `unpinned-uses` findings of GitHub actions and reusable
 * workflows: lock entries first, then the API when `settings` is given (with
 * `--online`). Inline ignores and policies are respected: only references the
 * rule reports are resolved.
 */
export async function resolveForFix(paths: string[], scan: ScanOptions, lock: ReadonlyMap<string, PinEntry>, settings: OnlineSettings | undefined): Promise<PinResolution> {
  const { uses, findings } = await collectGithubUses(paths, scan, [unpinnedUses]);
  const reported = new Set(findings.map((f) => `${f.file}\0${f.span.offset}`));
  const needed: GithubUse[] = uses.filter((u) => u.pin === 'tag' && reported.has(`${u.file}\0${u.span.offset}`));
  const client = settings?.token ? clientFor(settings) : undefined;
  const offline = !settings ? 'not in the lock file; run `pipewarden fix --online` with a GitHub token to resolve it' : `--online ${NO_TOKEN}`;
  return resolvePins(needed, lock, client, offline);
}
