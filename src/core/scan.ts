/**
 * The scan engine: discover → read → classify → parse once → build the model →
 * run the rules → apply config and inline ignores. Bad input becomes a
 * `parse-error` finding or a skip note; it never stops the scan.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import * as path from 'node:path';
import type { Config, RuleSettings } from '../config/config.js';
import { matchesAny } from '../config/glob.js';
import type { Confidence, Finding, Severity } from '../model/finding.js';
import { compareIds, confidenceRank, severityRank } from '../model/finding.js';
import type { Pipeline } from '../model/pipeline.js';
import type { FileRecord, ScanResult } from '../model/result.js';
import { ownString, SourceFile, SourceLines, type Span } from '../model/source.js';
import { buildAction, buildWorkflow, type BuildOutput } from '../platforms/github/build.js';
import type { Persona, Rule, RuleContext, RuleMeta } from '../rules/types.js';
import { parseErrorRule } from '../rules/parse-error.js';
import { invalidIgnoreRule } from '../rules/invalid-ignore.js';
import { classifyByPath, classifyYaml, GROOVY, isImplemented, isKube, looksLikeHelmTemplate } from './classify.js';
import { loadKube } from '../platforms/kube/load.js';
import { buildGitlab, fileOf, gitlabPipelineInfo } from '../platforms/gitlab/build.js';
import { fsReader } from '../platforms/gitlab/reader.js';
import { buildJenkins } from '../platforms/jenkins/build.js';
import { buildDependabot } from '../platforms/dependabot/build.js';
import { buildDockerfile } from '../platforms/docker/build.js';
import { attachLocalCallees, calleeOf, offerScannedCallee } from '../platforms/github/callees.js';
import { attachDaggerSources, buildDagger, daggerSourceDir, daggerSourcesOf } from '../platforms/dagger/build.js';
import { buildProjectIndex, releaseYamlUnusedByProjectRules } from '../platforms/kube/project.js';
import { discover, type Candidate } from './discover.js';
import { releaseShells } from '../shell/index.js';
import { holdFileScoped, releaseFileScoped } from './file-scoped.js';
import { KeptStrings } from './kept-strings.js';
import { analyseInParallel, workersCanRun } from './parallel.js';
import { RecentCache } from './recent-cache.js';
import { coveringIgnore, findInlineIgnores } from './ignores.js';
import { AliasBudgetExceeded, isTooLargeToRead, parseYaml, type YamlDoc } from './yaml.js';
import type { ExternalData } from '../online/external.js';

export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface ScanOptions {
  rules: Rule[];
  config: Config;
  persona: Persona;
  minSeverity: Severity;
  minConfidence: Confidence;
  cwd: string;
  maxFileBytes?: number;
  toolVersion: string;
  /** Called for internal errors (a rule that threw) so `--debug` can show them. */
  onInternalError?: (file: string, err: unknown) => void;
  /** Local actions and reusable workflows already built in this scan, by path (set by `scanPaths`). */
  calleeCache?: Map<string, Pipeline | null>;
  /** Threads for file-local analysis, the calling one included (1: no workers). */
  jobs?: number;
  /**
   * Keep files with findings in `ScanResult.sources`: true, their whole text
   * (what `fix` edits); 'lines', only the lines findings start on (code frames,
   * SARIF fingerprints); false, nothing. Default true.
   */
  keepSources?: boolean | 'lines';
  /** Set inside workers: Kubernetes-style files are not analysed there (see `leftToMain`). */
  leaveKubeToMain?: boolean;
  /** Facts gathered before the scan for the rules that need them (online lookups, pins, advisories). */
  external?: ExternalData;
}

export interface FileScan {
  record: FileRecord;
  findings: Finding[];
  suppressed: number;
  source?: SourceFile | SourceLines;
  /** Included files that findings point into, for code frames. */
  extraSources?: (SourceFile | SourceLines)[];
}

const PERSONA_RANK: Record<Persona, number> = { regular: 0, pedantic: 1, auditor: 2 };

/** The folder last asked about, with a separator at its end when it is absolute and normalized (what `path.relative` would make of it). */
let lastFolder: { cwd: string; paths: path.PlatformPath; prefix: string | undefined } = { cwd: '', paths: path, prefix: undefined };

/**
 * `absPath` relative to `cwd` when it is a normalized path strictly below it,
 * else undefined (the caller then asks `path.relative`). `paths` is Node's
 * `path` for this system; tests pass `path.win32` and `path.posix`.
 */
export function pathBelow(absPath: string, cwd: string, paths: path.PlatformPath = path): string | undefined {
  if (lastFolder.cwd !== cwd || lastFolder.paths !== paths) {
    const normal = paths.isAbsolute(cwd) && paths.normalize(cwd) === cwd;
    lastFolder = { cwd, paths, prefix: normal ? (cwd.endsWith(paths.sep) ? cwd : cwd + paths.sep) : undefined };
  }
  const prefix = lastFolder.prefix;
  if (prefix === undefined || absPath.length <= prefix.length || !absPath.startsWith(prefix)) return undefined;
  const rest = absPath.slice(prefix.length);
  // A path that is not normalized (`a/../b`, `a//b`, `./a`, `a/`, `/a` after the prefix) goes the long way.
  return (paths.sep === '/' ? NOT_NORMAL_POSIX : NOT_NORMAL_WINDOWS).test(rest) ? undefined : rest;
}

