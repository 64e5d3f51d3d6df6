/**
 * Builds the pipeline model of a Dockerfile: the file is a pipeline, each
 * build stage (`FROM … [AS name]`) a job whose images are its external base
 * image and the images it copies or mounts from, each `RUN` a step with the
 * shell script it runs. What the platform-neutral model has no field for
 * (stage names and bases, `USER`, `ARG` defaults, remote `ADD`, parser
 * directives) is kept in a side table read through `dockerInfo(pipeline)`.
 *
 * Parsing follows BuildKit (see lexer.ts); shape problems come back with exact
 * locations and whatever can still be read is modelled. Never throws.
 */
import { Document, Scalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { parseImageRef } from '../../core/refs.js';
import type { EnvVar, ExternalRef, Job, Pipeline, ShellKind, Step, Str } from '../../model/pipeline.js';
import type { SourceFile, Span } from '../../model/source.js';
import { execForm, leadingFlags, lexDockerfile, splitWords, unquote, type Flag, type RawInstruction, type Word } from './lexer.js';
import { FileScopedMap } from '../../core/file-scoped.js';

export interface DockerProblem {
  message: string;
  span: Span;
}

export interface DockerBuildOutput {
  pipeline: Pipeline | null;
  problems: DockerProblem[];
}

/** Instructions BuildKit knows. */
export const DOCKER_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL',
  'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** ARGs BuildKit defines itself; in FROM they depend on the build's platform. */
const AUTOMATIC_ARGS = new Set([
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
]);

/** A `--name=value` flag of an instruction. */
export interface DockerFlag {
  name: string;
  /** Unquoted value with the span of the value as written; null for a bare `--flag`. */
  value: Str | null;
  /** The whole flag word. */
  span: Span;
}

/** One instruction as written. */
export interface DockerInstruction {
  /** Upper-cased keyword. */
  keyword: string;
  keywordSpan: Span;
  /** The whole instruction, here-documents included. */
  span: Span;
  /** Arguments with continuations joined (flags included); span of the arguments as written. */
  args: Str;
  flags: DockerFlag[];
  /** Index of the stage it belongs to; -1 before the first FROM. */
  stage: number;
}

export interface DockerUser {
  /** The `USER` argument as written (`app`, `0:0`, `${UID}`) and where. */
  value: Str;
  /** `root`, `0`, `root:…`, `0:…`. */
  root: boolean;
  /** Computed from a variable; cannot be judged. */
  dynamic: boolean;
  /** The stage whose `USER` this is (differs from the asking stage when inherited through `FROM <stage>`). */
  stage: number;
}

/** `ADD <url>`: a remote file or Git repository fetched at build time. */
export interface DockerAdd {
  kind: 'http' | 'git';
  url: Str;
  /** `--checksum=` as written, when given. */
  checksum?: Str;
  instruction: DockerInstruction;
}

/** `COPY --from=` / `RUN --mount=…,from=`: another stage or an external image. */
export interface DockerCopyFrom {
  via: 'copy' | 'mount' | 'add';
  value: Str;
  /** The stage copied from, when it names one (by name or index). */
  stage?: number;
  /** Otherwise the external image. */
  image?: ExternalRef;
  instruction: DockerInstruction;
}

export interface DockerRun {
  step: Step;
  form: 'shell' | 'exec' | 'heredoc';
  /** `--mount`, `--network`, `--security` … */
  flags: DockerFlag[];
  instruction: DockerInstruction;
}

export interface DockerStage {
  index: number;
  job: Job;
  /** `AS name`, when given. */
  name?: Str;
  /** The FROM image or stage as written. */
  from: Str;
  /** The FROM text after global-ARG substitution (equal to `from.value` when it has no variables). */
  resolvedFrom: string;
  /** Global ARGs the FROM text uses, in order (declarations, or just the name when undeclared). */
  fromArgs: { name: string; arg?: EnvVar }[];
  /** `--platform=` as written. */
  platform?: Str;
  /** `FROM scratch`: no base image at all. */
  scratch: boolean;
  /** The stage this one builds on, when FROM names an earlier stage. */
  fromStage?: number;
  /** The external base image (absent for scratch and stage bases). */
  image?: ExternalRef;
  /** The last stage: what `docker build` produces without `--target`. */
  final: boolean;
  /** The stage's own last `USER`. */
  user?: DockerUser;
  /** The `USER` in force at the end of the stage, following `FROM <stage>` chains. */
  effectiveUser?: DockerUser;
  /** The shell RUN uses at the end of the stage (`SHELL`, inherited through stage bases); default `/bin/sh -c`. */
  shell: { argv: string[]; kind: ShellKind; span?: Span };
  /** `ARG` declarations in the stage (value null without a default). */
  args: EnvVar[];
  adds: DockerAdd[];
  copyFrom: DockerCopyFrom[];
  runs: DockerRun[];
  /** `ONBUILD` triggers (not run in this build). */
  onbuild: DockerInstruction[];
  instructions: DockerInstruction[];
}

export interface DockerfileInfo {
  escape: '\\' | '`';
  /** Parser directives (`syntax`, `escape`, `check`). */
  directives: { name: string; value: Str; span: Span }[];
  /** `ARG`s before the first FROM (value null without a default). */
  globalArgs: EnvVar[];
  stages: DockerStage[];
  /** Every instruction, in source order. */
  instructions: DockerInstruction[];
}

const infoOf = new FileScopedMap<Pipeline, DockerfileInfo>();

/** What the model has no field for; undefined for pipelines not built here. */
export function dockerInfo(pipeline: Pipeline): DockerfileInfo | undefined {
  return infoOf.get(pipeline);
}

/** The stage a job stands for. */
export function dockerStage(pipeline: Pipeline, job: Job): DockerStage | undefined {
  return infoOf.get(pipeline)?.stages.find((s) => s.job === job);
}

/** A stand-in for the YAML node fields of the model, which Dockerfiles do not have. */
function placeholderNode(): YamlNode {
  return new Scalar(null) as YamlNode;
}

export function shellKindOf(program: string): ShellKind {
  const base = (program.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/\.exe$/, '');
  if (base === 'bash') return 'bash';
  if (/^(sh|ash|dash|zsh|ksh|mksh|busybox)$/.test(base)) return 'sh';
  if (base === 'pwsh') return 'pwsh';
  if (base === 'powershell') return 'powershell';
  if (base === 'cmd') return 'cmd';
  if (/^python[0-9.]*$/.test(base)) return 'python';
  if (base === 'node' || base === 'nodejs') return 'javascript';
  return 'unknown';
}

/** The program a `#!` line names (`#!/usr/bin/env python3` → python3). */
function shebangProgram(content: string): string | undefined {
  const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(content);
  if (!m) return undefined;
  return /(^|\/)env$/.test(m[1]!) && m[2] ? m[2] : m[1];
}

const DEFAULT_SHELL = ['/bin/sh', '-c'];
const GIT_URL = /^(git:\/\/|git@|ssh:\/\/|github\.com\/)|^https?:\/\/\S+\.git(#|$)/i;
const HTTP_URL = /^https?:\/\//i;

/** A user that is root: `root`, `0`, optionally with a group. */
function isRootUser(value: string): boolean {
  const user = value.trim().split(':')[0]!.trim();
  return user === 'root' || /^0+$/.test(user);
}

/** Expansion of `$X`, `${X}`, `${X:-w}`, `${X-w}`, `${X:+w}`, `${X+w}` with known values; dynamic when a value is not known. */
function substitute(text: string, vars: Map<string, { value: string | null; arg?: EnvVar }>, esc: string): { value: string; dynamic: boolean; used: { name: string; arg?: EnvVar }[] } {
  let out = '';
  let dynamic = false;
  const used: { name: string; arg?: EnvVar }[] = [];
  const lookup = (name: string): string | null => {
    const v = vars.get(name);
    used.push(v?.arg ? { name, arg: v.arg } : { name });
    return v ? v.value : null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === esc && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    const simple = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1));
    if (simple) {
      const v = lookup(simple[0]);
      if (v === null) dynamic = true;
      else out += v;
      i += simple[0].length;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      const m = close < 0 ? null : /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])(.*))?$/s.exec(text.slice(i + 2, close));
      if (!m) {
        dynamic = true;
        out += text.slice(i, close < 0 ? text.length : close + 1);
        i = close < 0 ? text.length : close;
        continue;
      }
      const v = lookup(m[1]!);
      const op = m[2];
      const word = m[3] ?? '';
      if (!op) {
        if (v === null) dynamic = true;
        else out += v;
      } else if (op === ':-' || op === '-') {
        // Unset (or, with `:`, empty) takes the word; an ARG without a default may still be set at build time.
        if (v === null) dynamic = true;
        else out += v === '' && op === ':-' ? word : v;
      } else {
        if (v === null) dynamic = true;
        else out += v !== '' || op === '+' ? word : '';
      }
      i = close;
      continue;
    }
    out += c;
  }
  return { value: out, dynamic, used };
}

