/**
 * What the online rules need to know about the repositories a tree uses,
 * looked up before the scan (asynchronously, through the GitHub API) and read
 * by the rules synchronously. A question without an answer (repository not
 * found, rate limit, network down) stays unanswered and the rules say nothing.
 *
 * Reachability of a pinned commit (impostor commits): a commit is in the
 * action's repository when a tag or branch points at it, or when GitHub's
 * compare API (`GET /repos/{o}/{r}/compare/{base}...{sha}`) says it is
 * `identical` to or `behind` a branch or tag, i.e. an ancestor of it. The
 * default branch is compared first, then the other branches and the newest
 * tags, up to a bound; a commit found in none of them lives only in the fork
 * network (GitHub serves fork commits under the parent's name).
 */
import type { GitHubClient } from './github.js';
import { encodeRef, encodeRepo, GitHubError, isSafeRefName } from './github.js';
import type { GithubUse } from './collect.js';

export interface Reachability {
  reachable: boolean;
  /** The branch or tag it was found in. */
  via?: string;
  /** Every branch and tag was compared (no bound hit, no lookup failed). */
  complete: boolean;
}

export interface TagList {
  /** Tag name → commit SHA (lower case). */
  byName: Map<string, string>;
  /** False when the listing stopped before the last page. */
  complete: boolean;
}

/** Bounds that keep a scan of a large tree to a reasonable number of requests. */
export const LIMITS = { listPages: 10, comparedBranches: 10, comparedTags: 10, concurrency: 4 };

export class GitHubFacts {
  /** Lower-cased `owner/repo` → default branch, or null when the repository is not found. */
  readonly repos = new Map<string, { defaultBranch: string } | null>();
  readonly tags = new Map<string, TagList>();
  /** `owner/repo@ref` → which kinds of ref carry that name. */
  readonly refKinds = new Map<string, { tag: boolean; branch: boolean }>();
  /** `owner/repo@sha` → where the commit was found. */
  readonly reach = new Map<string, Reachability>();

  refKind(key: string, ref: string): { tag: boolean; branch: boolean } | undefined {
    return this.refKinds.get(`${key}@${ref}`);
  }

  reachability(key: string, sha: string): Reachability | undefined {
    return this.reach.get(`${key}@${sha.toLowerCase()}`);
  }

  /** Tags pointing at `sha`, or undefined when the tags are not known. */
  tagsAt(key: string, sha: string): string[] | undefined {
    const list = this.tags.get(key);
    if (!list) return undefined;
    const s = sha.toLowerCase();
    return [...list.byName].filter(([, c]) => c === s).map(([n]) => n);
  }

  /** The commit a tag points at: null when the complete list has no such tag, undefined when unknown. */
  tagCommit(key: string, name: string): string | null | undefined {
    const list = this.tags.get(key);
    if (!list) return undefined;
    return list.byName.get(name) ?? (list.complete ? null : undefined);
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/** Semantic-version order, newest first; names that are not versions after them. */
export function byVersionDesc(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  if (pa && pb) {
    for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i]! - pa[i]!;
    return pa.length === pb.length ? 0 : pb.length - pa.length;
  }
  return pa ? -1 : pb ? 1 : a.localeCompare(b);
}

export function versionParts(v: string): number[] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v);
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter((x) => x !== undefined).map(Number);
}

export async function listTags(client: GitHubClient, owner: string, repo: string): Promise<TagList | null> {
  const listed = await client.paginate<{ name?: string; commit?: { sha?: string } }>(`/repos/${encodeRepo(owner, repo)}/tags?per_page=100`, LIMITS.listPages);
  if (!listed) return null;
  const byName = new Map<string, string>();
  for (const t of listed.items) if (typeof t.name === 'string' && typeof t.commit?.sha === 'string') byName.set(t.name, t.commit.sha.toLowerCase());
  return { byName, complete: listed.complete };
}

/** Whether `refs/<kind>/<name>` exists (the singular `git/ref` endpoint matches exactly). */
async function refExists(client: GitHubClient, owner: string, repo: string, kind: 'tags' | 'heads', name: string): Promise<boolean> {
  const body = await client.json<unknown>(`/repos/${encodeRepo(owner, repo)}/git/ref/${kind}/${encodeRef(name)}`);
  if (body === null) return false;
  const full = `refs/${kind}/${name}`;
  // Older servers answered a prefix with a list of matches: only an exact one counts.
  if (Array.isArray(body)) return body.some((r) => (r as { ref?: string }).ref === full);
  return (body as { ref?: string }).ref === full;
}

/** `identical` or `behind`: `sha` is `base` or one of its ancestors. Undefined when GitHub cannot compare them. */
async function isAncestor(client: GitHubClient, owner: string, repo: string, base: string, sha: string): Promise<boolean | undefined> {
  const body = await client.json<{ status?: string }>(`/repos/${encodeRepo(owner, repo)}/compare/${encodeRef(base)}...${sha}`);
  if (!body || typeof body.status !== 'string') return undefined;
  return body.status === 'identical' || body.status === 'behind';
}