const NOT_NORMAL_POSIX = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|\/$|^\//;
const NOT_NORMAL_WINDOWS = /(?:^|[\\/])\.{1,2}(?:[\\/]|$)|[\\/]{2}|[\\/]$|^[\\/]|\//;

export function displayPath(absPath: string, cwd: string): string {
  // Most paths lie below the current folder: the rest of the path, without path.relative resolving both again.
  const under = pathBelow(absPath, cwd);
  if (under !== undefined) return path.sep === '/' ? under : under.split(path.sep).join('/');
  const rel = path.relative(cwd, absPath);
  const shown = rel === '' ? path.basename(absPath) : rel.startsWith('..') && path.isAbsolute(absPath) && rel.split(path.sep).filter((s) => s === '..').length > 3 ? absPath : rel;
  return shown.split(path.sep).join('/');
}

export async function scanPaths(paths: string[], options: ScanOptions): Promise<ScanResult> {
  const opts: ScanOptions = { ...options, calleeCache: newCalleeCache() };
  const ignore = opts.config.ignorePaths;
  const { candidates, notes } = await discover(paths, { isIgnored: ignore.length ? (rel) => matchesAny(rel, ignore) : undefined });
  const result: ScanResult = { toolVersion: opts.toolVersion, findings: [], files: [], rules: activeRuleMetas(opts), sources: new Map(), suppressed: 0 };
  for (const n of notes) result.files.push({ path: displayPath(path.resolve(n.path), opts.cwd), status: 'skipped', reason: n.reason });
  // Files whose path does not tell their platform go first: Kubernetes-style objects are among
  // them, and the project-wide rules (RBAC, workspaces, triggers across files) need all of those
  // in one heap. Once those rules have run, their YAML is let go before the other files' findings
  // pile up, so the two never peak together. Output order is discovery order either way.
  const slots: FileScan[] = new Array(candidates.length);
  const deferred: { index: number; analysis: Analysis; release: () => void }[] = [];
  const contentFirst: number[] = [];
  const byPath: number[] = [];
  candidates.forEach((c, i) => (platformByPath(c, opts) ? byPath : contentFirst).push(i));
  const settle = async (i: number) => {
    const a = await analyseCandidate(candidates[i]!, opts);
    if (a.pipelines.some((p) => p.kube)) {
      releaseYamlUnusedByProjectRules(a.pipelines);
      // Its findings wait for the cross-file rules: meanwhile they hold one copy of each repeated text, as kept findings do.
      const { kept } = ruleTables(opts);
      for (const f of a.raw) shareTexts(f, kept);
      deferred.push({ index: i, analysis: a, release: holdFileScoped() });
    } else {
      slots[i] = lighten(finishAnalysis(a, opts), opts);
      releaseFileScoped();
    }
  };
  const projectPhase = () => {
    // Threads finish files in any order; the cross-file rules see them in discovery order, whatever --jobs is.
    runProjectRules(deferred.sort((a, b) => a.index - b.index).map((d) => d.analysis), opts);
    for (const d of deferred) {
      slots[d.index] = lighten(finishAnalysis(d.analysis, opts), opts);
      d.release();
    }
    deferred.length = 0;
    // And what the cross-file rules derived: no file is in flight between files.
    releaseFileScoped();
  };
  const jobs = workersCanRun(opts) ? Math.min(opts.jobs ?? 1, Math.ceil(candidates.length / MIN_FILES_PER_WORKER)) : 1;
  if (jobs > 1) {
    // Workers start on the files named by path; this thread reads the others, then joins them.
    const { kept } = ruleTables(opts);
    await analyseInParallel(candidates, opts, jobs, { mainFirst: contentFirst, shared: byPath, afterMainFirst: projectPhase }, settle, async (i, outcome) => {
      if (outcome === 'kube') await settle(i);
      else {
        for (const f of outcome.findings) shareTexts(f, kept);
        slots[i] = lighten(outcome, opts);
      }
    });
  } else {
    for (const i of contentFirst) await settle(i);
    projectPhase();
    for (const i of byPath) await settle(i);
  }
  // Path-classified files never hold Kubernetes objects: should one do so, it is still checked, on its own.
  if (deferred.length > 0) projectPhase();
  for (const scanned of slots) {
    result.files.push(scanned.record);
    result.findings.push(...scanned.findings);
    result.suppressed += scanned.suppressed;
    if (opts.keepSources === false) continue;
    if (scanned.source && scanned.findings.length > 0) keepSource(result.sources, scanned.source);
    for (const extra of scanned.extraSources ?? []) keepSource(result.sources, extra);
  }
  // A caller's scan may report a callee's line with more context (a composite action fed an
  // outsider's value): at one place, the most severe finding of a rule stands.
  const worst = new Map<string, number>();
  const place = (f: Finding) => `${f.rule}\0${f.file}\0${f.span.offset}\0${f.span.endOffset}`;
  const followed = (f: Finding) => f.rule === 'template-injection';
  for (const f of result.findings) if (followed(f)) worst.set(place(f), Math.max(worst.get(place(f)) ?? -1, severityRank(f.severity)));
  result.findings = result.findings.filter((f) => !followed(f) || severityRank(f.severity) === worst.get(place(f)));
  // Findings about one file may come from several files' scans: order them by file, then place.
  const order = new Map(result.files.map((f, i) => [f.path, i]));
  const ruleOrder = ruleTables(opts).order;
  result.findings.sort((a, b) => (order.get(a.file) ?? Infinity) - (order.get(b.file) ?? Infinity) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.span.offset - b.span.offset || compareRules(ruleOrder, a.rule, b.rule));
  return result;
}

