/**
 * A lexer for the Groovy that Jenkinsfiles are written in. It knows every
 * string form (with the offsets of each GString interpolation), comments,
 * numbers, identifiers and operators, and keeps newlines because Groovy ends
 * statements with them. It never throws: a string or comment that does not
 * end is reported as an error with its offset and the rest is still read.
 */

/** One `${…}` or `$name.prop` inside an interpolating string. */
export interface Interpolation {
  /** Offset of the `$`. */
  start: number;
  /** Offset just past the closing `}` or the last name character. */
  end: number;
  /** Offsets of the text between the delimiters (`${` and `}`; `$` and the end for bare names). */
  innerStart: number;
  innerEnd: number;
  /** Source text between the delimiters, untrimmed. */
  inner: string;
  /** `${…}` (true) or `$name` (false). */
  braced: boolean;
}

export type QuoteKind = "'" | '"' | "'''" | '"""' | '/' | '$/';

export interface StringInfo {
  quote: QuoteKind;
  /** The string's value with escapes decoded; interpolations are kept as written (`${x}`). */
  value: string;
  /** Offsets of the text between the quotes. */
  contentStart: number;
  contentEnd: number;
  /** True for GStrings (`"…"`, `"""…"""`, slashy and dollar-slashy strings). */
  interpolating: boolean;
  interpolations: Interpolation[];
  /** False when the closing quote is missing. */
  terminated: boolean;
}

export type TokenType = 'ident' | 'number' | 'string' | 'op' | 'newline' | 'unknown' | 'eof';

export interface Token {
  type: TokenType;
  /** Source text of the token (for strings, quotes included). */
  text: string;
  start: number;
  end: number;
  /** Whitespace or a comment stands right before the token. */
  spaceBefore: boolean;
  /** Present on string tokens. */
  str?: StringInfo;
}

export interface Comment {
  kind: 'line' | 'block' | 'shebang';
  start: number;
  end: number;
  text: string;
}

export interface LexError {
  message: string;
  offset: number;
  end: number;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
  errors: LexError[];
}

/** Operators, longest first. */
const OPERATORS = [
  '>>>=', '<=>', '==~', '>>>', '<<=', '>>=', '**=', '..<', '!in', '?.', '*.', '.@', '.&', '..', '?:', '->', '==', '!=', '<=', '>=', '&&', '||',
  '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '=~', '<<', '>>', '**', '?=', '::',
  '{', '}', '(', ')', '[', ']', ';', ',', '.', ':', '?', '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '&', '|', '^', '@',
];

/** Keywords after which an expression (and so a regex literal) can start. */
const EXPR_KEYWORDS = new Set(['return', 'case', 'in', 'assert', 'throw', 'else', 'yield', 'instanceof', 'as']);

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', s: ' ', '\\': '\\', "'": "'", '"': '"', $: '$', '/': '/' };

export function isIdentStart(c: string): boolean {
  if (c === '') return false;
  const code = c.charCodeAt(0);
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === '_' || c === '$') return true;
  return code > 127 && /[\p{L}\p{Nl}]/u.test(c);
}

