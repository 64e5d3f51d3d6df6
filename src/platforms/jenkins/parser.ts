/**
 * A tolerant parser for the Groovy of Jenkinsfiles into a small tree: method
 * calls with or without parentheses, named arguments, closures as blocks,
 * property access, assignments, declarations, `if`/`else`, `try`/`catch`,
 * loops, methods and annotations. It is not a full Groovy parser: constructs
 * it does not model are skipped to the next statement boundary silently, and
 * problems are recorded only when the structure is broken (brackets that do
 * not balance, strings or comments that do not end). It never throws.
 */
import { lex, type Comment, type Token } from './lexer.js';

interface NodeBase {
  /** Offsets into the source, start inclusive, end exclusive. */
  start: number;
  end: number;
}

export interface IdentExpr extends NodeBase { type: 'ident'; name: string }
export interface StringExpr extends NodeBase { type: 'string'; token: Token }
export interface NumberExpr extends NodeBase { type: 'number'; text: string }
export interface LiteralExpr extends NodeBase { type: 'literal'; value: 'true' | 'false' | 'null' | 'this' | 'super' }
export interface ListExpr extends NodeBase { type: 'list'; items: Expr[] }
export interface MapExpr extends NodeBase { type: 'map'; entries: Arg[] }
export interface ClosureExpr extends NodeBase { type: 'closure'; params: string[]; body: Stmt[] }
export interface PropertyExpr extends NodeBase {
  type: 'property';
  object: Expr;
  name: string;
  nameStart: number;
  nameEnd: number;
  /** `.`, `?.`, `*.`, `.@`, `.&` */
  op: string;
}
export interface IndexExpr extends NodeBase { type: 'index'; object: Expr; index: Expr[] }
export interface CallExpr extends NodeBase {
  type: 'call';
  callee: Expr;
  /** The method name: the callee identifier or the last property name; null for `(expr)(args)`. */
  name: string | null;
  nameStart: number;
  nameEnd: number;
  /** Arguments in parentheses or after a command word, named ones included, in source order. */
  args: Arg[];
  /** Closures written after the arguments (`stage('x') { … }`, `node { … }`). */
  closures: ClosureExpr[];
  /** Written with parentheses (`sh('x')`) rather than as a command (`sh 'x'`). */
  parens: boolean;
}
export interface BinaryExpr extends NodeBase { type: 'binary'; op: string; left: Expr; right: Expr }
export interface UnaryExpr extends NodeBase { type: 'unary'; op: string; operand: Expr; prefix: boolean }
export interface TernaryExpr extends NodeBase { type: 'ternary'; cond: Expr; then: Expr | null; else: Expr }
export interface AssignExpr extends NodeBase { type: 'assign'; op: string; target: Expr; value: Expr }
export interface NewExpr extends NodeBase { type: 'new'; typeName: string; args: Arg[]; body: Stmt[] | null }
export interface CastExpr extends NodeBase { type: 'cast'; typeName: string; operand: Expr }
export interface ParenExpr extends NodeBase { type: 'paren'; expr: Expr }
/** Text the parser did not model (skipped, never an error by itself). */
export interface UnknownExpr extends NodeBase { type: 'unknown' }

export type Expr =
  | IdentExpr | StringExpr | NumberExpr | LiteralExpr | ListExpr | MapExpr | ClosureExpr | PropertyExpr | IndexExpr | CallExpr
  | BinaryExpr | UnaryExpr | TernaryExpr | AssignExpr | NewExpr | CastExpr | ParenExpr | UnknownExpr;

/** The name of a named argument or map key (`name:` in `string(name: 'X')`). */
export interface ArgName { value: string; start: number; end: number }

export interface Arg {
  /** Present for named arguments and map entries with a plain key. */
  name?: ArgName;
  /** A computed map key `(expr): value`. */
  key?: Expr;
  value: Expr;
}

export interface ExprStmt extends NodeBase { type: 'expr'; expr: Expr }
export interface Declarator { name: string; start: number; end: number; value: Expr | null }
export interface DefStmt extends NodeBase { type: 'def'; typeName: string | null; declarators: Declarator[]; value: Expr | null }
export interface MethodStmt extends NodeBase { type: 'method'; name: string; nameStart: number; nameEnd: number; params: string[]; body: Stmt[] }
export interface IfStmt extends NodeBase { type: 'if'; cond: Expr; then: Stmt[]; else: Stmt[] | null }
export interface CatchClause { param: string | null; body: Stmt[] }
export interface TryStmt extends NodeBase { type: 'try'; body: Stmt[]; catches: CatchClause[]; finally: Stmt[] | null }
export interface LoopStmt extends NodeBase { type: 'loop'; kind: 'for' | 'while' | 'do'; head: Expr | null; body: Stmt[] }
export interface SwitchStmt extends NodeBase { type: 'switch'; subject: Expr | null; body: Stmt[] }
export interface JumpStmt extends NodeBase { type: 'return' | 'throw' | 'break' | 'continue'; value: Expr | null }
export interface ImportStmt extends NodeBase { type: 'import' | 'package'; name: string }
export interface AnnotationStmt extends NodeBase { type: 'annotation'; name: string; nameStart: number; nameEnd: number; args: Arg[] }
export interface ClassStmt extends NodeBase { type: 'class'; name: string; body: Stmt[] }
export interface BlockStmt extends NodeBase { type: 'block'; body: Stmt[] }
export interface UnknownStmt extends NodeBase { type: 'unknown' }

export type Stmt =
  | ExprStmt | DefStmt | MethodStmt | IfStmt | TryStmt | LoopStmt | SwitchStmt | JumpStmt | ImportStmt | AnnotationStmt | ClassStmt | BlockStmt
  | UnknownStmt;

export interface ParseProblem {
  message: string;
  offset: number;
  end: number;
}

export interface ParseResult {
  statements: Stmt[];
  tokens: Token[];
  comments: Comment[];
  /** Lexer errors and unbalanced brackets, in source order. */
  problems: ParseProblem[];
}

