/**
 * Least-permission fixes for GitHub Actions tokens (`excessive-permissions`):
 * `permissions: contents: read` for the workflow, and per job the scopes its
 * steps need (src/platforms/github/token-scopes.ts), each write scope with a
 * comment saying which step needs it. A job-level block replaces the
 * workflow's, so it always lists `contents: read` too.
 *
 * Safety: a job whose needs cannot all be told makes the fix unsafe, except
 * where the fix can keep that job's current grant explicitly (narrowing a
 * workflow-level grant: the job gets a copy of it), which changes nothing.
 */
import { type Pair } from 'yaml';
import { isScalar } from '../core/yaml-nodes.js';
import type { YamlNode } from '../core/yaml.js';
import { compareIds, type Fix, type TextEdit } from '../model/finding.js';
import type { Job, Permissions, Pipeline } from '../model/pipeline.js';
import { jobNeeds, type Level, type Needs } from '../platforms/github/token-scopes.js';
import { yamlOf } from '../platforms/kube/security.js';
import { blockLines, endOfLine, firstItemAt, indentUnit, insertBefore, isBlockMap, keyColumn, newlineOf, pairContentEnd, replaceScalar, startsItsLine, type YamlPath } from './yaml-edits.js';
import { FileScopedMap } from '../core/file-scoped.js';

type Grant = Map<string, { level: Level | 'none'; why?: string }>;

/** `contents` first (the one every job has), then alphabetical. */
function grantLines(grant: Grant, unknown: string[]): string[] {
  const scopes = [...grant.keys()].sort((a, b) => (a === 'contents' ? -1 : b === 'contents' ? 1 : compareIds(a, b)));
  const lines = scopes.map((s) => {
    const g = grant.get(s)!;
    const why = g.level === 'write' && g.why ? `  # ${oneLine(g.why)}` : '';
    return `${s}: ${g.level}${why}`;
  });
  const distinct = [...new Set(unknown)];
  if (distinct.length > 0) lines.push(`# pipewarden could not tell what these need: ${oneLine(distinct.slice(0, 3).join('; '))}${distinct.length > 3 ? ` (and ${distinct.length - 3} more)` : ''}`);
  return lines;
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}

function leastGrant(needs: Needs): Grant {
  const grant: Grant = new Map([['contents', { level: 'read' }]]);
  for (const [s, v] of needs.scopes) {
    const had = grant.get(s);
    if (!had || (had.level === 'read' && v.level === 'write')) grant.set(s, { level: v.level, why: v.why });
  }
  return grant;
}

/** Needs more than the workflow-level `contents: read` gives. */
function beyondRead(grant: Grant): boolean {
  return [...grant].some(([s, g]) => s !== 'contents' || g.level !== 'read');
}

function rootMap(p: Pipeline): YamlNode | null {
  return (p.document.contents as YamlNode | null) ?? null;
}

function jobPair(p: Pipeline, job: Job): Pair | undefined {
  const y = yamlOf(p);
  const pairs = y.pairs(y.get(rootMap(p), 'jobs'));
  const at = job.id.span.offset;
  // From the likely pair on, then the ones before it: a merge key's pairs come after the mapping's own.
  const first = firstItemAt(pairs, at);
  for (let j = 0; j < pairs.length; j++) {
    const pair = pairs[(first + j) % pairs.length]!;
    if ((pair.key as YamlNode | null)?.range?.[0] === at) return pair;
  }
  return undefined;
}

/**
 * Insert a job-level `permissions:` block (or, with `inline`, a one-line
 * `permissions: <inline>`): after `runs-on:` when there is one, else before
 * `steps:`/`uses:`.
 */
function jobBlockEdit(p: Pipeline, job: Job, entries: string[], inline?: string): TextEdit | undefined {
  const y = yamlOf(p);
  const file = p.file;
  const jp = jobPair(p, job);
  if (!jp || !isBlockMap(job.node) || y.pair(job.node, 'permissions')) return undefined;
  const unit = indentUnit(file, jp);
  const lines = inline !== undefined ? [`permissions: ${inline}`] : ['permissions:', ...entries.map((l) => ' '.repeat(unit) + l)];
  const runsOn = y.pair(job.node, 'runs-on');
  if (runsOn && startsItsLine(file, runsOn) && (job.node as unknown as { items: Pair[] }).items.includes(runsOn)) {
    const col = keyColumn(file, runsOn);
    const at = pairContentEnd(file, runsOn);
    const lead = at === file.text.length && !file.text.endsWith('\n') ? newlineOf(file) : '';
    return { offset: at, endOffset: at, replacement: lead + blockLines(file, col, lines) };
  }
  const anchor = y.pair(job.node, 'steps') ?? y.pair(job.node, 'uses');
  if (!anchor || !(job.node as unknown as { items: Pair[] }).items.includes(anchor)) return undefined;
  return insertBefore(file, anchor, lines);
}