class Builder {
  readonly problems: DockerProblem[] = [];
  readonly references: ExternalRef[] = [];
  readonly instructions: DockerInstruction[] = [];
  readonly stages: DockerStage[] = [];
  /** Stage indices by lower-case name, in order: `FROM x` and `--from=x` take the last before them. */
  private readonly stagesByName = new Map<string, number[]>();
  readonly globalArgs: EnvVar[] = [];
  /** Global ARG values for FROM: null when unknown at parse time. */
  readonly globals = new Map<string, { value: string | null; arg?: EnvVar }>();
  private unknownCount = 0;
  esc: '\\' | '`' = '\\';

  constructor(readonly file: SourceFile) {}

  problem(message: string, span: Span): void {
    this.problems.push({ message, span });
  }

  span(ins: RawInstruction, start: number, end: number): Span {
    return this.file.span(ins.line.start(start), Math.max(ins.line.start(start), ins.line.end(end)));
  }

  str(ins: RawInstruction, value: string, start: number, end: number): Str {
    return { value, span: this.span(ins, start, end) };
  }

  flagsOf(ins: RawInstruction, flags: Flag[]): DockerFlag[] {
    return flags.map((f) => ({
      name: f.name,
      value: f.value === null ? null : this.str(ins, f.value, f.valueStart, f.valueEnd),
      span: this.span(ins, f.word.start, f.word.end),
    }));
  }