const MODIFIERS = new Set(['static', 'final', 'private', 'public', 'protected', 'abstract', 'synchronized', 'transient', 'volatile', 'native', 'strictfp', 'default']);
const PRIMITIVES = new Set(['void', 'boolean', 'byte', 'char', 'short', 'int', 'long', 'float', 'double', 'var']);
/** Words that never start a command argument or end a type. */
const RESERVED = new Set([
  'def', 'if', 'else', 'try', 'catch', 'finally', 'for', 'while', 'do', 'switch', 'case', 'default', 'return', 'throw', 'break', 'continue',
  'import', 'package', 'class', 'interface', 'enum', 'trait', 'in', 'instanceof', 'as', 'assert', 'extends', 'implements', 'throws', 'goto', 'const',
]);
const LITERALS = new Set(['true', 'false', 'null', 'this', 'super']);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '?=']);
const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5,
  '==': 6, '!=': 6, '<=>': 6, '=~': 6, '==~': 6,
  '<': 7, '<=': 7, '>': 7, '>=': 7, in: 7, '!in': 7, instanceof: 7, as: 7,
  '<<': 8, '>>': 8, '>>>': 8, '..': 8, '..<': 8,
  '+': 9, '-': 9,
  '*': 10, '/': 10, '%': 10,
  '**': 11,
};
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const MAX_DEPTH = 150;

/** Reports brackets that do not pair up. */
function checkBrackets(tokens: Token[], problems: ParseProblem[]): void {
  const stack: Token[] = [];
  for (const t of tokens) {
    if (t.type !== 'op') continue;
    if (OPENERS[t.text]) stack.push(t);
    else if (CLOSERS[t.text]) {
      const want = CLOSERS[t.text]!;
      if (stack.length && stack[stack.length - 1]!.text === want) {
        stack.pop();
        continue;
      }
      const at = stack.map((s) => s.text).lastIndexOf(want);
      if (at < 0) {
        problems.push({ message: `unexpected \`${t.text}\` with no matching \`${want}\``, offset: t.start, end: t.end });
        continue;
      }
      while (stack.length > at + 1) {
        const open = stack.pop()!;
        problems.push({ message: `\`${open.text}\` is not closed before \`${t.text}\``, offset: open.start, end: open.end });
      }
      stack.pop();
    }
  }
  for (const open of stack) problems.push({ message: `\`${open.text}\` is never closed`, offset: open.start, end: open.end });
}

class Parser {
  private pos = 0;
  private depth = 0;
  /** Open brackets: inside `(` and `[` newlines do not end anything. */
  private readonly modes: string[] = [];
  /** For each bracket token, the index of its partner (-1 when it has none). */
  private readonly partner: Int32Array;

  constructor(private readonly tokens: Token[]) {
    this.partner = new Int32Array(tokens.length).fill(-1);
    const stack: number[] = [];
    tokens.forEach((t, i) => {
      if (t.type !== 'op') return;
      if (OPENERS[t.text]) stack.push(i);
      else if (CLOSERS[t.text]) {
        const want = CLOSERS[t.text]!;
        let k = stack.length - 1;
        while (k >= 0 && tokens[stack[k]!]!.text !== want) k--;
        if (k < 0) return;
        const open = stack[k]!;
        stack.length = k;
        this.partner[open] = i;
        this.partner[i] = open;
      }
    });
  }

  // ---- token access ----

  private get inParens(): boolean {
    const m = this.modes[this.modes.length - 1];
    return m === '(' || m === '[';
  }

  /** The next token; newlines are skipped inside parentheses and brackets. */
  private peek(): Token {
    if (this.inParens) while (this.tokens[this.pos]!.type === 'newline') this.pos++;
    return this.tokens[this.pos]!;
  }

  /** The token after the next newlines, without consuming them. */
  private peekPastNewlines(): Token {
    let i = this.pos;
    while (this.tokens[i]!.type === 'newline') i++;
    return this.tokens[i]!;
  }

  private skipNewlines(): void {
    while (this.tokens[this.pos]!.type === 'newline') this.pos++;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  private isOp(t: Token, text: string): boolean {
    return t.type === 'op' && t.text === text;
  }

  private atOp(text: string): boolean {
    return this.isOp(this.peek(), text);
  }

  private atWord(word: string): boolean {
    const t = this.peek();
    return t.type === 'ident' && t.text === word;
  }

  private eat(text: string): boolean {
    if (this.atOp(text)) {
      this.pos++;
      return true;
    }
    return false;
  }

  private get prevEnd(): number {
    for (let i = this.pos - 1; i >= 0; i--) if (this.tokens[i]!.type !== 'newline') return this.tokens[i]!.end;
    return 0;
  }

  /** Index of the token closing the bracket at `i`, or -1. */
  private matching(i: number): number {
    return this.partner[i] ?? -1;
  }

  /** Skips a bracketed group starting at the current `(`, `[` or `{`. */
  private skipGroup(): void {
    const close = this.matching(this.pos);
    this.pos = close < 0 ? this.tokens.length - 1 : close + 1;
  }

  /** Skips to the end of the statement: a newline or `;` outside brackets, or a closer of an enclosing bracket. */
  private skipStatement(): void {
    while (true) {
      const t = this.tokens[this.pos]!;
      if (t.type === 'eof') return;
      if (t.type === 'newline' || this.isOp(t, ';')) {
        if (!this.inParens) return;
        this.pos++;
        continue;
      }
      if (t.type === 'op' && OPENERS[t.text]) {
        this.skipGroup();
        continue;
      }
      if (t.type === 'op' && CLOSERS[t.text]) return;
      this.pos++;
    }
  }

  private withMode<T>(mode: string, f: () => T): T {
    this.modes.push(mode);
    try {
      return f();
    } finally {
      this.modes.pop();
    }
  }

  private unknown(start: number): UnknownExpr {
    return { type: 'unknown', start, end: Math.max(start, this.prevEnd) };
  }

  // ---- statements ----

  /** Statements up to a `}` (consumed) or the end of input. */
  parseStatements(inBlock: boolean): Stmt[] {
    const out: Stmt[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'newline' || this.isOp(t, ';')) {
        this.pos++;
        continue;
      }
      if (t.type === 'eof') break;
      if (this.isOp(t, '}')) {
        if (inBlock) break;
        this.pos++;
        continue;
      }
      if (this.isOp(t, ')') || this.isOp(t, ']')) {
        // A closer with no opener here: leave it to an enclosing bracket if there is one.
        if (this.modes.includes(CLOSERS[t.text]!)) break;
        this.pos++;
        continue;
      }
      const before = this.pos;
      const s = this.statement();
      if (s) out.push(s);
      if (this.pos === before) this.pos++;
    }
    return out;
  }

