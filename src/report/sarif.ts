import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../core/lazy-builtins.js';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Confidence, Finding, OwaspCategory, Severity } from '../model/finding.js';
import { OWASP_TITLES } from '../model/finding.js';
import type { ScanResult } from '../model/result.js';
import type { Span } from '../model/source.js';
import type { RuleMeta } from '../rules/types.js';
import { jsonPieces, Streamed } from './json-pieces.js';
import { sortFindings } from './text.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/pipewarden/pipewarden';
const SRCROOT = '%SRCROOT%';

type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub code scanning reads this to rank alerts (critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

const PRECISION: Record<Confidence, string> = { high: 'high', medium: 'medium', low: 'low' };

/** `untrusted-input-injection` → `UntrustedInputInjection`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/**
 * A file path as a SARIF artifact location: relative to the current directory
 * (the `%SRCROOT%` base) with forward slashes and each segment URI-encoded; a
 * path outside the current directory becomes an absolute `file:` URI.
 */
export function artifactLocation(file: string, cwd: string = process.cwd()): { uri: string; uriBaseId?: string } {
  let rel = file;
  if (isAbsolutePath(file)) rel = path.relative(cwd, file);
  rel = rel.replace(/\\/g, '/');
  while (rel.startsWith('./')) rel = rel.slice(2);
  const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
  if (isAbsolutePath(rel) || segments.includes('..')) {
    return { uri: pathToFileURL(path.resolve(cwd, file)).href };
  }
  return { uri: segments.map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

/** The path with forward slashes and no leading `./`, as GitHub annotations and fingerprints want it. */
export function normalizePath(file: string): string {
  let p = file.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

function srcRootUri(cwd: string): string {
  const href = pathToFileURL(cwd).href;
  return href.endsWith('/') ? href : href + '/';
}

function region(span: Span): Record<string, number> {
  return {
    startLine: Math.max(1, span.line),
    startColumn: Math.max(1, span.column),
    endLine: Math.max(1, span.endLine, span.line),
    endColumn: Math.max(1, span.endColumn),
  };
}

function physicalLocation(file: string, span: Span, cwd: string): Record<string, unknown> {
  return { artifactLocation: artifactLocation(file, cwd), region: region(span) };
}

/** A fenced block whose fence is longer than any backtick run in the body. */
function fenced(body: string, lang: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body.replace(/\n+$/, '')}\n${fence}`;
}

function owaspLabel(owasp: OwaspCategory): string {
  return `${owasp} ${OWASP_TITLES[owasp]}`;
}

function ruleDescriptor(meta: RuleMeta): Record<string, unknown> {
  const { docs } = meta;
  const text = [
    docs.description,
    `Vulnerable example:\n${docs.bad}`,
    `Hardened example:\n${docs.good}`,
    `Remedy: ${docs.remedy}`,
    ...(meta.owasp ? [`OWASP: ${owaspLabel(meta.owasp)}`] : []),
  ].join('\n\n');
  const markdown = [
    docs.description,
    `**Vulnerable example**\n\n${fenced(docs.bad, 'yaml')}`,
    `**Hardened example**\n\n${fenced(docs.good, 'yaml')}`,
    `**Remedy:** ${docs.remedy}`,
    ...(meta.owasp ? [`**OWASP Top 10 CI/CD:** ${owaspLabel(meta.owasp)}`] : []),
  ].join('\n\n');
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: docs.description },
    help: { text, markdown },
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: meta.owasp ? ['security', meta.owasp] : ['security'],
      precision: PRECISION[meta.confidence],
      'security-severity': SECURITY_SEVERITY[meta.severity],
    },
  };
}

/** A descriptor for a finding whose rule has no metadata in the result (e.g. an internal parse-error rule). */
function fallbackDescriptor(f: Finding): Record<string, unknown> {
  return {
    id: f.rule,
    name: pascalCase(f.rule),
    shortDescription: { text: f.rule },
    fullDescription: { text: f.remedy || f.rule },
    help: { text: f.remedy || f.rule, markdown: f.remedy || f.rule },
    defaultConfiguration: { level: sarifLevel(f.severity) },
    properties: {
      tags: f.owasp ? ['security', f.owasp] : ['security'],
      precision: PRECISION[f.confidence],
      'security-severity': SECURITY_SEVERITY[f.severity],
    },
  };
}

/**
 * Stable fingerprint: sha256 of rule id, normalized path, the trimmed text of
 * the finding's first line and the occurrence index of that key in the file,
 * so a finding keeps its identity when unrelated lines move. This hashes all
 * but the occurrence, which `lineHashAfter` adds for each finding.
 */
function lineHashPrefix(rule: string, file: string, lineText: string): Hash {
  return nodeCrypto().createHash('sha256').update(`${rule}\0${normalizePath(file)}\0${lineText.trim()}\0`);
}

/** The fingerprint of one finding, from the hash of what its line's fingerprints share. */
function lineHashAfter(prefix: Hash, occurrence: number): string {
  const h = prefix.copy().update(String(occurrence)).digest('hex');
  return `${h.slice(0, 16)}:${occurrence + 1}`;
}

function fixes(f: Finding, cwd: string): Record<string, unknown>[] | undefined {
  if (!f.fix || f.fix.edits.length === 0) return undefined;
  const edits = [...f.fix.edits].sort((a, b) => a.offset - b.offset);
  return [
    {
      description: { text: `${f.fix.description} (${f.fix.safety})` },
      artifactChanges: [
        {
          artifactLocation: artifactLocation(f.file, cwd),
          replacements: edits.map((e) => ({
            deletedRegion: { charOffset: e.offset, charLength: Math.max(0, e.endOffset - e.offset) },
            insertedContent: { text: e.replacement },
          })),
        },
      ],
      properties: { safety: f.fix.safety },
    },
  ];
}

/** Whether two findings name one path in two ways, which fingerprints count as one file. */
function twoNamesForOnePath(findings: readonly Finding[]): boolean {
  const names = new Map<string, string>();
  for (const f of findings) {
    const path = normalizePath(f.file);
    const name = names.get(path);
    if (name === undefined) names.set(path, f.file);
    else if (name !== f.file) return true;
  }
  return false;
}

/** SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. */
export function formatSarif(result: ScanResult, cwd: string = process.cwd()): string {
  return [...sarifPieces(result, cwd)].join('');
}

/** `formatSarif`'s text in pieces, each result made as it is written (see json-pieces.ts). */
export function* sarifPieces(result: ScanResult, cwd: string = process.cwd()): Generator<string> {
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  for (const meta of result.rules) {
    if (ruleIndex.has(meta.id)) continue;
    ruleIndex.set(meta.id, rules.length);
    rules.push(ruleDescriptor(meta));
  }

  const findings = sortFindings(result.findings);
  for (const f of findings) {
    if (ruleIndex.has(f.rule)) continue;
    ruleIndex.set(f.rule, rules.length);
    rules.push(fallbackDescriptor(f));
  }

  const notifications = result.files
    .filter((r) => r.status === 'skipped')
    .map((r) => ({
      level: 'note',
      message: { text: `Skipped ${r.path}${r.reason ? `: ${r.reason}` : ''}` },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(r.path, cwd) } }],
      descriptor: { id: 'skipped-file' },
    }));

  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (notifications.length > 0) invocation.toolExecutionNotifications = notifications;

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'pipewarden',
            version: result.toolVersion,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: srcRootUri(cwd) } },
        columnKind: 'utf16CodeUnits',
        invocations: [invocation],
        results: new Streamed(sarifResults(findings, result, ruleIndex, cwd)),
      },
    ],
  };
  yield* jsonPieces(log);
  yield '\n';
}

/** One SARIF result per finding, in report order (fingerprints count repeats in that order). */
function* sarifResults(findings: readonly Finding[], result: ScanResult, ruleIndex: ReadonlyMap<string, number>, cwd: string): Generator<Record<string, unknown>> {
  const occurrences = new Map<string, number>();
  // Findings come file by file, so the repeats of a file are counted and forgotten before the next
  // (one key per finding of the whole scan was ~600,000 keys at 100,000 files); unless two names
  // of files stand for one path (`./a`, `a`), which need not be next to each other.
  const perFile = !twoNamesForOnePath(findings);
  // Per line findings start on: an id for its trimmed text (lines of equal text share one) and, per rule, the
  // fingerprint's shared hash. Reading and hashing the whole line for each finding made a long line with many
  // findings quadratic (a minified workflow).
  const lines = new Map<string, { id: number; text: string; prefixes: Map<string, Hash> }>();
  const textIds = new Map<string, number>();
  let file: string | undefined;
  for (const f of findings) {
    if (perFile && f.file !== file) {
      occurrences.clear();
      lines.clear();
      textIds.clear();
      file = f.file;
    }
    const at = `${f.file}\0${f.span.line}`;
    let line = lines.get(at);
    if (!line) {
      const text = result.sources.get(f.file)?.lineText(f.span.line) ?? '';
      const trimmed = text.trim();
      let id = textIds.get(trimmed);
      if (id === undefined) textIds.set(trimmed, (id = textIds.size));
      lines.set(at, (line = { id, text, prefixes: new Map() }));
    }
    const key = `${f.rule}\0${normalizePath(f.file)}\0${line.id}`;
    const occurrence = occurrences.get(key) ?? 0;
    occurrences.set(key, occurrence + 1);
    let prefix = line.prefixes.get(f.rule);
    if (!prefix) line.prefixes.set(f.rule, (prefix = lineHashPrefix(f.rule, f.file, line.text)));

    const primary = { physicalLocation: physicalLocation(f.file, f.span, cwd) };
    const out: Record<string, unknown> = {
      ruleId: f.rule,
      ruleIndex: ruleIndex.get(f.rule),
      level: sarifLevel(f.severity),
      message: { text: f.message || f.rule },
      locations: [primary],
      partialFingerprints: { primaryLocationLineHash: lineHashAfter(prefix, occurrence) },
      properties: {
        confidence: f.confidence,
        severity: f.severity,
        ...(f.owasp ? { owasp: f.owasp } : {}),
      },
    };
    const related = f.related ?? [];
    if (related.length > 0) {
      const relatedLocations = related.map((r, i) => ({
        id: i + 1,
        physicalLocation: physicalLocation(r.file, r.span, cwd),
        message: { text: r.message || 'related location' },
      }));
      out.relatedLocations = relatedLocations;
      out.codeFlows = [
        {
          threadFlows: [
            {
              locations: [
                ...relatedLocations.map((loc) => ({
                  location: { physicalLocation: loc.physicalLocation, message: loc.message },
                })),
                { location: { ...primary, message: { text: f.message || f.rule } } },
              ],
            },
          ],
        },
      ];
    }
    const fx = fixes(f, cwd);
    if (fx) out.fixes = fx;
    yield out;
  }
}