  /** `ENV`/`ARG`/`LABEL` style `name=value` words; `legacy` allows `ENV name value`. */
  nameValues(ins: RawInstruction, from: number, to: number, what: string, opts: { legacy: boolean; valueRequired: boolean }): EnvVar[] {
    const t = ins.line.text;
    const words = splitWords(t, from, to, this.esc);
    if (words.length === 0) return [];
    const out: EnvVar[] = [];
    if (opts.legacy && !words[0]!.raw.includes('=')) {
      // `ENV name value`: the value is the rest of the line.
      const name = words[0]!;
      const rest = words[1];
      if (!rest) {
        this.problem(`\`${what} ${name.raw}\` needs a value (\`${what} name=value\`)`, this.span(ins, name.start, name.end));
        return [{ name: this.str(ins, name.raw, name.start, name.end), value: null }];
      }
      const raw = t.slice(rest.start, to);
      out.push({ name: this.str(ins, unquote(name.raw, this.esc), name.start, name.end), value: { ...this.str(ins, unquote(raw, this.esc), rest.start, to), expressions: [] } });
      return out;
    }
    for (const w of words) {
      const eq = w.raw.indexOf('=');
      if (eq < 0) {
        if (opts.valueRequired) {
          this.problem(`\`${w.raw}\` in ${what} must be written \`name=value\``, this.span(ins, w.start, w.end));
          continue;
        }
        out.push({ name: this.str(ins, unquote(w.raw, this.esc), w.start, w.end), value: null });
        continue;
      }
      const name = this.str(ins, unquote(w.raw.slice(0, eq), this.esc), w.start, w.start + eq);
      if (name.value === '') this.problem(`a ${what} name cannot be empty`, this.span(ins, w.start, w.end));
      const vs = w.start + eq + 1;
      out.push({ name, value: { ...this.str(ins, unquote(w.raw.slice(eq + 1), this.esc), vs, w.end), expressions: [] } });
    }
    return out;
  }

  /** The last stage before `before` with this name (case-insensitive), as Docker resolves `FROM x` and `--from=x`. */
  stageByName(name: string, before: number): number | undefined {
    const indices = this.stagesByName.get(name.toLowerCase());
    if (!indices) return undefined;
    for (let k = indices.length - 1; k >= 0; k--) if (indices[k]! < before) return indices[k];
    return undefined;
  }

