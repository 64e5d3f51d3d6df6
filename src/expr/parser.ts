/**
 * Hand-written lexer and recursive-descent parser for GitHub Actions
 * expressions (the language inside `${{ }}`), following actionlint's grammar.
 *
 * Precedence, lowest to highest: `||`, `&&`, `== !=`, `< <= > >=`, unary `!`,
 * postfix (`.name`, `[expr]`, `.*`, `[*]`), primary.
 *
 * Nothing here throws: parse errors come back as `{ ast: null, error }`, with a
 * 1-based column into the parsed text.
 */
import { ownString } from '../model/source.js';
import type { ExprNode } from './ast.js';

/** Deepest nesting of parentheses, brackets, call arguments and `!` accepted. */
const MAX_DEPTH = 200;

type BinaryOp = Extract<ExprNode, { type: 'binary' }>['operator'];
type IndexNode = Extract<ExprNode, { type: 'index' }>;

type Punct = '(' | ')' | '[' | ']' | '.' | ',' | '*' | '!' | BinaryOp;

type Token =
  | { kind: 'num'; value: number; start: number; end: number }
  | { kind: 'str'; value: string; start: number; end: number }
  | { kind: 'ident'; name: string; start: number; end: number }
  | { kind: 'punct'; op: Punct; start: number; end: number }
  | { kind: 'eof'; start: number; end: number };

