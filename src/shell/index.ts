/**
 * The shell model of a pipeline script: parsed once per Script (cached), with
 * template substitutions replaced by same-length placeholders so that every
 * offset in the tree is an offset in `script.text`, and a flat view of the
 * commands that rules query (name, arguments, redirections, pipeline place).
 */
import { findExpressions } from '../expr/parser.js';
import type { Pipeline as PipelineModel, Script, ShellKind } from '../model/pipeline.js';
import type { Command, CompoundCommand, List, Param, Part, Pipeline, Quoting, Redirect, ShellFile, SimpleCommand, Word } from './ast.js';
import { parseShell, parseShellRange } from './parser.js';
import { FileScopedMap } from '../core/file-scoped.js';

export type * from './ast.js';
export { parseShell, wordLiteral } from './parser.js';

/** A simple command with where it stands. */
export interface CommandSite {
  cmd: SimpleCommand;
  pipeline: Pipeline;
  /** Position in the pipeline (0 for the first command). */
  position: number;
  /** Redirections of enclosing groups, loops and blocks (`{ …; } >> "$GITHUB_OUTPUT"`), innermost first. */
  outer: Redirect[];
  /** Inside `$( )`, backticks or `<( )`: its output is text for another command. */
  substituted: boolean;
}

export interface ShellScript {
  file: ShellFile;
  /** Offsets and lengths of template substitutions (placeholders) in the text, in order. */
  templates: { start: number; end: number }[];
  commands: CommandSite[];
  pipelines: Pipeline[];
  /** `for`/`select` loops (their variable takes the listed words' values). */
  loops: CompoundCommand[];
  /**
   * Word parts with their quoting plus comments and heredoc bodies, sorted by
   * start (for `quotingAt`): listed on first use, since only scripts with a
   * finding to place need them and a big workflow's thousand scripts kept
   * 0.75 MB of them.
   */
  leaves: Leaf[] | undefined;
  /** `argv` and `codeWords` of each command asked for: several rules ask for every command. */
  argvs: Map<SimpleCommand, Argv>;
  codeWords: Map<SimpleCommand, readonly CodeWord[]>;
  /** Words read as code, sorted by start (for `codePositionAt`): listed on first use, like `leaves`. */
  codeRanges: CodeRange[] | undefined;
}

interface CodeRange {
  start: number;
  end: number;
  kind: 'command-name' | 'eval';
}

/** An empty script model over a parsed file: every field is filled by walking or on first use. */
function newShellScript(file: ShellFile, templates: { start: number; end: number }[], leaves: Leaf[] | undefined): ShellScript {
  return { file, templates, commands: [], pipelines: [], loops: [], leaves, argvs: new Map(), codeWords: new Map(), codeRanges: undefined };
}

export interface Leaf {
  start: number;
  end: number;
  quoting: Quoting;
}

/** A command's name (wrappers such as `sudo` and `env` skipped) and its arguments. */
export interface Argv {
  readonly name: string | undefined;
  readonly args: readonly Word[];
}

/** Shells whose scripts are read as POSIX/bash. `unknown` is a shell the platform left unnamed, almost always sh. */
export function isPosixShell(shell: ShellKind): boolean {
  return shell === 'bash' || shell === 'sh' || shell === 'unknown';
}

const cache = new FileScopedMap<Script, ShellScript | null>();

/** Whether `shellOf` parses the script (a POSIX shell's), rather than answering undefined. */
export function parsesAsShell(script: Script): boolean {
  return script.kind !== 'github-script' && isPosixShell(script.shell);
}

/** The parsed shell script, or undefined for interpreters that are not a POSIX shell (pwsh, cmd, python …). */
export function shellOf(script: Script): ShellScript | undefined {
  const hit = cache.get(script);
  if (hit !== undefined) return hit ?? undefined;
  const parsed = parsesAsShell(script) ? analyse(script.text, templateRanges(script)) : null;
  cache.set(script, parsed);
  return parsed ?? undefined;
}

const unquoted = new FileScopedMap<Script, string>();