  /** A `--from` value: a stage by name or index, or an external image. */
  fromRef(dins: DockerInstruction, stage: DockerStage, via: DockerCopyFrom['via'], value: Str): DockerCopyFrom {
    const vars = new Map(this.globals);
    for (const a of stage.args) {
      const g = this.globals.get(a.name.value);
      vars.set(a.name.value, { value: a.value ? a.value.value : g ? g.value : null, arg: a });
    }
    const resolved = value.value.includes('$') ? substitute(value.value, vars, this.esc) : { value: value.value, dynamic: false };
    const entry: DockerCopyFrom = { via, value, instruction: dins };
    const named = this.stageByName(resolved.value, stage.index);
    if (!resolved.dynamic && named !== undefined) entry.stage = named;
    else if (!resolved.dynamic && /^\d+$/.test(resolved.value) && Number(resolved.value) < stage.index) entry.stage = Number(resolved.value);
    else {
      const ref = parseImageRef(resolved.dynamic ? value.value : resolved.value, value.span);
      ref.raw = value.value;
      entry.image = ref;
      stage.job.images.push(ref);
      this.references.push(ref);
    }
    return entry;
  }

  from(ins: RawInstruction, dins: DockerInstruction): void {
    const t = ins.line.text;
    const { flags, rest } = leadingFlags(t, ins.argsStart, ins.argsEnd, this.esc);
    const words = splitWords(t, rest, ins.argsEnd, this.esc);
    const index = this.stages.length;
    const fromSpan = dins.keywordSpan;
    if (words.length === 0) {
      this.problem('FROM needs an image (`FROM image[:tag] [AS name]`)', fromSpan);
    } else if (words.length !== 1 && !(words.length === 3 && words[1]!.raw.toLowerCase() === 'as')) {
      this.problem('FROM takes an image and optionally `AS name`', this.span(ins, words[0]!.start, words[words.length - 1]!.end));
    }
    const imageWord: Word = words[0] ?? { start: ins.argsEnd, end: ins.argsEnd, raw: '' };
    const from = this.str(ins, unquote(imageWord.raw, this.esc), imageWord.start, imageWord.end);
    const nameWord = words.length >= 3 && words[1]!.raw.toLowerCase() === 'as' ? words[2] : undefined;
    const id: Str = nameWord ? this.str(ins, unquote(nameWord.raw, this.esc), nameWord.start, nameWord.end) : { value: `stage ${index}`, span: fromSpan };
    const job: Job = {
      id, span: dins.span, env: [], steps: [], needs: [], with: new Map(), secrets: [], images: [], node: placeholderNode(),
    };
    const sub = from.value.includes('$') ? substitute(from.value, this.globals, this.esc) : { value: from.value, dynamic: false, used: [] };
    const stage: DockerStage = {
      index, job, from, resolvedFrom: sub.value, fromArgs: sub.used, scratch: false, final: false,
      shell: { argv: DEFAULT_SHELL, kind: 'sh' }, args: [], adds: [], copyFrom: [], runs: [], onbuild: [], instructions: [dins],
    };
    if (nameWord) {
      stage.name = id;
      if (this.stageByName(id.value, index) !== undefined) this.problem(`duplicate stage name \`${id.value}\``, id.span);
    }
    const platform = flags.find((f) => f.name === 'platform');
    if (platform && platform.value !== null) stage.platform = this.str(ins, platform.value, platform.valueStart, platform.valueEnd);
    const base = sub.dynamic ? undefined : this.stageByName(sub.value, index);
    if (base !== undefined) {
      stage.fromStage = base;
      const parent = this.stages[base]!;
      stage.shell = parent.shell;
      job.needs.push({ value: parent.job.id.value, span: from.span });
    } else if (!sub.dynamic && sub.value.toLowerCase() === 'scratch') {
      stage.scratch = true;
    } else if (from.value !== '') {
      // Unresolved variables stay in the text, which makes the reference dynamic.
      const ref = parseImageRef(sub.dynamic ? from.value : sub.value, from.span);
      ref.raw = from.value;
      stage.image = ref;
      job.images.push(ref);
      this.references.push(ref);
    }
    this.stages.push(stage);
    if (stage.name) {
      const lower = stage.name.value.toLowerCase();
      const indices = this.stagesByName.get(lower);
      if (indices) indices.push(index);
      else this.stagesByName.set(lower, [index]);
    }
  }