/**
 * Points a kept finding's repeated texts (message, remedy, fix description,
 * related messages) at the scan's one copy of each. Also for a worker's
 * findings, whose texts arrive as fresh copies.
 */
function shareTexts(f: Finding, texts: KeptStrings): Finding {
  f.message = texts.keep(f.message);
  f.remedy = texts.keep(f.remedy);
  if (f.fix) f.fix.description = texts.keep(f.fix.description);
  for (const r of f.related ?? []) r.message = texts.keep(r.message);
  return f;
}

/** Several scans may keep lines of one file: the report needs all of them. */
function keepSource(sources: ScanResult['sources'], source: SourceFile | SourceLines): void {
  const held = sources.get(source.path);
  sources.set(source.path, held instanceof SourceLines && source instanceof SourceLines ? SourceLines.union(held, source) : source);
}

export function activeRuleMetas(opts: Pick<ScanOptions, 'rules' | 'config'>): RuleMeta[] {
  const metas = opts.rules.filter((r) => opts.config.rules.get(r.meta.id)?.enabled !== false).map((r) => r.meta);
  return [parseErrorRule.meta, invalidIgnoreRule.meta, ...metas.filter((m) => m.id !== parseErrorRule.meta.id && m.id !== invalidIgnoreRule.meta.id)];
}

/** A finished file keeps its text only when the report will read it again. */
export function lighten(scan: FileScan, opts: ScanOptions): FileScan {
  if (scan.findings.length === 0 || opts.keepSources === false) {
    delete scan.source;
    delete scan.extraSources;
  } else if (opts.keepSources === 'lines') {
    const linesOf = (file: SourceFile | SourceLines) =>
      file instanceof SourceFile ? SourceLines.of(file, scan.findings.filter((f) => f.file === file.path).map((f) => f.span.line)) : file;
    if (scan.source) scan.source = linesOf(scan.source);
    if (scan.extraSources) scan.extraSources = scan.extraSources.map(linesOf);
  }
  return scan;
}

/**
 * Local actions and reusable workflows built in a scan, by path. Bounded:
 * callers sit next to their callees in discovery order, and an unbounded
 * cache held every callee's YAML to the end (about 86 MB at 12,000 files).
 */
export function newCalleeCache(): Map<string, Pipeline | null> {
  return new RecentCache(CALLEES_KEPT);
}

const CALLEES_KEPT = 256;

/**
 * Whether a file's path names its platform (GitHub Actions, GitLab, Jenkins,
 * Docker, Dagger, Dependabot); if not, only its content can tell, which is
 * where Kubernetes-style files are found. Mirrors `analyseCandidate`.
 */
function platformByPath(c: Candidate, opts: ScanOptions): boolean {
  return Boolean(classifyByPath(c.relPath) ?? classifyByPath(displayPath(c.absPath, opts.cwd)));
}

/** Below this many files per extra thread, starting workers costs more than it saves. */
const MIN_FILES_PER_WORKER = 64;

/** Reads, models and checks one discovered file on its own; never throws. */
export async function analyseCandidate(c: Candidate, opts: ScanOptions): Promise<Analysis> {
  const shown = displayPath(c.absPath, opts.cwd);
  try {
    // A file named explicitly is classified by its content when its name says nothing (`pipeline.txt`).
    const byContent = c.explicit && classifyByPath(c.relPath) === null && classifyByPath(shown) === null;
    return byContent ? await analyseByContent(c.absPath, shown, c.relPath, opts) : await scanFile(c.absPath, shown, c.relPath, opts);
  } catch (err) {
    // A bug while reading one file must not stop the scan: report it and go on with the others.
    opts.onInternalError?.(shown, err);
    return { record: { path: shown, status: 'skipped', reason: `internal error: ${(err as Error).message}` }, raw: [], pipelines: [] };
  }
}

/**
 * Reads one file. Synchronous on purpose: the scan is CPU-bound and awaiting
 * each open/stat/read/close left the process idle a third of the time.
 */