  /** `{ statements }` at the current `{`; empty when there is none. */
  private block(): { body: Stmt[]; end: number } {
    this.skipNewlines();
    if (!this.atOp('{')) return { body: [], end: this.prevEnd };
    this.pos++;
    const body = this.withMode('{', () => this.parseStatements(true));
    this.eat('}');
    return { body, end: this.prevEnd };
  }

  /** A block, or a single statement (`if (x) sh 'y'`). */
  private body(): Stmt[] {
    this.skipNewlines();
    if (this.atOp('{')) return this.block().body;
    const s = this.statement();
    return s ? [s] : [];
  }

  private statement(): Stmt | null {
    if (this.depth > MAX_DEPTH) {
      const start = this.peek().start;
      this.skipStatement();
      return { type: 'unknown', start, end: this.prevEnd };
    }
    this.depth++;
    try {
      return this.statementInner();
    } finally {
      this.depth--;
    }
  }

  private statementInner(): Stmt | null {
    const t = this.peek();
    const start = t.start;
    if (this.isOp(t, '@') && this.tokens[this.pos + 1]!.type === 'ident' && this.tokens[this.pos + 1]!.text !== 'interface') return this.annotation();
    if (t.type === 'ident') {
      switch (t.text) {
        case 'import':
        case 'package': {
          this.pos++;
          let name = '';
          while (true) {
            const n = this.tokens[this.pos]!;
            if (n.type === 'eof' || n.type === 'newline' || this.isOp(n, ';') || this.isOp(n, '}')) break;
            name += n.text;
            if (n.type === 'ident' && this.tokens[this.pos + 1]!.type === 'ident') name += ' ';
            this.pos++;
          }
          return { type: t.text, name: name.trim(), start, end: this.prevEnd };
        }
        case 'if':
          return this.ifStatement();
        case 'try':
          return this.tryStatement();
        case 'for':
        case 'while': {
          this.pos++;
          let head: Expr | null = null;
          if (this.atOp('(')) {
            const close = this.matching(this.pos);
            // `while (cond)` and `for (x in xs)` have an expression; C-style `for (;;)` is skipped.
            if (t.text === 'while') head = this.parenExpr();
            else this.skipGroup();
            if (close >= 0 && this.pos < close + 1) this.pos = close + 1;
          }
          const body = this.body();
          return { type: 'loop', kind: t.text, head, body, start, end: this.prevEnd };
        }
        case 'do': {
          this.pos++;
          const body = this.block().body;
          let head: Expr | null = null;
          if (this.peekPastNewlines().text === 'while') {
            this.skipNewlines();
            this.pos++;
            if (this.atOp('(')) head = this.parenExpr();
          }
          return { type: 'loop', kind: 'do', head, body, start, end: this.prevEnd };
        }
        case 'switch':
          return this.switchStatement();
        case 'return':
        case 'throw':
        case 'break':
        case 'continue': {
          this.pos++;
          let value: Expr | null = null;
          const n = this.peek();
          if (!(n.type === 'newline' || n.type === 'eof' || this.isOp(n, ';') || this.isOp(n, '}') || this.isOp(n, ')'))) {
            value = t.text === 'break' || t.text === 'continue' ? this.primaryOrUnknown() : this.commandOrExpr();
          }
          return { type: t.text, value, start, end: this.prevEnd };
        }
        case 'class':
        case 'interface':
        case 'enum':
        case 'trait':
          return this.classStatement(start);
        case 'case':
        case 'default':
          if (t.text === 'case' || this.isOp(this.tokens[this.pos + 1]!, ':')) {
            // A label inside a switch: skip to its colon.
            while (this.peek().type !== 'eof' && !this.atOp(':') && this.peek().type !== 'newline') {
              if (OPENERS[this.peek().text] && this.peek().type === 'op') this.skipGroup();
              else this.pos++;
            }
            this.eat(':');
            return null;
          }
          break;
        case 'def':
          return this.declaration(start, true);
        case 'assert': {
          this.pos++;
          const cond = this.expression();
          if (this.eat(':')) this.expression();
          return { type: 'expr', expr: cond, start, end: this.prevEnd };
        }
      }
      if (MODIFIERS.has(t.text) && this.tokens[this.pos + 1]!.type === 'ident') {
        this.pos++;
        const n = this.peek();
        if (n.type === 'ident' && (n.text === 'class' || n.text === 'interface' || n.text === 'enum' || n.text === 'trait')) return this.classStatement(start);
        if (n.type === 'ident' && n.text === 'def') return this.declaration(start, true);
        if (n.type === 'ident' && MODIFIERS.has(n.text)) return this.statement();
        if (this.typeAhead() !== null) return this.declaration(start, false);
        // `static foo = 1` (a property without a type).
        return this.declaration(start, false, true);
      }
      if (this.typeAhead() !== null) return this.declaration(start, false);
    }
    if (this.isOp(t, '{')) {
      const b = this.block();
      return { type: 'block', body: b.body, start, end: b.end };
    }
    const expr = this.commandOrExpr(true);
    if (expr.type === 'unknown' && expr.end <= expr.start) {
      this.skipStatement();
      return { type: 'unknown', start, end: this.prevEnd };
    }
    return { type: 'expr', expr, start, end: expr.end };
  }

  private annotation(): AnnotationStmt {
    const start = this.next().start;
    const first = this.next();
    let name = first.text;
    let nameEnd = first.end;
    while (this.isOp(this.tokens[this.pos]!, '.') && this.tokens[this.pos + 1]!.type === 'ident') {
      name += '.' + this.tokens[this.pos + 1]!.text;
      nameEnd = this.tokens[this.pos + 1]!.end;
      this.pos += 2;
    }
    let args: Arg[] = [];
    if (this.isOp(this.tokens[this.pos]!, '(')) args = this.parenArgs();
    return { type: 'annotation', name, nameStart: first.start, nameEnd, args, start, end: this.prevEnd };
  }

