/**
 * `pipewarden advisories update`: refreshes the advisory snapshot that
 * `known-vulnerable-actions` reads, from GitHub's global advisory API
 * (`GET /advisories?ecosystem=actions`), into a dated JSON file. The scanner
 * prefers that file (`.pipewarden/advisories.json` in the scanned folder, or
 * `--advisories FILE`) over the snapshot built into pipewarden when it is not
 * older.
 */
import * as path from 'node:path';
import { readBelow, splitBelow, UnsafePathError, writeBelow } from '../core/safe-files.js';
import { ADVISORIES, ADVISORIES_DATE, type ActionAdvisory } from '../data/advisories.js';
import type { GitHubClient } from './github.js';

export const DEFAULT_ADVISORIES_FILE = path.join('.pipewarden', 'advisories.json');

export interface AdvisorySnapshot {
  /** Day the snapshot was taken, `YYYY-MM-DD`. */
  date: string;
  source: string;
  advisories: ActionAdvisory[];
}

export class AdvisoryFileError extends Error {}

const SEVERITIES = new Set(['low', 'medium', 'high', 'critical']);
const VERSION = /^v?\d+(?:\.\d+){0,2}$/;

export function builtinSnapshot(): AdvisorySnapshot {
  return { date: ADVISORIES_DATE, source: 'built in', advisories: ADVISORIES };
}

/** One advisory of the API, as far as it is read here. */
interface ApiAdvisory {
  ghsa_id?: string;
  cve_id?: string | null;
  summary?: string;
  severity?: string;
  withdrawn_at?: string | null;
  vulnerabilities?: {
    package?: { ecosystem?: string; name?: string } | null;
    vulnerable_version_range?: string | null;
    first_patched_version?: string | { identifier?: string } | null;
  }[] | null;
}

/**
 * `>= 4.0.0, < 4.1.3`, `<= 45.0.7`, `< 9`, `= 1.2.0` into the bounds the rule
 * reads; undefined for forms it cannot represent (`> x`, several ranges).
 */
export function parseRange(range: string): Pick<ActionAdvisory, 'introduced' | 'fixed' | 'lastAffected'> | undefined {
  const out: Pick<ActionAdvisory, 'introduced' | 'fixed' | 'lastAffected'> = {};
  const parts = range.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0 || parts.length > 2) return undefined;
  for (const part of parts) {
    const m = /^(>=|<=|<|=)\s*(\S+)$/.exec(part);
    if (!m || !VERSION.test(m[2]!)) return undefined;
    const v = m[2]!.replace(/^v/, '');
    if (m[1] === '>=') out.introduced = v;
    else if (m[1] === '<') out.fixed = v;
    else if (m[1] === '<=') out.lastAffected = v;
    else {
      out.introduced = v;
      out.lastAffected = v;
    }
  }
  return out;
}

/** The advisories of one API answer that name an action with a range the rule can check. */
export function toActionAdvisories(api: ApiAdvisory): { advisories: ActionAdvisory[]; skipped: number } {
  const advisories: ActionAdvisory[] = [];
  let skipped = 0;
  if (typeof api.ghsa_id !== 'string' || api.withdrawn_at) return { advisories, skipped };
  const severity = SEVERITIES.has(api.severity ?? '') ? (api.severity as ActionAdvisory['severity']) : 'medium';
  for (const v of api.vulnerabilities ?? []) {
    const name = v.package?.name;
    if (!name || (v.package?.ecosystem ?? 'actions').toLowerCase() !== 'actions') continue;
    const patched = typeof v.first_patched_version === 'string' ? v.first_patched_version : v.first_patched_version?.identifier;
    const bounds = v.vulnerable_version_range ? parseRange(v.vulnerable_version_range) : patched ? {} : undefined;
    if (!bounds || (patched && !VERSION.test(patched))) {
      skipped++;
      continue;
    }
    const fixed = bounds.fixed ?? (patched ? patched.replace(/^v/, '') : undefined);
    const adv: ActionAdvisory = { id: api.ghsa_id, action: name.toLowerCase(), severity, summary: (api.summary ?? '').trim() || api.ghsa_id };
    if (api.cve_id) adv.cve = api.cve_id;
    if (bounds.introduced) adv.introduced = bounds.introduced;
    if (fixed) adv.fixed = fixed;
    if (bounds.lastAffected) adv.lastAffected = bounds.lastAffected;
    advisories.push(adv);
  }
  return { advisories, skipped };
}

