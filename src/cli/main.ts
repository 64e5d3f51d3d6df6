/**
 * Command-line entry. Exit codes: 0 nothing at or above the thresholds,
 * 1 findings at or above them, 2 usage or config errors.
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { tuneV8ForScanning } from '../core/v8-tuning.js';
import { defaultJobs } from '../core/parallel.js';
import { scanPaths, type ScanOptions } from '../core/scan.js';
import type { Confidence, Severity } from '../model/finding.js';
import { CONFIDENCES, SEVERITIES } from '../model/finding.js';
import { formatPieces, isOutputFormat, OUTPUT_FORMATS } from '../report/index.js';
import { allRules, ruleById } from '../rules/index.js';
import type { Persona } from '../rules/types.js';
import { explainRule, listRules } from './explain.js';
import { OutputError, writePieces, writePiecesToFile } from './write.js';
import { writeDocs } from './docs.js';
import { fixPaths } from '../fix/run.js';
import { lockRoot, lookupOptions } from '../fix/lookups.js';
import { advisoriesCommand, fixPins, OnlineCliError, ONLINE_OPTIONS, scanExternal } from './online.js';

/** Set by the bundler; unbundled builds (tests) read package.json. */
declare const __PIPEWARDEN_VERSION__: string | undefined;

// The scan worker's loop, for the worker threads that load this bundle (cli/worker-launch.ts).
export { runScanWorker } from '../core/worker-loop.js';

export const VERSION: string = (() => {
  if (typeof __PIPEWARDEN_VERSION__ === 'string') return __PIPEWARDEN_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
})();

const HELP = `pipewarden ${VERSION}: finds, explains and blocks security weaknesses in CI/CD pipelines

Usage:
  pipewarden scan [paths...] [options]   scan files and folders (default: .)
  pipewarden fix [paths...] [options]    apply safe fixes (--dry-run prints a diff, --unsafe adds
                                         fixes that may change behaviour, --rules a,b limits them,
                                         --online resolves action tags and image digests over the network;
                                         without it they come from the .pipewarden/ lock files only)
  pipewarden rules                       list the rules
  pipewarden explain <rule-id>           what a rule finds and how to fix it
  pipewarden docs [dir]                  write rule documentation (default: docs/rules)
  pipewarden advisories update [-o FILE] refresh the advisory snapshot from the GitHub API
                                         (default: .pipewarden/advisories.json; needs a token)

Scan options:
  -f, --format <fmt>          ${OUTPUT_FORMATS.join(' | ')} (default: text)
  -o, --output <file>         write the report to a file instead of stdout
      --min-severity <sev>    report and gate on findings at or above: ${SEVERITIES.join(', ')} (default: low)
      --min-confidence <c>    report and gate on findings at or above: ${CONFIDENCES.join(', ')} (default: low)
      --persona <p>           regular | pedantic | auditor (default: regular)
  -c, --config <file>         config file (default: .pipewarden.yml in the first folder scanned)
      --max-file-size <MiB>   skip larger files (default: 16)
      -j, --jobs <N|auto>     threads for per-file analysis, this one included (default: 1;
                              auto: the available cores, at most 8)
      --no-color              no colours in text output (also when NO_COLOR is set)
      --debug                 show internal errors with stack traces
      --advisories <file>     advisory snapshot to use (default: .pipewarden/advisories.json
                              in the first folder scanned, unless older than the built-in one)

Online (scan and fix; never without --online):
      --online                ask the GitHub API (token from GH_TOKEN or GITHUB_TOKEN): scan runs
                              ref-confusion, impostor-commit, stale-action-refs, ref-version-mismatch;
                              fix resolves tags to commits for unpinned-uses
      --github-api <url>      API root (default: https://api.github.com; or PIPEWARDEN_GITHUB_API)
      --cache-dir <dir>       response cache (default: $XDG_CACHE_HOME/pipewarden/github)
      --lock <file>           fix: pin lock file (default: .pipewarden/pins.lock.json); its entries
                              are used without any network

Exit codes: 0 no findings at or above the thresholds, 1 findings, 2 usage or config error;
fix: 0 done, 1 some references could not be pinned, 2 errors.
`;

