/**
 * Which GitHub repository a workflow belongs to (`owner/name`, lower case).
 * A scanned folder does not say so by itself; the evidence, strongest first:
 * the clone's `.git/config` remotes on github.com, then `github.repository ==
 * 'owner/name'` guards in the workflow (maintainers write them so forks skip
 * the job). Folder names are not evidence: a checkout can be named anything.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { contextAccesses, walk } from '../../expr/parser.js';
import type { Pipeline } from '../../model/pipeline.js';

export interface RepositoryIdentity {
  names: Set<string>;
  source: 'git' | 'condition';
}

/** Remotes per repository root, so a tree of workflows reads each config once. */
const gitConfigCache = new Map<string, Set<string> | null>();

const MAX_GIT_CONFIG_BYTES = 256 * 1024;

/** `owner/name` from a github.com remote URL (https, ssh or scp-like), or undefined. */
export function githubRepoFromUrl(url: string): string | undefined {
  const m = /^(?:(?:https?|git|ssh):\/\/(?:[^@/]+@)?github\.com(?::\d+)?\/|[^@\s/]+@github\.com:)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : undefined;
}

/** Remote URLs on github.com in a git config file's text. */
export function remotesOf(configText: string): Set<string> {
  const names = new Set<string>();
  let inRemote = false;
  for (const line of configText.split(/\r?\n/)) {
    const section = /^\s*\[([^\]]*)\]/.exec(line);
    if (section) {
      inRemote = /^remote\s+"/i.test(section[1]!.trim());
      continue;
    }
    const url = inRemote ? /^\s*url\s*=\s*(.+?)\s*$/i.exec(line) : null;
    const repo = url ? githubRepoFromUrl(url[1]!.replace(/^"|"$/g, '')) : undefined;
    if (repo) names.add(repo);
  }
  return names;
}

function readSmall(file: string): string | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_GIT_CONFIG_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The config file of the `.git` entry in `dir`: a folder, or a worktree's `gitdir:` pointer file. */
function gitConfigIn(dir: string): string | undefined {
  const dotGit = path.join(dir, '.git');
  let st;
  try {
    st = statSync(dotGit);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) return readSmall(path.join(dotGit, 'config'));
  const pointer = readSmall(dotGit);
  const gitdir = pointer ? /^gitdir:\s*(.+?)\s*$/m.exec(pointer)?.[1] : undefined;
  if (!gitdir) return undefined;
  const abs = path.resolve(dir, gitdir);
  // A linked worktree keeps its remotes in the main repository's config (`commondir`).
  const common = readSmall(path.join(abs, 'commondir'))?.trim();
  return readSmall(path.join(common ? path.resolve(abs, common) : abs, 'config'));
}

/**
 * GitHub remotes of the clone that holds `absPath`. Workflows live in
 * `<root>/.github/`, so only that root is asked: looking further up could
 * find an unrelated repository that merely contains the scanned copy.
 */
export function gitRemotesFor(absPath: string): Set<string> | undefined {
  const parts = absPath.split(path.sep);
  const i = parts.lastIndexOf('.github');
  if (i <= 0) return undefined;
  const root = parts.slice(0, i).join(path.sep) || path.sep;
  let cached = gitConfigCache.get(root);
  if (cached === undefined) {
    const text = gitConfigIn(root);
    const remotes = text === undefined ? undefined : remotesOf(text);
    cached = remotes && remotes.size > 0 ? remotes : null;
    gitConfigCache.set(root, cached);
  }
  return cached ?? undefined;
}

/** `github.repository == 'owner/name'` (either side) anywhere in the workflow's expressions. */
export function repositoryGuards(pipeline: Pipeline): Set<string> {
  const names = new Set<string>();
  for (const e of pipeline.expressions) {
    if (!e.ast) continue;
    walk(e.ast, (n) => {
      if (n.type !== 'binary' || (n.operator !== '==' && n.operator !== '!=')) return;
      for (const [ctx, lit] of [[n.left, n.right], [n.right, n.left]] as const) {
        if (lit.type !== 'literal' || typeof lit.value !== 'string' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(lit.value)) continue;
        const accesses = contextAccesses(ctx);
        if (accesses.length === 1 && accesses[0]!.node === ctx && (accesses[0]!.path === 'github.repository' || accesses[0]!.path === 'github.event.repository.full_name')) {
          names.add(lit.value.toLowerCase());
        }
      }
    });
  }
  return names;
}

export function repositoryIdentity(pipeline: Pipeline): RepositoryIdentity | undefined {
  const abs = pipeline.file.absPath;
  const remotes = abs ? gitRemotesFor(abs) : undefined;
  if (remotes) return { names: remotes, source: 'git' };
  // In a reusable workflow `github.repository` is the caller's, so its guards name other repositories.
  if (pipeline.kind !== 'workflow') return undefined;
  const guards = repositoryGuards(pipeline);
  return guards.size > 0 ? { names: guards, source: 'condition' } : undefined;
}