/**
 * Whether a literal word the parse could find (a command name, a subcommand)
 * may be `word`: the script's text with what quote removal drops (quotes,
 * backslashes, line continuations, the `$` of `$'…'`) taken out contains it.
 * Rules that look for given commands ask this first and skip the parse when
 * it says no: two in five scripts name none of the commands any rule looks for.
 */
export function mayContainWord(script: Script, word: RegExp): boolean {
  let text = unquoted.get(script);
  if (text === undefined) unquoted.set(script, (text = script.text.replace(/\\\r?\n/g, '').replace(/['"\\$]/g, '')));
  return word.test(text);
}

/**
 * Forgets the parsed scripts of a file once its file-local rules have run:
 * Kubernetes-style files are kept until the cross-file rules, which read no
 * shell trees, and thousands of retained trees cost a third of a scan's memory.
 */
export function releaseShells(pipelines: readonly PipelineModel[]): void {
  for (const p of pipelines) for (const job of p.jobs) for (const step of job.steps) if (step.script) cache.delete(step.script);
}

/** Template substitutions in a script's text, by the syntaxes its expressions use. */
function templateRanges(script: Script): { start: number; end: number }[] {
  const syntaxes = new Set(script.expressions.map((e) => e.syntax ?? 'gha'));
  const out: { start: number; end: number }[] = [];
  if (syntaxes.has('gha') || script.text.includes('${{')) for (const f of findExpressions(script.text)) out.push({ start: f.start, end: f.end });
  const patterns: RegExp[] = [];
  if (syntaxes.has('gitlab')) patterns.push(/\$\[\[[^\]\n]*\]\]/g);
  if (syntaxes.has('tekton')) patterns.push(/\$\((?:params|context|tasks|workspaces|resources|inputs|outputs|steps|results|tt)\.[^)\n]*\)/g);
  if (syntaxes.has('argo')) patterns.push(/\{\{[^}\n]*\}\}/g);
  for (const re of patterns) for (const m of script.text.matchAll(re)) out.push({ start: m.index, end: m.index + m[0].length });
  return out.sort((a, b) => a.start - b.start);
}

/** Parses shell text whose template substitutions are at `templates`. */
export function analyse(text: string, templates: { start: number; end: number }[] = []): ShellScript {
  let masked = text;
  if (templates.length > 0) {
    const pieces: string[] = [];
    let at = 0;
    for (const t of templates) {
      if (t.start < at) continue;
      pieces.push(text.slice(at, t.start), placeholder(t.end - t.start));
      at = t.end;
    }
    pieces.push(text.slice(at));
    masked = pieces.join('');
  }
  const file = parseShell(masked);
  const s = newShellScript(file, templates, undefined);
  walkList(s, file.root, [], false);
  // Code handed to a shell as a string (`docker exec c bash -c '…'`, `ssh host sh -c "…"`) is read as a script too;
  // its pieces do not change how the outer script quotes text, so it adds no leaves (see leavesOf).
  // Each range is read once, and all of them together at most twice the script's length: nested
  // `sh -c "$(sh -c "$(…)")"` used to re-read the same ranges again and again (a 16 KB step ran out of memory).
  const read = new Set<string>();
  let budget = 2 * masked.length;
  for (let k = 0; k < s.commands.length && k < 5000; k++) {
    const code = inlineCode(s, s.commands[k]!.cmd);
    if (!code) continue;
    const key = `${code.start}:${code.end}`;
    if (read.has(key) || code.end - code.start > budget) continue;
    read.add(key);
    budget -= code.end - code.start;
    walkList(s, parseShellRange(masked, code.start, code.end).root, [], false);
  }
  return s;
}

/** The script's leaves, listed by walking its tree again the first time they are asked for. */
function leavesOf(s: ShellScript): Leaf[] {
  if (s.leaves) return s.leaves;
  // The same walk as analyse's, into a scratch script that collects leaves: the order among leaves
  // that start together (the sort below is stable) stays the walk's.
  const scratch = newShellScript(s.file, s.templates, []);
  walkList(scratch, s.file.root, [], false);
  const leaves = scratch.leaves!;
  for (const c of s.file.comments) leaves.push({ start: c.start, end: c.end, quoting: 'comment' });
  leaves.sort((a, b) => a.start - b.start);
  s.leaves = leaves;
  return leaves;
}

/** An identifier-like run of the same length: a literal to the shell, never an operator. */
function placeholder(length: number): string {
  return length <= 0 ? '' : 'Z'.repeat(length);
}

function walkList(s: ShellScript, list: List, outer: Redirect[], substituted: boolean): void {
  for (const item of list.items) {
    for (const p of item.pipelines) {
      s.pipelines.push(p);
      p.commands.forEach((cmd, position) => walkCommand(s, cmd, p, position, outer, substituted));
    }
  }
}

function walkCommand(s: ShellScript, cmd: Command, pipeline: Pipeline, position: number, outer: Redirect[], substituted: boolean): void {
  if (cmd.type === 'simple') {
    s.commands.push({ cmd, pipeline, position, outer, substituted });
    for (const a of cmd.assignments) {
      if (a.value) walkWord(s, a.value);
      for (const w of a.array ?? []) walkWord(s, w);
    }
    for (const w of cmd.words) walkWord(s, w);
    walkRedirects(s, cmd.redirects);
    return;
  }
  walkCompound(s, cmd, outer, substituted);
}

function walkCompound(s: ShellScript, cmd: CompoundCommand, outer: Redirect[], substituted: boolean): void {
  const inner = cmd.redirects.length > 0 ? [...cmd.redirects, ...outer] : outer;
  if (cmd.kind === 'for' || cmd.kind === 'select') s.loops.push(cmd);
  for (const w of cmd.words) walkWord(s, w);
  walkRedirects(s, cmd.redirects);
  for (const b of cmd.bodies) walkList(s, b, inner, substituted);
}

function walkRedirects(s: ShellScript, redirects: Redirect[]): void {
  for (const r of redirects) {
    if (r.target) walkWord(s, r.target);
    if (r.heredoc) walkParts(s, r.heredoc.parts);
  }
}

function walkWord(s: ShellScript, w: Word): void {
  walkParts(s, w.parts);
}

function walkParts(s: ShellScript, parts: Part[]): void {
  for (const p of parts) {
    switch (p.type) {
      case 'lit':
      case 'arith':
        s.leaves?.push({ start: p.start, end: p.end, quoting: p.quoting });
        break;
      case 'param':
        s.leaves?.push({ start: p.start, end: p.end, quoting: p.quoting });
        if (p.operand) walkParts(s, p.operand);
        break;
      case 'cmdsub':
      case 'procsub':
        walkList(s, p.body, [], true);
        break;
    }
  }
}

/** How the shell reads the text at `offset`: quoting of the innermost piece containing it. */
export function quotingAt(s: ShellScript, offset: number): Quoting | undefined {
  const leaves = leavesOf(s);
  let lo = 0;
  let hi = leaves.length - 1;
  let found: Quoting | undefined;
  // Rightmost leaf starting at or before offset; nested leaves (operands) start later than their parent.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (leaves[mid]!.start <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  for (let k = hi; k >= 0 && k > hi - 64; k--) {
    const leaf = leaves[k]!;
    if (leaf.start <= offset && offset < leaf.end) {
      found = leaf.quoting;
      break;
    }
  }
  return found;
}