async function reachabilityOf(client: GitHubClient, use: GithubUse, defaultBranch: string, tags: TagList | null): Promise<Reachability | undefined> {
  const { owner, repo } = use;
  const sha = use.ref.toLowerCase();
  for (const [name, c] of tags?.byName ?? []) if (c === sha) return { reachable: true, via: `tag ${name}`, complete: true };
  const onDefault = await isAncestor(client, owner, repo, defaultBranch, sha);
  // 404 on the default branch: GitHub knows no such commit anywhere in the network; nothing to say.
  if (onDefault === undefined) return undefined;
  if (onDefault) return { reachable: true, via: `branch ${defaultBranch}`, complete: true };
  let complete = tags?.complete ?? false;
  const branches = await client.paginate<{ name?: string; commit?: { sha?: string } }>(`/repos/${encodeRepo(owner, repo)}/branches?per_page=100`, LIMITS.listPages);
  if (!branches?.complete) complete = false;
  const others = (branches?.items ?? []).filter((b) => typeof b.name === 'string' && b.name !== defaultBranch);
  // Names from the API go into request paths: one that is no valid ref is not compared.
  const comparable = others.filter((b) => isSafeRefName(b.name!));
  if (comparable.length < others.length) complete = false;
  for (const b of others) if (b.commit?.sha?.toLowerCase() === sha) return { reachable: true, via: `branch ${b.name}`, complete: true };
  if (comparable.length > LIMITS.comparedBranches) complete = false;
  for (const b of comparable.slice(0, LIMITS.comparedBranches)) {
    const r = await isAncestor(client, owner, repo, b.name!, sha);
    if (r) return { reachable: true, via: `branch ${b.name}`, complete: true };
    if (r === undefined) complete = false;
  }
  // One compare per tagged commit, newest versions first.
  const seen = new Set<string>();
  const named = [...(tags?.byName ?? [])].filter(([name]) => isSafeRefName(name));
  if (named.length < (tags?.byName.size ?? 0)) complete = false;
  const tagged = named.sort(([a], [b]) => byVersionDesc(a, b)).filter(([, c]) => !seen.has(c) && seen.add(c));
  if (tagged.length > LIMITS.comparedTags) complete = false;
  for (const [name] of tagged.slice(0, LIMITS.comparedTags)) {
    const r = await isAncestor(client, owner, repo, name, sha);
    if (r) return { reachable: true, via: `tag ${name}`, complete: true };
    if (r === undefined) complete = false;
  }
  return { reachable: false, complete };
}

export interface PrefetchResult {
  facts: GitHubFacts;
  /** At most a few lines: why some answers are missing. */
  warnings: string[];
}

/** Looks up everything the online rules need about `uses`. Never throws for API or network trouble. */
export async function prefetchFacts(uses: GithubUse[], client: GitHubClient): Promise<PrefetchResult> {
  const facts = new GitHubFacts();
  const failures: string[] = [];
  const byRepo = new Map<string, GithubUse[]>();
  for (const u of uses) byRepo.set(u.key, [...(byRepo.get(u.key) ?? []), u]);
  const guard = async (what: () => Promise<void>) => {
    try {
      await what();
    } catch (err) {
      if (!(err instanceof GitHubError)) throw err;
      if (!err.fatal) failures.push(err.message);
    }
  };
  await eachLimit([...byRepo], LIMITS.concurrency, async ([key, list]) =>
    guard(async () => {
      const { owner, repo } = list[0]!;
      const info = await client.json<{ default_branch?: string }>(`/repos/${encodeRepo(owner, repo)}`);
      if (!info || typeof info.default_branch !== 'string') {
        facts.repos.set(key, null);
        return;
      }
      facts.repos.set(key, { defaultBranch: info.default_branch });
      const pins = list.filter((u) => u.pin === 'hash');
      let tags: TagList | null = null;
      if (pins.length > 0) {
        tags = await listTags(client, owner, repo);
        if (tags) facts.tags.set(key, tags);
      }
      for (const ref of new Set(list.filter((u) => u.pin === 'tag').map((u) => u.ref))) {
        await guard(async () => {
          const tag = await refExists(client, owner, repo, 'tags', ref);
          // A name that is no tag cannot be confused with one; its branch need not be looked up.
          const branch = tag ? await refExists(client, owner, repo, 'heads', ref) : false;
          facts.refKinds.set(`${key}@${ref}`, { tag, branch });
        });
      }
      for (const sha of new Set(pins.map((u) => u.ref.toLowerCase()))) {
        await guard(async () => {
          const r = await reachabilityOf(client, pins.find((p) => p.ref.toLowerCase() === sha)!, info.default_branch!, tags);
          if (r) facts.reach.set(`${key}@${sha}`, r);
        });
      }
    }),
  );
  const warnings: string[] = [];
  if (client.stoppedBy) warnings.push(`online checks incomplete: ${client.stoppedBy.message}`);
  if (failures.length > 0) warnings.push(`online checks incomplete: ${failures.length} GitHub lookup${failures.length === 1 ? '' : 's'} failed (first: ${failures[0]})`);
  return { facts, warnings };
}