/** Every reviewed advisory of the actions ecosystem, page by page. */
export async function fetchAdvisories(client: GitHubClient, now: Date = new Date()): Promise<{ snapshot: AdvisorySnapshot; skipped: number }> {
  const listed = await client.paginate<ApiAdvisory>('/advisories?ecosystem=actions&per_page=100', 100);
  if (!listed) throw new AdvisoryFileError(`${client.apiBase} has no advisory API (404)`);
  const advisories: ActionAdvisory[] = [];
  let skipped = 0;
  for (const item of listed.items) {
    const r = toActionAdvisories(item);
    advisories.push(...r.advisories);
    skipped += r.skipped;
  }
  advisories.sort((a, b) => a.action.localeCompare(b.action) || a.id.localeCompare(b.id));
  return { snapshot: { date: now.toISOString().slice(0, 10), source: `${client.apiBase}/advisories?ecosystem=actions`, advisories }, skipped };
}

/** Written atomically; below `root` (the folder the command runs in) never through a symlink. */
export async function writeSnapshot(file: string, snapshot: AdvisorySnapshot, root: string = process.cwd()): Promise<void> {
  try {
    await writeBelow(...splitBelow(file, root), JSON.stringify(snapshot, null, 2) + '\n');
  } catch (err) {
    if (err instanceof UnsafePathError) throw new AdvisoryFileError(err.message);
    throw err;
  }
}

/** The file's text, undefined when there is none; a symlink below `root` is refused. */
async function snapshotText(file: string, root: string | undefined): Promise<string | undefined> {
  try {
    return await readBelow(...splitBelow(file, root));
  } catch (err) {
    if (err instanceof UnsafePathError) throw new AdvisoryFileError(err.message);
    throw new AdvisoryFileError(`${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads and checks a snapshot file; every entry must be one the rule can evaluate. */
export async function readSnapshot(file: string, root?: string): Promise<AdvisorySnapshot> {
  const text = await snapshotText(file, root);
  if (text === undefined) throw new AdvisoryFileError(`${file}: ENOENT`);
  return parseSnapshot(file, text);
}

function parseSnapshot(file: string, text: string): AdvisorySnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the file, which may be a secret someone linked here.
    throw new AdvisoryFileError(`${file}: not valid JSON`);
  }
  const snap = data as Partial<AdvisorySnapshot> | null;
  if (!snap || typeof snap.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(snap.date) || !Array.isArray(snap.advisories)) {
    throw new AdvisoryFileError(`${file}: not an advisory snapshot (expected "date" and "advisories"; \`pipewarden advisories update\` writes one)`);
  }
  snap.advisories.forEach((a: Partial<ActionAdvisory>, i) => {
    const bad =
      typeof a?.id !== 'string' || typeof a.action !== 'string' || !SEVERITIES.has(a.severity ?? '') || typeof a.summary !== 'string' ||
      [a.introduced, a.fixed, a.lastAffected].some((v) => v !== undefined && (typeof v !== 'string' || !VERSION.test(v)));
    if (bad) throw new AdvisoryFileError(`${file}: advisory ${i + 1} is malformed`);
  });
  return { date: snap.date, source: typeof snap.source === 'string' ? snap.source : file, advisories: snap.advisories as ActionAdvisory[] };
}

/**
 * The snapshot the scan should use: a file named with `--advisories` (must be
 * valid), else `.pipewarden/advisories.json` under `root` when it is valid and
 * not older than the built-in one. Undefined means the built-in snapshot.
 */
export async function chooseSnapshot(explicit: string | undefined, root: string, warn: (message: string) => void): Promise<AdvisorySnapshot | undefined> {
  if (explicit) return readSnapshot(explicit, root);
  const file = path.join(root, DEFAULT_ADVISORIES_FILE);
  try {
    const text = await snapshotText(file, root);
    if (text === undefined) return undefined;
    const snap = parseSnapshot(file, text);
    if (snap.date < ADVISORIES_DATE) {
      warn(`${file} (${snap.date}) is older than the advisories built into pipewarden (${ADVISORIES_DATE}); using the built-in ones`);
      return undefined;
    }
    return snap;
  } catch (err) {
    warn(`${(err as Error).message}; using the built-in advisories`);
    return undefined;
  }
}