const SHELL_NAME = /^(?:ba|da|z|k|mk)?sh$/;

/** The text range of a literal script given to a shell by `-c` anywhere in the command (`docker exec x bash -c '…'`). */
function inlineCode(s: ShellScript, cmd: SimpleCommand): { start: number; end: number } | undefined {
  const words = cmd.words;
  for (let k = 0; k < words.length - 2; k++) {
    const base = staticValue(s, words[k])?.split('/').pop();
    if (!base || !SHELL_NAME.test(base)) continue;
    for (let j = k + 1; j < words.length - 1; j++) {
      const flag = staticValue(s, words[j]) ?? '';
      if (!/^-[a-z]+$/.test(flag)) break;
      if (!flag.includes('c')) continue;
      const code = words[j + 1]!;
      const first = code.parts[0];
      const last = code.parts.at(-1);
      if (!first || !last) return undefined;
      if (code.parts.length === 1 && first.type === 'lit' && first.quoting === 'single') {
        const start = first.start + 1;
        const end = first.end - 1;
        return end > start && s.file.text.slice(start, end) === first.value ? { start, end } : undefined;
      }
      // A double-quoted script: only text written as it reads (no escapes), so offsets stay exact.
      const plain = code.parts.every((p) => (p.type === 'lit' && p.quoting === 'double' && s.file.text.slice(p.start, p.end) === p.value) || (p.type !== 'lit' && p.type !== 'procsub' && p.quoting === 'double'));
      if (!plain || s.file.text[first.start - 1] !== '"' || s.file.text[last.end] !== '"') return undefined;
      const start = first.start;
      const end = last.end;
      return { start, end };
    }
  }
  return undefined;
}

