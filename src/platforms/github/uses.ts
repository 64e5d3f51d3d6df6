/** Parsing of GitHub Actions `uses:` values. */
import { isCommitSha, isDynamic, parseImageRef } from '../../core/refs.js';
import type { ExternalRef, Pipeline, RefKind } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';
import { FileScopedMap } from '../../core/file-scoped.js';


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
  // Most rules ask it of every step: built once per reference.
  let key = actionKeys.get(ref);
  if (key === undefined) actionKeys.set(ref, (key = `${ref.owner}/${ref.repo}`.toLowerCase()));
  return key;
}

const actionKeys = new FileScopedMap<ExternalRef, string>();

export interface VersionComment {
  /** The version as written, `v4.2.2`. */
  text: string;
  span: Span;
}

/** GitHub references of a pipeline that name a repository and a ref. */
export function githubRefs(pipeline: Pipeline): ExternalRef[] {
  if (pipeline.platform !== 'gha') return [];
  return pipeline.references.filter((r) => (r.kind === 'action' || r.kind === 'reusable-workflow') && r.owner && r.repo && r.version && (r.pin === 'hash' || r.pin === 'tag'));
}

/** The `# vX.Y.Z` comment right after a `uses:` value on its line (`# tag=v1.2`, `# v1.2.3`, `# 1.2`). */
export function versionComment(pipeline: Pipeline, ref: ExternalRef): VersionComment | undefined {
  const file = pipeline.file;
  if (ref.span.endLine !== ref.span.line) return undefined;
  const rest = file.lineText(ref.span.line).slice(ref.span.endColumn - 1);
  // Also the forms pinning tools write: `# ratchet:owner/repo@v1.2.3`, `# owner/repo@v4`, `#@v1`, a release URL.
  const m = /^(\s*#\s*(?:tag\s*[:=]\s*|version\s*[:=]?\s*|ratchet:)?(?:https?:\/\/\S+\/releases\/tag\/|[\w.-]+\/[\w.-]+@|@)?)(v?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.]+)?)(?![\w.])/i.exec(rest);
  if (!m) return undefined;
  const start = ref.span.endOffset + m[1]!.length;
  return { text: m[2]!, span: file.span(start, start + m[2]!.length) };
}