  arg(ins: RawInstruction, stage: DockerStage | undefined): void {
    const vars = this.nameValues(ins, ins.argsStart, ins.argsEnd, 'ARG', { legacy: false, valueRequired: false });
    if (vars.length === 0) this.problem('ARG needs a name (`ARG name[=default]`)', this.span(ins, 0, ins.keywordEnd));
    for (const v of vars) {
      if (stage) {
        stage.args.push(v);
        continue;
      }
      this.globalArgs.push(v);
      // Global defaults may use earlier global ARGs; the last declaration wins.
      let value: string | null = null;
      if (v.value) {
        const sub = v.value.value.includes('$') ? substitute(v.value.value, this.globals, this.esc) : { value: v.value.value, dynamic: false };
        value = sub.dynamic ? null : sub.value;
      }
      this.globals.set(v.name.value, { value, arg: v });
    }
  }

  run(ins: RawInstruction, dins: DockerInstruction, stage: DockerStage): void {
    const t = ins.line.text;
    const { flags, rest } = leadingFlags(t, ins.argsStart, ins.argsEnd, this.esc);
    const cmdText = t.slice(rest, ins.argsEnd);
    const start = ins.line.start(rest);
    const end = Math.max(start, ins.heredocs.length > 0 ? ins.end : ins.line.end(ins.argsEnd));
    const span = this.file.span(start, end);
    let text = cmdText;
    let shell = stage.shell.kind;
    let form: DockerRun['form'] = 'shell';
    const argv = ins.heredocs.length === 0 ? execForm(cmdText) : null;
    if (argv) {
      form = 'exec';
      const c = argv.findIndex((a, i) => i > 0 && /^(-c|-command|\/c)$/i.test(a));
      if (argv.length > 0 && c > 0 && c + 1 < argv.length && shellKindOf(argv[0]!) !== 'unknown') {
        text = argv[c + 1]!;
        shell = shellKindOf(argv[0]!);
      } else {
        text = argv.join(' ');
        shell = 'unknown';
      }
    } else if (ins.heredocs.length > 0) {
      form = 'heredoc';
      const only = ins.heredocs.length === 1 && cmdText.trim() === ins.heredocs[0]!.word.raw;
      if (only) {
        // The document is the whole command: BuildKit runs it as a script (with its `#!` interpreter, if any).
        text = ins.heredocs[0]!.content;
        const program = shebangProgram(text);
        if (program) shell = shellKindOf(program);
      } else {
        text = cmdText + '\n' + ins.heredocs.map((h) => h.content + h.name).join('\n');
      }
    } else if (cmdText === '') {
      this.problem('RUN needs a command', dins.keywordSpan);
    }
    const step: Step = {
      index: stage.job.steps.length,
      span: dins.span,
      anchor: dins.keywordSpan,
      with: new Map(),
      env: [],
      script: { kind: 'run', shell, text, span, expressions: [] },
      node: placeholderNode(),
    };
    stage.job.steps.push(step);
    const dflags = this.flagsOf(ins, flags);
    stage.runs.push({ step, form, flags: dflags, instruction: dins });
    // `--mount=type=bind|cache,from=<stage or image>`.
    for (const f of flags) {
      if (f.name !== 'mount' || f.value === null) continue;
      const raw = t.slice(f.valueStart, f.valueEnd);
      const m = /(^|,)\s*from=([^,]*)/.exec(raw);
      if (!m) continue;
      const vStart = f.valueStart + m.index + m[0].length - m[2]!.length;
      const value = this.str(ins, unquote(m[2]!, this.esc), vStart, vStart + m[2]!.length);
      if (value.value !== '') stage.copyFrom.push(this.fromRef(dins, stage, 'mount', value));
    }
  }

