/**
 * Facts from outside the scanned files that some rules read: GitHub lookups
 * (only with `--online`), resolved pins for `fix`, and a refreshed advisory
 * snapshot. Gathered before the scan; rules read them synchronously and say
 * nothing when a fact is missing.
 */
import type { AdvisorySnapshot } from './advisories.js';
import type { GitHubFacts } from './facts.js';
import type { PinEntry } from './pins.js';

export interface ExternalData {
  /** Present only when the scan runs with `--online`. */
  github?: GitHubFacts;
  /** `owner/repo@ref` (owner/repo lower-cased) → the commit to pin; present in `fix`. */
  pins?: ReadonlyMap<string, PinEntry>;
  /** Replaces the built-in advisory snapshot when newer. */
  advisories?: AdvisorySnapshot;
}

export function pinKey(owner: string, repo: string, ref: string): string {
  return `${owner}/${repo}`.toLowerCase() + `@${ref}`;
}