async function readText(absPath: string, maxBytes: number): Promise<{ text: string; invalidUtf8At?: number } | { skip: string }> {
  let fd: number | undefined;
  try {
    // Non-blocking: a FIFO put in a file's place after discovery must not block the open waiting for a writer.
    fd = openSync(absPath, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile()) return { skip: 'not a regular file; not opened' };
    if (st.size > maxBytes) {
      // Not rounded to whole MiB: `--max-file-size 0.1` used to say "larger than 0 MiB".
      const mib = maxBytes / 1024 / 1024;
      const limit = mib >= 0.01 ? `${Number(mib.toFixed(2))} MiB` : `${maxBytes} bytes`;
      return { skip: `larger than ${limit}; not scanned (raise --max-file-size to scan it)` };
    }
    // Decoded before anything else reads a file: `buf` is the shared read buffer.
    const buf = readOpenFile(fd, st.size);
    const probe = buf.subarray(0, 8192);
    if (probe.includes(0)) return { skip: 'binary content; not scanned' };
    // The BOM is kept in the text so SourceFile can note it (and `fix` can write it back).
    // Valid files (nearly all) skip TextDecoder, whose set-up cost ~10 ms of a one-file scan.
    if (isUtf8(buf)) return { text: buf.toString('utf8') };
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf);
    return { text, invalidUtf8At: firstInvalidUtf8(buf, text) };
  } catch (err) {
    return { skip: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The bytes of an open regular file whose size is known: one read, where
 * readFileSync(fd) asks for the size again first (a sixth of a file's
 * system calls across 12,000 files). A file that shrank since is read to its
 * end; one that grew, to its size when it was opened, as readFileSync does.
 *
 * Files up to REUSED_READ_BYTES are read into one buffer that every read
 * reuses, so the bytes are valid only until the next read: the caller
 * decodes them at once. With a fresh buffer per file, `read` copied into
 * memory the processor had not touched lately: 0.9 s of `read` in a CPU
 * profile at 12,000 files, 0.13 s with the reused one (interleaved runs: the
 * scan was faster in 7 of 10 pairs, by up to 13%, within this machine's noise
 * in the others).
 */
function readOpenFile(fd: number, size: number): Buffer {
  // Some special files call themselves regular and empty: read those to their end.
  if (size === 0) return readFileSync(fd);
  if (size <= REUSED_READ_BYTES && readBuffer.length < size) readBuffer = Buffer.allocUnsafeSlow(Math.min(REUSED_READ_BYTES, Math.max(size, 2 * readBuffer.length, 64 * 1024)));
  const buf = size <= REUSED_READ_BYTES ? readBuffer.subarray(0, size) : Buffer.allocUnsafe(size);
  let n = 0;
  while (n < size) {
    const r = readSync(fd, buf, n, size - n, null);
    if (r === 0) break;
    n += r;
  }
  return n === size ? buf : buf.subarray(0, n);
}

const REUSED_READ_BYTES = 4 * 1024 * 1024;
let readBuffer = Buffer.allocUnsafeSlow(0);

/**
 * Offset in the decoded text of the first replacement character that stands for
 * invalid bytes. A U+FFFD genuinely written in the file (EF BF BD) is skipped:
 * `text.indexOf('\uFFFD')` used to report that one instead of the invalid byte.
 */
function firstInvalidUtf8(buf: Uint8Array, text: string): number {
  // The BOM stays in `text` (one UTF-16 unit for three bytes); offsets below count from after it,
  // as SourceFile does once it strips the BOM.
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  let byte = bom ? 3 : 0;
  if (bom) text = text.slice(1);
  let from = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) {
    byte += Buffer.byteLength(text.slice(from, i));
    if (!(buf[byte] === 0xef && buf[byte + 1] === 0xbf && buf[byte + 2] === 0xbd)) return i;
    byte += 3;
    from = i + 1;
  }
  return -1;
}

/** Sources to classify by content whatever their name: files named explicitly with an unknown extension. */
const BY_CONTENT = new WeakSet<SourceFile>();

async function analyseByContent(absPath: string, shown: string, relPath: string, opts: ScanOptions): Promise<Analysis> {
  const read = await readText(absPath, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if ('skip' in read) return { record: { path: shown, status: 'skipped', reason: read.skip }, raw: [], pipelines: [] };
  const source = new SourceFile(shown, read.text, absPath);
  BY_CONTENT.add(source);
  return analyseSource(source, relPath, opts, read.invalidUtf8At);
}

export async function scanFile(absPath: string, shown: string, relPath: string, opts: ScanOptions): Promise<Analysis> {
  const byPath = classifyByPath(relPath) ?? classifyByPath(shown);
  if (byPath === null && classifyByPath(shown) === null && !/\.(ya?ml|groovy)$/i.test(relPath)) {
    return { record: { path: shown, status: 'not-pipeline' }, raw: [], pipelines: [] };
  }
  const read = await readText(absPath, opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if ('skip' in read) {
    const record: FileRecord = { path: shown, status: 'skipped', reason: read.skip };
    if (byPath) record.platform = byPath.platform;
    return { record, raw: [], pipelines: [] };
  }
  if (opts.leaveKubeToMain && byPath === undefined && KUBE_HINT.test(read.text)) {
    return { record: { path: shown, status: 'scanned' }, raw: [], pipelines: [], leftToMain: true };
  }
  return analyseSource(new SourceFile(shown, read.text, absPath), relPath, opts, read.invalidUtf8At);
}

/** A file read, modelled and checked on its own; project-wide rules and ignores still to come. */
export interface Analysis {
  source?: SourceFile;
  /** Other files the pipeline was built from (GitLab local includes), for code frames. */
  extraSources?: SourceFile[];
  record: FileRecord;
  raw: RawFinding[];
  pipelines: Pipeline[];
  /** A worker saw a Kubernetes-style file and left it to the main thread, unanalysed. */
  leftToMain?: boolean;
}

/** A top-level `apiVersion:` or `kind:`: the file is probably Kubernetes-style (workers leave those to the main thread). */
const KUBE_HINT = /^(apiVersion|kind)[ \t]*:/m;

/** Before filtering: who should see it, and whether a cross-file finding supersedes file-local ones at its place. */
type RawFinding = Finding & { persona?: Persona; supersedes?: boolean };

/** Scans one file's text on its own; used by tests and the webhook. Cross-object rules see only this file. */
export function scanSource(source: SourceFile, relPath: string, opts: ScanOptions, invalidUtf8At?: number): FileScan {
  const a = analyseSource(source, relPath, opts, invalidUtf8At);
  runProjectRules([a], opts);
  const scanned = finishAnalysis(a, opts);
  releaseFileScoped();
  return scanned;
}

export function finishAnalysis(a: Analysis, opts: ScanOptions): FileScan {
  if (!a.source) return { record: a.record, findings: [], suppressed: 0 };
  return finish(a.source, a.record, a.raw, opts, a.extraSources);
}

export function analyseSource(source: SourceFile, relPath: string, opts: ScanOptions, invalidUtf8At?: number): Analysis {
  const findings: Finding[] = [];
  const pipelines: Pipeline[] = [];
  const extraSources: SourceFile[] = [];
  const done = (record: FileRecord, raw: RawFinding[]): Analysis => ({ source, record, raw, pipelines, extraSources });
  const shown = source.path;
  const parseError = (message: string, span: Span) =>
    findings.push(makeFinding(parseErrorRule.meta, shown, { span, message }, opts));
  if (invalidUtf8At !== undefined && invalidUtf8At >= 0) {
    parseError('file is not valid UTF-8; invalid bytes were replaced before scanning', source.span(invalidUtf8At, invalidUtf8At + 1));
  }

  let classification = BY_CONTENT.has(source) ? undefined : classifyByPath(relPath) ?? classifyByPath(shown);
  let docs: YamlDoc[] | undefined;
  let yamlProblems: ReturnType<typeof parseYaml>['problems'] = [];
  if (classification === undefined) {
    if (/\.groovy$/i.test(relPath)) classification = GROOVY;
    else if (looksLikeHelmTemplate(source.text)) {
      return done({ path: shown, status: 'skipped', reason: 'Helm/Go template: not YAML until rendered; render it (helm template) and scan the output' }, []);
    } else {
      const parsed = parseYaml(source);
      docs = parsed.docs;
      yamlProblems = parsed.problems;
      try {
        classification = classifyYaml(docs);
      } catch (err) {
        // Classifying reads the root's keys, which `<<` merges can turn into an alias bomb; it used to escape and stop the scan.
        if (!isTooLargeToRead(err)) throw err;
        return done({ path: shown, status: 'skipped', reason: 'YAML aliases expand too far (or nest too deeply) to tell what this file is; not analysed' }, []);
      }
    }
  }
  if (!classification) {
    // YAML that is not a pipeline: say so; report it broken only if it is not YAML at all.
    return done({ path: shown, status: 'not-pipeline' }, []);
  }
  const record: FileRecord = { path: shown, platform: classification.platform, kind: classification.kind, status: 'scanned' };
  if (!isImplemented(classification)) {
    record.status = 'skipped';
    record.reason = `${platformName(classification.platform)} files are not checked yet`;
    return done(record, []);
  }
  if (classification.platform === 'docker') {
    const out = buildDockerfile(source);
    for (const p of out.problems) parseError(p.message, p.span);
    if (out.pipeline) pipelines.push(out.pipeline);
    runRules(pipelines, record, findings, shown, opts);
    return done(record, findings);
  }
  if (classification.platform === 'jenkins') {
    try {
      const out = buildJenkins(source);
      if (out.kind === 'not-pipeline') return done({ path: shown, status: 'not-pipeline' }, findings);
      record.kind = out.kind;
      for (const p of out.problems) parseError(p.message, p.span);
      if (out.pipeline) pipelines.push(out.pipeline);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      parseError('the Groovy is nested too deeply to read', source.span(0, 0));
    }
    runRules(pipelines, record, findings, shown, opts);
    return done(record, findings);
  }
  if (!docs) {
    const parsed = parseYaml(source);
    docs = parsed.docs;
    yamlProblems = parsed.problems;
  }
  if (isKube(classification)) {
    // Kubernetes reads YAML with go-yaml, which accepts what YAML 1.2 rejects (flow sequences
    // under-indented across lines): one low note, and the recovered document is still analysed.
    const first = yamlProblems[0];
    if (first) {
      const more = yamlProblems.length > 1 ? ` (and ${yamlProblems.length - 1} more)` : '';
      findings.push(makeFinding(parseErrorRule.meta, shown, { span: first.span, message: `not valid YAML 1.2: ${first.message}${more}; Kubernetes' parser may accept it, analysed as recovered`, severity: 'low', confidence: 'medium' }, opts));
    }
  } else {
    for (const p of yamlProblems) parseError(`invalid YAML: ${p.message}`, p.span);
    if (yamlProblems.some((p) => p.fatal)) return done(record, findings);
  }

  try {
    const realDocs = docs.filter((d) => d.contents !== null);
    if (isKube(classification)) {
      const load = loadKube(realDocs);
      for (const p of load.problems) parseError(p.message, p.span);
      pipelines.push(...load.pipelines);
      const kinds = [...new Set(load.objects.map((o) => o.kind))];
      record.kind = kinds.join(', ');
    } else if (classification.platform === 'gitlab') {
      // Local includes are read from the folder of the root file, which GitLab treats as the repository root.
      const reader = source.absPath
        ? fsReader(path.dirname(source.absPath), { displayPath: (abs) => displayPath(abs, opts.cwd) })
        : () => ({ error: 'not on disk' });
      const out = buildGitlab({ file: source, docs: realDocs, path: path.basename(relPath) }, reader);
      for (const p of out.problems) {
        findings.push(makeFinding(parseErrorRule.meta, p.file, { span: p.span, message: p.message }, opts));
      }
      if (out.pipeline) {
        pipelines.push(out.pipeline);
        extraSources.push(...(gitlabPipelineInfo(out.pipeline)?.files ?? []).filter((f) => f !== source));
      }
    } else {
      if (realDocs.length === 0) parseError(`empty ${classification.kind} file`, source.span(0, 0));
      for (const y of realDocs.slice(0, 1)) {
        const out: BuildOutput =
          classification.kind === 'action' ? buildAction(y)
          : classification.platform === 'dependabot' ? buildDependabot(y)
          : classification.platform === 'dagger' ? withDaggerSources(buildDagger(y), y, source, opts)
          : buildWorkflow(y);
        for (const p of out.problems) parseError(p.message, p.span);
        if (out.pipeline) pipelines.push(out.pipeline);
        // Local actions and reusable workflows, so a caller's inputs can be followed into them.
        if (out.pipeline?.platform === 'gha') {
          const display = (abs: string) => displayPath(abs, opts.cwd);
          attachLocalCallees(out.pipeline, display, opts.calleeCache);
          // After its own callees: one that calls itself gets a copy of itself built apart, as before.
          offerScannedCallee(out.pipeline, { asAction: classification.kind === 'action', fromFirstDocument: y === docs[0], validUtf8: invalidUtf8At === undefined }, display, opts.calleeCache);
          // Findings reported in a callee get its ignores and code frame.
          for (const ref of out.pipeline.references) {
            const callee = calleeOf(ref);
            if (callee && !extraSources.includes(callee.file)) extraSources.push(callee.file);
          }
        }
        // Findings in a Dagger module's code get that file's ignores and code frames.
        if (out.pipeline?.platform === 'dagger') extraSources.push(...daggerSourcesOf(out.pipeline).map((s) => s.file));
      }
      if (realDocs.length > 1) parseError(`${classification.platform === 'dependabot' ? 'Dependabot' : classification.platform === 'dagger' ? 'Dagger' : 'GitHub'} reads only the first document; ${realDocs.length - 1} more ignored`, docs[1]!.span(docs[1]!.contents));
    }
  } catch (err) {
    if (err instanceof AliasBudgetExceeded) parseError(`YAML aliases expand too far (${err.message}); not analysed`, source.span(0, 0));
    else if (err instanceof RangeError) parseError('document is nested too deeply to analyse', source.span(0, 0));
    else throw err;
    return done(record, findings);
  }

  runRules(pipelines, record, findings, shown, opts);
  return done(record, findings);
}

/**
 * A Dagger module's pipeline code sits beside dagger.json: read its TypeScript,
 * Go and Python files (not dependencies, at most 200 files of 1 MiB) so rules
 * can check how it passes secrets.
 */
function withDaggerSources(out: BuildOutput, y: YamlDoc, source: SourceFile, opts: ScanOptions): BuildOutput {
  if (!out.pipeline || !source.absPath) return out;
  const root = path.resolve(path.dirname(source.absPath), daggerSourceDir(y));
  const files: { file: SourceFile }[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || files.length >= 200) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (files.length >= 200) return;
      const abs = path.join(dir, e.name);
      if (e.isDirectory() && !/^(node_modules|\.git|vendor|dist|sdk|internal|__pycache__|\.venv)$/.test(e.name)) walk(abs, depth + 1);
      else if (e.isFile() && /\.(ts|go|py)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        try {
          if (statSync(abs).size > 1024 * 1024) continue;
          files.push({ file: new SourceFile(displayPath(abs, opts.cwd), readFileSync(abs, 'utf8'), abs) });
        } catch {
          /* unreadable: skip */
        }
      }
    }
  };
  walk(root, 0);
  attachDaggerSources(out.pipeline, files);
  return out;
}

/** Runs every file-local rule that applies to each pipeline of a file. */
function runRules(pipelines: Pipeline[], record: FileRecord, findings: Finding[], shown: string, opts: ScanOptions): void {
  try {
    runFileRules(pipelines, record, findings, shown, opts);
  } finally {
    releaseShells(pipelines);
  }
}

function runFileRules(pipelines: Pipeline[], record: FileRecord, findings: Finding[], shown: string, opts: ScanOptions): void {
  // A GitLab template extended by several jobs yields the same finding once per job: report the place once.
  const reported = new Set<string>();
  const parseError = (message: string, span: Span) => findings.push(makeFinding(parseErrorRule.meta, shown, { span, message }, opts));
  for (const pipeline of pipelines) {
    if (!pipeline.kube) record.kind = pipeline.kind;
    // One context per pipeline, pointed at each rule in turn: a context and a closure per rule and
    // pipeline were a visible share of a scan's garbage. Rules run synchronously, so `rule` cannot change under a report.
    let rule: Rule;
    const ctx: RuleContext = {
      pipeline,
      options: NO_OPTIONS,
      ...(opts.external ? { external: opts.external } : {}),
      report: (input) => {
        // GitLab jobs may be written in an included file: the finding belongs there.
        const file = input.file ?? (pipeline.platform === 'gitlab' ? (fileOf(input.span)?.path ?? shown) : shown);
        if (pipeline.platform === 'gitlab') {
          const place = `${rule.meta.id}\0${file}\0${input.span.offset}\0${input.span.endOffset}`;
          if (reported.has(place)) return;
          reported.add(place);
        }
        findings.push(makeFinding(rule.meta, file, input, opts));
      },
    };
    const enabled = rulesFor(opts, pipeline.platform);
    for (let k = 0; k < enabled.length; k++) {
      rule = enabled[k]!.rule;
      ctx.options = enabled[k]!.settings?.options ?? NO_OPTIONS;
      try {
        rule.check(ctx);
      } catch (err) {
        if (isTooLargeToRead(err)) {
          parseError('document is too deeply nested or aliased to analyse fully', pipeline.file.span(0, 0));
          continue;
        }
        opts.onInternalError?.(shown, err);
        record.reason = `${record.reason ? record.reason + '; ' : ''}rule ${rule.meta.id} failed: ${(err as Error).message}`;
      }
    }
  }
}

/** The options of a rule the config says nothing about. */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});