class UsageError extends Error {}

/**
 * The paths a command was given (`.` by default), each checked to exist, and
 * the folder the config is looked up in: the first path, or its folder. A
 * dangling symlink exists for this check and is reported by the scan itself.
 */
function pathsToScan(positionals: string[]): { paths: string[]; root: string } {
  const paths = positionals.length > 0 ? positionals : ['.'];
  for (const p of paths) {
    try {
      lstatSync(p);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
  }
  let root = path.resolve(paths[0]!);
  try {
    if (!statSync(root).isDirectory()) root = path.dirname(root);
  } catch {
    /* a dangling symlink: its own folder is not known */
  }
  return { paths, root };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')} (got \`${value}\`)`);
  return value as T;
}

export async function main(argv: string[], io: {
  stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): Promise<number> {
  tuneV8ForScanning();
  const out = (s: string) => io.stdout.write(s);
  const err = (s: string) => io.stderr.write(s);
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      out(`${VERSION}\n`);
      return 0;
    }
    if (command === 'rules') {
      out(listRules(allRules));
      return 0;
    }
    if (command === 'explain') {
      const id = rest[0];
      if (!id) throw new UsageError('explain needs a rule id; `pipewarden rules` lists them');
      const rule = ruleById(id);
      if (!rule) throw new UsageError(`unknown rule \`${id}\`; \`pipewarden rules\` lists them`);
      out(explainRule(rule.meta));
      return 0;
    }
    if (command === 'docs') {
      const n = await writeDocs(allRules, rest[0] ?? 'docs/rules');
      out(`wrote ${n} files to ${rest[0] ?? 'docs/rules'}\n`);
      return 0;
    }
    if (command === 'fix') return await fixCommand(rest, out, err);
    if (command === 'advisories') return await advisoriesCommand(rest, out, err);
    if (command !== 'scan') throw new UsageError(`unknown command \`${command}\`; try \`pipewarden --help\``);
    return await scanCommand(rest, io, err);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof OnlineCliError || e instanceof OutputError) {
      err(`pipewarden: ${e.message}\n`);
      return 2;
    }
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`pipewarden: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

async function scanCommand(args: string[], io: { stdout: NodeJS.WritableStream }, err: (s: string) => void): Promise<number> {
  const out = (s: string) => io.stdout.write(s);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f' },
      output: { type: 'string', short: 'o' },
      'min-severity': { type: 'string' },
      'min-confidence': { type: 'string' },
      persona: { type: 'string' },
      config: { type: 'string', short: 'c' },
      'max-file-size': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      'no-color': { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      advisories: { type: 'string' },
      ...ONLINE_OPTIONS,
    },
  });
  if (values.help) {
    out(HELP);
    return 0;
  }
  const format = values.format ?? 'text';
  if (!isOutputFormat(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')} (got \`${format}\`)`);
  const { paths, root } = pathsToScan(positionals);
  const cwd = process.cwd();
  const config = await loadConfig(values.config, root, new Map(allRules.map((r) => [r.meta.id, r.validateOptions])));
  const minSeverity = oneOf<Severity>(values['min-severity'], SEVERITIES, '--min-severity') ?? config.minSeverity ?? 'low';
  const minConfidence = oneOf<Confidence>(values['min-confidence'], CONFIDENCES, '--min-confidence') ?? config.minConfidence ?? 'low';
  const persona = oneOf<Persona>(values.persona, ['regular', 'pedantic', 'auditor'], '--persona') ?? config.persona ?? 'regular';
  let maxFileBytes: number | undefined;
  if (values['max-file-size'] !== undefined) {
    const mib = Number(values['max-file-size']);
    if (!Number.isFinite(mib) || mib <= 0) throw new UsageError('--max-file-size must be a positive number of MiB');
    maxFileBytes = Math.round(mib * 1024 * 1024);
  }
  // One thread unless asked: on machines whose vCPUs share one core's time (this project's CI
  // among them; `npm run bench` measures it) workers only add their start-up and JIT costs.
  let jobs = 1;
  if (values.jobs === 'auto') jobs = defaultJobs();
  else if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new UsageError('--jobs must be `auto` or a whole number from 1 to 64');
  }
  const scanOptions: ScanOptions = {
    rules: allRules,
    config,
    persona,
    minSeverity,
    minConfidence,
    cwd,
    maxFileBytes,
    jobs,
    // Only the text report (code frames) and SARIF (fingerprints) read the files again: the lines findings start on.
    keepSources: format === 'text' || format === 'sarif' ? 'lines' : false,
    toolVersion: VERSION,
    onInternalError: (file, e) => {
      err(`pipewarden: internal error while checking ${file}: ${(e as Error).message}\n`);
      if (values.debug) err(`${(e as Error).stack}\n`);
    },
  };
  scanOptions.external = await scanExternal(values, paths, root, scanOptions, (w) => err(`pipewarden: ${w}\n`));
  const result = await scanPaths(paths, scanOptions);
  const color = format === 'text' && !values['no-color'] && !process.env['NO_COLOR'] && !values.output && Boolean((process.stdout as { isTTY?: boolean }).isTTY);
  const report = formatPieces(result, format, { color });
  if (values.output) await writePiecesToFile(values.output, report);
  else await writePieces(io.stdout, report);
  return result.findings.length > 0 ? 1 : 0;
}