  copyOrAdd(ins: RawInstruction, dins: DockerInstruction, stage: DockerStage, keyword: 'COPY' | 'ADD'): void {
    const t = ins.line.text;
    const { flags, rest } = leadingFlags(t, ins.argsStart, ins.argsEnd, this.esc);
    const from = flags.find((f) => f.name === 'from');
    if (from && from.value !== null && from.value !== '') {
      stage.copyFrom.push(this.fromRef(dins, stage, keyword === 'COPY' ? 'copy' : 'add', this.str(ins, from.value, from.valueStart, from.valueEnd)));
    }
    if (keyword !== 'ADD') return;
    const checksum = flags.find((f) => f.name === 'checksum');
    const checksumStr = checksum && checksum.value !== null ? this.str(ins, checksum.value, checksum.valueStart, checksum.valueEnd) : undefined;
    const body = t.slice(rest, ins.argsEnd);
    const argv = execForm(body);
    let sources: Str[];
    if (argv) {
      // Exec form: spans of the JSON strings as written.
      sources = [];
      let at = rest;
      for (const a of argv.slice(0, -1)) {
        const q = t.indexOf('"', at);
        let e = q + 1;
        while (e < ins.argsEnd && t[e] !== '"') e += t[e] === '\\' ? 2 : 1;
        sources.push(this.str(ins, a, q + 1, Math.min(e, ins.argsEnd)));
        at = e + 1;
      }
    } else {
      const words = splitWords(t, rest, ins.argsEnd, this.esc).filter((w) => !/^\d*<</.test(w.raw));
      sources = words.slice(0, -1).map((w) => this.str(ins, unquote(w.raw, this.esc), w.start, w.end));
    }
    for (const src of sources) {
      const kind = GIT_URL.test(src.value) ? 'git' : HTTP_URL.test(src.value) ? 'http' : undefined;
      if (!kind) continue;
      const add: DockerAdd = { kind, url: src, instruction: dins };
      if (checksumStr) add.checksum = checksumStr;
      stage.adds.push(add);
    }
  }

  user(ins: RawInstruction, dins: DockerInstruction, stage: DockerStage): void {
    const raw = ins.line.text.slice(ins.argsStart, ins.argsEnd);
    if (raw === '') {
      this.problem('USER needs a user name or id', dins.keywordSpan);
      return;
    }
    const value = unquote(raw, this.esc);
    stage.user = { value: this.str(ins, value, ins.argsStart, ins.argsEnd), root: isRootUser(value), dynamic: value.includes('$'), stage: stage.index };
  }

  shell(ins: RawInstruction, dins: DockerInstruction, stage: DockerStage): void {
    const argv = execForm(ins.line.text.slice(ins.argsStart, ins.argsEnd));
    if (!argv || argv.length === 0) {
      this.problem('SHELL must be a JSON array of strings (`SHELL ["/bin/bash", "-c"]`)', dins.args.span);
      return;
    }
    stage.shell = { argv, kind: shellKindOf(argv[0]!), span: dins.args.span };
  }

  instruction(ins: RawInstruction): void {
    const keyword = ins.keyword.toUpperCase();
    const t = ins.line.text;
    const { flags } = keyword === 'FROM' || keyword === 'RUN' || keyword === 'COPY' || keyword === 'ADD'
      ? leadingFlags(t, ins.argsStart, ins.argsEnd, this.esc)
      : { flags: [] as Flag[] };
    const keywordSpan = this.span(ins, 0, ins.keywordEnd);
    const argsStart = ins.line.start(ins.argsStart);
    const argsEnd = ins.heredocs.length > 0 ? ins.end : ins.line.end(ins.argsEnd);
    const dins: DockerInstruction = {
      keyword,
      keywordSpan,
      span: this.file.span(ins.start, ins.end),
      args: { value: t.slice(ins.argsStart, ins.argsEnd), span: this.file.span(argsStart, Math.max(argsStart, argsEnd)) },
      flags: this.flagsOf(ins, flags),
      stage: keyword === 'FROM' ? this.stages.length : this.stages.length - 1,
    };
    this.instructions.push(dins);
    if (!DOCKER_INSTRUCTIONS.has(keyword)) {
      this.unknownCount++;
      if (this.unknownCount <= 10) {
        const prev = this.instructions[this.instructions.length - 2];
        const hint = prev?.keyword === 'RUN' && prev.span.endLine === keywordSpan.line - 1 ? ' (is a `\\` missing at the end of the line before?)' : '';
        this.problem(`unknown instruction \`${ins.keyword}\`${hint}`, keywordSpan);
      }
      return;
    }
    if (keyword === 'FROM') {
      this.from(ins, dins);
      return;
    }
    const stage = this.stages[this.stages.length - 1];
    if (!stage) {
      if (keyword === 'ARG') this.arg(ins, undefined);
      else this.beforeFrom.push(dins);
      return;
    }
    stage.instructions.push(dins);
    stage.job.span = this.file.span(stage.job.span.offset, ins.end);
    switch (keyword) {
      case 'ARG':
        this.arg(ins, stage);
        break;
      case 'ENV':
        if (ins.argsStart >= ins.argsEnd) this.problem('ENV needs `name=value`', keywordSpan);
        stage.job.env.push(...this.nameValues(ins, ins.argsStart, ins.argsEnd, 'ENV', { legacy: true, valueRequired: true }));
        break;
      case 'RUN':
        this.run(ins, dins, stage);
        break;
      case 'COPY':
      case 'ADD':
        this.copyOrAdd(ins, dins, stage, keyword);
        break;
      case 'USER':
        this.user(ins, dins, stage);
        break;
      case 'SHELL':
        this.shell(ins, dins, stage);
        break;
      case 'ONBUILD':
        stage.onbuild.push(dins);
        break;
      default:
        break;
    }
  }