/** What finishing every file asks of the rule list, worked out once per scan, not per file and rule. */
interface RuleTables {
  /** The enabled rules for each platform, with their settings. */
  byPlatform: Map<string, { rule: Rule; settings: RuleSettings | undefined }[]>;
  /**
   * Each rule id's place in `compareIds` order: findings at one offset are
   * ordered by rule, and comparing the strings for every pair was a visible
   * share of finishing a file.
   */
  order: Map<string, number>;
  /** The texts kept findings carry, one copy of each. */
  kept: KeptStrings;
}

const tablesOf = new WeakMap<ScanOptions, RuleTables>();

function ruleTables(opts: ScanOptions): RuleTables {
  let tables = tablesOf.get(opts);
  if (!tables) {
    const ids = [...new Set([...opts.rules.map((r) => r.meta.id), parseErrorRule.meta.id, invalidIgnoreRule.meta.id])].sort(compareIds);
    tables = { byPlatform: new Map(), order: new Map(ids.map((id, i) => [id, i])), kept: new KeptStrings() };
    tablesOf.set(opts, tables);
  }
  return tables;
}

function rulesFor(opts: ScanOptions, platform: Pipeline['platform']): { rule: Rule; settings: RuleSettings | undefined }[] {
  const { byPlatform } = ruleTables(opts);
  let list = byPlatform.get(platform);
  if (!list) {
    list = opts.rules
      .filter((rule) => rule.meta.platforms.includes(platform) && opts.config.rules.get(rule.meta.id)?.enabled !== false)
      .map((rule) => ({ rule, settings: opts.config.rules.get(rule.meta.id) }));
    byPlatform.set(platform, list);
  }
  return list;
}