async function fixCommand(args: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean' },
      unsafe: { type: 'boolean' },
      rules: { type: 'string' },
      config: { type: 'string', short: 'c' },
      offline: { type: 'boolean' },
      lock: { type: 'string' },
      ...ONLINE_OPTIONS,
    },
  });
  const { paths, root } = pathsToScan(positionals);
  const rules = values.rules ? new Set(values.rules.split(',').map((r) => r.trim()).filter(Boolean)) : undefined;
  for (const r of rules ?? []) if (!ruleById(r)) throw new UsageError(`unknown rule \`${r}\` in --rules`);
  const config = await loadConfig(values.config, root, new Map(allRules.map((r) => [r.meta.id, r.validateOptions])));
  const fixScan: ScanOptions = { rules: allRules, config, persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: process.cwd(), toolVersion: VERSION };
  // Pins are resolved before the scan (lock file, then the API with --online): the rules are synchronous.
  const pins = !rules || rules.has('unpinned-uses') ? await fixPins(values, paths, root, fixScan) : undefined;
  if (pins) fixScan.external = pins.external;
  const report = await fixPaths(paths, fixScan, { dryRun: Boolean(values['dry-run']), unsafe: Boolean(values.unsafe), ...(rules ? { rules } : {}), lookups: lookupOptions(lockRoot(root), !values.online || Boolean(values.offline), process.env) });
  out(report.output);
  for (const s of report.skipped) err(`skipped ${s.file}:${s.line} ${s.rule}: ${s.reason}\n`);
  for (const e of report.errors) err(`pipewarden: ${e.file}: ${e.message}\n`);
  for (const u of pins?.unresolved ?? []) err(`could not pin ${u.file}:${u.line} ${u.ref}: ${u.reason}\n`);
  const lockWritten = await pins?.saveLock();
  if (lockWritten) err(`pins recorded in ${path.relative(process.cwd(), lockWritten) || lockWritten}\n`);
  err(`${values['dry-run'] ? 'would apply' : 'applied'} ${report.applied} fix${report.applied === 1 ? '' : 'es'} in ${report.changedFiles} file${report.changedFiles === 1 ? '' : 's'}${report.skipped.length ? `, ${report.skipped.length} skipped` : ''}${pins?.unresolved.length ? `, ${pins.unresolved.length} reference${pins.unresolved.length === 1 ? '' : 's'} not pinned` : ''}\n`);
  // Exit 1 when references stayed unpinned: the other fixes are applied, but the run is incomplete.
  return report.errors.length > 0 ? 2 : pins?.unresolved.length ? 1 : 0;
}
