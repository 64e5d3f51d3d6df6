/**
 * `pipewarden fix`: scan, take the fixes the findings carry, apply the safe
 * ones (and the unsafe ones with --unsafe), check that each changed file still
 * parses as well as before, then write it atomically or print a diff.
 */
import { scanPaths, type ScanOptions } from '../core/scan.js';
import { parseYaml } from '../core/yaml.js';
import { SourceFile } from '../model/source.js';
import { applyFixes, writeAtomic, type PlannedFix } from './apply.js';
import { unifiedDiff } from './diff.js';
import { completeLookups, type LookupOptions } from './lookups.js';

export interface FixOptions {
  dryRun: boolean;
  unsafe: boolean;
  /** Only fixes of these rules, when given. */
  rules?: Set<string>;
  /** How fixes that need an outside value (image digests) look it up; without it they are skipped. */
  lookups?: LookupOptions;
  /** Injected for tests: how a file is written (`expected`: the content it was scanned with). */
  write?: (absPath: string, text: string, opts: { expected: string }) => Promise<void>;
}

export interface FixReport {
  /** Unified diffs (dry run) or the list of changed files. */
  output: string;
  applied: number;
  changedFiles: number;
  skipped: { file: string; rule: string; line: number; reason: string }[];
  errors: { file: string; message: string }[];
}

export async function fixPaths(paths: string[], scan: ScanOptions, opts: FixOptions): Promise<FixReport> {
  const result = await scanPaths(paths, { ...scan, minSeverity: 'info', minConfidence: 'low' });
  const byFile = new Map<string, PlannedFix[]>();
  const plannedEdits = new Map<string, Set<string>>();
  const report: FixReport = { output: '', applied: 0, changedFiles: 0, skipped: [], errors: [] };
  const wanted = (f: (typeof result.findings)[number]) => f.fix && (!opts.rules || opts.rules.has(f.rule)) && (f.fix.safety === 'safe' || opts.unsafe);
  // Fixes that need a value from outside the files (an image digest) get it first, all at once.
  const lookups = await completeLookups(result.findings.filter(wanted).map((f) => f.fix!), opts.lookups, !opts.dryRun);
  report.errors.push(...lookups.errors);
  for (const f of result.findings) {
    if (!f.fix || (opts.rules && !opts.rules.has(f.rule))) continue;
    if (f.fix.safety === 'unsafe' && !opts.unsafe) {
      report.skipped.push({ file: f.file, rule: f.rule, line: f.span.line, reason: 'unsafe: may change behaviour (use --unsafe)' });
      continue;
    }
    const unresolved = lookups.unresolved.get(f.fix);
    if (unresolved !== undefined) {
      report.skipped.push({ file: f.file, rule: f.rule, line: f.span.line, reason: unresolved });
      continue;
    }
    const list = byFile.get(f.file) ?? [];
    // The same fix offered by several findings (one per job) is applied once: a set of their edits as text, not
    // each compared with every one before it (quadratic in a file's fixes).
    let planned = plannedEdits.get(f.file);
    if (!planned) plannedEdits.set(f.file, (planned = new Set()));
    const edits = JSON.stringify(f.fix.edits);
    if (!planned.has(edits)) {
      planned.add(edits);
      list.push({ fix: f.fix, rule: f.rule, line: f.span.line });
    }
    byFile.set(f.file, list);
  }
  const diffs: string[] = [];
  for (const [file, fixes] of byFile) {
    const source = result.sources.get(file);
    // Fixes edit the whole text the scan read (a fix scan keeps it: `keepSources` true).
    if (!(source instanceof SourceFile) || !source.absPath) {
      report.errors.push({ file, message: 'source not available' });
      continue;
    }
    const out = applyFixes(source.text, fixes);
    for (const s of out.skipped) report.skipped.push({ file, rule: s.planned.rule, line: s.planned.line, reason: s.reason });
    if (out.applied.length === 0 || out.text === source.text) continue;
    // A fix must never leave a file that parses worse than it did.
    const before = parseYaml(source).problems.filter((p) => p.fatal).length;
    const after = parseYaml(new SourceFile(file, out.text)).problems.filter((p) => p.fatal).length;
    if (after > before) {
      report.errors.push({ file, message: 'the fixed file would not parse; left unchanged' });
      continue;
    }
    const text = (source.hadBom ? '\uFEFF' : '') + out.text;
    if (opts.dryRun) diffs.push(unifiedDiff(file, source.text, out.text, 3, out.applied.flatMap((p) => p.fix.edits)));
    else {
      try {
        await (opts.write ?? writeAtomic)(source.absPath, text, { expected: (source.hadBom ? '\uFEFF' : '') + source.text });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        report.errors.push({ file, message: e.code === 'ECHANGED' || e.code === 'EENCODING' ? e.message : `not written: ${e.code ?? e.message}` });
        continue;
      }
    }
    report.applied += out.applied.length;
    report.changedFiles++;
    if (!opts.dryRun) diffs.push(`fixed ${file}: ${out.applied.map((a) => `${a.rule} (line ${a.line})`).join(', ')}\n`);
  }
  report.output = diffs.join('');
  return report;
}