/** Rules that join objects across files (a run, its service account, the role bound to it). */
export function runProjectRules(analyses: Analysis[], opts: ScanOptions): void {
  const project = opts.rules.filter((r) => r.checkProject && opts.config.rules.get(r.meta.id)?.enabled !== false);
  if (project.length === 0) return;
  const owner = new Map<Pipeline, Analysis>();
  for (const a of analyses) for (const p of a.pipelines) owner.set(p, a);
  if (owner.size === 0) return;
  const index = buildProjectIndex([...owner.keys()]);
  for (const rule of project) {
    try {
      rule.checkProject!({
        index,
        options: opts.config.rules.get(rule.meta.id)?.options ?? {},
        report: (pipeline, input) => {
          const a = owner.get(pipeline);
          if (a?.source) a.raw.push({ ...makeFinding(rule.meta, a.source.path, input, opts), supersedes: true });
        },
      });
    } catch (err) {
      opts.onInternalError?.('(project)', err);
    }
  }
}

function platformName(p: string): string {
  return (
    { gha: 'GitHub Actions', gitlab: 'GitLab CI', jenkins: 'Jenkins', tekton: 'Tekton', argo: 'Argo', k8s: 'Kubernetes', docker: 'Dockerfile', dagger: 'Dagger', dependabot: 'Dependabot' } as Record<string, string>
  )[p] ?? p;
}

