/**
 * Splits a Dockerfile into instructions the way BuildKit's parser does
 * (moby/buildkit frontend/dockerfile/parser): parser directives at the top,
 * comment and blank lines skipped, lines joined across the escape character
 * (`\` or the `# escape=` one) with comment and empty lines inside a
 * continuation dropped, and here-documents (`RUN <<EOF … EOF`) read after
 * their instruction. Every character of an instruction's joined text keeps the
 * source offset it came from, so any word maps back to an exact span.
 */
import type { SourceFile, Span } from '../../model/source.js';

export interface LexProblem {
  message: string;
  span: Span;
}

/**
 * Text joined from several source ranges (one per physical line of a
 * continued instruction), with a map back to source offsets.
 */
export class Joined {
  text = '';
  private readonly segs: { j: number; src: number; len: number }[] = [];

  add(source: string, start: number, end: number): void {
    if (end <= start) return;
    this.segs.push({ j: this.text.length, src: start, len: end - start });
    this.text += source.slice(start, end);
  }

  /** Index of the last segment starting at or before joined offset `j`. */
  private seg(j: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segs[mid]!.j <= j) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Source offset of the character at joined offset `j` (a start position). */
  start(j: number): number {
    if (this.segs.length === 0) return 0;
    if (j >= this.text.length) return this.end(this.text.length);
    const s = this.segs[this.seg(Math.max(0, j))]!;
    return s.src + (Math.max(0, j) - s.j);
  }

  /** Source offset just past the character before joined offset `j` (an end position). */
  end(j: number): number {
    if (this.segs.length === 0) return 0;
    if (j <= 0) return this.segs[0]!.src;
    const s = this.segs[this.seg(Math.min(j, this.text.length) - 1)]!;
    return s.src + (Math.min(j, this.text.length) - s.j);
  }
}

/** A word of an instruction's arguments: raw (quotes and escapes kept), at joined offsets [start, end). */
export interface Word {
  start: number;
  end: number;
  raw: string;
}

export function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f' || c === '\u00a0' || c === '\ufeff';
}

/**
 * BuildKit's `parseWords`: whitespace-separated words where quotes group and
 * the escape character protects the next character. Words keep their quotes.
 */
export function splitWords(s: string, from: number, to: number, esc: string): Word[] {
  const out: Word[] = [];
  let i = from;
  while (i < to) {
    while (i < to && isSpace(s[i])) i++;
    if (i >= to) break;
    const start = i;
    let quote = '';
    while (i < to) {
      const c = s[i]!;
      if (quote) {
        if (c === quote) quote = '';
        else if (c === esc && quote !== "'") i++;
        i++;
        continue;
      }
      if (isSpace(c)) break;
      if (c === '"' || c === "'") quote = c;
      else if (c === esc) i++;
      i++;
    }
    i = Math.min(i, to);
    out.push({ start, end: i, raw: s.slice(start, i) });
  }
  return out;
}

/** A word's value with its quotes and escapes removed (variables are left as written). */
export function unquote(raw: string, esc: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = '';
      else out += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = '';
      else if (c === esc && i + 1 < raw.length && (raw[i + 1] === '"' || raw[i + 1] === '$' || raw[i + 1] === esc)) out += raw[++i];
      else out += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === esc && i + 1 < raw.length) out += raw[++i];
    else if (c !== esc) out += c;
  }
  return out;
}

export interface Flag {
  /** Name without the leading `--`. */
  name: string;
  /** Unquoted value; null for a bare `--flag`. */
  value: string | null;
  /** Joined offsets of the whole flag word and of its value (after `=`). */
  word: Word;
  valueStart: number;
  valueEnd: number;
}

/** BuildKit's `extractBuilderFlags`: leading `--name[=value]` words; `--` alone ends them. Returns flags and where the rest starts. */
export function leadingFlags(s: string, from: number, to: number, esc: string): { flags: Flag[]; rest: number } {
  const flags: Flag[] = [];
  const words = splitWords(s, from, to, esc);
  let rest = to;
  for (let n = 0; n < words.length; n++) {
    const w = words[n]!;
    if (!w.raw.startsWith('--')) {
      rest = w.start;
      break;
    }
    if (w.raw === '--') {
      rest = words[n + 1]?.start ?? to;
      break;
    }
    const eq = w.raw.indexOf('=');
    const name = w.raw.slice(2, eq < 0 ? undefined : eq);
    flags.push({
      name,
      value: eq < 0 ? null : unquote(w.raw.slice(eq + 1), esc),
      word: w,
      valueStart: eq < 0 ? w.end : w.start + eq + 1,
      valueEnd: w.end,
    });
  }
  return { flags, rest };
}

