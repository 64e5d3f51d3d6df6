/**
 * Which GitHub repositories and refs a tree uses: a first pass over the same
 * files with the same discovery, config and ignores as the scan, so the
 * asynchronous lookups can be done before the (synchronous) rules run.
 */
import { scanPaths, type ScanOptions } from '../core/scan.js';
import { isCommitSha } from '../core/refs.js';
import type { Finding } from '../model/finding.js';
import type { ExternalRef, Pipeline } from '../model/pipeline.js';
import type { Span } from '../model/source.js';
import { defineRule, type Rule } from '../rules/types.js';
import { githubRefs, versionComment, type VersionComment } from '../platforms/github/uses.js';

export { githubRefs, versionComment, type VersionComment };

/** A `uses: owner/repo[/path]@ref` of an action or reusable workflow. */
export interface GithubUse {
  owner: string;
  repo: string;
  /** Lower-cased `owner/repo`. */
  key: string;
  ref: string;
  pin: 'hash' | 'tag';
  file: string;
  span: Span;
  raw: string;
  /** The `# v1.2.3` comment after a pin, when there is one. */
  comment?: VersionComment;
}

export function useOf(pipeline: Pipeline, ref: ExternalRef): GithubUse | undefined {
  if (!ref.owner || !ref.repo || !ref.version || (ref.pin !== 'hash' && ref.pin !== 'tag')) return undefined;
  const use: GithubUse = {
    owner: ref.owner,
    repo: ref.repo,
    key: `${ref.owner}/${ref.repo}`.toLowerCase(),
    ref: ref.version,
    pin: ref.pin === 'hash' && isCommitSha(ref.version) ? 'hash' : 'tag',
    file: pipeline.file.path,
    span: ref.span,
    raw: ref.raw.trim(),
  };
  const comment = versionComment(pipeline, ref);
  if (comment) use.comment = comment;
  return use;
}

/**
 * Scans `paths` with only a collecting rule (plus `alsoRun`, whose findings
 * are returned): every GitHub `uses:` with a ref, in file order.
 */
export async function collectGithubUses(paths: string[], opts: ScanOptions, alsoRun: Rule[] = []): Promise<{ uses: GithubUse[]; findings: Finding[] }> {
  const uses: GithubUse[] = [];
  const collector = defineRule({
    meta: {
      id: 'pipewarden-collect-uses',
      title: 'internal: collects GitHub references',
      severity: 'info',
      confidence: 'low',
      platforms: ['gha'],
      fixable: false,
      docs: { description: '', bad: '', good: '', remedy: '' },
    },
    check({ pipeline }) {
      for (const ref of githubRefs(pipeline)) {
        const use = useOf(pipeline, ref);
        if (use) uses.push(use);
      }
    },
  });
  // Internal errors are reported by the scan proper, not twice.
  const result = await scanPaths(paths, { ...opts, rules: [collector, ...alsoRun], minSeverity: 'info', minConfidence: 'low', persona: 'auditor', onInternalError: undefined });
  return { uses, findings: result.findings.filter((f) => alsoRun.some((r) => r.meta.id === f.rule)) };
}
