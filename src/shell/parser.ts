/**
 * A tolerant recursive-descent parser for POSIX sh and the bash syntax CI
 * scripts use: words with their quoting, parameter expansions, `$( )` and
 * backtick substitutions, process substitution, pipelines, `&& || ; &`
 * lists, redirections with here-documents, subshells, groups, if/for/while/
 * until/case/select, functions, `[[ ]]` and `(( ))`, comments.
 *
 * It never throws: whatever it cannot read is skipped and noted in `errors`,
 * so a script broken by a template substitution still yields its commands.
 * One pass over the text; nesting deeper than MAX_DEPTH is kept as literal
 * text instead of being parsed (hostile input cannot exhaust the stack).
 */
import type {
  AndOr, Arith, Assignment, CmdSub, Command, Comment, CompoundCommand, CompoundKind, Heredoc, List, Lit, Param, Part, Pipeline,
  ProcSub, Quoting, Redirect, ShellFile, SimpleCommand, Word,
} from './ast.js';
import { fit } from '../core/fit.js';

const MAX_DEPTH = 64;

/** Characters that end an unquoted word. */
function isMeta(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>' || c === '(' || c === ')';
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

interface PendingHeredoc {
  heredoc: Heredoc;
}

class Parser {
  private i = 0;
  private depth = 0;
  private pending: PendingHeredoc[] = [];
  readonly comments: Comment[] = [];
  readonly errors: { offset: number; message: string }[] = [];

  constructor(private readonly s: string, private end: number) {}

  private c(k = 0): string | undefined {
    const j = this.i + k;
    return j < this.end ? this.s[j] : undefined;
  }

  private startsWith(t: string): boolean {
    return this.s.startsWith(t, this.i) && this.i + t.length <= this.end;
  }

  private error(message: string, offset = this.i): void {
    if (this.errors.length < 100) this.errors.push({ offset, message });
  }

  /** Spaces, tabs and backslash-newline continuations. */
  private blanks(): void {
    for (;;) {
      const ch = this.c();
      if (ch === ' ' || ch === '\t' || ch === '\r') this.i++;
      else if (ch === '\\' && this.c(1) === '\n') this.i += 2;
      else if (ch === '\\' && this.c(1) === '\r' && this.c(2) === '\n') this.i += 3;
      else return;
    }
  }

  private comment(): void {
    const start = this.i;
    while (this.i < this.end && this.s[this.i] !== '\n') this.i++;
    this.comments.push({ start, end: this.i });
  }

  /** A newline token: here-document bodies start on the next line. */
  private newline(): void {
    this.i++;
    if (this.pending.length > 0) this.readHeredocs();
  }

  /** Blanks, comments, newlines and `;` between commands (`;` only when `semis`). */
  private separators(semis: boolean): void {
    for (;;) {
      this.blanks();
      const ch = this.c();
      if (ch === '\n') this.newline();
      else if (ch === '#') this.comment();
      else if (semis && ch === ';' && this.c(1) !== ';' && this.c(1) !== '&') this.i++;
      else return;
    }
  }

  /** The unquoted reserved word at the cursor, if one stands there. */
  private reserved(): string | undefined {
    // Called several times per command: compared in place, without slicing or a regex match.
    const s = this.s;
    const i = this.i;
    if (i >= this.end) return undefined;
    const c = s.charCodeAt(i);
    let len = 0;
    if (c === 123 /* { */ || c === 125 /* } */ || c === 33 /* ! */) len = 1;
    else if (c === 91 /* [ */ && i + 1 < this.end && s.charCodeAt(i + 1) === 91) len = 2;
    else while (i + len < this.end && len <= LONGEST_RESERVED && isLowerAscii(s.charCodeAt(i + len))) len++;
    if (len === 0 || len > LONGEST_RESERVED) return undefined;
    // Reserved words stand alone: `{a,b}`, `[[x` and `done2` are ordinary words.
    if (i + len < this.end && !isMeta(s[i + len])) return undefined;
    const words = RESERVED_BY_LENGTH[len]!;
    for (let k = 0; k < words.length; k++) if (s.startsWith(words[k]!, i)) return words[k];
    return undefined;
  }

  parseList(stopWords: ReadonlySet<string>, stopChar: string | undefined): List {
    const start = this.i;
    const items: AndOr[] = [];
    for (;;) {
      this.separators(true);
      const at = this.i;
      if (this.i >= this.end) break;
      const ch = this.c();
      if (stopChar !== undefined && ch === stopChar) break;
      if (ch === ';' && (this.c(1) === ';' || this.c(1) === '&')) {
        if (stopWords.has(';;')) break;
        this.error('unexpected `;;`');
        this.i += 2;
        continue;
      }
      const word = this.reserved();
      if (word !== undefined && stopWords.has(word)) break;
      const item = this.andOr(stopWords, stopChar);
      if (item) items.push(item);
      if (this.i === at) {
        // Nothing could be read here (a stray `)` or `}`): skip it rather than loop.
        this.error(`unexpected \`${ch}\``);
        this.i++;
      }
    }
    return { type: 'list', start, end: this.i, items: fit(items) };
  }

  private andOr(stopWords: ReadonlySet<string>, stopChar: string | undefined): AndOr | undefined {
    const start = this.i;
    const pipelines: Pipeline[] = [];
    const ops: ('&&' | '||')[] = [];
    let background = false;
    for (;;) {
      const p = this.pipeline(stopWords, stopChar);
      if (!p) break;
      pipelines.push(p);
      this.blanks();
      if (this.startsWith('&&') || this.startsWith('||')) {
        ops.push(this.s.slice(this.i, this.i + 2) as '&&' | '||');
        this.i += 2;
        this.separators(false);
        continue;
      }
      if (this.c() === '&' && this.c(1) !== '>') {
        background = true;
        this.i++;
      }
      break;
    }
    if (pipelines.length === 0) return undefined;
    if (ops.length >= pipelines.length) ops.length = pipelines.length - 1;
    return { type: 'andor', start, end: this.i, pipelines: fit(pipelines), ops: fit(ops), background };
  }

  private pipeline(stopWords: ReadonlySet<string>, stopChar: string | undefined): Pipeline | undefined {
    this.blanks();
    const start = this.i;
    let negated = false;
    if (this.reserved() === '!') {
      negated = true;
      this.i++;
      this.blanks();
    }
    if (this.reserved() === 'time') {
      this.i += 4;
      this.blanks();
    }
    const commands: Command[] = [];
    for (;;) {
      const ch = this.c();
      if (ch === undefined || ch === '\n' || ch === ';' || ch === '&' || ch === ')' || ch === '|' || (stopChar !== undefined && ch === stopChar)) break;
      const word = this.reserved();
      if (word !== undefined && stopWords.has(word)) break;
      const at = this.i;
      const cmd = this.command(stopWords);
      if (cmd) commands.push(cmd);
      this.blanks();
      if (this.i === at) break;
      if (this.c() === '|' && this.c(1) !== '|') {
        this.i += this.c(1) === '&' ? 2 : 1;
        this.separators(false);
        continue;
      }
      break;
    }
    if (commands.length === 0 && !negated) return undefined;
    return { type: 'pipeline', start, end: this.i, negated, commands: fit(commands) };
  }

  private command(stopWords: ReadonlySet<string>): Command | undefined {
    const word = this.reserved();
    const start = this.i;
    if (this.depth >= MAX_DEPTH) return this.opaque();
    this.depth++;
    try {
      if (this.startsWith('((')) return this.arithCommand();
      if (this.c() === '(') {
        this.i++;
        const body = this.parseList(NO_WORDS, ')');
        this.expect(')');
        return this.finishCompound('subshell', start, [body], []);
      }
      switch (word) {
        case '{': {
          this.i++;
          const body = this.parseList(CLOSE_BRACE, undefined);
          this.expectWord('}');
          return this.finishCompound('group', start, [body], []);
        }
        case 'if':
          return this.ifCommand(start);
        case 'while':
        case 'until': {
          this.i += word.length;
          const cond = this.parseList(DO, undefined);
          this.expectWord('do');
          const body = this.parseList(DONE, undefined);
          this.expectWord('done');
          return this.finishCompound(word, start, [cond, body], []);
        }
        case 'for':
        case 'select':
          return this.forCommand(word, start);
        case 'case':
          return this.caseCommand(start);
        case 'function':
          return this.functionCommand(start);
        case '[[':
          return this.condCommand(start);
        default:
          break;
      }
      if (word !== undefined && stopWords.has(word)) return undefined;
      return this.simpleCommand();
    } finally {
      this.depth--;
    }
  }

  /** Beyond the nesting limit: the rest of the line as one literal word. */
  private opaque(): SimpleCommand {
    const start = this.i;
    while (this.i < this.end && this.s[this.i] !== '\n') this.i++;
    this.error('nesting too deep', start);
    const lit: Lit = { type: 'lit', start, end: this.i, value: this.s.slice(start, this.i), quoting: 'none' };
    return { type: 'simple', start, end: this.i, assignments: [], words: [{ start, end: this.i, parts: [lit] }], redirects: [] };
  }

  private expect(ch: string): void {
    if (this.c() === ch) this.i++;
    else this.error(`expected \`${ch}\``);
  }

  private expectWord(w: string): void {
    this.separators(true);
    if (this.reserved() === w) this.i += w.length;
    else this.error(`expected \`${w}\``);
  }

  private finishCompound(kind: CompoundKind, start: number, bodies: List[], words: Word[]): CompoundCommand {
    const redirects: Redirect[] = [];
    for (;;) {
      this.blanks();
      const r = this.redirect();
      if (!r) break;
      redirects.push(r);
    }
    return { type: 'compound', kind, start, end: this.i, bodies, words, redirects };
  }

  private ifCommand(start: number): CompoundCommand {
    this.i += 2;
    const bodies: List[] = [this.parseList(THEN, undefined)];
    this.expectWord('then');
    bodies.push(this.parseList(IF_BRANCH, undefined));
    for (;;) {
      this.separators(true);
      const w = this.reserved();
      if (w === 'elif') {
        this.i += 4;
        bodies.push(this.parseList(THEN, undefined));
        this.expectWord('then');
        bodies.push(this.parseList(IF_BRANCH, undefined));
      } else if (w === 'else') {
        this.i += 4;
        bodies.push(this.parseList(FI, undefined));
      } else break;
    }
    this.expectWord('fi');
    return this.finishCompound('if', start, bodies, []);
  }

  private forCommand(kind: 'for' | 'select', start: number): CompoundCommand {
    this.i += kind.length;
    this.blanks();
    const words: Word[] = [];
    if (this.startsWith('((')) {
      this.arithText();
    } else {
      const name = this.word();
      if (name) words.push(name);
      this.separators(false);
      if (this.reserved() === 'in') {
        this.i += 2;
        for (;;) {
          this.blanks();
          const ch = this.c();
          if (ch === undefined || ch === '\n' || ch === ';' || ch === '#') break;
          const w = this.word();
          if (!w) break;
          words.push(w);
        }
      }
    }
    this.separators(true);
    let body: List;
    if (this.reserved() === '{') {
      this.i++;
      body = this.parseList(CLOSE_BRACE, undefined);
      this.expectWord('}');
    } else {
      this.expectWord('do');
      body = this.parseList(DONE, undefined);
      this.expectWord('done');
    }
    return this.finishCompound(kind, start, [body], words);
  }

  private caseCommand(start: number): CompoundCommand {
    this.i += 4;
    this.blanks();
    const words: Word[] = [];
    const subject = this.word();
    if (subject) words.push(subject);
    this.separators(false);
    if (this.reserved() === 'in') this.i += 2;
    else this.error('expected `in`');
    const bodies: List[] = [];
    for (;;) {
      this.separators(true);
      if (this.i >= this.end) break;
      if (this.reserved() === 'esac') break;
      if (this.c() === '(') this.i++;
      // Patterns: words separated by `|`, closed by `)`.
      for (;;) {
        this.blanks();
        const w = this.word();
        if (w) words.push(w);
        this.blanks();
        if (this.c() === '|') {
          this.i++;
          continue;
        }
        break;
      }
      if (this.c() !== ')') {
        this.error('expected `)` after a case pattern');
        // Resynchronise at the end of the line.
        while (this.i < this.end && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      this.i++;
      bodies.push(this.parseList(CASE_ARM, undefined));
      this.blanks();
      if (this.startsWith(';;&')) this.i += 3;
      else if (this.startsWith(';;') || this.startsWith(';&')) this.i += 2;
    }
    this.expectWord('esac');
    return this.finishCompound('case', start, bodies, words);
  }

  private functionCommand(start: number): CompoundCommand {
    this.i += 8;
    this.blanks();
    const words: Word[] = [];
    const name = this.word();
    if (name) words.push(name);
    this.blanks();
    if (this.startsWith('()')) this.i += 2;
    return this.functionBody(start, words);
  }

  private functionBody(start: number, words: Word[]): CompoundCommand {
    this.separators(false);
    const body = this.command(NO_WORDS);
    const list: List = { type: 'list', start: body?.start ?? this.i, end: this.i, items: [] };
    if (body) list.items.push({ type: 'andor', start: body.start, end: body.end, ops: [], background: false, pipelines: [{ type: 'pipeline', start: body.start, end: body.end, negated: false, commands: [body] }] });
    return { type: 'compound', kind: 'function', start, end: this.i, bodies: [list], words, redirects: [] };
  }

  /** `[[ … ]]`: operands are words; `&& || ! ( ) < >` are operators here, not shell syntax. */
  private condCommand(start: number): CompoundCommand {
    this.i += 2;
    const words: Word[] = [];
    for (;;) {
      this.blanks();
      if (this.i >= this.end) {
        this.error('unterminated `[[`');
        break;
      }
      if (this.startsWith(']]') && isMeta(this.s[this.i + 2])) {
        this.i += 2;
        break;
      }
      const ch = this.c()!;
      if (ch === '\n') {
        this.newline();
        continue;
      }
      if (this.startsWith('&&') || this.startsWith('||')) {
        this.i += 2;
        continue;
      }
      if (ch === '(' || ch === ')' || ch === '<' || ch === '>' || ch === '!' || ch === ';' || ch === '&' || ch === '|') {
        this.i++;
        continue;
      }
      const w = this.word(true);
      if (w) words.push(w);
      else this.i++;
    }
    return this.finishCompound('cond', start, [], words);
  }

  private arithCommand(): CompoundCommand {
    const start = this.i;
    this.arithText();
    return this.finishCompound('arith', start, [], []);
  }

  /** Skips `(( … ))` (cursor on the first `(`); returns the end. */
  private arithText(): number {
    let depth = 0;
    const start = this.i;
    while (this.i < this.end) {
      const ch = this.s[this.i]!;
      if (ch === '(') depth++;
      else if (ch === ')') {
        depth--;
        if (depth === 0) {
          this.i++;
          return this.i;
        }
      } else if (ch === '\n' && depth <= 0) break;
      this.i++;
    }
    this.error('unterminated arithmetic', start);
    return this.i;
  }

  private simpleCommand(): SimpleCommand | CompoundCommand | undefined {
    const start = this.i;
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      this.blanks();
      const ch = this.c();
      if (ch === undefined || ch === '\n' || ch === ';' || ch === '|' || ch === ')') break;
      if (ch === '&' && this.c(1) !== '>') break;
      if (ch === '#') break;
      const r = this.redirect();
      if (r) {
        redirects.push(r);
        continue;
      }
      const fn = ch === '(' && words.length === 1 && assignments.length === 0 ? /^\([ \t]*\)/.exec(this.s.slice(this.i, Math.min(this.end, this.i + 64))) : null;
      if (fn) {
        // `name() { … }`
        this.i += fn[0].length;
        return this.functionBody(start, words);
      }
      if (ch === '(') {
        this.error('unexpected `(`');
        this.i++;
        continue;
      }
      if (words.length === 0) {
        const a = this.assignment();
        if (a) {
          assignments.push(a);
          continue;
        }
      }
      const at = this.i;
      const w = this.word();
      if (w) words.push(w);
      if (this.i === at) break;
    }
    if (assignments.length === 0 && words.length === 0 && redirects.length === 0) return undefined;
    return { type: 'simple', start, end: this.i, assignments: fit(assignments), words: fit(words), redirects: fit(redirects) };
  }

  private assignment(): Assignment | undefined {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]\n]*\])?(\+?)=/.exec(this.s.slice(this.i, Math.min(this.end, this.i + 256)));
    if (!m) return undefined;
    const start = this.i;
    this.i += m[0].length;
    const a: Assignment = { start, end: this.i, name: m[1]!, append: m[3] === '+' };
    if (this.c() === '(') {
      this.i++;
      const items: Word[] = [];
      for (;;) {
        this.separators(false);
        const ch = this.c();
        if (ch === undefined) break;
        if (ch === ')') {
          this.i++;
          break;
        }
        const w = this.word();
        if (w) items.push(w);
        else this.i++;
      }
      a.array = items;
    } else if (!isMeta(this.c())) {
      const w = this.word();
      if (w) a.value = w;
    }
    a.end = this.i;
    return a;
  }

  private redirect(): Redirect | undefined {
    const m = /^([0-9]{1,4}|\{[A-Za-z_][A-Za-z0-9_]*\})?(<<<|<<-|<<|&>>|&>|>>|>&|<&|>\||<>|>|<)/.exec(this.s.slice(this.i, Math.min(this.end, this.i + 16)));
    if (!m) return undefined;
    // `<(` and `>(` are process substitutions, words.
    if (!m[1] && (m[2] === '<' || m[2] === '>') && this.s[this.i + 1] === '(') return undefined;
    const start = this.i;
    this.i += m[0].length;
    const r: Redirect = { start, end: this.i, op: m[2]! };
    if (m[1] && /^[0-9]/.test(m[1])) r.fd = Number(m[1]);
    this.blanks();
    if (r.op === '<<' || r.op === '<<-') {
      const w = this.word();
      if (w) r.target = w;
      const raw = w ? this.s.slice(w.start, w.end) : '';
      const heredoc: Heredoc = {
        delimiter: w ? wordLiteral(w) : '',
        quoted: /['"\\]/.test(raw),
        stripTabs: r.op === '<<-',
        bodyStart: this.i,
        bodyEnd: this.i,
        parts: [],
      };
      r.heredoc = heredoc;
      this.pending.push({ heredoc });
    } else if (!((r.op === '>&' || r.op === '<&') && this.c() === '-')) {
      const w = this.word();
      if (w) r.target = w;
    } else this.i++;
    r.end = this.i;
    return r;
  }

  /** Reads the bodies of the here-documents opened on the line just ended. */
  private readHeredocs(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { heredoc } of pending) {
      heredoc.bodyStart = this.i;
      let bodyEnd = this.end;
      let next = this.end;
      while (this.i < this.end) {
        let nl = this.s.indexOf('\n', this.i);
        if (nl < 0 || nl > this.end) nl = this.end;
        let line = this.s.slice(this.i, nl);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
        if (line === heredoc.delimiter) {
          bodyEnd = this.i;
          next = Math.min(this.end, nl + 1);
          break;
        }
        this.i = nl + 1;
      }
      if (this.i >= this.end) {
        bodyEnd = this.end;
        next = this.end;
        this.error('here-document not terminated', heredoc.bodyStart);
      }
      heredoc.bodyEnd = Math.max(heredoc.bodyStart, bodyEnd);
      if (heredoc.quoted) {
        heredoc.parts = [{ type: 'lit', start: heredoc.bodyStart, end: heredoc.bodyEnd, value: this.s.slice(heredoc.bodyStart, heredoc.bodyEnd), quoting: 'heredoc-quoted' }];
      } else {
        const saveEnd = this.end;
        this.i = heredoc.bodyStart;
        this.end = heredoc.bodyEnd;
        heredoc.parts = this.parts('heredoc', undefined);
        this.end = saveEnd;
      }
      this.i = next;
    }
  }

  /**
   * One word, or undefined when none starts at the cursor. `cond` keeps
   * `<`/`>`/`(` from starting a process substitution inside `[[ ]]`.
   */
  word(cond = false): Word | undefined {
    const start = this.i;
    const parts = this.parts('none', cond ? 'cond' : 'word');
    if (this.i === start) return undefined;
    return { start, end: this.i, parts: fit(parts) };
  }

  /**
   * Word parts until the context ends: an unquoted metacharacter (`word`),
   * the closing `"` (`double`), the end of the region (`heredoc`), or `}`
   * (`brace`, the operand of `${x:-…}`).
   */
  private parts(quoting: Quoting, mode: 'word' | 'cond' | 'brace' | undefined): Part[] {
    const out: Part[] = [];
    let litStart = this.i;
    // The literal so far is `lit` plus the source from `run` to the cursor: text written as it reads is
    // sliced once, not appended a character at a time (which built a string per character).
    let lit = '';
    let run = this.i;
    const take = (end: number) => {
      if (end > run) lit += this.s.slice(run, end);
    };
    const flush = (end: number) => {
      take(end);
      if (end > litStart) out.push({ type: 'lit', start: litStart, end, value: lit, quoting });
      lit = '';
    };
    const inWord = mode === 'word' || mode === 'cond';
    while (this.i < this.end) {
      const ch = this.s[this.i]!;
      if (inWord && isMeta(ch)) {
        // Process substitution, or bash extended globs like `@(a|b)`.
        if ((ch === '<' || ch === '>') && this.s[this.i + 1] === '(' && !(mode === 'cond')) {
          flush(this.i);
          out.push(this.procSub());
          litStart = run = this.i;
          continue;
        }
        if (ch === '(' && this.i > litStart && /[?*+@!]/.test(this.s[this.i - 1]!)) {
          // Kept as written: the run goes on past it.
          this.i = this.balancedParen(this.i);
          continue;
        }
        break;
      }
      if (mode === 'brace' && ch === '}') break;
      if (quoting === 'double' && ch === '"') break;
      if (ch === '\\') {
        const next = this.s[this.i + 1];
        if (this.i + 1 >= this.end) {
          this.i++;
          continue;
        }
        if (next === '\n') {
          // A line continuation is no text.
          take(this.i);
          this.i += 2;
          run = this.i;
          continue;
        }
        if (quoting === 'none' || next === '$' || next === '`' || next === '\\' || (quoting === 'double' && next === '"')) {
          // The backslash goes, the character stays.
          take(this.i);
          lit += next;
          this.i += 2;
          run = this.i;
        } else this.i += 2;
        continue;
      }
      if (ch === '$') {
        if (quoting === 'none' && this.s[this.i + 1] === '"' && this.i + 1 < this.end) {
          // Locale quoting `$"…"` reads as double quotes.
          flush(this.i);
          this.i++;
          litStart = run = this.i;
          continue;
        }
        const exp = this.dollar(quoting);
        if (exp) {
          flush(exp.start);
          out.push(exp);
          litStart = run = this.i;
          continue;
        }
        this.i++;
        continue;
      }
      if (ch === '`') {
        flush(this.i);
        out.push(this.backtick(quoting));
        litStart = run = this.i;
        continue;
      }
      if (quoting === 'none' && ch === "'") {
        flush(this.i);
        const start = this.i;
        let close = this.s.indexOf("'", this.i + 1);
        if (close < 0 || close >= this.end) {
          this.error('unterminated single quote', start);
          close = this.end;
        }
        out.push({ type: 'lit', start, end: Math.min(this.end, close + 1), value: this.s.slice(start + 1, close), quoting: 'single' });
        this.i = Math.min(this.end, close + 1);
        litStart = run = this.i;
        continue;
      }
      if (quoting === 'none' && ch === '"') {
        flush(this.i);
        const start = this.i;
        this.i++;
        const inner = this.parts('double', undefined);
        if (this.c() === '"') this.i++;
        else this.error('unterminated double quote', start);
        // An empty "" still makes a (empty) word.
        if (inner.length === 0) out.push({ type: 'lit', start, end: this.i, value: '', quoting: 'double' });
        else out.push(...inner);
        litStart = run = this.i;
        continue;
      }
      // Any other character (a newline inside double quotes or a here-document included) is text as written.
      this.i++;
    }
    flush(this.i);
    return out;
  }

  /** Index after the `)` matching the `(` at `from` (quotes respected), or the line end. */
  private balancedParen(from: number): number {
    let depth = 0;
    for (let j = from; j < this.end; j++) {
      const ch = this.s[j];
      if (ch === '\\') j++;
      else if (ch === '(') depth++;
      else if (ch === ')') {
        depth--;
        if (depth === 0) return j + 1;
      } else if (ch === '\n') return j;
    }
    return this.end;
  }

  private dollar(quoting: Quoting): Part | undefined {
    const start = this.i;
    const next = this.s[this.i + 1];
    if (this.i + 1 >= this.end) return undefined;
    if (next === '(') {
      if (this.s[this.i + 2] === '(') {
        const arithEnd = this.arithEnd(this.i + 1);
        if (arithEnd !== undefined) {
          this.i = arithEnd;
          return { type: 'arith', start, end: this.i, quoting } satisfies Arith;
        }
      }
      this.i += 2;
      const body = this.nestedList(() => this.parseList(NO_WORDS, ')'));
      if (this.c() === ')') this.i++;
      else this.error('unterminated `$(`', start);
      return { type: 'cmdsub', start, end: this.i, body, quoting, backtick: false } satisfies CmdSub;
    }
    if (next === '{') {
      this.i += 2;
      const nameMatch = /^[#!]?([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(this.s.slice(this.i, Math.min(this.end, this.i + 256)));
      const name = nameMatch ? nameMatch[1]! : '';
      if (nameMatch) this.i += nameMatch[0].length;
      const p: Param = { type: 'param', start, end: this.i, name, quoting };
      if (this.c() !== '}') {
        const operand = this.nestedParts(() => this.parts(quoting, 'brace'));
        if (operand.length > 0) p.operand = operand;
      }
      if (this.c() === '}') this.i++;
      else this.error('unterminated `${`', start);
      p.end = this.i;
      return p;
    }
    if (quoting === 'none' && next === "'") {
      // ANSI-C quoting `$'…'`.
      let j = this.i + 2;
      let value = '';
      while (j < this.end && this.s[j] !== "'") {
        if (this.s[j] === '\\' && j + 1 < this.end) {
          value += this.s.slice(j, j + 2);
          j += 2;
        } else value += this.s[j++];
      }
      this.i = Math.min(this.end, j + 1);
      return { type: 'lit', start, end: this.i, value, quoting: 'ansi' };
    }
    if (NAME_START.test(next!)) {
      let j = this.i + 2;
      while (j < this.end && NAME_CHAR.test(this.s[j]!)) j++;
      this.i = j;
      return { type: 'param', start, end: j, name: this.s.slice(start + 1, j), quoting };
    }
    if (/[0-9@*#?$!-]/.test(next!)) {
      this.i += 2;
      return { type: 'param', start, end: this.i, name: next!, quoting };
    }
    return undefined;
  }

  /** End of `$(( … ))` starting at the first `(`, or undefined when it is `$( ( … ) )`. */
  private arithEnd(from: number): number | undefined {
    let depth = 0;
    for (let j = from; j < this.end; j++) {
      const ch = this.s[j];
      if (ch === '(') depth++;
      else if (ch === ')') {
        depth--;
        if (depth === 1) return this.s[j + 1] === ')' ? j + 2 : undefined;
        if (depth <= 0) return undefined;
      }
    }
    return undefined;
  }

  private backtick(quoting: Quoting): CmdSub {
    const start = this.i;
    let j = this.i + 1;
    while (j < this.end && this.s[j] !== '`') j += this.s[j] === '\\' ? 2 : 1;
    const close = Math.min(j, this.end);
    if (close >= this.end) this.error('unterminated backtick', start);
    const saveEnd = this.end;
    const savePending = this.pending;
    this.pending = [];
    this.end = close;
    this.i = start + 1;
    const body = this.nestedList(() => this.parseList(NO_WORDS, undefined));
    this.end = saveEnd;
    this.pending = savePending;
    this.i = Math.min(this.end, close + 1);
    return { type: 'cmdsub', start, end: this.i, body, quoting, backtick: true };
  }

  private procSub(): ProcSub {
    const start = this.i;
    const direction = this.s[this.i] as '<' | '>';
    this.i += 2;
    const body = this.nestedList(() => this.parseList(NO_WORDS, ')'));
    if (this.c() === ')') this.i++;
    else this.error('unterminated process substitution', start);
    return { type: 'procsub', start, end: this.i, body, direction };
  }

  /** Runs a nested parse under the depth limit; beyond it the rest of the line is skipped. */
  private nested<T>(f: () => T, tooDeep: (start: number) => T): T {
    if (this.depth >= MAX_DEPTH) {
      const start = this.i;
      while (this.i < this.end && this.s[this.i] !== '\n' && this.s[this.i] !== ')') this.i++;
      this.error('nesting too deep', start);
      return tooDeep(start);
    }
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private nestedList(f: () => List): List {
    return this.nested(f, (start) => ({ type: 'list', start, end: this.i, items: [] }));
  }

  private nestedParts(f: () => Part[]): Part[] {
    return this.nested(f, () => []);
  }

  seek(offset: number): void {
    this.i = Math.max(0, Math.min(offset, this.end));
  }

  finish(): void {
    if (this.pending.length > 0) this.readHeredocs();
  }
}

/** The words `reserved()` recognises, by length: every word the grammar above compares against. */
const RESERVED_BY_LENGTH: readonly (readonly string[])[] = [
  [],
  ['{', '}', '!'],
  ['[[', 'if', 'fi', 'do', 'in'],
  ['for'],
  ['then', 'elif', 'else', 'done', 'time', 'case', 'esac'],
  ['while', 'until'],
  ['select'],
  [],
  ['function'],
];
const LONGEST_RESERVED = RESERVED_BY_LENGTH.length - 1;

function isLowerAscii(c: number): boolean {
  return c >= 97 && c <= 122;
}


const NO_WORDS: ReadonlySet<string> = new Set();
const CLOSE_BRACE: ReadonlySet<string> = new Set(['}']);
const DO: ReadonlySet<string> = new Set(['do']);
const DONE: ReadonlySet<string> = new Set(['done']);
const THEN: ReadonlySet<string> = new Set(['then']);
const IF_BRANCH: ReadonlySet<string> = new Set(['elif', 'else', 'fi']);
const FI: ReadonlySet<string> = new Set(['fi']);
const CASE_ARM: ReadonlySet<string> = new Set(['esac', ';;']);

/** The text of a word after quote removal, expansions written as they stand. */
export function wordLiteral(w: Word): string {
  return w.parts.map((p) => (p.type === 'lit' ? p.value : '')).join('');
}

/** Parses a script; never throws. */
export function parseShell(text: string): ShellFile {
  return parseShellRange(text, 0, text.length);
}

/** Parses `text.slice(start, end)` as a script of its own, keeping offsets into `text`. */
export function parseShellRange(text: string, start: number, end: number): ShellFile {
  const p = new Parser(text, Math.min(end, text.length));
  p.seek(start);
  const stops: ReadonlySet<string> = NO_WORDS;
  let root: List;
  try {
    root = p.parseList(stops, undefined);
    p.finish();
  } catch (e) {
    // A bug in the parser must not stop the scan: treat the script as unparsed.
    root = { type: 'list', start, end, items: [] };
    p.errors.push({ offset: 0, message: `parser failure: ${(e as Error).message}` });
  }
  return { text, root, comments: p.comments, errors: p.errors };
}
