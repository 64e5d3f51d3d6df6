/**
 * Where text goes in a shell script, decided from its structure alone: which
 * commands append to a file named by an environment variable (`>> "$GITHUB_ENV"`,
 * `tee -a "$GITHUB_OUTPUT"`, a group redirected as a whole), what text they
 * write when it can be read statically, and which shell variables carry a
 * value that entered the script from outside (assignments, `read <<<`, loops,
 * command substitutions over text filters).
 */
import type { Lit, Part, Redirect, SimpleCommand, Word } from './ast.js';
import { argv, commandsIn, expandsValue, hasTemplate, operandMayBeResult, redirectsOf, staticValue, templatesIn, type CommandSite, type ShellScript } from './index.js';

/** Redirection operators that send standard output to a file. */
const STDOUT_OPS = new Set(['>', '>>', '>|', '&>', '&>>']);

function expandsVariable(w: Word | undefined, names: ReadonlySet<string>): string | undefined {
  if (!w) return undefined;
  for (const p of w.parts) if (p.type === 'param' && names.has(p.name)) return p.name;
  return undefined;
}

/** The redirection that decides where the command's standard output goes (its own first, then enclosing blocks'). */
function stdoutRedirect(site: CommandSite): Redirect | undefined {
  return redirectsOf(site).find((r) => STDOUT_OPS.has(r.op) && (r.fd === undefined || r.fd === 1));
}

export interface FileWrite {
  /** The variable naming the file (`GITHUB_ENV`). */
  variable: string;
  site: CommandSite;
  /** `>>`-style redirection or `tee`. */
  via: 'redirect' | 'tee';
  /** Lines written, as word parts; undefined when the command's output cannot be known statically. */
  lines: Part[][] | undefined;
}

/** Commands whose standard output is appended to (or written over) a file named by one of `variables`. */
export function fileWrites(s: ShellScript, variables: readonly string[]): FileWrite[] {
  const names = new Set(variables);
  const out: FileWrite[] = [];
  for (const site of s.commands) {
    const r = stdoutRedirect(site);
    const byRedirect = r && !(site.substituted && !site.cmd.redirects.includes(r)) ? expandsVariable(r.target, names) : undefined;
    if (byRedirect) {
      out.push({ variable: byRedirect, site, via: 'redirect', lines: producedLines(s, site) });
      continue;
    }
    const { name, args } = argv(s, site.cmd);
    if (name === 'tee') {
      const target = args.map((w) => expandsVariable(w, names)).find((v) => v !== undefined);
      if (!target) continue;
      const before = site.position > 0 ? site.pipeline.commands[site.position - 1] : undefined;
      const feeder = before?.type === 'simple' ? s.commands.find((c) => c.cmd === before) : undefined;
      out.push({ variable: target, site, via: 'tee', lines: feeder ? producedLines(s, feeder) : undefined });
    }
  }
  return out;
}

const SPACE = (at: number): Lit => ({ type: 'lit', start: at, end: at, value: ' ', quoting: 'none' });

/** Splits parts into lines at the newlines of their literal text. */
function splitLines(parts: Part[]): Part[][] {
  const lines: Part[][] = [[]];
  for (const p of parts) {
    if (p.type !== 'lit' || !p.value.includes('\n')) {
      lines[lines.length - 1]!.push(p);
      continue;
    }
    const pieces = p.value.split('\n');
    pieces.forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece) lines[lines.length - 1]!.push({ ...p, value: piece });
    });
  }
  if (lines.length > 1 && lines[lines.length - 1]!.length === 0) lines.pop();
  return lines;
}

