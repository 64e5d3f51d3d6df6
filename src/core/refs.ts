/** Parsing of external references that every platform shares: container images. */
import type { ExternalRef, PinState } from '../model/pipeline.js';
import type { Span } from '../model/source.js';

/** A full git commit id: SHA-1 (40 hex) or SHA-256 (64 hex) object format. Shared by every platform's pin checks. */
export function isCommitSha(v: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(v);
}

const DIGEST = /@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/i;

/** True when a reference is computed at run time (a template or variable), so its pin cannot be judged. */
export function isDynamic(raw: string): boolean {
  return /\$\{\{|\$\(|\$\{|\$[A-Za-z_]|\{\{|\$\[\[/.test(raw);
}

/**
 * An image reference `[registry/]repository[:tag][@digest]`.
 * No tag or `latest` is unpinned; a tag alone is mutable; a digest is pinned.
 */
export function parseImageRef(raw: string, span: Span): ExternalRef {
  const text = raw.trim().replace(/^docker:\/\//, '');
  if (isDynamic(text)) return { kind: 'image', raw, span, name: text, pin: 'dynamic' };
  let rest = text;
  let digest: string | undefined;
  const d = DIGEST.exec(rest);
  if (d) {
    digest = d[1]!.toLowerCase();
    rest = rest.slice(0, d.index);
  }
  let version: string | undefined;
  // The tag follows the last colon after the last slash (a colon before it is a registry port).
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    version = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let pin: PinState;
  if (digest) pin = 'digest';
  else if (!version || version.toLowerCase() === 'latest') pin = 'unpinned';
  else pin = 'tag';
  const ref: ExternalRef = { kind: 'image', raw, span, name: rest, pin };
  if (version !== undefined) ref.version = version;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}
