/**
 * Pins for `pipewarden fix`: `owner/repo@v4` → full commit SHA and the most
 * precise tag at that commit (`v4.2.2`), read from a lock file the user can
 * commit (`.pipewarden/pins.lock.json`) or resolved through the GitHub API
 * with `--online`. A lock entry is used without any network.
 */
import * as path from 'node:path';
import { readBelow, splitBelow, UnsafePathError, writeBelow } from '../core/safe-files.js';
import type { Fix } from '../model/finding.js';
import type { ExternalRef, Pipeline } from '../model/pipeline.js';
import type { GithubUse } from './collect.js';
import { pinKey } from './external.js';
import { listTags, versionParts } from './facts.js';
import { encodeRef, encodeRepo, GitHubError, isRepoName, isSafeRefName, type GitHubClient } from './github.js';

export const DEFAULT_LOCK_FILE = path.join('.pipewarden', 'pins.lock.json');

export interface PinEntry {
  /** Full commit SHA. */
  sha: string;
  /** What to write in the `# …` comment: the most precise tag at the commit, or the ref as written. */
  version: string;
  /** A branch pin freezes a moving line of development: its fix is unsafe. */
  kind: 'tag' | 'branch';
  resolvedAt: string;
}

export class LockFileError extends Error {}

/**
 * Entries of a lock file; an absent file is empty, a malformed one an error
 * (never silently overwritten). Below `root` (the repository) no symlink is
 * followed, neither `.pipewarden` nor the file.
 */
export async function readLock(file: string, root?: string): Promise<Map<string, PinEntry>> {
  let text: string | undefined;
  try {
    text = await readBelow(...splitBelow(file, root));
  } catch (err) {
    if (err instanceof UnsafePathError) throw new LockFileError(err.message);
    throw new LockFileError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (text === undefined) return new Map();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file, which may be a secret someone linked here.
    throw new LockFileError(`${file}: not valid JSON; fix or delete it`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new LockFileError(`${file}: expected an object of "owner/repo@ref" entries`);
  // Lock entries end up in workflow files: every field is checked, and one bad
  // entry refuses the whole file. A tampered lock is not trusted in part, and
  // a rewrite after --online cannot silently drop what was ignored.
  const entries = new Map<string, PinEntry>();
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const entry = lockEntry(key, value);
    if (typeof entry === 'string') throw new LockFileError(`${file}: entry ${quote(key)} ${entry}; the lock file is not used`);
    const at = key.indexOf('@');
    entries.set(key.slice(0, at).toLowerCase() + key.slice(at), entry);
  }
  return entries;
}

const SHA = /^[0-9a-f]{40}$/;
const RESOLVED_AT = /^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)?$/;

/** The entry, or what is wrong with it. */
function lockEntry(key: string, value: unknown): PinEntry | string {
  const m = /^([^/@]+)\/([^/@]+)@(.+)$/s.exec(key);
  if (!m || !isRepoName(m[1]!) || !isRepoName(m[2]!)) return 'is not "owner/repo@ref"';
  const ref = m[3]!;
  if (!isSafeRefName(ref)) return 'names no valid git ref';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
  const v = value as Record<string, unknown>;
  if (typeof v['sha'] !== 'string' || !SHA.test(v['sha'].toLowerCase())) return 'needs a 40-character "sha"';
  const version = v['version'] === undefined || v['version'] === '' ? ref : v['version'];
  if (typeof version !== 'string' || !isSafeRefName(version)) return 'has a "version" that is no valid git ref name';
  const kind = v['kind'] ?? 'tag';
  if (kind !== 'tag' && kind !== 'branch') return 'has a "kind" other than "tag" or "branch"';
  const resolvedAt = v['resolvedAt'] ?? '';
  if (typeof resolvedAt !== 'string' || !RESOLVED_AT.test(resolvedAt)) return 'has a "resolvedAt" that is no ISO date-time';
  return { sha: v['sha'].toLowerCase(), version, kind, resolvedAt };
}