type ReportInputLike = Parameters<RuleContext['report']>[0];

function makeFinding(meta: RuleMeta, file: string, input: ReportInputLike, opts: ScanOptions): Finding & { persona?: Persona } {
  const override = opts.config.rules.get(meta.id)?.severity;
  const f: Finding & { persona?: Persona } = {
    rule: meta.id,
    severity: override ?? input.severity ?? meta.severity,
    confidence: input.confidence ?? meta.confidence,
    message: input.message,
    file,
    span: input.span,
    remedy: input.remedy ?? meta.docs.remedy,
  };
  if (meta.owasp) f.owasp = meta.owasp;
  if (input.fix) f.fix = input.fix;
  if (input.related && input.related.length > 0) f.related = input.related;
  const persona = input.persona ?? meta.persona;
  if (persona) f.persona = persona;
  return f;
}

function compareRules(order: Map<string, number>, a: string, b: string): number {
  const x = order.get(a);
  const y = order.get(b);
  return x !== undefined && y !== undefined ? x - y : compareIds(a, b);
}

/**
 * The finding as kept in results: a fresh object with only the reported
 * fields, which owns its strings (see `ownString`) so a file's text is freed
 * with its analysis. Fresh rather than `delete`-ing the filter's fields, which
 * turned every kept finding into a slower and larger dictionary-mode object.
 */