  private ifStatement(): IfStmt {
    const start = this.next().start;
    const cond = this.atOp('(') ? this.parenExpr() : this.expression();
    const then = this.body();
    let elseBody: Stmt[] | null = null;
    const save = this.pos;
    this.skipNewlines();
    while (this.atOp(';')) {
      this.pos++;
      this.skipNewlines();
    }
    if (this.atWord('else')) {
      this.pos++;
      this.skipNewlines();
      elseBody = this.atWord('if') ? [this.ifStatement()] : this.body();
    } else this.pos = save;
    return { type: 'if', cond, then, else: elseBody, start, end: this.prevEnd };
  }

  private tryStatement(): TryStmt {
    const start = this.next().start;
    const body = this.block().body;
    const catches: CatchClause[] = [];
    let fin: Stmt[] | null = null;
    while (true) {
      const save = this.pos;
      this.skipNewlines();
      if (this.atWord('catch')) {
        this.pos++;
        let param: string | null = null;
        if (this.atOp('(')) {
          const close = this.matching(this.pos);
          if (close > this.pos) {
            const last = this.tokens[close - 1]!;
            if (last.type === 'ident') param = last.text;
          }
          this.skipGroup();
        }
        catches.push({ param, body: this.block().body });
        continue;
      }
      if (this.atWord('finally')) {
        this.pos++;
        fin = this.block().body;
        continue;
      }
      this.pos = save;
      break;
    }
    return { type: 'try', body, catches, finally: fin, start, end: this.prevEnd };
  }

  private switchStatement(): SwitchStmt {
    const start = this.next().start;
    const subject = this.atOp('(') ? this.parenExpr() : null;
    const body = this.block().body;
    return { type: 'switch', subject, body, start, end: this.prevEnd };
  }

  private classStatement(start: number): ClassStmt {
    this.pos++;
    const nameTok = this.peek();
    const name = nameTok.type === 'ident' ? nameTok.text : '';
    // Skip `extends …`, `implements …` and generics up to the body.
    while (this.peek().type !== 'eof' && !this.atOp('{')) {
      if (this.atOp('}')) return { type: 'class', name, body: [], start, end: this.prevEnd };
      this.pos++;
    }
    const body = this.block().body;
    return { type: 'class', name, body, start, end: this.prevEnd };
  }

  /**
   * When a type starts here (`String`, `List<Map<String, Object>>`, `java.io.File[]`, `int`)
   * and a name follows it, the index of that name's token; otherwise null.
   */
  private typeAhead(from = this.pos): number | null {
    let i = from;
    const first = this.tokens[i]!;
    if (first.type !== 'ident' || RESERVED.has(first.text) || LITERALS.has(first.text)) return null;
    const typeLike = PRIMITIVES.has(first.text) || /^[A-Z]/.test(first.text);
    i++;
    let qualified = false;
    while (this.isOp(this.tokens[i]!, '.') && this.tokens[i + 1]!.type === 'ident') {
      i += 2;
      qualified = true;
    }
    if (qualified && !/^[A-Z]/.test(this.tokens[i - 1]!.text)) return null;
    if (!typeLike && !qualified) return null;
    if (this.isOp(this.tokens[i]!, '<')) {
      let level = 0;
      for (; i < this.tokens.length; i++) {
        const t = this.tokens[i]!;
        if (t.type === 'newline' || t.type === 'eof' || t.type === 'string' || (t.type === 'op' && ['{', '}', '(', ')', ';', '='].includes(t.text))) return null;
        if (t.type !== 'op') continue;
        if (t.text === '<') level++;
        else if (t.text === '>') level--;
        else if (t.text === '>>') level -= 2;
        else if (t.text === '>>>') level -= 3;
        if (level <= 0) {
          i++;
          break;
        }
      }
      if (level !== 0) return null;
    }
    while (this.isOp(this.tokens[i]!, '[') && this.isOp(this.tokens[i + 1]!, ']')) i += 2;
    const name = this.tokens[i]!;
    if (name.type !== 'ident' || RESERVED.has(name.text) || LITERALS.has(name.text)) return null;
    const after = this.tokens[i + 1]!;
    if (after.type === 'newline' || after.type === 'eof') return i;
    if (after.type === 'op' && ['=', ';', '}', ','].includes(after.text)) return i;
    if (this.isOp(after, '(')) {
      // A method definition: `String name(args) {`.
      const save = this.pos;
      this.pos = i + 1;
      const close = this.matching(this.pos);
      this.pos = save;
      if (close < 0) return null;
      let j = close + 1;
      while (this.tokens[j]!.type === 'newline') j++;
      if (this.tokens[j]!.type === 'ident' && this.tokens[j]!.text === 'throws') {
        j++;
        while (this.tokens[j]!.type === 'ident' || this.isOp(this.tokens[j]!, ',') || this.isOp(this.tokens[j]!, '.')) j++;
        while (this.tokens[j]!.type === 'newline') j++;
      }
      return this.isOp(this.tokens[j]!, '{') ? i : null;
    }
    return null;
  }