/** A name from a file, shown escaped and cut short: no control character reaches the terminal. */
function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/** Sorted keys and a trailing newline, so the file diffs well; written atomically, never through a symlink below `root`. */
export async function writeLock(file: string, entries: ReadonlyMap<string, PinEntry>, root?: string): Promise<void> {
  const sorted = Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, e]) => [k, { sha: e.sha, version: e.version, kind: e.kind, resolvedAt: e.resolvedAt }]));
  try {
    await writeBelow(...splitBelow(file, root), JSON.stringify(sorted, null, 2) + '\n');
  } catch (err) {
    if (err instanceof UnsafePathError) throw new LockFileError(`not written: ${err.message}`);
    throw new LockFileError(`${file}: not written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

interface GitRef {
  ref?: string;
  object?: { type?: string; sha?: string };
}

/** The object `refs/<kind>/<name>` points at, or undefined when there is no such ref. */
async function gitRef(client: GitHubClient, owner: string, repo: string, kind: 'tags' | 'heads', name: string): Promise<GitRef['object'] | undefined> {
  const body = await client.json<GitRef | GitRef[]>(`/repos/${encodeRepo(owner, repo)}/git/ref/${kind}/${encodeRef(name)}`);
  const full = `refs/${kind}/${name}`;
  const found = Array.isArray(body) ? body.find((r) => r.ref === full) : body?.ref === full ? body : undefined;
  return found?.object;
}

/** The tag at `sha` that names `ref` most precisely (`v4` → `v4.2.2`), else `ref`. */
export function mostPreciseTag(ref: string, tagsAtCommit: string[]): string {
  const candidates = tagsAtCommit.filter((t) => t === ref || t.startsWith(`${ref}.`)).filter((t) => versionParts(t));
  candidates.sort((a, b) => versionParts(b)!.length - versionParts(a)!.length || (a < b ? -1 : 1));
  return candidates[0] ?? ref;
}

/** Resolves one `owner/repo@ref` through the API: the commit, and the most precise tag for the comment. */
export async function resolvePin(client: GitHubClient, owner: string, repo: string, ref: string, now: Date = new Date()): Promise<PinEntry | { error: string }> {
  let object = await gitRef(client, owner, repo, 'tags', ref);
  let kind: PinEntry['kind'] = 'tag';
  if (!object) {
    object = await gitRef(client, owner, repo, 'heads', ref);
    kind = 'branch';
  }
  if (!object) return { error: `no tag or branch \`${ref}\` in ${owner}/${repo} (or the repository is not visible with this token)` };
  // Annotated tags point at a tag object; follow it (a tag of a tag too) to the commit.
  // The tag object's SHA comes from the API and goes into the next path: only a SHA is followed.
  for (let hops = 0; object?.type === 'tag' && typeof object.sha === 'string' && SHA.test(object.sha.toLowerCase()) && hops < 5; hops++) {
    const tag: { object?: GitRef['object'] } | null = await client.json<{ object?: GitRef['object'] }>(`/repos/${encodeRepo(owner, repo)}/git/tags/${object.sha}`);
    object = tag?.object;
  }
  if (object?.type !== 'commit' || typeof object.sha !== 'string' || !/^[0-9a-f]{40}$/i.test(object.sha)) return { error: `\`${ref}\` in ${owner}/${repo} does not point at a commit` };
  const sha = object.sha.toLowerCase();
  let version = ref;
  if (kind === 'tag' && versionParts(ref) && versionParts(ref)!.length < 3) {
    const tags = await listTags(client, owner, repo).catch((err: unknown) => {
      if (err instanceof GitHubError && !err.fatal) return null;
      throw err;
    });
    version = mostPreciseTag(ref, [...(tags?.byName ?? [])].filter(([, c]) => c === sha).map(([n]) => n));
  }
  return { sha, version, kind, resolvedAt: now.toISOString() };
}

export interface PinResolution {
  pins: Map<string, PinEntry>;
  /** Keys resolved through the API in this run (to be added to the lock file). */
  fresh: string[];
  unresolved: { use: GithubUse; reason: string }[];
}

/**
 * Lock entries first; the rest through `client` when given. Never throws for
 * API trouble: what could not be resolved is listed with the reason.
 */
export async function resolvePins(uses: GithubUse[], lock: ReadonlyMap<string, PinEntry>, client: GitHubClient | undefined, offlineReason: string): Promise<PinResolution> {
  const pins = new Map<string, PinEntry>();
  const fresh: string[] = [];
  const failed = new Map<string, string>();
  for (const use of uses) {
    const key = pinKey(use.owner, use.repo, use.ref);
    if (pins.has(key) || failed.has(key)) continue;
    const locked = lock.get(key);
    if (locked) {
      pins.set(key, locked);
      continue;
    }
    if (!client) {
      failed.set(key, offlineReason);
      continue;
    }
    try {
      const r = await resolvePin(client, use.owner, use.repo, use.ref);
      if ('error' in r) failed.set(key, r.error);
      else {
        pins.set(key, r);
        fresh.push(key);
      }
    } catch (err) {
      if (!(err instanceof GitHubError)) throw err;
      failed.set(key, err.message);
    }
  }
  const unresolved = uses.filter((u) => failed.has(pinKey(u.owner, u.repo, u.ref))).map((use) => ({ use, reason: failed.get(pinKey(use.owner, use.repo, use.ref))! }));
  return { pins, fresh, unresolved };
}

/**
 * `@v4` → `@<sha> # v4.2.2`, changing only the ref and adding the comment
 * after the value (before any comment already there). None for flow-style
 * values, where a comment would swallow the rest of the line.
 */
export function pinFix(pipeline: Pipeline, ref: ExternalRef, entry: PinEntry): Fix | undefined {
  const file = pipeline.file;
  const version = ref.version;
  if (!version || ref.span.line !== ref.span.endLine) return undefined;
  // Whatever supplied the entry (lock file, API), only a SHA and a ref name are written.
  if (!SHA.test(entry.sha) || !isSafeRefName(entry.version)) return undefined;
  const at = file.text.lastIndexOf(`@${version}`, ref.span.endOffset);
  if (at < ref.span.offset) return undefined;
  const versionEnd = at + 1 + version.length;
  if (!/^["']?$/.test(file.text.slice(versionEnd, ref.span.endOffset))) return undefined;
  const rest = file.lineText(ref.span.line).slice(ref.span.endColumn - 1);
  if (!/^\s*(#.*)?$/.test(rest)) return undefined;
  return {
    description: `pin ${ref.owner}/${ref.repo}@${version} to commit ${entry.sha.slice(0, 12)} (${entry.version})`,
    safety: entry.kind === 'branch' ? 'unsafe' : 'safe',
    edits: [
      { offset: at + 1, endOffset: versionEnd, replacement: entry.sha },
      { offset: ref.span.endOffset, endOffset: ref.span.endOffset, replacement: ` # ${entry.version}` },
    ],
  };
}