/** The text a command prints, when it is `echo`, `printf` or `cat` of a here-document or here-string. */
export function producedLines(s: ShellScript, site: CommandSite): Part[][] | undefined {
  const { name, args } = argv(s, site.cmd);
  if (name === 'echo') {
    let k = 0;
    while (k < args.length && /^-[neE]+$/.test(staticValue(s, args[k]) ?? '')) k++;
    return [joinWords(args.slice(k))];
  }
  if (name === 'printf') {
    let k = 0;
    if (staticValue(s, args[0]) === '-v') return [];
    if (staticValue(s, args[0]) === '--') k = 1;
    const format = args[k];
    if (!format) return [];
    // `printf 'name=%s\n' "$v"`: the format's text, then the arguments, on one line per format line.
    const parts = format.parts.map((p): Part => (p.type === 'lit' ? { ...p, value: p.value.replace(/\\n/g, '\n').replace(/%[-0-9.]*[sdbq]/g, '') } : p));
    const lines = splitLines(parts);
    const rest = joinWords(args.slice(k + 1));
    if (lines.length === 0) return [rest];
    lines[0]!.push(...rest);
    return lines;
  }
  if (name === 'cat' && args.length === 0) {
    const input = site.cmd.redirects.find((r) => r.op === '<<' || r.op === '<<-' || r.op === '<<<');
    if (input?.heredoc) return splitLines(input.heredoc.parts);
    if (input?.op === '<<<' && input.target) return splitLines(input.target.parts);
  }
  return undefined;
}

function joinWords(words: Word[]): Part[] {
  const out: Part[] = [];
  words.forEach((w, i) => {
    if (i > 0) out.push(SPACE(w.start));
    out.push(...w.parts);
  });
  return out;
}

/** `name=value` or `name<<DELIM` at the start of a written line: the static name and the value's parts. */
export function splitAssignment(line: Part[]): { name: string; value: Part[]; delimiter?: string } | undefined {
  const first = line[0];
  if (!first || first.type !== 'lit') return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_.-]*)(=|<<)/.exec(first.value);
  if (!m) return undefined;
  const rest = first.value.slice(m[0].length);
  const value: Part[] = rest ? [{ ...first, value: rest }, ...line.slice(1)] : line.slice(1);
  if (m[2] === '<<') {
    const delimiter = value.every((p) => p.type === 'lit') ? value.map((p) => (p as Lit).value).join('').trim() : undefined;
    return delimiter ? { name: m[1]!, value: [], delimiter } : undefined;
  }
  return { name: m[1]!, value };
}

/**
 * Name/value pairs written to one file across a script, in order, following
 * the multi-line `name<<DELIM … DELIM` form across commands. `known: false`
 * marks a write whose text could not be read (a `cat file`, a program's output).
 */
export function writtenPairs(writes: FileWrite[]): { name: string; value: Part[]; write: FileWrite }[] {
  const out: { name: string; value: Part[]; write: FileWrite }[] = [];
  let open: { name: string; delimiter: string; value: Part[]; write: FileWrite } | undefined;
  for (const w of writes) {
    for (const line of w.lines ?? []) {
      if (open) {
        const text = line.every((p) => p.type === 'lit') ? line.map((p) => (p as Lit).value).join('') : undefined;
        if (text?.trim() === open.delimiter) {
          out.push({ name: open.name, value: open.value, write: open.write });
          open = undefined;
        } else open.value.push(...line);
        continue;
      }
      const a = splitAssignment(line);
      if (!a) continue;
      if (a.delimiter) open = { name: a.name, delimiter: a.delimiter, value: [], write: w };
      else out.push({ name: a.name, value: a.value, write: w });
    }
  }
  if (open) out.push({ name: open.name, value: open.value, write: open.write });
  return out;
}

/** Programs that pass the text they are given through (filtered, cut, reformatted), so their output carries it. */
const TEXT_FILTERS = new Set([
  'echo', 'printf', 'cat', 'tr', 'head', 'tail', 'awk', 'gawk', 'mawk', 'sed', 'cut', 'jq', 'yq', 'grep', 'egrep', 'sort', 'uniq', 'xargs',
  'rev', 'fold', 'paste', 'column', 'envsubst', 'base64', 'perl', 'iconv', 'fmt', 'tac', 'nl', 'expand', 'sed', 'basename', 'dirname',
]);