  /** `def x = …`, `String x`, `def (a, b) = …`, `def name(params) { … }`, `void name() { … }`. */
  private declaration(start: number, hasDef: boolean, untyped = false): Stmt {
    if (hasDef) this.pos++;
    let typeName: string | null = hasDef ? 'def' : null;
    if (!untyped) {
      const nameAt = this.typeAhead();
      if (nameAt !== null) {
        typeName = this.tokens.slice(this.pos, nameAt).map((t) => t.text).join('');
        this.pos = nameAt;
      }
    }
    if (this.atOp('(')) {
      // Multiple assignment.
      const declarators: Declarator[] = [];
      const close = this.matching(this.pos);
      for (let i = this.pos + 1; close > 0 && i < close; i++) {
        const t = this.tokens[i]!;
        if (t.type === 'ident' && (this.isOp(this.tokens[i + 1]!, ',') || i + 1 === close)) declarators.push({ name: t.text, start: t.start, end: t.end, value: null });
      }
      this.skipGroup();
      let value: Expr | null = null;
      if (this.eat('=')) value = this.commandOrExpr();
      return { type: 'def', typeName, declarators, value, start, end: this.prevEnd };
    }
    const nameTok = this.peek();
    if (nameTok.type !== 'ident' && nameTok.type !== 'string') {
      this.skipStatement();
      return { type: 'unknown', start, end: this.prevEnd };
    }
    this.pos++;
    if (this.atOp('(')) {
      const params: string[] = [];
      const close = this.matching(this.pos);
      let level = 0;
      for (let i = this.pos; close > 0 && i < close; i++) {
        const t = this.tokens[i]!;
        if (t.type === 'op' && OPENERS[t.text]) level++;
        else if (t.type === 'op' && CLOSERS[t.text]) level--;
        const n = this.tokens[i + 1]!;
        if (level === 1 && t.type === 'ident' && (i + 1 === close || this.isOp(n, ',') || this.isOp(n, '='))) params.push(t.text);
      }
      this.skipGroup();
      this.skipNewlines();
      if (this.atWord('throws')) while (this.peek().type === 'ident' || this.atOp(',') || this.atOp('.')) this.pos++;
      const save = this.pos;
      this.skipNewlines();
      if (!this.atOp('{')) {
        this.pos = save;
        return { type: 'method', name: nameTok.text, nameStart: nameTok.start, nameEnd: nameTok.end, params, body: [], start, end: this.prevEnd };
      }
      const b = this.block();
      return { type: 'method', name: nameTok.text, nameStart: nameTok.start, nameEnd: nameTok.end, params, body: b.body, start, end: b.end };
    }
    const declarators: Declarator[] = [];
    let name: Token = nameTok;
    while (true) {
      let value: Expr | null = null;
      if (this.eat('=')) {
        this.skipNewlines();
        value = this.commandOrExpr();
      }
      declarators.push({ name: name.text, start: name.start, end: name.end, value });
      if (this.atOp(',') && this.tokens[this.pos + 1]!.type === 'ident') {
        this.pos++;
        name = this.next();
        continue;
      }
      break;
    }
    return { type: 'def', typeName, declarators, value: declarators[0]!.value, start, end: this.prevEnd };
  }

  // ---- expressions ----

  /** `( expr )` at the current `(`. */
  private parenExpr(): Expr {
    const start = this.peek().start;
    const close = this.matching(this.pos);
    this.pos++;
    const e = this.withMode('(', () => this.expression());
    if (close >= 0) this.pos = Math.max(this.pos, close + 1);
    else this.eat(')');
    return e.type === 'unknown' ? { type: 'unknown', start, end: this.prevEnd } : e;
  }

  /** A primary expression, or an unknown node after skipping one token. */
  private primaryOrUnknown(): Expr {
    const start = this.peek().start;
    const e = this.primary();
    if (e) return e;
    this.pos++;
    return this.unknown(start);
  }

  expression(): Expr {
    if (this.depth > MAX_DEPTH) {
      const start = this.peek().start;
      this.skipStatement();
      return this.unknown(start);
    }
    this.depth++;
    try {
      return this.assignment(false);
    } finally {
      this.depth--;
    }
  }

  /**
   * An expression that may be a command call without parentheses
   * (`sh 'make'`, `mail to: 'x', subject: 'y'`, `def v = sh returnStdout: true, script: 'x'`).
   */
  private commandOrExpr(statementHead = false): Expr {
    if (this.depth > MAX_DEPTH) return this.expression();
    this.depth++;
    try {
      return this.assignment(true, statementHead);
    } finally {
      this.depth--;
    }
  }

  private assignment(allowCommand: boolean, statementHead = false): Expr {
    const start = this.peek().start;
    let left = this.ternary(statementHead);
    if (allowCommand) left = this.maybeCommand(left);
    const t = this.peek();
    if (t.type === 'op' && ASSIGN_OPS.has(t.text)) {
      this.pos++;
      this.skipNewlines();
      const value = this.assignment(allowCommand);
      return { type: 'assign', op: t.text, target: left, value, start, end: value.end > start ? Math.max(value.end, this.prevEnd) : this.prevEnd };
    }
    return left;
  }

  /** Whether the token can begin an argument of a command call written without parentheses. */
  private startsCommandArg(t: Token): boolean {
    if (t.type === 'string' || t.type === 'number') return true;
    if (t.type === 'ident') return !RESERVED.has(t.text) || t.text === 'default';
    return false;
  }

  private maybeCommand(e: Expr): Expr {
    if (e.type !== 'ident' && e.type !== 'property') return e;
    if (e.type === 'ident' && (LITERALS.has(e.name) || RESERVED.has(e.name))) return e;
    const t = this.tokens[this.pos]!;
    if (!this.startsCommandArg(t)) return e;
    const args = this.argList(null);
    const name = e.type === 'ident' ? e.name : e.name;
    const nameStart = e.type === 'ident' ? e.start : e.nameStart;
    const nameEnd = e.type === 'ident' ? e.end : e.nameEnd;
    const call: CallExpr = { type: 'call', callee: e, name, nameStart, nameEnd, args, closures: [], parens: false, start: e.start, end: this.prevEnd };
    // `foo 'a' { … }` is not Groovy, but `timeout 5 { … }`-like typos should not break the rest.
    if (this.atOp('{')) {
      call.closures.push(this.closure());
      call.end = this.prevEnd;
    }
    return call;
  }

  private ternary(statementHead = false): Expr {
    const start = this.peek().start;
    const cond = this.binary(0, statementHead);
    const t = this.peek();
    if (this.isOp(t, '?:')) {
      this.pos++;
      this.skipNewlines();
      const other = this.ternary();
      return { type: 'ternary', cond, then: null, else: other, start, end: other.end };
    }
    if (this.isOp(t, '?')) {
      this.pos++;
      this.skipNewlines();
      const then = this.ternary();
      const save = this.pos;
      this.skipNewlines();
      if (!this.eat(':')) {
        this.pos = save;
        return { type: 'ternary', cond, then, else: this.unknown(this.prevEnd), start, end: this.prevEnd };
      }
      this.skipNewlines();
      const other = this.ternary();
      return { type: 'ternary', cond, then, else: other, start, end: other.end };
    }
    return cond;
  }