/** Template substitutions overlapping `[start, end)`, found by binary search (scripts may hold thousands). */
export function templatesIn(s: ShellScript, start: number, end: number): { start: number; end: number }[] {
  const ts = s.templates;
  const out: { start: number; end: number }[] = [];
  for (let k = firstTemplateEndingAfter(ts, start); k < ts.length && ts[k]!.start < end; k++) if (ts[k]!.end > start) out.push(ts[k]!);
  return out;
}

/** Index of the first template (sorted, not overlapping) that ends after `offset`. */
function firstTemplateEndingAfter(ts: readonly { start: number; end: number }[], offset: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]!.end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether the word overlaps a template substitution (its value is only known at run time). Asked for every word: no list built. */
export function hasTemplate(s: ShellScript, w: { start: number; end: number }): boolean {
  const ts = s.templates;
  if (ts.length === 0) return false;
  const k = firstTemplateEndingAfter(ts, w.start);
  return k < ts.length && ts[k]!.start < w.end;
}

/** The word's value when it is fixed text (no expansion, no template), else undefined. */
export function staticValue(s: ShellScript, w: Word | undefined): string | undefined {
  if (!w) return undefined;
  let v = '';
  for (const p of w.parts) {
    if (p.type !== 'lit') return undefined;
    v += p.value;
  }
  return hasTemplate(s, w) ? undefined : v;
}

/**
 * Whether a parameter expansion yields its variable's value, whole or in part:
 * `$X`, `${X:-d}`, `${X#v}`, `${X/a/b}`, `${X:0:8}`, `${X@Q}` (its quotes are
 * plain text inside double quotes). Not `${#X}` (a length), `${!X}` (another
 * variable), `${X:+w}` (w), nor a filter that keeps only letters, digits and a
 * few harmless marks (`${X//[^a-zA-Z0-9._-]/}`).
 */
