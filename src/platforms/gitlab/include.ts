/**
 * `include:` entries: which form each one takes, how pinned the external ones
 * are, and where local ones point inside the repository.
 */
import { isCommitSha, isDynamic } from '../../core/refs.js';
import type { ExternalRef, PinState } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';


/** `$CI_PROJECT_PATH`-style references to the project being built. */
const SAME_PROJECT = /^\$\{?CI_PROJECT_PATH\}?$|\$\{?CI_PROJECT_PATH\}?(?:\/|$)/;
const CURRENT_COMMIT = /^\$\{?(CI_COMMIT_SHA|CI_COMMIT_REF_NAME|CI_COMMIT_BRANCH|CI_COMMIT_TAG)\}?$/;

/** A remote file: with `integrity:` (SRI hash) GitLab checks the content; without, whoever serves the URL decides. */
export function remoteRef(url: string, span: Span, integrity: string | undefined): ExternalRef {
  const ref: ExternalRef = { kind: 'include', raw: url, span, name: url.trim(), pin: 'unpinned' };
  if (integrity && integrity.trim()) {
    ref.digest = integrity.trim();
    ref.pin = 'digest';
  } else if (isDynamic(url)) ref.pin = 'dynamic';
  return ref;
}

/**
 * A file from another project: a full commit `ref` is immutable, a branch or
 * tag moves, no `ref` follows the other project's default branch.
 */
export function projectRef(project: string, span: Span, ref: string | undefined, files: string[]): ExternalRef {
  const p = project.trim().replace(/^\/+/, '');
  const out: ExternalRef = { kind: 'include', raw: project, span, name: p, pin: 'unpinned' };
  const slash = p.lastIndexOf('/');
  if (slash > 0) {
    out.owner = p.slice(0, slash);
    out.repo = p.slice(slash + 1);
  }
  if (files.length === 1) out.path = files[0]!;
  const r = ref?.trim();
  if (r !== undefined && r !== '') out.version = r;
  if (SAME_PROJECT.test(p)) {
    // The project being built, at its own commit or default branch: same repository.
    out.pin = !r || CURRENT_COMMIT.test(r) ? 'local' : isCommitSha(r) ? 'hash' : isDynamic(r) ? 'dynamic' : 'tag';
    return out;
  }
  if (isDynamic(p)) out.pin = 'dynamic';
  else if (r === undefined || r === '') out.pin = 'unpinned';
  else if (isCommitSha(r)) out.pin = 'hash';
  else if (isDynamic(r)) out.pin = 'dynamic';
  else out.pin = 'tag';
  return out;
}

/** A template shipped with GitLab itself: versioned with the GitLab instance, so a (moving) tag. */
export function templateRef(name: string, span: Span): ExternalRef {
  return { kind: 'include', raw: name, span, name: name.trim(), pin: 'tag' };
}

/**
 * A CI/CD catalog component `host/group/project/name@version`: a commit is
 * immutable; `~latest` or no version moves with every release; a semantic
 * version (`1`, `1.2`, `1.2.3`), tag or branch is mutable.
 */
export function componentRef(raw: string, span: Span): ExternalRef {
  const text = raw.trim();
  const at = text.lastIndexOf('@');
  const name = at >= 0 ? text.slice(0, at) : text;
  const version = at >= 0 ? text.slice(at + 1) : undefined;
  const out: ExternalRef = { kind: 'include', raw, span, name, pin: 'unpinned' };
  const parts = name.split('/');
  if (parts.length >= 3) {
    out.owner = parts.slice(1, -2).join('/') || parts[1]!;
    out.repo = parts[parts.length - 2]!;
    out.path = parts[parts.length - 1]!;
  }
  if (version !== undefined) out.version = version;
  if (SAME_PROJECT.test(name) && version !== undefined && CURRENT_COMMIT.test(version)) out.pin = 'local';
  else if (version !== undefined && isCommitSha(version)) out.pin = 'hash';
  else if (isDynamic(name) || (version !== undefined && isDynamic(version))) out.pin = 'dynamic';
  else if (version === undefined || version === '' || version === '~latest') out.pin = 'unpinned';
  else out.pin = 'tag';
  return out;
}

/**
 * A local include path as a repository-relative path. GitLab reads local
 * paths from the repository root whether or not they start with `/`, so an
 * absolute path is repository-relative too; `..` above the root, drive letters
 * and UNC paths leave the repository and are refused.
 */
export function normalizeLocal(raw: string): { path: string } | { error: string } {
  const p = raw.trim();
  if (p === '') return { error: 'local include path is empty' };
  if (p.includes('\0')) return { error: 'local include path contains a NUL character' };
  if (/^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\') || p.startsWith('//')) return { error: `local include \`${p}\` points outside the repository` };
  const segments: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length === 0) return { error: `local include \`${p}\` leaves the repository` };
      segments.pop();
    } else segments.push(seg);
  }
  if (segments.length === 0) return { error: `local include \`${p}\` names the repository root, not a file` };
  return { path: segments.join('/') };
}

/**
 * GitLab's wildcard matching for local includes (`search_files_by_wildcard_path`):
 * `**` matches anything including `/`, `*` anything but `/`. So `ci/*.yml`
 * reads one folder, `ci/**.yml` any depth, and `ci/**` followed by `/*.yml`
 * only sub-folders.
 */
export function localGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*?';
      i++;
    } else if (c === '*') re += '[^/]*?';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