  private binaryOp(t: Token): number | undefined {
    if (t.type === 'op') return BINARY_PREC[t.text];
    if (t.type === 'ident' && (t.text === 'in' || t.text === 'instanceof' || t.text === 'as')) return BINARY_PREC[t.text];
    return undefined;
  }

  private binary(minPrec: number, statementHead = false): Expr {
    const start = this.peek().start;
    let left = this.unary(statementHead);
    while (true) {
      const t = this.peek();
      const prec = this.binaryOp(t);
      if (prec === undefined || prec <= minPrec) break;
      this.pos++;
      this.skipNewlines();
      let right: Expr;
      if (t.text === 'instanceof' || t.text === 'as') right = this.typeExpr();
      else right = prec === 11 ? this.binary(prec - 1) : this.binary(prec);
      left = { type: 'binary', op: t.text, left, right, start, end: Math.max(right.end, this.prevEnd) };
    }
    return left;
  }

  /** A type name after `as` or `instanceof`. */
  private typeExpr(): Expr {
    const start = this.peek().start;
    let name = '';
    while (this.peek().type === 'ident' || this.atOp('.')) name += this.next().text;
    if (this.atOp('<')) {
      let level = 0;
      while (this.peek().type !== 'eof') {
        const t = this.next();
        if (t.text === '<') level++;
        else if (t.text === '>') level--;
        else if (t.text === '>>') level -= 2;
        if (level <= 0) break;
      }
    }
    while (this.atOp('[') && this.isOp(this.tokens[this.pos + 1]!, ']')) this.pos += 2;
    if (!name) return this.unknown(start);
    return { type: 'ident', name, start, end: this.prevEnd };
  }