export function expandsValue(s: ShellScript, p: Param): boolean {
  if (/^\$\{[#!]/.test(s.file.text.slice(p.start, p.start + 3))) return false;
  const op = operatorOf(p);
  if (op === undefined) return true;
  if (/^:?\+/.test(op)) return false;
  return !isValueFilter(s, p);
}

/**
 * `${X//[^…]/}` or `${X//[^…]/r}` as written, unquoted and unescaped, whose
 * bracket lets through only safe characters: single ones from SAFE_IN_FILTER,
 * ranges within `0-9`, `A-Z` or `a-z` (`A-z` also spans `` [\]^_` ``), and the
 * classes `[:alnum:]`, `[:alpha:]`, `[:digit:]`, `[:upper:]`, `[:lower:]`.
 */
function isValueFilter(s: ShellScript, p: Param): boolean {
  const parts = p.operand!;
  const raw = s.file.text.slice(parts[0]!.start, parts[parts.length - 1]!.end);
  if (!/^\/\/\[[\^!]/.test(raw)) return false;
  let i = 4;
  if (raw[i] === ']') return false;
  while (i < raw.length && raw[i] !== ']') {
    const cls = /^\[:(alnum|alpha|digit|upper|lower):\]/.exec(raw.slice(i));
    if (cls) {
      i += cls[0].length;
      continue;
    }
    if (raw[i + 1] === '-' && raw[i + 2] !== undefined && raw[i + 2] !== ']') {
      const from = raw[i]!;
      const to = raw[i + 2]!;
      if (!SAFE_RANGES.some(([lo, hi]) => lo <= from && from <= to && to <= hi)) return false;
      i += 3;
      continue;
    }
    if (!SAFE_IN_FILTER.test(raw[i]!)) return false;
    i++;
  }
  // The bracket must close, and what replaces the rest be safe text too.
  return raw[i] === ']' && /^\]\/?[A-Za-z0-9._-]*$/.test(raw.slice(i));
}

const SAFE_IN_FILTER = /^[A-Za-z0-9._,:=+@-]$/;
const SAFE_RANGES: [string, string][] = [['0', '9'], ['A', 'Z'], ['a', 'z']];

/**
 * Whether the expansions in an operand may be the result: a default or
 * alternate (`${X:-$Y}`, `${X:+$Y}`) or a replacement (`${X/a/$Y}`); not a
 * pattern that is taken away (`${X#$P}`, `${X%$P}`) nor an offset.
 */
export function operandMayBeResult(p: Param): boolean {
  const op = operatorOf(p);
  return op !== undefined && /^(:?[-=+?]|\/)/.test(op);
}

/**
 * The operator of `${X<op>…}`, with what follows it up to the first
 * expansion (`:-`, `#`, `//[^a-z]/`, `@Q`, `:0:8`); undefined for `$X`, `${X}`.
 */
function operatorOf(p: Param): string | undefined {
  if (!p.operand) return undefined;
  const head = p.operand[0];
  return head?.type === 'lit' ? head.value : '';
}

/** Wrappers that run their arguments as a command: `sudo -E x`, `env A=b x`, `time x`, `nohup x`. */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'time', 'nohup', 'exec', 'command', 'builtin', 'nice', 'stdbuf', 'timeout']);
/** Options of those wrappers that take a value (`sudo -u user`, `timeout 5m`). */
const WRAPPER_VALUE_OPTS: Record<string, RegExp> = {
  sudo: /^-[ugpCDhrtTU]$/,
  doas: /^-[uC]$/,
  env: /^-[uSC]$/,
  nice: /^-n$/,
  timeout: /^-[sk]$/,
};

/** The command's words after wrappers, and the command's base name (`/usr/bin/bash` → `bash`). */
export function argv(s: ShellScript, cmd: SimpleCommand): Argv {
  let known = s.argvs.get(cmd);
  if (!known) s.argvs.set(cmd, (known = argvOfWords(s, cmd.words)));
  return known;
}

/** `argv` of words that make a command: a simple command's, or the command another one runs (`xargs sh -c …`). */
function argvOfWords(s: ShellScript, words: readonly Word[]): Argv {
  for (let guard = 0; guard < 8 && words.length > 0; guard++) {
    // `$SUDO apt-get …`, `${CONDA_RUN} pip …`: a lone variable in front is a wrapper (or nothing).
    const lone = words[0]!.parts.length === 1 && words[0]!.parts[0]!.type === 'param' && words.length > 1;
    if (lone) {
      words = words.slice(1);
      continue;
    }
    const first = staticValue(s, words[0]);
    const base = first?.split('/').pop();
    if (base === undefined || !WRAPPERS.has(base)) break;
    let k = 1;
    const valued = WRAPPER_VALUE_OPTS[base];
    while (k < words.length) {
      const v = staticValue(s, words[k]) ?? '';
      if (v === '--') {
        k++;
        break;
      }
      if (base === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) k++;
      else if (v.startsWith('-')) k += valued?.test(v) ? 2 : 1;
      else if (base === 'timeout' && /^[0-9.]+[smhd]?$/.test(v)) k++;
      else break;
    }
    words = words.slice(k);
  }
  const name = staticValue(s, words[0])?.split('/').pop();
  return { name, args: words.slice(1) };
}

/** Every redirection that applies to a command: its own, then those of enclosing blocks. */
export function redirectsOf(site: CommandSite): Redirect[] {
  return site.outer.length > 0 ? [...site.cmd.redirects, ...site.outer] : site.cmd.redirects;
}

/** Simple commands inside a list (nested bodies and substitutions included), in source order. */
export function commandsIn(list: List): SimpleCommand[] {
  const s = newShellScript({ text: '', root: list, comments: [], errors: [] }, [], undefined);
  walkList(s, list, [], false);
  return s.commands.map((c) => c.cmd);
}

/** Interpreters that run the argument after one of these options as a program. */
const INLINE_PROGRAM: { name: RegExp; option: RegExp; takesValue?: RegExp; language: string }[] = [
  { name: SHELL_NAME, option: /^-[a-z]*c[a-z]*$/, takesValue: /^[-+][a-zA-Z]*[oO]$/, language: 'shell' },
  { name: /^python[0-9.]*$/, option: /^-[A-Za-z]*c$/, takesValue: /^-[mWX]$/, language: 'Python' },
  { name: /^(node|nodejs)$/, option: /^(-e|--eval|-p|--print)$/, takesValue: /^(-r|--require|--import|--loader|--experimental-loader|--conditions|-C)$/, language: 'JavaScript' },
  { name: /^perl$/, option: /^-[a-zA-Z]*[eE]$/, takesValue: /^-[IMm]$/, language: 'Perl' },
  { name: /^ruby$/, option: /^-[a-zA-Z]*e$/, takesValue: /^-[IrC]$/, language: 'Ruby' },
  { name: /^php$/, option: /^-r$/, takesValue: /^-[cdz]$/, language: 'PHP' },
  { name: /^(pwsh|powershell)$/, option: /^-(c|command)$/i, takesValue: /^-(ExecutionPolicy|ep|WorkingDirectory|wd|OutputFormat|of|InputFormat|if)$/i, language: 'PowerShell' },
];

export interface CodeWord {
  word: Word;
  /** `eval`, or the interpreter that runs the word (`bash -c`, `python -c` …). */
  runner: string;
  language: string;
}

/** Tools that run a command in a container, pod or chroot: the command starts at the first interpreter among their words. */
const CONTAINER_RUNNERS = /^(docker|podman|nerdctl|kubectl|oc|chroot|nsenter)$/;
/** ssh options that take a value. */
const SSH_VALUE_OPTION = /^-[bcDEeFIiJLlmOoPpQRSWw]$/;

/**
 * Words a command runs as a program: `eval`'s arguments, the script of
 * `sh -c`, `python -c`, `node -e` …, the same inside `docker exec c …` or
 * `kubectl exec … --`, and every word of the remote command of `ssh host …`
 * (ssh joins them into a line for the remote shell).
 */
export function codeWords(s: ShellScript, cmd: SimpleCommand): readonly CodeWord[] {
  let known = s.codeWords.get(cmd);
  if (!known) s.codeWords.set(cmd, (known = codeOfCommand(s, cmd.words, '', 0)));
  return known;
}

/** Code words of the command `words` make; `via` names the commands that run it (`xargs … `), for messages. */
function codeOfCommand(s: ShellScript, words: readonly Word[], via: string, depth: number): CodeWord[] {
  const { name, args } = argvOfWords(s, words);
  if (!name || depth > 3) return [];
  if (name === 'eval') return args.map((word) => ({ word, runner: `${via}eval`, language: 'shell' }));
  if (name === 'ssh') {
    for (let k = 0; k < args.length; k++) {
      const v = staticValue(s, args[k]);
      if (v === undefined) return [];
      if (SSH_VALUE_OPTION.test(v)) k++;
      else if (!v.startsWith('-')) return args.slice(k + 1).map((word) => ({ word, runner: `${via}ssh`, language: 'shell' }));
    }
    return [];
  }
  if (CONTAINER_RUNNERS.test(name)) {
    const k = args.findIndex((w) => INLINE_PROGRAM.some((i) => i.name.test(staticValue(s, w)?.split('/').pop() ?? '')));
    const inner = k >= 0 ? staticValue(s, args[k])!.split('/').pop()! : undefined;
    return inner ? interpreterCode(s, inner, args.slice(k + 1), `${via}${name} … `) : [];
  }
  const runs = COMMAND_RUNNERS.get(name);
  if (runs) {
    const out: CodeWord[] = [];
    for (const r of runs(s, args)) {
      if ('code' in r) out.push({ word: r.code, runner: `${via}${name} ${r.option}`, language: 'shell' });
      else out.push(...codeOfCommand(s, r.command, `${via}${name} … `, depth + 1));
    }
    return out;
  }
  return interpreterCode(s, name, args, via);
}

/** What a command hands on: a word a shell runs as a script (`-c CMD`), or the words of a command it runs. */
type HandedOn = { code: Word; option: string } | { command: readonly Word[] };

/**
 * Commands that run another command or a shell script given as a word:
 * `su user -c CMD`, `runuser -u user -- CMD…`, `flock /lock -c CMD` or
 * `flock /lock CMD…`, `xargs [options] CMD…`, `find … -exec CMD… ;`.
 * A variable expanded in that word or command is code again.
 */
const COMMAND_RUNNERS = new Map<string, (s: ShellScript, args: readonly Word[]) => HandedOn[]>(Object.entries({
  su: (s, args) => switchUser(s, args, /^-[sgGw]$|^--(shell|group|supp-group|whitelist-environment)$/),
  runuser: (s, args) => switchUser(s, args, /^-[sgGwu]$|^--(shell|group|supp-group|whitelist-environment|user)$/),
  flock: (s, args) => {
    for (let k = 0; k < args.length; k++) {
      const v = staticValue(s, args[k]);
      if (v === undefined) return [];
      if (/^-[a-zA-Z]*[wE]$|^--(wait|timeout|conflict-exit-code)$/.test(v)) k++;
      else if (v.startsWith('-')) continue;
      else {
        // The lock file or descriptor; then `-c CMD`, or a command.
        const option = staticValue(s, args[k + 1]);
        if (option === '-c' || option === '--command') return args[k + 2] ? [{ code: args[k + 2]!, option }] : [];
        return args.length > k + 1 ? [{ command: args.slice(k + 1) }] : [];
      }
    }
    return [];
  },
  xargs: (s, args) => {
    for (let k = 0; k < args.length; k++) {
      const v = staticValue(s, args[k]);
      if (v === undefined) return [];
      if (v === '--') return args.length > k + 1 ? [{ command: args.slice(k + 1) }] : [];
      // GNU's short and long options that take the next word (`-I {}`, `--max-procs 4`), and BSD's `-J`, `-R`, `-S`.
      if (/^-[ILnPsEdaJRS]$|^--(arg-file|delimiter|max-args|max-procs|max-chars|max-lines|process-slot-var)$/.test(v)) k++;
      else if (!v.startsWith('-')) return [{ command: args.slice(k) }];
    }
    return [];
  },
  find: (s, args) => {
    const out: HandedOn[] = [];
    for (let k = 0; k < args.length; k++) {
      if (!/^-(exec|execdir|ok|okdir)$/.test(staticValue(s, args[k]) ?? '')) continue;
      const end = args.findIndex((w, j) => j > k && /^[;+]$/.test(staticValue(s, w) ?? ''));
      const stop = end < 0 ? args.length : end;
      if (stop > k + 1) out.push({ command: args.slice(k + 1, stop) });
      k = stop;
    }
    return out;
  },
}));

/**
 * `su`/`runuser`: `-c CMD` (also `-lc`, `--command CMD`, `--command=CMD`)
 * hands CMD to the user's shell; `runuser -u user [--] CMD…` runs a command.
 */
function switchUser(s: ShellScript, args: readonly Word[], takesValue: RegExp): HandedOn[] {
  let userOption = false;
  for (let k = 0; k < args.length; k++) {
    const word = args[k]!;
    const v = staticValue(s, word);
    if (v === undefined) {
      // `--command="$CMD"`: the option and its script in one word.
      const head = word.parts[0];
      if (head?.type === 'lit' && /^--(session-)?command=/.test(head.value)) return [{ code: word, option: head.value.slice(0, head.value.indexOf('=')) }];
      continue;
    }
    if (/^-[a-zA-Z]*c$|^--(session-)?command$/.test(v)) return args[k + 1] ? [{ code: args[k + 1]!, option: v }] : [];
    if (v === '--') return userOption && args.length > k + 1 ? [{ command: args.slice(k + 1) }] : [];
    if (takesValue.test(v)) {
      if (v === '-u' || v === '--user') userOption = true;
      k++;
    } else if (/^(-u.|--user=)/.test(v)) userOption = true;
    else if (!v.startsWith('-') && userOption) return [{ command: args.slice(k) }];
  }
  return [];
}

function interpreterCode(s: ShellScript, name: string, args: readonly Word[], via: string): CodeWord[] {
  const inline = INLINE_PROGRAM.find((i) => i.name.test(name));
  if (!inline) return [];
  // Only the interpreter's own options count: they end at the first other word (a script, `-m module`),
  // after which `-c` / `-e` belong to that program (`node deploy.js -e "$ENV"`, `pytest -c cfg`).
  for (let k = 0; k < args.length; k++) {
    const v = staticValue(s, args[k]);
    if (v === undefined || !v.startsWith('-') || v === '-' || v === '--') return [];
    if (inline.option.test(v)) {
      const word = args[k + 1];
      return word ? [{ word, runner: `${via}${name} ${v}`, language: inline.language }] : [];
    }
    if (inline.takesValue?.test(v)) {
      if (inline.language === 'Python' && v === '-m') return [];
      k++;
    }
  }
  return [];
}

const INTERPRETER_NAME = /^(?:(?:ba|z|k|da|fi|mk)?sh|python[0-9.]*|pypy[0-9.]*|perl|ruby|node|php|pwsh)$/;

/** Shells and script interpreters, by base name. */
export function isInterpreter(name: string): boolean {
  return INTERPRETER_NAME.test(name);
}

/** The language an interpreter reads, for messages. */
export function interpreterLanguage(name: string): string {
  return INLINE_PROGRAM.find((i) => i.name.test(name))?.language ?? (/^pypy/.test(name) ? 'Python' : 'shell');
}

/** Whether an interpreter invocation takes its program from standard input (no script file, `-s`, `-`). */
export function interpreterReadsStdin(s: ShellScript, name: string, args: readonly Word[]): boolean {
  const shell = SHELL_NAME.test(name);
  let stdinFlag = false;
  for (const w of args) {
    const v = staticValue(s, w);
    if (v === undefined) return stdinFlag;
    if (v === '-' || v === '/dev/stdin' || v === '/dev/fd/0') return true;
    if (v === '--') return true;
    if (v.startsWith('-') && !v.startsWith('--')) {
      // `-c`/`-e`/`-m` run the argument or a module, not standard input.
      if (shell ? v.includes('c') : /[cem]/.test(v.slice(1, 2))) return false;
      if (v.includes('s') && shell) stdinFlag = true;
      continue;
    }
    if (v.startsWith('--')) continue;
    return stdinFlag;
  }
  return true;
}

/** Words read as code: command names, `eval` arguments, the script of `sh -c`; sorted by start. */
function codeRanges(s: ShellScript): CodeRange[] {
  if (s.codeRanges) return s.codeRanges;
  const out: CodeRange[] = [];
  for (const site of s.commands) {
    const { cmd } = site;
    const first = cmd.words[0];
    if (first) out.push({ start: first.start, end: first.end, kind: 'command-name' });
    for (const c of codeWords(s, cmd)) if (c.language === 'shell') out.push({ start: c.word.start, end: c.word.end, kind: 'eval' });
  }
  out.sort((a, b) => a.start - b.start);
  s.codeRanges = out;
  return out;
}

/**
 * Whether text at `offset` is read as code rather than as an argument: the
 * command name itself, or an argument of `eval`, `sh -c` / `bash -c`.
 */
export function codePositionAt(s: ShellScript, offset: number): 'command-name' | 'eval' | undefined {
  const ranges = codeRanges(s);
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.start <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  // Ranges nest only through substitutions and `sh -c` scripts; being inside code run by `eval`/`sh -c` counts first.
  let found: 'command-name' | 'eval' | undefined;
  for (let k = hi; k >= 0 && k > hi - 16; k--) {
    const r = ranges[k]!;
    if (r.start <= offset && offset < r.end) {
      if (r.kind === 'eval') return 'eval';
      found ??= r.kind;
    }
  }
  return found;
}
