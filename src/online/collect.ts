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