/** The exec (JSON) form of an instruction: a JSON array of strings, or null for the shell form. */
export function execForm(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not JSON: BuildKit takes it as the shell form.
  }
  return null;
}

export interface Heredoc {
  /** Terminator as it must appear on its own line. */
  name: string;
  /** `<<-`: leading tabs are stripped from the content and the terminator line. */
  chomp: boolean;
  /** `<<"EOF"` / `<<'EOF'`: no variable expansion in the content. */
  quoted: boolean;
  /** Joined offsets of the `<<NAME` word in the instruction line. */
  word: Word;
  /** Content as BuildKit hands it over (each line ending in `\n`; tabs chomped for `<<-`). */
  content: string;
  /** Source range of the content lines, line break of the last one excluded. */
  contentStart: number;
  contentEnd: number;
  /** Source range of the terminator line, or null when the file ended first. */
  terminator: { start: number; end: number } | null;
}

export interface RawInstruction {
  /** The keyword as written (`run`, `RUN`). */
  keyword: string;
  /** The joined logical line: keyword and arguments, continuations removed. */
  line: Joined;
  /** Joined offsets of the keyword. */
  keywordEnd: number;
  /** Joined offsets of the arguments, trimmed. */
  argsStart: number;
  argsEnd: number;
  /** Source offsets of the whole instruction, here-documents included. */
  start: number;
  end: number;
  heredocs: Heredoc[];
  /** Empty lines inside the continuation (BuildKit warns about them). */
  emptyContinuationLines: number;
}

export interface Directive {
  name: string;
  value: string;
  span: Span;
  valueSpan: Span;
}

export interface LexResult {
  escape: '\\' | '`';
  directives: Directive[];
  instructions: RawInstruction[];
  problems: LexProblem[];
}

interface PhysLine {
  /** Offset of the first character. */
  start: number;
  /** End of the content, trailing CR/LF excluded. */
  end: number;
  /** Offset of the next line. */
  next: number;
}