export function isIdentPart(c: string): boolean {
  if (c === '') return false;
  const code = c.charCodeAt(0);
  if ((code >= 48 && code <= 57) || isIdentStart(c)) return true;
  return code > 127 && /[\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u.test(c);
}

/** Identifier start for an interpolated `$name`: like Java, but not another `$`. */
function isNameStart(c: string): boolean {
  return c !== '$' && isIdentStart(c);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

interface ScanResult {
  end: number;
  value: string;
  interpolations: Interpolation[];
  terminated: boolean;
}

class Lexer {
  readonly tokens: Token[] = [];
  readonly comments: Comment[] = [];
  readonly errors: LexError[] = [];
  private pos = 0;
  private space = false;

  constructor(private readonly text: string) {}

  private ch(i = this.pos): string {
    return i < this.text.length ? this.text[i]! : '';
  }

  private error(message: string, offset: number, end = offset + 1): void {
    this.errors.push({ message, offset, end: Math.min(Math.max(end, offset), this.text.length) });
  }

  private push(type: TokenType, start: number, end: number, str?: StringInfo): void {
    const t: Token = { type, text: this.text.slice(start, end), start, end, spaceBefore: this.space };
    if (str) t.str = str;
    this.tokens.push(t);
    this.space = false;
  }

  run(): LexResult {
    const t = this.text;
    if (t.startsWith('#!')) {
      const end = this.lineEnd(0);
      this.comments.push({ kind: 'shebang', start: 0, end, text: t.slice(0, end) });
      this.pos = end;
    }
    while (this.pos < t.length) {
      const start = this.pos;
      const c = t[start]!;
      if (c === '\n' || c === '\r') {
        this.pos += c === '\r' && t[start + 1] === '\n' ? 2 : 1;
        const last = this.tokens[this.tokens.length - 1];
        if (last && last.type !== 'newline') this.push('newline', start, this.pos);
        this.space = true;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff' || (c.charCodeAt(0) > 127 && /\s/.test(c))) {
        this.pos++;
        this.space = true;
        continue;
      }
      if (c === '\\' && (t[start + 1] === '\n' || t[start + 1] === '\r')) {
        // Line continuation.
        this.pos += t[start + 1] === '\r' && t[start + 2] === '\n' ? 3 : 2;
        this.space = true;
        continue;
      }
      if (c === '/' && t[start + 1] === '/') {
        const end = this.lineEnd(start);
        this.comments.push({ kind: 'line', start, end, text: t.slice(start, end) });
        this.pos = end;
        this.space = true;
        continue;
      }
      if (c === '/' && t[start + 1] === '*') {
        const close = t.indexOf('*/', start + 2);
        const end = close < 0 ? t.length : close + 2;
        if (close < 0) this.error('unterminated comment `/*`', start, start + 2);
        this.comments.push({ kind: 'block', start, end, text: t.slice(start, end) });
        this.pos = end;
        this.space = true;
        continue;
      }
      if (c === "'" || c === '"') {
        this.quoted(start, c);
        continue;
      }
      if (c === '$' && t[start + 1] === '/') {
        this.dollarSlashy(start);
        continue;
      }
      if (c === '/' && this.regexAllowed() && this.slashy(start)) continue;
      if (isDigit(c)) {
        this.number(start);
        continue;
      }
      if (isIdentStart(c)) {
        let i = start + 1;
        while (i < t.length && isIdentPart(t[i]!)) i++;
        this.pos = i;
        this.push('ident', start, i);
        continue;
      }
      const op = OPERATORS.find((o) => t.startsWith(o, start));
      if (op) {
        // `!in` only as an operator word, not `!inside`.
        if (op === '!in' && isIdentPart(this.ch(start + 3))) {
          this.pos = start + 1;
          this.push('op', start, start + 1);
          continue;
        }
        this.pos = start + op.length;
        this.push('op', start, this.pos);
        continue;
      }
      // Characters outside Groovy (a stray backslash, `#`, a backtick …).
      const cp = t.codePointAt(start)!;
      this.pos = start + (cp > 0xffff ? 2 : 1);
      this.error(`unexpected character \`${t.slice(start, this.pos)}\``, start, this.pos);
      this.push('unknown', start, this.pos);
    }
    this.tokens.push({ type: 'eof', text: '', start: t.length, end: t.length, spaceBefore: this.space });
    return { tokens: this.tokens, comments: this.comments, errors: this.errors };
  }

  private lineEnd(from: number): number {
    let i = from;
    while (i < this.text.length && this.text[i] !== '\n' && this.text[i] !== '\r') i++;
    return i;
  }

  /** A `/` starts a slashy string only where an expression may start. */
  private regexAllowed(): boolean {
    for (let i = this.tokens.length - 1; i >= 0; i--) {
      const tok = this.tokens[i]!;
      if (tok.type === 'newline') continue;
      if (tok.type === 'op') return !(tok.text === ')' || tok.text === ']' || tok.text === '}' || tok.text === '++' || tok.text === '--');
      if (tok.type === 'ident') return EXPR_KEYWORDS.has(tok.text);
      return false;
    }
    return true;
  }

  private number(start: number): void {
    const t = this.text;
    let i = start;
    if (t[i] === '0' && (t[i + 1] === 'x' || t[i + 1] === 'X' || t[i + 1] === 'b' || t[i + 1] === 'B')) {
      i += 2;
      while (i < t.length && /[0-9a-fA-F_]/.test(t[i]!)) i++;
    } else {
      while (i < t.length && (isDigit(t[i]!) || t[i] === '_')) i++;
      if (t[i] === '.' && isDigit(this.ch(i + 1))) {
        i++;
        while (i < t.length && (isDigit(t[i]!) || t[i] === '_')) i++;
      }
      if ((t[i] === 'e' || t[i] === 'E') && (isDigit(this.ch(i + 1)) || ((t[i + 1] === '+' || t[i + 1] === '-') && isDigit(this.ch(i + 2))))) {
        i += 2;
        while (i < t.length && isDigit(t[i]!)) i++;
      }
    }
    if (i < t.length && /[lLgGiIdDfF]/.test(t[i]!) && !isIdentPart(this.ch(i + 1))) i++;
    this.pos = i;
    this.push('number', start, i);
  }

  /** `'…'`, `"…"`, `'''…'''`, `"""…"""` starting at `start`. */
  private quoted(start: number, q: "'" | '"'): void {
    const triple = this.text.startsWith(q + q + q, start);
    const quote = (triple ? q + q + q : q) as QuoteKind;
    const r = scanQuoted(this.text, start, quote, this.errors);
    this.pos = r.end;
    this.push('string', start, r.end, {
      quote,
      value: r.value,
      contentStart: start + quote.length,
      contentEnd: r.terminated ? r.end - quote.length : r.end,
      interpolating: q === '"',
      interpolations: r.interpolations,
      terminated: r.terminated,
    });
  }

  /** `/…/`; false (and nothing consumed) when no closing slash follows, so the `/` is read as an operator. */
  private slashy(start: number): boolean {
    const t = this.text;
    const next = t[start + 1];
    if (next === undefined || next === '/' || next === '*' || next === ' ' || next === '\t' || next === '=' || next === '\n' || next === '\r') return false;
    const errors: LexError[] = [];
    const r = scanSlashy(t, start, errors);
    if (!r.terminated || errors.length > 0) return false;
    this.pos = r.end;
    this.push('string', start, r.end, {
      quote: '/', value: r.value, contentStart: start + 1, contentEnd: r.end - 1, interpolating: true, interpolations: r.interpolations, terminated: true,
    });
    return true;
  }

  private dollarSlashy(start: number): void {
    const r = scanDollarSlashy(this.text, start, this.errors);
    this.pos = r.end;
    this.push('string', start, r.end, {
      quote: '$/', value: r.value, contentStart: start + 2, contentEnd: r.terminated ? r.end - 2 : r.end, interpolating: true, interpolations: r.interpolations, terminated: r.terminated,
    });
  }
}

/**
 * Reads an interpolation starting at the `$` at `i` (the caller knows one is there).
 * Returns null when `$` is not followed by `{` or a name: then it is a plain dollar sign.
 */
function scanInterpolation(t: string, i: number, errors: LexError[], depth: number): Interpolation | null {
  const next = t[i + 1];
  if (next === '{') {
    let j = i + 2;
    let level = 1;
    while (j < t.length) {
      const c = t[j]!;
      if (c === '{') level++;
      else if (c === '}') {
        level--;
        if (level === 0) break;
      } else if ((c === "'" || c === '"') && depth < 16) {
        const q = t.startsWith(c + c + c, j) ? c + c + c : c;
        const r = scanQuoted(t, j, q as QuoteKind, errors, depth + 1);
        j = r.end;
        if (!r.terminated) break;
        continue;
      }
      j++;
    }
    if (j >= t.length || t[j] !== '}') {
      errors.push({ message: 'unterminated interpolation `${`', offset: i, end: i + 2 });
      const end = Math.min(j, t.length);
      return { start: i, end, innerStart: i + 2, innerEnd: end, inner: t.slice(i + 2, end), braced: true };
    }
    return { start: i, end: j + 1, innerStart: i + 2, innerEnd: j, inner: t.slice(i + 2, j), braced: true };
  }
  if (next !== undefined && isNameStart(next)) {
    let j = i + 2;
    while (j < t.length && isIdentPart(t[j]!) && t[j] !== '$') j++;
    // `$name.prop.other`: dots followed by a name continue the path.
    while (t[j] === '.' && j + 1 < t.length && isNameStart(t[j + 1]!)) {
      j += 2;
      while (j < t.length && isIdentPart(t[j]!) && t[j] !== '$') j++;
    }
    return { start: i, end: j, innerStart: i + 1, innerEnd: j, inner: t.slice(i + 1, j), braced: false };
  }
  return null;
}

function decodeEscape(t: string, i: number): { text: string; next: number } {
  const c = t[i + 1];
  if (c === undefined) return { text: '\\', next: i + 1 };
  if (c === '\n') return { text: '', next: i + 2 };
  if (c === '\r') return { text: '', next: t[i + 2] === '\n' ? i + 3 : i + 2 };
  if (c === 'u') {
    let j = i + 2;
    while (t[j] === 'u') j++;
    const hex = t.slice(j, j + 4);
    if (/^[0-9a-fA-F]{4}$/.test(hex)) return { text: String.fromCharCode(parseInt(hex, 16)), next: j + 4 };
    return { text: '\\u', next: i + 2 };
  }
  if (c >= '0' && c <= '7') {
    const m = /^[0-3]?[0-7]{1,2}/.exec(t.slice(i + 1, i + 4))!;
    return { text: String.fromCharCode(parseInt(m[0], 8)), next: i + 1 + m[0].length };
  }
  const e = ESCAPES[c];
  if (e !== undefined) return { text: e, next: i + 2 };
  return { text: '\\' + c, next: i + 2 };
}

/** Scans a quoted string whose opening quote starts at `start`. Never throws; reports a missing end in `errors`. */
export function scanQuoted(t: string, start: number, quote: QuoteKind, errors: LexError[], depth = 0): ScanResult {
  const single = quote.length === 1;
  const q = quote[0]!;
  const gstring = q === '"';
  let i = start + quote.length;
  let value = '';
  const interpolations: Interpolation[] = [];
  while (i < t.length) {
    const c = t[i]!;
    if (c === '\\') {
      const e = decodeEscape(t, i);
      value += e.text;
      i = e.next;
      continue;
    }
    if (single && (c === '\n' || c === '\r')) break;
    if (c === q && (single || t.startsWith(quote, i))) {
      // `'''a''''`: the last three quotes close, earlier ones belong to the text.
      if (!single) {
        let k = i + 3;
        while (t[k] === q && k < i + 5) k++;
        value += t.slice(i, k - 3);
        return { end: k, value, interpolations, terminated: true };
      }
      return { end: i + 1, value, interpolations, terminated: true };
    }
    if (gstring && c === '$') {
      const interp = scanInterpolation(t, i, errors, depth);
      if (interp) {
        interpolations.push(interp);
        value += t.slice(interp.start, interp.end);
        i = interp.end;
        continue;
      }
    }
    value += c;
    i++;
  }
  errors.push({ message: `unterminated string (missing closing ${quote})`, offset: start, end: start + quote.length });
  return { end: i, value, interpolations, terminated: false };
}

function scanSlashy(t: string, start: number, errors: LexError[]): ScanResult {
  let i = start + 1;
  let value = '';
  const interpolations: Interpolation[] = [];
  while (i < t.length) {
    const c = t[i]!;
    if (c === '\\' && t[i + 1] === '/') {
      value += '/';
      i += 2;
      continue;
    }
    if (c === '/') return { end: i + 1, value, interpolations, terminated: true };
    // Groovy allows multi-line slashy strings, but a `/` read as one by mistake must not swallow code.
    if (c === '\n' || c === '\r') break;
    if (c === '$') {
      const interp = scanInterpolation(t, i, errors, 0);
      if (interp) {
        interpolations.push(interp);
        value += t.slice(interp.start, interp.end);
        i = interp.end;
        continue;
      }
    }
    value += c;
    i++;
  }
  return { end: i, value, interpolations, terminated: false };
}

function scanDollarSlashy(t: string, start: number, errors: LexError[]): ScanResult {
  let i = start + 2;
  let value = '';
  const interpolations: Interpolation[] = [];
  while (i < t.length) {
    const c = t[i]!;
    if (c === '/' && t[i + 1] === '$') return { end: i + 2, value, interpolations, terminated: true };
    if (c === '$') {
      const n = t[i + 1];
      if (n === '$' || n === '/') {
        value += n;
        i += 2;
        continue;
      }
      const interp = scanInterpolation(t, i, errors, 0);
      if (interp) {
        interpolations.push(interp);
        value += t.slice(interp.start, interp.end);
        i = interp.end;
        continue;
      }
    }
    value += c;
    i++;
  }
  errors.push({ message: 'unterminated dollar-slashy string (missing closing /$)', offset: start, end: start + 2 });
  return { end: i, value, interpolations, terminated: false };
}

/** Tokens, comments and errors of a Groovy source text. */
export function lex(text: string): LexResult {
  return new Lexer(text).run();
}