  private unary(statementHead = false): Expr {
    // Prefix operators are collected in a loop: `!!!!x` must not recurse once per `!`.
    const ops: Token[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'op' && (t.text === '!' || t.text === '-' || t.text === '+' || t.text === '~' || t.text === '++' || t.text === '--' || t.text === '*')) {
        ops.push(t);
        this.pos++;
        continue;
      }
      break;
    }
    let e = this.postfix(ops.length === 0 && statementHead);
    for (let i = ops.length - 1; i >= 0; i--) e = { type: 'unary', op: ops[i]!.text, operand: e, prefix: true, start: ops[i]!.start, end: e.end };
    return e;
  }

  private postfix(statementHead: boolean): Expr {
    const start = this.peek().start;
    let e = this.primary();
    if (!e) return this.unknown(start);
    while (true) {
      const t = this.tokens[this.pos]!;
      // Method chains may continue on the next line: `foo()\n  .bar()`.
      const ahead = t.type === 'newline' ? this.peekPastNewlines() : t;
      if (ahead.type === 'op' && (ahead.text === '.' || ahead.text === '?.' || ahead.text === '*.' || ahead.text === '.@' || ahead.text === '.&')) {
        this.skipNewlines();
        this.pos++;
        this.skipNewlines();
        const n = this.peek();
        if (n.type === 'ident' || n.type === 'string') {
          this.pos++;
          const name = n.type === 'string' ? n.str!.value : n.text;
          e = { type: 'property', object: e, name, nameStart: n.start, nameEnd: n.end, op: ahead.text, start, end: n.end };
          continue;
        }
        if (this.isOp(n, '(')) {
          // `closure.(args)` / `.call`-less invocation.
          continue;
        }
        break;
      }
      const p = t;
      if (this.isOp(p, '(')) {
        const args = this.parenArgs();
        e = this.makeCall(e, args, true, start);
        this.trailingClosures(e as CallExpr, statementHead);
        continue;
      }
      if (this.isOp(p, '[')) {
        const close = this.matching(this.pos);
        this.pos++;
        const index = this.withMode('[', () => {
          const items: Expr[] = [];
          while (!this.atOp(']') && this.peek().type !== 'eof' && !this.atOp(')') && !this.atOp('}')) {
            const before = this.pos;
            items.push(this.expression());
            this.eat(',');
            if (this.pos === before) this.pos++;
          }
          return items;
        });
        if (close >= 0) this.pos = Math.max(this.pos, close + 1);
        else this.eat(']');
        e = { type: 'index', object: e, index, start, end: this.prevEnd };
        continue;
      }
      if (this.isOp(p, '{') || (statementHead && t.type === 'newline' && this.isOp(ahead, '{') && this.closureTarget(e))) {
        if (!this.closureTarget(e)) break;
        if (e.type !== 'call') e = this.makeCall(e, [], false, start);
        this.trailingClosures(e as CallExpr, statementHead);
        continue;
      }
      if (this.isOp(p, '++') || this.isOp(p, '--')) {
        this.pos++;
        e = { type: 'unary', op: p.text, operand: e, prefix: false, start, end: p.end };
        continue;
      }
      break;
    }
    return e;
  }

  /** Whether `{` after this expression is a closure argument. */
  private closureTarget(e: Expr): boolean {
    if (e.type === 'ident') return !LITERALS.has(e.name) && !RESERVED.has(e.name);
    return e.type === 'property' || (e.type === 'call' && e.parens);
  }

  private makeCall(callee: Expr, args: Arg[], parens: boolean, start: number): CallExpr {
    let name: string | null = null;
    let nameStart = callee.start;
    let nameEnd = callee.end;
    if (callee.type === 'ident') name = callee.name;
    else if (callee.type === 'property') {
      name = callee.name;
      nameStart = callee.nameStart;
      nameEnd = callee.nameEnd;
    }
    return { type: 'call', callee, name, nameStart, nameEnd, args, closures: [], parens, start, end: this.prevEnd };
  }

  /** Closures after a call: `{ … }` on the same line, or on the next line when the call starts a statement. */
  private trailingClosures(call: CallExpr, statementHead: boolean): void {
    while (true) {
      const t = this.tokens[this.pos]!;
      if (this.isOp(t, '{')) {
        call.closures.push(this.closure());
        call.end = this.prevEnd;
        continue;
      }
      if (statementHead && t.type === 'newline' && this.isOp(this.peekPastNewlines(), '{') && call.closures.length === 0) {
        this.skipNewlines();
        continue;
      }
      return;
    }
  }

  /** `( args )` at the current `(`. */
  private parenArgs(): Arg[] {
    const close = this.matching(this.pos);
    this.pos++;
    const args = this.withMode('(', () => this.argList(')'));
    if (close >= 0 && this.pos <= close) this.pos = close + 1;
    else this.eat(')');
    return args;
  }

  /** Whether a named argument (`name:`) starts here. */
  private namedArgAhead(): ArgName | null {
    const t = this.peek();
    let i = this.pos + 1;
    if (this.inParens) while (this.tokens[i]!.type === 'newline') i++;
    if (!this.isOp(this.tokens[i]!, ':')) return null;
    if (t.type === 'ident' || t.type === 'number') return { value: t.text, start: t.start, end: t.end };
    if (t.type === 'string') return { value: t.str!.value, start: t.start, end: t.end };
    return null;
  }

  /** Comma-separated arguments, named or positional, up to `closer` (not consumed) or the end of a command. */
  private argList(closer: ')' | ']' | null): Arg[] {
    const args: Arg[] = [];
    while (true) {
      const t = this.peek();
      if (t.type === 'eof') break;
      if (closer && (this.isOp(t, closer) || this.isOp(t, ')') || this.isOp(t, ']') || this.isOp(t, '}'))) break;
      if (!closer && (t.type === 'newline' || this.isOp(t, ';') || this.isOp(t, '}') || this.isOp(t, ')') || this.isOp(t, ']'))) break;
      const before = this.pos;
      const name = this.namedArgAhead();
      if (name) {
        this.pos++;
        this.peek();
        this.pos++; // the colon
        if (this.inParens) this.skipNewlines();
        const value = this.expression();
        args.push({ name, value });
      } else if (closer && this.isOp(t, '(') && this.mapKeyAhead()) {
        const key = this.parenExpr();
        this.eat(':');
        args.push({ key, value: this.expression() });
      } else if (this.isOp(t, '*') && this.isOp(this.tokens[this.pos + 1]!, ':')) {
        this.pos += 2;
        args.push({ value: this.expression() });
      } else {
        const value = this.expression();
        if (value.type === 'unknown' && value.end <= value.start) {
          if (this.pos === before) this.pos++;
          break;
        }
        args.push({ value });
      }
      if (this.pos === before) this.pos++;
      if (!this.eat(',')) {
        if (!closer) break;
        const n = this.peek();
        if (this.isOp(n, closer) || this.isOp(n, ')') || this.isOp(n, ']') || this.isOp(n, '}') || n.type === 'eof') break;
        // Missing comma: keep reading, tolerantly.
        continue;
      }
      if (!closer) this.skipNewlines();
    }
    return args;
  }

  /** `(expr): value` in a map literal. */
  private mapKeyAhead(): boolean {
    const close = this.matching(this.pos);
    return close > 0 && this.isOp(this.tokens[close + 1]!, ':');
  }

  private closure(): ClosureExpr {
    const start = this.next().start;
    return this.withMode('{', () => {
      const params: string[] = [];
      // `{ a, b -> … }` or `{ -> … }`
      let i = this.pos;
      while (this.tokens[i]!.type === 'newline') i++;
      let j = i;
      const names: string[] = [];
      let ok = false;
      for (; j < this.tokens.length && j < i + 64; j++) {
        const t = this.tokens[j]!;
        if (this.isOp(t, '->')) {
          ok = true;
          break;
        }
        if (t.type === 'ident') {
          const n = this.tokens[j + 1]!;
          if (this.isOp(n, ',') || this.isOp(n, '->') || this.isOp(n, '=')) names.push(t.text);
          continue;
        }
        if (t.type === 'op' && [',', '.', '<', '>', '[', ']', '='].includes(t.text)) continue;
        if (t.type === 'string' || t.type === 'number') continue;
        break;
      }
      if (ok) {
        params.push(...names);
        this.pos = j + 1;
      }
      const body = this.parseStatements(true);
      this.eat('}');
      return { type: 'closure', params, body, start, end: this.prevEnd } as ClosureExpr;
    });
  }

  private primary(): Expr | null {
    const t = this.peek();
    switch (t.type) {
      case 'string':
        this.pos++;
        return { type: 'string', token: t, start: t.start, end: t.end };
      case 'number':
        this.pos++;
        return { type: 'number', text: t.text, start: t.start, end: t.end };
      case 'ident': {
        if (LITERALS.has(t.text)) {
          this.pos++;
          return { type: 'literal', value: t.text as LiteralExpr['value'], start: t.start, end: t.end };
        }
        if (t.text === 'new') return this.newExpr();
        if (RESERVED.has(t.text) && t.text !== 'default') return null;
        this.pos++;
        return { type: 'ident', name: t.text, start: t.start, end: t.end };
      }
      case 'op':
        break;
      default:
        return null;
    }
    if (t.text === '(') {
      const close = this.matching(this.pos);
      // A cast: `(String) x`.
      if (close === this.pos + 2 && this.tokens[this.pos + 1]!.type === 'ident' && /^[A-Z]/.test(this.tokens[this.pos + 1]!.text)) {
        const after = this.tokens[close + 1]!;
        if (after.type === 'ident' || after.type === 'string' || after.type === 'number' || this.isOp(after, '(') || this.isOp(after, '[')) {
          const typeName = this.tokens[this.pos + 1]!.text;
          this.pos = close + 1;
          const operand = this.unary();
          return { type: 'cast', typeName, operand, start: t.start, end: operand.end };
        }
      }
      const inner = this.parenExpr();
      return { type: 'paren', expr: inner, start: t.start, end: this.prevEnd };
    }
    if (t.text === '[') return this.listOrMap();
    if (t.text === '{') return this.closure();
    return null;
  }

  private listOrMap(): Expr {
    const start = this.peek().start;
    const close = this.matching(this.pos);
    this.pos++;
    const out = this.withMode('[', (): Expr => {
      if (this.atOp(':') && this.isOp(this.tokens[this.pos + 1]!, ']')) {
        this.pos++;
        return { type: 'map', entries: [], start, end: 0 };
      }
      const args = this.argList(']');
      const isMap = args.length > 0 && args.every((a) => a.name || a.key);
      if (isMap || args.some((a) => a.name || a.key)) return { type: 'map', entries: args, start, end: 0 };
      return { type: 'list', items: args.map((a) => a.value), start, end: 0 };
    });
    if (close >= 0 && this.pos <= close) this.pos = close + 1;
    else this.eat(']');
    out.end = this.prevEnd;
    return out;
  }

  private newExpr(): Expr {
    const start = this.next().start;
    let typeName = '';
    while (this.peek().type === 'ident' || this.atOp('.')) typeName += this.next().text;
    if (this.atOp('<')) {
      let level = 0;
      while (this.peek().type !== 'eof') {
        const t = this.next();
        if (t.text === '<') level++;
        else if (t.text === '>') level--;
        else if (t.text === '>>') level -= 2;
        if (level <= 0) break;
      }
    }
    let args: Arg[] = [];
    if (this.atOp('(')) args = this.parenArgs();
    else if (this.atOp('[')) this.skipGroup();
    let body: Stmt[] | null = null;
    if (this.atOp('{')) {
      // An anonymous class body or an array initialiser.
      this.pos++;
      body = this.withMode('{', () => this.parseStatements(true));
      this.eat('}');
    }
    return { type: 'new', typeName, args, body, start, end: this.prevEnd };
  }
}