/** Lines as BuildKit reads them: split at `\n`, trailing `\r`s dropped. */
function physicalLines(text: string): PhysLine[] {
  const out: PhysLine[] = [];
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    const last = nl < 0;
    if (last) nl = text.length;
    let end = nl;
    while (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (!(last && start === text.length && out.length > 0)) out.push({ start, end, next: last ? text.length : nl + 1 });
    if (last) break;
    start = nl + 1;
  }
  return out;
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

export function lexDockerfile(file: SourceFile): LexResult {
  const text = file.text;
  const lines = physicalLines(text);
  const problems: LexProblem[] = [];
  const directives: Directive[] = [];
  const instructions: RawInstruction[] = [];
  let escape: '\\' | '`' = '\\';
  let directivesDone = false;

  const leadingSpace = (l: PhysLine): number => {
    let i = l.start;
    while (i < l.end && isSpace(text[i])) i++;
    return i;
  };
  const isComment = (l: PhysLine): boolean => text[leadingSpace(l)] === '#';
  /** End of the line's content without a trailing escape character (and blanks after it); `continues` when there was one. */
  const trimContinuation = (from: number, l: PhysLine): { end: number; continues: boolean } => {
    let e = l.end;
    while (e > from && (text[e - 1] === ' ' || text[e - 1] === '\t')) e--;
    if (e > from && text[e - 1] === escape) return { end: e - 1, continues: true };
    return { end: l.end, continues: false };
  };

  let i = 0;
  while (i < lines.length) {
    const l = lines[i++]!;
    const first = leadingSpace(l);
    if (!directivesDone) {
      const m = DIRECTIVE.exec(text.slice(first, l.end));
      const name = m?.[1]!.toLowerCase();
      if (m && name && KNOWN_DIRECTIVES.has(name)) {
        const valueAt = first + m[0].lastIndexOf(m[2]!);
        const d: Directive = { name, value: m[2]!, span: file.span(first, l.end), valueSpan: file.span(valueAt, valueAt + m[2]!.length) };
        if (directives.some((x) => x.name === name)) problems.push({ message: `only one \`${name}\` parser directive can be used`, span: d.span });
        else {
          directives.push(d);
          if (name === 'escape') {
            if (d.value === '\\' || d.value === '`') escape = d.value;
            else problems.push({ message: `invalid escape character \`${d.value}\`: it must be \\ or \``, span: d.valueSpan });
          }
        }
        continue;
      }
      directivesDone = true;
    }
    if (first >= l.end || text[first] === '#') continue;

    const line = new Joined();
    let cont = trimContinuation(first, l);
    line.add(text, first, cont.end);
    let endOffset = cont.end;
    let empties = 0;
    while (cont.continues && i < lines.length) {
      const c = lines[i++]!;
      if (isComment(c)) continue;
      if (leadingSpace(c) >= c.end) {
        empties++;
        continue;
      }
      cont = trimContinuation(c.start, c);
      line.add(text, c.start, cont.end);
      endOffset = cont.end;
    }
    const t = line.text;
    let k = 0;
    while (k < t.length && !isSpace(t[k])) k++;
    const keyword = t.slice(0, k);
    let a = k;
    while (a < t.length && isSpace(t[a])) a++;
    let b = t.length;
    while (b > a && isSpace(t[b - 1])) b--;
    // The source end is the last non-blank character of the arguments (or the keyword).
    const end = b > 0 ? line.end(b) : endOffset;
    const ins: RawInstruction = { keyword, line, keywordEnd: k, argsStart: a, argsEnd: b, start: first, end, heredocs: [], emptyContinuationLines: empties };

    // Here-documents: RUN, COPY and ADD in the shell form (and the same behind ONBUILD).
    let kw = keyword.toLowerCase();
    let from = a;
    if (kw === 'onbuild') {
      const inner = splitWords(t, a, b, escape)[0];
      if (inner) {
        kw = inner.raw.toLowerCase();
        from = inner.end;
      }
    }
    if (HEREDOC_KEYWORDS.has(kw) && t.includes('<<')) {
      const { rest } = leadingFlags(t, from, b, escape);
      if (!execForm(t.slice(rest, b))) {
        for (const w of splitWords(t, 0, b, '\\')) {
          const m = HEREDOC_WORD.exec(w.raw);
          if (!m || m[3] === '') continue;
          const name = unquote(m[3]!, '\\');
          if (name === '') continue;
          const quoted = /["']/.test(m[3]!);
          const chomp = m[2] === '-';
          const doc: Heredoc = { name, chomp, quoted, word: w, content: '', contentStart: i < lines.length ? lines[i]!.start : text.length, contentEnd: -1, terminator: null };
          let contentEnd = doc.contentStart;
          while (i < lines.length) {
            const c = lines[i++]!;
            let s = c.start;
            if (chomp) while (s < c.end && text[s] === '\t') s++;
            if (text.slice(s, c.end) === name) {
              doc.terminator = { start: c.start, end: c.end };
              break;
            }
            // Line breaks are read as `\n`, as BuildKit's line scanner does with CRLF.
            doc.content += text.slice(chomp ? s : c.start, c.end) + (c.next > c.end ? '\n' : '');
            contentEnd = c.end;
          }
          doc.contentEnd = Math.max(doc.contentStart, contentEnd);
          if (!doc.terminator) {
            problems.push({ message: `unterminated here-document: no line \`${name}\` before the end of the file`, span: file.span(line.start(w.start), line.end(w.end)) });
            ins.end = Math.max(ins.end, text.length);
            // Trailing line breaks are not part of the instruction.
            while (ins.end > ins.start && (text[ins.end - 1] === '\n' || text[ins.end - 1] === '\r')) ins.end--;
          } else ins.end = doc.terminator.end;
          ins.heredocs.push(doc);
        }
      }
    }
    instructions.push(ins);
  }
  return { escape, directives, instructions, problems };
}