/**
 * Shell variables that carry values from outside, given those the script
 * starts with (its environment). Flow-insensitive: a variable is tainted when
 * any assignment taints it, which is sound for the scripts CI runs
 * (assignments rarely clean a value in place).
 *
 * A value is kept once per variable: two that `sameAs` gives one key are one
 * (the first is kept). Every `${{ }}` site makes values of its own, so with
 * identity alone `X="$X ${{ … }}"` on n lines kept n copies of one value and
 * compared each with all the others on every line: cubic (2,000 lines, 14 s).
 */
export class VariableTaint<T> {
  private readonly vars = new Map<string, T[]>();
  /** Keys of each variable's values, made when a value is first added to it. */
  private readonly keysOf = new Map<string, Set<unknown>>();
  private readonly keys = new Map<T, unknown>();
  /** Variables given a value other than fixed text somewhere (or by the environment, `read`, a loop). */
  private readonly computed = new Set<string>();
  private readonly assigned = new Set<string>();

  constructor(
    private readonly s: ShellScript,
    initial: ReadonlyMap<string, T[]>,
    private readonly templateTaint: (start: number, end: number) => T[],
    /** Variables whose value is fixed before the script runs (set by the platform, not by anyone's input). */
    private readonly fixedVariable: (name: string) => boolean = () => false,
    /** What makes two values the same for every reader of them; by default, being the same object. */
    private readonly sameAs: (t: T) => unknown = (t) => t,
  ) {
    for (const [k, v] of initial) {
      this.computed.add(k);
      if (v.length > 0) this.vars.set(k, [...v]);
    }
    // Two passes reach values copied through one variable into another defined earlier in the text (loops).
    for (let pass = 0; pass < 2; pass++) this.propagate();
  }

  of(name: string): T[] {
    return this.vars.get(name) ?? [];
  }

  /** Whether the script only ever sets the variable to fixed text (and the environment does not set it). */
  isConstant(name: string): boolean {
    return this.fixedVariable(name) || (this.assigned.has(name) && !this.computed.has(name));
  }

  private note(name: string, parts: Part[] | undefined): void {
    this.assigned.add(name);
    const fixed = parts !== undefined && parts.every((p) => (p.type === 'lit' && !hasTemplate(this.s, p)) || (p.type === 'param' && this.isConstant(p.name) && !p.operand?.some((o) => o.type !== 'lit')));
    if (!fixed) this.computed.add(name);
  }

  private add(name: string, taints: T[]): void {
    if (taints.length === 0) return;
    const cur = this.vars.get(name) ?? [];
    let seen = this.keysOf.get(name);
    if (!seen) this.keysOf.set(name, (seen = new Set(cur.map((t) => this.keyOf(t)))));
    for (const t of taints) {
      const key = this.keyOf(t);
      if (seen.has(key)) continue;
      seen.add(key);
      cur.push(t);
    }
    this.vars.set(name, cur);
  }

  private keyOf(t: T): unknown {
    let key = this.keys.get(t);
    if (key === undefined) this.keys.set(t, (key = this.sameAs(t)));
    return key;
  }

  private propagate(): void {
    for (const site of this.s.commands) {
      const cmd = site.cmd;
      for (const a of cmd.assignments) {
        this.note(a.name, a.array ? a.array.flatMap((w) => w.parts) : (a.value?.parts ?? []));
        if (a.value) this.add(a.name, this.parts(a.value.parts));
        for (const w of a.array ?? []) this.add(a.name, this.parts(w.parts));
      }
      const { name, args } = argv(this.s, cmd);
      if (name === 'export' || name === 'local' || name === 'declare' || name === 'typeset' || name === 'readonly') {
        for (const w of args) {
          const a = splitAssignment(w.parts);
          if (a) {
            this.note(a.name, a.value);
            this.add(a.name, this.parts(a.value));
          }
        }
      }
      if (name === 'read' || name === 'mapfile' || name === 'readarray') this.readInto(cmd, args);
      if (name === 'printf') this.printfInto(args);
    }
    for (const loop of this.s.loops) {
      const [v, ...items] = loop.words;
      const name = staticValue(this.s, v);
      if (name) this.note(name, items.flatMap((w) => w.parts));
      if (name) for (const w of items) this.add(name, this.parts(w.parts));
    }
  }