  readonly beforeFrom: DockerInstruction[] = [];
}

export function buildDockerfile(file: SourceFile): DockerBuildOutput {
  const lex = lexDockerfile(file);
  const b = new Builder(file);
  b.esc = lex.escape;
  b.problems.push(...lex.problems);
  for (const ins of lex.instructions) b.instruction(ins);
  const unknown = b.instructions.filter((i) => !DOCKER_INSTRUCTIONS.has(i.keyword)).length;
  if (unknown > 10) b.problem(`${unknown - 10} more unknown instructions (is this a Dockerfile?)`, b.instructions.filter((i) => !DOCKER_INSTRUCTIONS.has(i.keyword))[10]!.keywordSpan);

  if (b.instructions.length === 0) {
    b.problem(file.text.trim() === '' ? 'empty Dockerfile' : 'the Dockerfile has no instructions, only comments', file.span(0, 0));
  } else if (b.stages.length === 0) {
    const first = b.instructions.find((i) => DOCKER_INSTRUCTIONS.has(i.keyword)) ?? b.instructions[0]!;
    b.problem('no FROM instruction: a Dockerfile must start a build stage with `FROM image`', first.keywordSpan);
  } else {
    for (const i of b.beforeFrom) b.problem(`\`${i.keyword}\` before the first FROM: only ARG may come before FROM`, i.keywordSpan);
  }
  b.problems.sort((x, y) => x.span.offset - y.span.offset);
  if (b.stages.length === 0) return { pipeline: null, problems: b.problems };

  const stages = b.stages;
  stages[stages.length - 1]!.final = true;
  for (const s of stages) {
    // USER is image configuration: it carries over into stages built on this one. A stage is built only
    // on an earlier one, whose user is already known: walking each chain again was quadratic in its length.
    const user = s.user ?? (s.fromStage !== undefined ? stages[s.fromStage]!.effectiveUser : undefined);
    if (user) s.effectiveUser = user;
    // Stages copied from are dependencies too.
    for (const c of s.copyFrom) {
      if (c.stage === undefined) continue;
      const dep = stages[c.stage]!.job.id.value;
      if (!s.job.needs.some((n) => n.value === dep)) s.job.needs.push({ value: dep, span: c.value.span });
    }
  }
  const pipeline: Pipeline = {
    platform: 'docker',
    kind: 'dockerfile',
    file,
    triggers: [],
    env: [],
    jobs: stages.map((s) => s.job),
    references: b.references.sort((x, y) => x.span.offset - y.span.offset),
    expressions: [],
    inputs: new Map(),
    document: new Document(),
  };
  infoOf.set(pipeline, {
    escape: lex.escape,
    directives: lex.directives.map((d) => ({ name: d.name, value: { value: d.value, span: d.valueSpan }, span: d.span })),
    globalArgs: b.globalArgs,
    stages,
    instructions: b.instructions,
  });
  return { pipeline, problems: b.problems };
}