/**
 * Turn `permissions: write-all` (or any scalar) into a block: the scalar goes,
 * a comment after it stays on the key's line, the entries follow.
 */
function replaceValueWithBlock(p: Pipeline, pair: Pair, lines: string[], unit: number): TextEdit[] | undefined {
  const file = p.file;
  const v = pair.value as YamlNode | null;
  const k = pair.key as YamlNode;
  if (!isScalar(v) || !v.range || !startsItsLine(file, pair)) return undefined;
  const colon = file.text.indexOf(':', k.range![1]);
  if (colon < 0 || colon > v.range[0]) return undefined;
  const eol = endOfLine(file, v.range[1]);
  const rest = file.text.slice(v.range[1], eol);
  if (!/^[ \t]*(#.*)?\r?\n?$/.test(rest)) return undefined;
  const col = keyColumn(file, pair);
  const lead = eol === file.text.length && !file.text.endsWith('\n') ? newlineOf(file) : '';
  return [
    { offset: colon + 1, endOffset: v.range[1], replacement: '' },
    { offset: eol, endOffset: eol, replacement: lead + blockLines(file, col + unit, lines) },
  ];
}

/** Where to put the workflow's `permissions:`: after the `on:` block (a blank line kept between blocks), else before `jobs:`. */
function workflowBlockEdit(p: Pipeline, lines: string[]): TextEdit | undefined {
  const y = yamlOf(p);
  const file = p.file;
  const root = rootMap(p);
  if (!isBlockMap(root)) return undefined;
  const own = (root as unknown as { items: Pair[] }).items;
  const on = own.find((pr) => isScalar(pr.key) && (pr.key.value === 'on' || pr.key.value === true));
  const jobs = y.pair(root, 'jobs');
  const unit = indentUnit(file, jobs);
  if (on && startsItsLine(file, on)) {
    const col = keyColumn(file, on);
    const at = pairContentEnd(file, on);
    const nl = newlineOf(file);
    const lead = at === file.text.length && !file.text.endsWith('\n') ? nl : '';
    const next = file.text.slice(at, endOfLine(file, at));
    const blank = at < file.text.length && /^[ \t]*\r?\n$/.test(next);
    return { offset: at, endOffset: at, replacement: lead + (blank ? nl : '') + blockLines(file, col, ['permissions:', ...lines.map((l) => ' '.repeat(unit) + l)]) };
  }
  if (jobs && own.includes(jobs) && startsItsLine(file, jobs)) return insertBefore(file, jobs, ['permissions:', ...lines.map((l) => ' '.repeat(unit) + l)]);
  return undefined;
}

const cache = new FileScopedMap<Pipeline, Fix | null>();

/**
 * No `permissions:` anywhere: `contents: read` for the workflow and, for each
 * job without its own block that needs more, the least grant its steps need.
 */
export function defaultPermissionsFix(p: Pipeline): Fix | undefined {
  if (cache.has(p)) return cache.get(p) ?? undefined;
  const fix = buildDefaultFix(p);
  cache.set(p, fix ?? null);
  return fix;
}

function buildDefaultFix(p: Pipeline): Fix | undefined {
  if (p.permissions) return undefined;
  const edits: TextEdit[] = [];
  const targets: YamlPath[] = [['permissions']];
  const top = workflowBlockEdit(p, ['contents: read']);
  if (!top) return undefined;
  edits.push(top);
  let unknown = false;
  for (const job of p.jobs) {
    if (job.permissions) continue;
    const needs = jobNeeds(p, job);
    if (needs.unknown.length > 0) unknown = true;
    const grant = leastGrant(needs);
    if (!beyondRead(grant) && needs.unknown.length === 0) continue;
    const edit = jobBlockEdit(p, job, grantLines(grant, needs.unknown));
    if (!edit) return undefined;
    edits.push(edit);
    targets.push(['jobs', job.id.value, 'permissions']);
  }
  const jobsChanged = targets.length - 1;
  return {
    description: `add \`permissions: contents: read\` to the workflow${jobsChanged > 0 ? ` and the scopes ${jobsChanged === 1 ? 'one job needs' : `${jobsChanged} jobs need`} to ${jobsChanged === 1 ? 'it' : 'them'}` : ''}`,
    safety: unknown ? 'unsafe' : 'safe',
    edits,
    targets,
  };
}

/** `permissions: write-all` on a job: replaced by what its steps need. */
export function jobWriteAllFix(p: Pipeline, job: Job): Fix | undefined {
  const y = yamlOf(p);
  const pair = y.pair(job.node, 'permissions');
  const jp = jobPair(p, job);
  if (!pair || !jp || !(job.node as unknown as { items: Pair[] }).items.includes(pair)) return undefined;
  const needs = jobNeeds(p, job);
  const edits = replaceValueWithBlock(p, pair, grantLines(leastGrant(needs), needs.unknown), indentUnit(p.file, jp));
  if (!edits) return undefined;
  return {
    description: `replace \`write-all\` on job \`${job.id.value}\` with the scopes its steps need`,
    safety: needs.unknown.length > 0 ? 'unsafe' : 'safe',
    edits,
    targets: [['jobs', job.id.value, 'permissions']],
  };
}

/** A workflow grant as a map, or undefined when it cannot be listed (`write-all` lists every scope implicitly). */
function listed(perms: Permissions): Grant | undefined {
  if (perms.kind !== 'scopes') return undefined;
  return new Map([...perms.scopes].map(([s, v]) => [s, { level: v.level }]));
}

/**
 * Workflow-level write scopes (or `write-all`) that reach several jobs: the
 * workflow keeps only reads, and each job that inherited the grant gets what
 * its steps need of it. A job whose needs cannot be told keeps the old grant
 * as its own block, so the fix narrows without breaking anything.
 */
export function workflowWriteFix(p: Pipeline): Fix | undefined {
  const perms = p.permissions;
  if (!perms || (perms.kind !== 'write-all' && perms.kind !== 'scopes')) return undefined;
  const y = yamlOf(p);
  const root = rootMap(p);
  const pair = y.pair(root, 'permissions');
  if (!pair || !(root as unknown as { items: Pair[] }).items.includes(pair)) return undefined;
  const edits: TextEdit[] = [];
  const original = listed(perms);
  const jobsPair = y.pair(root, 'jobs');
  const unit = indentUnit(p.file, jobsPair);
  // The workflow keeps its reads; every write becomes read (`none` for identity tokens, which have no read).
  const downgraded: Grant = new Map([['contents', { level: 'read' }]]);
  if (original) {
    downgraded.clear();
    for (const [s, g] of original) downgraded.set(s, { level: g.level === 'write' ? (s === 'id-token' ? 'none' : 'read') : g.level });
    for (const [s, v] of perms.scopes) {
      if (v.level !== 'write') continue;
      const node = y.pair(pair.value, s)?.value as YamlNode | undefined;
      const e = node ? replaceScalar(node, s === 'id-token' ? 'none' : 'read') : undefined;
      if (!e) return undefined;
      edits.push(e);
    }
  } else {
    const e = replaceValueWithBlock(p, pair, ['contents: read'], unit);
    if (!e) return undefined;
    edits.push(...e);
  }
  const targets: YamlPath[] = [['permissions']];
  for (const job of p.jobs) {
    if (job.permissions) continue;
    const needs = jobNeeds(p, job);
    let grant: Grant;
    let unknown: string[] = [];
    if (needs.unknown.length > 0) {
      if (!original) {
        grant = new Map();
        unknown = needs.unknown;
      } else grant = new Map([...original].map(([s, g]) => [s, { ...g, why: 'kept: pipewarden could not tell what this job needs' }]));
    } else {
      grant = new Map([...downgraded].map(([s, g]) => [s, { ...g }]));
      if (!grant.has('contents')) grant.set('contents', { level: 'read' });
      // Only what the workflow granted before: a fix never widens a token.
      for (const [s, v] of needs.scopes) {
        const before = original ? original.get(s)?.level : 'write';
        if (!before || before === 'none') continue;
        const level: Level = v.level === 'write' && before === 'write' ? 'write' : 'read';
        const had = grant.get(s);
        if (!had || had.level === 'none' || (had.level === 'read' && level === 'write')) grant.set(s, { level, why: v.why });
      }
    }
    const same = [...grant].every(([s, g]) => downgraded.get(s)?.level === g.level) && grant.size === downgraded.size;
    if (same && unknown.length === 0) continue;
    // `write-all` cannot be listed: a job that needs what cannot be told keeps it whole.
    const lines = !original && unknown.length > 0 ? null : grantLines(grant, unknown);
    // A job that keeps `write-all` is reported again on its own, with an unsafe fix.
    const edit = lines ? jobBlockEdit(p, job, lines) : jobBlockEdit(p, job, [], 'write-all  # kept: pipewarden could not tell what this job needs');
    if (!edit) return undefined;
    edits.push(edit);
    targets.push(['jobs', job.id.value, 'permissions']);
  }
  return {
    description: perms.kind === 'write-all' ? 'replace workflow-level `write-all` with `contents: read` and give each job the scopes its steps need' : 'keep only read scopes at workflow level and give the write scopes to the jobs whose steps need them',
    safety: 'safe',
    edits,
    targets,
  };
}