  /** `read -r a b <<< "$x"`, `mapfile -t arr <<< "$x"`: the names take the input's taint. */
  private readInto(cmd: SimpleCommand, args: readonly Word[]): void {
    const input = cmd.redirects.find((r) => r.op === '<<<' || r.heredoc);
    const from = input?.heredoc ? this.parts(input.heredoc.parts) : input?.target ? this.parts(input.target.parts) : [];
    for (let k = 0; k < args.length; k++) {
      const v = staticValue(this.s, args[k]) ?? '';
      if (/^-[a-zA-Z]*[dpnNtuCcsO]$/.test(v) && !/^-[rsa]+$/.test(v)) k++;
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
        this.note(v, undefined);
        this.add(v, from);
      }
    }
  }

  /** `printf -v NAME FORMAT ARGS…`: NAME takes what the format and its arguments carry. */
  private printfInto(args: readonly Word[]): void {
    if (staticValue(this.s, args[0]) !== '-v' || args.length < 3) return;
    const target = staticValue(this.s, args[1]);
    // `printf -v 'arr[i]'` writes an element: the array takes the taint.
    const name = target === undefined ? undefined : /^([A-Za-z_][A-Za-z0-9_]*)(?:\[.*\])?$/.exec(target)?.[1];
    if (!name) return;
    const rest = args.slice(2);
    this.note(name, rest.flatMap((w) => w.parts));
    // `printf -v q '%q' "$X"` quotes the value for the shell: the way to hand it to `eval` safely.
    if (quotesEveryArgument(this.s, rest)) return;
    for (const w of rest) this.add(name, this.parts(w.parts));
  }

  /** The outside values that word parts can carry. */
  parts(parts: Part[]): T[] {
    const out: T[] = [];
    const seen = new Set<unknown>();
    const push = (ts: T[]) => {
      for (const t of ts) {
        const key = this.keyOf(t);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(t);
      }
    };
    for (const p of parts) {
      switch (p.type) {
        case 'lit':
          for (const t of templatesIn(this.s, p.start, p.end)) push(this.templateTaint(t.start, t.end));
          break;
        case 'param':
          if (expandsValue(this.s, p)) push(this.of(p.name));
          if (operandMayBeResult(p)) push(this.parts(p.operand!));
          break;
        case 'cmdsub': {
          const inner = commandsIn(p.body);
          if (inner.length === 0 || !inner.every((c) => TEXT_FILTERS.has(argv(this.s, c).name ?? ''))) break;
          for (const c of inner) {
            // `$(printf '%q' "$X")`: quoted for the shell, as `printf -v` above.
            const { name, args } = argv(this.s, c);
            if (name === 'printf' && quotesEveryArgument(this.s, args)) continue;
            for (const w of c.words) push(this.parts(w.parts));
            for (const r of c.redirects) {
              if (r.heredoc) push(this.parts(r.heredoc.parts));
              else if (r.op === '<<<' && r.target) push(this.parts(r.target.parts));
            }
          }
          break;
        }
        default:
          break;
      }
    }
    return out;
  }
}

/**
 * Whether `printf FORMAT ARGS…` prints every argument through `%q` (quoted
 * for the shell): a fixed format whose only conversions are `%q` (and `%%`).
 */
export function quotesEveryArgument(s: ShellScript, args: readonly Word[]): boolean {
  const format = staticValue(s, args[0]);
  if (format === undefined) return false;
  let conversions = 0;
  for (const m of format.matchAll(/%(%|[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+))?([a-zA-Z]|\(.*?\)[a-zA-Z]))/g)) {
    if (m[1] === '%') continue;
    if (m[2] !== 'q') return false;
    conversions++;
  }
  return conversions > 0;
}
