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

/** Where an image lives: the registry host (`docker.io` for Docker Hub) and the repository path in it. */
export interface ImageLocation {
  registry: string;
  repository: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const TAG = /^\w[\w.-]{0,127}$/;

/**
 * Splits an image name (without tag or digest) the way Docker does: the first
 * component is a registry when it has a dot or a port or is `localhost`; Docker
 * Hub names of one component live under `library/`. Undefined when the name
 * does not follow the reference grammar (so nothing is looked up for it).
 */
export function imageLocation(name: string): ImageLocation | undefined {
  const parts = name.replace(/^docker:\/\//, '').split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost' || parts[0]!.startsWith('['))) registry = parts.shift()!;
  if (!HOST.test(registry) || parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) return undefined;
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry: registry.toLowerCase(), repository: parts.join('/') };
}

/** `registry/repository:tag` of a tag-pinned or unpinned image (`latest` when no tag), or undefined when it cannot be looked up. */
export function imageTagKey(ref: ExternalRef): string | undefined {
  if (ref.kind !== 'image' || ref.digest !== undefined || ref.pin === 'dynamic') return undefined;
  const where = imageLocation(ref.name);
  const tag = ref.version ?? 'latest';
  if (!where || !TAG.test(tag)) return undefined;
  return `${where.registry}/${where.repository}:${tag}`;
}

/** Inverse of `imageTagKey`. */
export function parseImageTagKey(key: string): (ImageLocation & { tag: string }) | undefined {
  const colon = key.lastIndexOf(':');
  const slash = key.indexOf('/');
  if (colon < key.lastIndexOf('/') || slash < 0) return undefined;
  return { registry: key.slice(0, slash), repository: key.slice(slash + 1, colon), tag: key.slice(colon + 1) };
}
