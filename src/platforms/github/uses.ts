/** Parsing of GitHub Actions `uses:` values. */
import { isCommitSha, isDynamic, parseImageRef } from '../../core/refs.js';
import type { ExternalRef, RefKind } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';


/**
 * `owner/repo[/path]@ref`, `./local/path`, or `docker://image`.
 * `kind` says whether it stands in a step (action) or a job (reusable workflow).
 */
export function parseUses(raw: string, span: Span, kind: Extract<RefKind, 'action' | 'reusable-workflow'>): ExternalRef {
  const text = raw.trim();
  if (text.startsWith('docker://')) return parseImageRef(text, span);
  // `$/path` names the running repository at the running commit, like `./path`.
  if (text.startsWith('./') || text.startsWith('.\\') || text === '.' || text.startsWith('$/')) {
    return { kind, raw, span, name: text, path: text, pin: 'local' };
  }
  if (isDynamic(text)) return { kind, raw, span, name: text, pin: 'dynamic' };
  const at = text.lastIndexOf('@');
  const target = at >= 0 ? text.slice(0, at) : text;
  const version = at >= 0 ? text.slice(at + 1) : undefined;
  const parts = target.split('/');
  const owner = parts[0] ?? '';
  const repo = parts[1] ?? '';
  const path = parts.slice(2).join('/');
  const ref: ExternalRef = {
    kind,
    raw,
    span,
    name: repo ? `${owner}/${repo}` : owner,
    owner,
    repo,
    pin: version === undefined || version === '' ? 'unpinned' : isCommitSha(version) ? 'hash' : 'tag',
  };
  if (path) ref.path = path;
  if (version !== undefined) ref.version = version;
  return ref;
}

/** `owner/repo` in lower case, the key used by tables of well-known actions. */
export function actionKey(ref: ExternalRef | undefined): string | undefined {
  if (!ref || ref.kind !== 'action' || !ref.owner || !ref.repo) return undefined;
  return `${ref.owner}/${ref.repo}`.toLowerCase();
}