function keptFinding(f: RawFinding, texts: KeptStrings): Finding {
  // The keys in makeFinding's order: reports print them in this order.
  const kept: Finding = {
    rule: f.rule,
    severity: f.severity,
    confidence: f.confidence,
    message: f.message,
    file: f.file,
    span: f.span,
    remedy: f.remedy,
  };
  if (f.owasp) kept.owasp = f.owasp;
  const fix = f.fix;
  if (fix) {
    kept.fix = fix;
    for (const e of fix.edits) e.replacement = ownString(e.replacement);
    if (fix.lookup) {
      fix.lookup.key = ownString(fix.lookup.key);
      for (const e of fix.lookup.edits) e.replacement = ownString(e.replacement);
    }
    if (fix.targets) fix.targets = fix.targets.map((t) => t.map((k) => (typeof k === 'string' ? ownString(k) : k)));
  }
  if (f.related) kept.related = f.related;
  return shareTexts(kept, texts);
}

/**
 * Applies inline ignores (of the file each finding is in), persona and
 * thresholds; keeps the most severe of several findings of one rule at one
 * place (a cross-file chain may upgrade a file-local finding); sorts.
 */
function finish(source: SourceFile, record: FileRecord, raw: RawFinding[], opts: ScanOptions, extra: SourceFile[] = []): FileScan {
  const tables = ruleTables(opts);
  const ignoresByFile = new Map<string, ReturnType<typeof findInlineIgnores>>();
  for (const file of [source, ...extra]) {
    const ignores = findInlineIgnores(file);
    ignoresByFile.set(file.path, ignores);
    for (const ig of ignores) {
      const unknown = ig.rules.filter((r) => r !== '*' && !opts.rules.some((x) => x.meta.id === r) && r !== parseErrorRule.meta.id);
      if (ig.reason === '') raw.push(makeFinding(invalidIgnoreRule.meta, file.path, { span: ig.span, message: 'inline ignore without a reason; say why the finding does not apply' }, opts));
      if (unknown.length > 0) raw.push(makeFinding(invalidIgnoreRule.meta, file.path, { span: ig.span, message: `inline ignore names unknown rule ${unknown.map((u) => `\`${u}\``).join(', ')}` }, opts));
    }
  }
  const findings: Finding[] = [];
  let suppressed = 0;
  // The messages reported at each place, so that a repeat is dropped. Keyed by place alone and the few messages
  // there compared: a key holding the message copied and hashed every finding's whole text (~2% of a scan).
  const seen = new Map<string, string[]>();
  const place = (f: RawFinding) => `${f.rule}\0${f.file}\0${f.span.offset}\0${f.span.endOffset}`;
  // A cross-file finding (a webhook followed into a script) replaces the file-local one at the same place.
  const superseded = raw.some((f) => f.supersedes) ? new Set(raw.filter((f) => f.supersedes).map(place)) : undefined;
  for (const f of raw) {
    if (superseded && !f.supersedes && superseded.has(place(f))) continue;
    // Several parser complaints at one place are one problem for the reader, whatever they say.
    const parseError = f.rule === parseErrorRule.meta.id;
    const at = parseError ? `${f.rule}\0${f.file}\0${f.span.offset}` : place(f);
    const said = seen.get(at);
    if (said === undefined) seen.set(at, [f.message]);
    else if (parseError || said.includes(f.message)) continue;
    else said.push(f.message);
    if (PERSONA_RANK[f.persona ?? 'regular'] > PERSONA_RANK[opts.persona]) continue;
    // The engine's own rules (parse-error, invalid-ignore) can be switched off like any other.
    if (opts.config.rules.get(f.rule)?.enabled === false) continue;
    if (severityRank(f.severity) < severityRank(opts.minSeverity) || confidenceRank(f.confidence) < confidenceRank(opts.minConfidence)) continue;
    if (f.rule !== invalidIgnoreRule.meta.id && coveringIgnore(ignoresByFile.get(f.file) ?? [], f.rule, f.span.line)) {
      suppressed++;
      continue;
    }
    findings.push(keptFinding(f, tables.kept));
  }
  findings.sort((a, b) => (a.file === b.file ? 0 : a.file === source.path ? -1 : b.file === source.path ? 1 : a.file < b.file ? -1 : 1) || a.span.offset - b.span.offset || compareRules(tables.order, a.rule, b.rule));
  const scan: FileScan = { record, findings, suppressed, source };
  const used = extra.filter((f) => findings.some((x) => x.file === f.path));
  if (used.length > 0) scan.extraSources = used;
  return scan;
}