/** Parses a Groovy script (a Jenkinsfile). */
export function parseGroovy(text: string): ParseResult {
  const { tokens, comments, errors } = lex(text);
  const problems: ParseProblem[] = errors.map((e) => ({ message: e.message, offset: e.offset, end: e.end }));
  checkBrackets(tokens, problems);
  problems.sort((a, b) => a.offset - b.offset);
  let statements: Stmt[] = [];
  try {
    statements = new Parser(tokens).parseStatements(false);
  } catch (err) {
    // The parser is written not to throw; this is a last line of defence (a stack overflow on absurd nesting).
    problems.push({ message: `could not read the file: ${(err as Error).message}`, offset: 0, end: 0 });
  }
  return { statements, tokens, comments, problems };
}

/** Parses one Groovy expression (the inside of a `${…}`); null when there is none. */
export function parseGroovyExpression(text: string): Expr | null {
  const { tokens } = lex(text);
  try {
    const p = new Parser(tokens);
    const stmts = p.parseStatements(false);
    const first = stmts[0];
    return first && first.type === 'expr' ? first.expr : null;
  } catch {
    return null;
  }
}

// ---- helpers over the tree ----

/** Arguments with a given name (`script:` in `sh(script: …)`). */
export function namedArg(call: CallExpr, name: string): Expr | undefined {
  for (const a of call.args) if (a.name?.value === name) return a.value;
  // `sh([script: 'x'])`: a single map argument.
  if (call.args.length === 1 && call.args[0]!.value.type === 'map') {
    for (const a of (call.args[0]!.value as MapExpr).entries) if (a.name?.value === name) return a.value;
  }
  return undefined;
}

/** Positional arguments (closures given in parentheses included). */
export function positionalArgs(call: CallExpr): Expr[] {
  return call.args.filter((a) => !a.name && !a.key).map((a) => a.value);
}

/** The closure a call runs: the last trailing closure, or a closure passed as the last positional argument. */
export function closureOf(call: CallExpr): ClosureExpr | undefined {
  if (call.closures.length) return call.closures[call.closures.length - 1];
  const pos = positionalArgs(call);
  const last = pos[pos.length - 1];
  return last && last.type === 'closure' ? last : undefined;
}

/** The value of a plain string literal (single- or double-quoted without interpolations). */
export function literalString(e: Expr | undefined): string | undefined {
  if (!e || e.type !== 'string') return undefined;
  return e.token.str!.value;
}

/** The expression of an expression statement when it is a call. */
export function statementCall(s: Stmt): CallExpr | undefined {
  return s.type === 'expr' && s.expr.type === 'call' ? s.expr : undefined;
}

/** Children of a node, in source order. */
export function childrenOf(node: Expr | Stmt): (Expr | Stmt)[] {
  switch (node.type) {
    case 'list':
      return node.items;
    case 'map':
      return node.entries.flatMap((a) => (a.key ? [a.key, a.value] : [a.value]));
    case 'closure':
      return node.body;
    case 'property':
      return [node.object];
    case 'index':
      return [node.object, ...node.index];
    case 'call':
      return [node.callee, ...node.args.flatMap((a) => (a.key ? [a.key, a.value] : [a.value])), ...node.closures];
    case 'binary':
      return [node.left, node.right];
    case 'unary':
      return [node.operand];
    case 'ternary':
      return node.then ? [node.cond, node.then, node.else] : [node.cond, node.else];
    case 'assign':
      return [node.target, node.value];
    case 'new':
      return [...node.args.map((a) => a.value), ...(node.body ?? [])];
    case 'cast':
      return [node.operand];
    case 'paren':
      return [node.expr];
    case 'expr':
      return [node.expr];
    case 'def':
      return node.declarators.flatMap((d) => (d.value ? [d.value] : [])).concat(node.declarators.length === 0 && node.value ? [node.value] : []);
    case 'method':
    case 'class':
    case 'block':
      return node.body;
    case 'if':
      return [node.cond, ...node.then, ...(node.else ?? [])];
    case 'try':
      return [...node.body, ...node.catches.flatMap((c) => c.body), ...(node.finally ?? [])];
    case 'loop':
      return node.head ? [node.head, ...node.body] : node.body;
    case 'switch':
      return node.subject ? [node.subject, ...node.body] : node.body;
    case 'return':
    case 'throw':
    case 'break':
    case 'continue':
      return node.value ? [node.value] : [];
    case 'annotation':
      return node.args.map((a) => a.value);
    default:
      return [];
  }
}

/** Visits every node depth-first in source order; return false from `visit` to skip a node's children. */
export function walk(nodes: (Expr | Stmt)[], visit: (n: Expr | Stmt) => boolean | void, depth = 0): void {
  if (depth > 400) return;
  for (const n of nodes) {
    if (visit(n) === false) continue;
    walk(childrenOf(n), visit, depth + 1);
  }
}