class ParseError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at column ${offset + 1}`);
  }
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isHexDigit = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
// `-` is allowed inside names because step and job ids use it (`steps.my-step`).
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c) || c === '-';
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Two-character operators first, so `<=` is not lexed as `<` then `=`. */
const PUNCT2: readonly Punct[] = ['==', '!=', '<=', '>=', '&&', '||'];
const PUNCT1: readonly Punct[] = ['(', ')', '[', ']', '.', ',', '*', '!', '<', '>'];

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'num':
      return `number ${t.value}`;
    case 'str':
      return 'string literal';
    case 'ident':
      return `'${t.name}'`;
    case 'punct':
      return `'${t.op}'`;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      // `''` is an escaped quote; anything else ends the string.
      // Sliced between escapes, not appended a character at a time.
      let value = '';
      i++;
      let from = i;
      for (;;) {
        if (i >= text.length) throw new ParseError('unterminated string literal', start);
        if (text.charCodeAt(i) === 39 /* ' */) {
          value += text.slice(from, i);
          if (text.charCodeAt(i + 1) === 39) {
            value += "'";
            i += 2;
            from = i;
            continue;
          }
          i++;
          break;
        }
        i++;
      }
      tokens.push({ kind: 'str', value, start, end: i });
      continue;
    }
    if (isDigit(c) || (c === '-' && isDigit(text[i + 1] ?? ''))) {
      i = lexNumber(text, i, tokens);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i]!)) i++;
      tokens.push({ kind: 'ident', name: text.slice(start, i), start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2) as Punct;
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', op: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c as Punct)) {
      tokens.push({ kind: 'punct', op: c as Punct, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"') throw new ParseError('string literals must use single quotes, not double quotes', start);
    if (c === '=') throw new ParseError("unexpected character '=' (did you mean '=='?)", start);
    if (c === '&' || c === '|') throw new ParseError(`unexpected character '${c}' (did you mean '${c}${c}'?)`, start);
    throw new ParseError(`unexpected character ${JSON.stringify(c)}`, start);
  }
  tokens.push({ kind: 'eof', start: text.length, end: text.length });
  return tokens;
}

/**
 * Lexes `-?(0x<hex> | <digits>[.<digits>][e[+-]<digits>])` starting at `i`
 * and returns the offset just past it.
 */
function lexNumber(text: string, i: number, tokens: Token[]): number {
  const start = i;
  const negative = text[i] === '-';
  if (negative) i++;
  let value: number;
  if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    i += 2;
    const digitsStart = i;
    while (i < text.length && isHexDigit(text[i]!)) i++;
    if (i === digitsStart) throw new ParseError('hexadecimal number needs digits after 0x', start);
    value = parseInt(text.slice(digitsStart, i), 16);
    if (negative) value = -value;
  } else {
    while (i < text.length && isDigit(text[i]!)) i++;
    // A `.` not followed by a digit is left for the parser (it will complain).
    if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
      i++;
      while (i < text.length && isDigit(text[i]!)) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      const expStart = i;
      while (i < text.length && isDigit(text[i]!)) i++;
      if (i === expStart) throw new ParseError('exponent needs digits', start);
    }
    value = Number(text.slice(start, i));
  }
  // `12abc` is neither a number nor a name; reject it instead of splitting it.
  if (i < text.length && isIdentPart(text[i]!)) {
    throw new ParseError(`invalid character ${JSON.stringify(text[i])} in number`, i);
  }
  tokens.push({ kind: 'num', value, start, end: i });
  return i;
}

class Parser {
  private pos = 0;
  private depth = 0;
  /**
   * Extent of a node including the parentheses around it, so a parent's
   * `start`/`end` covers `(a || b) && c` fully. Nodes themselves keep their
   * own extent, so slicing the text at a node gives exactly that node.
   */
  private readonly outer = new Map<ExprNode, { start: number; end: number }>();

  constructor(private readonly tokens: Token[]) {}

  parse(): ExprNode {
    if (this.peek().kind === 'eof') throw new ParseError('empty expression', this.peek().start);
    const ast = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'eof') throw new ParseError(`unexpected ${describe(t)} after end of expression`, t.start);
    return ast;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isPunct(op: Punct): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.op === op;
  }

  private expect(op: Punct, what: string): Token {
    const t = this.peek();
    if (t.kind !== 'punct' || t.op !== op) throw new ParseError(`expected '${op}' ${what} but found ${describe(t)}`, t.start);
    return this.next();
  }

  /** Guards recursion so hostile input cannot overflow the stack. */
  private nested<T>(at: number, fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new ParseError(`expression nested more than ${MAX_DEPTH} levels deep`, at);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private startOf(n: ExprNode): number {
    return this.outer.get(n)?.start ?? n.start;
  }

  private endOf(n: ExprNode): number {
    return this.outer.get(n)?.end ?? n.end;
  }

  /** Left-associative binary level: `next (op next)*`. */
  private binary(ops: readonly BinaryOp[], next: () => ExprNode): ExprNode {
    let left = next();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || !ops.includes(t.op as BinaryOp)) return left;
      this.next();
      const right = next();
      left = { type: 'binary', operator: t.op as BinaryOp, left, right, start: this.startOf(left), end: this.endOf(right) };
    }
  }

  private parseOr(): ExprNode {
    return this.binary(['||'], () => this.parseAnd());
  }

  private parseAnd(): ExprNode {
    return this.binary(['&&'], () => this.parseEquality());
  }

  private parseEquality(): ExprNode {
    return this.binary(['==', '!='], () => this.parseComparison());
  }

  private parseComparison(): ExprNode {
    return this.binary(['<', '<=', '>', '>='], () => this.parseUnary());
  }

  private parseUnary(): ExprNode {
    if (!this.isPunct('!')) return this.parsePostfix();
    const bang = this.next();
    const operand = this.nested(bang.start, () => this.parseUnary());
    return { type: 'unary', operator: '!', operand, start: bang.start, end: this.endOf(operand) };
  }

  private parsePostfix(): ExprNode {
    let node = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct') return node;
      if (t.op === '.') {
        this.next();
        const name = this.next();
        let index: IndexNode['index'];
        if (name.kind === 'ident') {
          // Keywords are fine as property names here (`inputs.true`).
          index = { type: 'literal', value: name.name, start: name.start, end: name.end };
        } else if (name.kind === 'punct' && name.op === '*') {
          index = { type: 'star', start: name.start, end: name.end };
        } else {
          throw new ParseError(`expected a property name or '*' after '.' but found ${describe(name)}`, name.start);
        }
        node = { type: 'index', object: node, index, computed: false, start: this.startOf(node), end: name.end };
      } else if (t.op === '[') {
        this.next();
        let index: IndexNode['index'];
        if (this.isPunct('*')) {
          const star = this.next();
          index = { type: 'star', start: star.start, end: star.end };
        } else {
          if (this.isPunct(']')) throw new ParseError('empty index', this.peek().start);
          index = this.nested(t.start, () => this.parseOr());
        }
        const close = this.expect(']', 'to close the index');
        node = { type: 'index', object: node, index, computed: true, start: this.startOf(node), end: close.end };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): ExprNode {
    const t = this.next();
    switch (t.kind) {
      case 'num':
        return { type: 'literal', value: t.value, start: t.start, end: t.end };
      case 'str':
        return { type: 'literal', value: t.value, start: t.start, end: t.end };
      case 'ident': {
        // Keywords are case-insensitive, like the rest of the language.
        const lower = t.name.toLowerCase();
        if (lower === 'true' || lower === 'false') return { type: 'literal', value: lower === 'true', start: t.start, end: t.end };
        if (lower === 'null') return { type: 'literal', value: null, start: t.start, end: t.end };
        if (this.isPunct('(')) return this.parseCall(t.name, t.start);
        return { type: 'identifier', name: t.name, start: t.start, end: t.end };
      }
      case 'punct':
        if (t.op === '(') {
          const inner = this.nested(t.start, () => this.parseOr());
          const close = this.expect(')', 'to close the parenthesis');
          this.outer.set(inner, { start: t.start, end: close.end });
          return inner;
        }
        throw new ParseError(`unexpected ${describe(t)}`, t.start);
      case 'eof':
        throw new ParseError('unexpected end of expression', t.start);
    }
  }

  private parseCall(callee: string, start: number): ExprNode {
    const open = this.next();
    const args: ExprNode[] = [];
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.nested(open.start, () => this.parseOr()));
        if (!this.isPunct(',')) break;
        this.next();
      }
    }
    const close = this.expect(')', `to close the arguments of ${callee}()`);
    return { type: 'call', callee, args, start, end: close.end };
  }
}

/**
 * Parses the text between `${{` and `}}` (or a bare `if:` condition). Offsets
 * in the AST and the column in `error` are relative to `text`.
 */
export function parseExpression(text: string): ParsedExpression {
  // Pipelines repeat the same few expressions (`matrix.os`, `secrets.GITHUB_TOKEN`, `github.ref`) across
  // steps and files: each text is parsed once. Trees are shared between occurrences, which is safe
  // because nothing changes them and their offsets are relative to the text.
  const known = parsedTexts.get(text);
  if (known) return known;
  if (parsedTexts.size >= PARSED_TEXTS_KEPT) parsedTexts.clear();
  // Parsed from a copy: a slice of the file would keep the whole file text alive in the cache.
  const own = ownString(text);
  const parsed = parseUncached(own);
  parsedTexts.set(own, parsed);
  return parsed;
}

export interface ParsedExpression {
  readonly ast: ExprNode | null;
  readonly error?: string;
}

/** Distinct texts kept: enough for a repository's common expressions, small enough not to matter for memory. */
const PARSED_TEXTS_KEPT = 2048;
const parsedTexts = new Map<string, ParsedExpression>();

function parseUncached(text: string): ParsedExpression {
  try {
    return { ast: new Parser(tokenize(text)).parse() };
  } catch (e) {
    // Anything unexpected (even an engine error) is reported, never thrown.
    return { ast: null, error: e instanceof ParseError ? e.message : `cannot parse expression: ${String(e)}` };
  }
}

/**
 * Finds each `${{ … }}` in a string. `start` is the `$`, `end` is just past
 * `}}`; `innerStart`/`innerEnd` delimit the text between. A `}}` inside a
 * single-quoted string does not close the expression. An unterminated one is
 * returned with `end` and `innerEnd` at `value.length`, and ends the search.
 */
export function findExpressions(value: string): Array<{ start: number; end: number; innerStart: number; innerEnd: number }> {
  const found: Array<{ start: number; end: number; innerStart: number; innerEnd: number }> = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf('${{', from);
    if (start < 0) return found;
    const innerStart = start + 3;
    let i = innerStart;
    let innerEnd = -1;
    let inString = false;
    while (i < value.length) {
      const c = value[i];
      if (inString) {
        // A doubled quote just closes and reopens, which is the `''` escape.
        if (c === "'") inString = false;
        i++;
      } else if (c === "'") {
        inString = true;
        i++;
      } else if (c === '}' && value[i + 1] === '}') {
        innerEnd = i;
        break;
      } else {
        i++;
      }
    }
    if (innerEnd < 0) {
      found.push({ start, end: value.length, innerStart, innerEnd: value.length });
      return found;
    }
    found.push({ start, end: innerEnd + 2, innerStart, innerEnd });
    from = innerEnd + 2;
  }
}

/**
 * Pre-order traversal, children in source order (a `*` index is not a node).
 * An explicit stack, because long `a || b || …` or `a.b.c…` chains make trees
 * deeper than the parser's nesting limit; two flat stacks and no child arrays,
 * because every rule walks every expression and the garbage added up. The
 * stacks are shared by all walks (two arrays per walk were 2% of a scan's
 * allocation): a walk started inside `visit` works above its caller's
 * entries, and each walk leaves the stacks as it found them, even on a throw.
 */
export function walk(ast: ExprNode, visit: (node: ExprNode, parent: ExprNode | null) => void): void {
  const nodes = walkNodes;
  const parents = walkParents;
  const base = walkTop;
  let top = base;
  nodes[top] = ast;
  parents[top++] = null;
  try {
    while (top > base) {
      top--;
      const node = nodes[top]!;
      const parent = parents[top]!;
      // Cleared, so the stacks hold no finished tree; never popped, which shrank them and made the next
      // walk grow them again (57 MB of a 12,000-file scan's allocation). No closure for pushing: one per walk adds up too.
      nodes[top] = null;
      parents[top] = null;
      walkTop = top;
      visit(node, parent);
      // Pushed last child first, so the first child is visited next.
      switch (node.type) {
        case 'index':
          if (node.index.type !== 'star') {
            nodes[top] = node.index;
            parents[top++] = node;
          }
          nodes[top] = node.object;
          parents[top++] = node;
          break;
        case 'call':
          for (let k = node.args.length - 1; k >= 0; k--) {
            nodes[top] = node.args[k]!;
            parents[top++] = node;
          }
          break;
        case 'unary':
          nodes[top] = node.operand;
          parents[top++] = node;
          break;
        case 'binary':
          nodes[top] = node.right;
          parents[top++] = node;
          nodes[top] = node.left;
          parents[top++] = node;
          break;
        default:
          break;
      }
    }
  } finally {
    for (let i = base; i < top; i++) {
      nodes[i] = null;
      parents[i] = null;
    }
    walkTop = base;
  }
}

/** Stack slots of every walk in progress: a walk started inside `visit` uses those from `walkTop` up. */
const walkNodes: (ExprNode | null)[] = [];
const walkParents: (ExprNode | null)[] = [];
let walkTop = 0;

/**
 * Dotted path of an access chain (`github.event.pull_request.title`), or
 * undefined when the chain is not rooted at a context name (e.g. it starts
 * at a call like `fromJSON(x).a` or a literal).
 *
 * Segments: a name or string index is lower-cased; a number index keeps its
 * value (`commits.0`); `.*` and `[*]` give `*`; any other computed index
 * gives `[?]` glued to the previous segment (`secrets[?]`).
 */
export function accessPath(node: ExprNode): string | undefined {
  const segments: string[] = [];
  let n = node;
  while (n.type === 'index') {
    const ix = n.index;
    if (ix.type === 'star') segments.push('.*');
    else if (ix.type === 'literal' && typeof ix.value === 'string') segments.push('.' + ix.value.toLowerCase());
    else if (ix.type === 'literal' && typeof ix.value === 'number') segments.push('.' + String(ix.value));
    else segments.push('[?]');
    n = n.object;
  }
  if (n.type !== 'identifier') return undefined;
  return n.name.toLowerCase() + segments.reverse().join('');
}

/**
 * Every maximal context access in the tree, including those inside call
 * arguments and computed indexes (`secrets[matrix.name]` gives `secrets[?]`
 * and `matrix.name`). A chain is reported once, not also its prefixes.
 */
export function contextAccesses(ast: ExprNode): readonly ContextAccess[] {
  // Asked of the same expressions by many rules: worked out once per tree.
  let known = accessesOf.get(ast);
  if (!known) accessesOf.set(ast, (known = readContextAccesses(ast)));
  return known;
}

export interface ContextAccess {
  readonly path: string;
  readonly node: ExprNode;
}

const accessesOf = new WeakMap<ExprNode, readonly ContextAccess[]>();

function readContextAccesses(ast: ExprNode): ContextAccess[] {
  const out: ContextAccess[] = [];
  walk(ast, (node, parent) => {
    if (node.type !== 'identifier' && node.type !== 'index') return;
    // Inner links of a longer chain are covered by the outermost one.
    if (parent?.type === 'index' && parent.object === node) return;
    const path = accessPath(node);
    if (path !== undefined) out.push({ path, node });
  });
  return out;
}
