/**
 * YAML with positions: parse once with the `yaml` package, then read the node
 * tree through these helpers, which resolve aliases and `<<` merge keys while
 * keeping the location of the node that was actually written.
 */
import { Lexer, parseAllDocuments, visit, Scalar } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from './yaml-nodes.js';
import type { Document, Node as YamlNode, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Span } from '../model/source.js';
import { SourceFile } from '../model/source.js';
import { fastParseAll, lastBailReason, lastTooDeepAt, PARSE_OPTIONS } from './fast-yaml.js';

export type { YamlNode, YAMLMap, YAMLSeq };

export interface YamlProblem {
  message: string;
  span: Span;
  /** Fatal problems leave the document unusable for analysis. */
  fatal: boolean;
}

/** Thrown when a document expands aliases beyond the budget (alias bombs). */
export class AliasBudgetExceeded extends Error {}

/** Whether reading YAML failed because it is too large to read: aliases past the budget, or nesting past the stack. */
export function isTooLargeToRead(err: unknown): boolean {
  return err instanceof AliasBudgetExceeded || err instanceof RangeError;
}

/** What `read` returns, or `otherwise` when the YAML it reads is too large to read (other errors still throw). */
export function unlessTooLarge<T, U>(read: () => T, otherwise: U): T | U {
  try {
    return read();
  } catch (err) {
    if (isTooLargeToRead(err)) return otherwise;
    throw err;
  }
}

/** Budget of alias resolutions per document: real pipelines use a handful. */
const ALIAS_BUDGET = 10_000;

/** Non-fatal parse problems: the platform would reject the file, but its meaning is still clear. */
const NON_FATAL = new Set(['DUPLICATE_KEY', 'KEY_OVER_1024_CHARS', 'TAB_AS_INDENT']);

/**
 * One parsed YAML document plus what is needed to read it safely:
 * an anchor index (the `yaml` package's own alias lookup walks the whole
 * document on every call) and an alias budget.
 */
export class YamlDoc {
  private aliasesResolved = 0;
  /** Pairs of each mapping with merges applied: resolved once, so the alias budget counts expansions, not lookups. */
  private readonly merged = new WeakMap<YAMLMap, Pair[]>();
  /** Whether the document's text can hold a `<<` key at all (see `mayHoldMergeKeys`). */
  private mergeKeysPossible: boolean | undefined;

  constructor(
    readonly file: SourceFile,
    readonly doc: Document,
  ) {}

  /**
   * A reader of the same document whose alias count starts again at zero, as
   * a rule's own reader would, for reads that must not spend this one's budget.
   */
  withOwnBudget(): YamlDoc {
    return new YamlDoc(this.file, this.doc);
  }

  get contents(): YamlNode | null {
    return (this.doc.contents as YamlNode | null) ?? null;
  }

  span(node: YamlNode | null | undefined): Span {
    const r = node?.range;
    if (!r) return this.file.span(0, 0);
    return this.file.span(r[0], r[1]);
  }

  /** Span of a key/value pair, from the key to the end of the value. */
  pairSpan(pair: Pair): Span {
    const k = pair.key as YamlNode | null;
    const v = pair.value as YamlNode | null;
    const start = k?.range?.[0] ?? v?.range?.[0] ?? 0;
    const end = v?.range?.[1] ?? k?.range?.[1] ?? start;
    return this.file.span(start, end);
  }

  /** Follow an alias to its anchored node; other nodes come back unchanged. */
  deref(node: unknown): YamlNode | null {
    if (node === null || node === undefined) return null;
    if (!isAlias(node)) return node as YamlNode;
    if (++this.aliasesResolved > ALIAS_BUDGET) throw new AliasBudgetExceeded(`more than ${ALIAS_BUDGET} alias expansions`);
    const anchors = this.anchorIndex();
    const candidates = anchors.get(node.source);
    if (!candidates) return null;
    const at = node.range?.[0] ?? Infinity;
    let found: YamlNode | null = null;
    for (const c of candidates) {
      if ((c.range?.[0] ?? 0) < at) found = c;
      else break;
    }
    // An alias may only point backwards; an alias inside its own anchor would loop.
    if (found && found.range && found.range[0] <= at && at < found.range[1] && (isMap(found) || isSeq(found))) return null;
    return found;
  }

  private anchorIndex(): Map<string, YamlNode[]> {
    const shared = sharedFacts(this.doc);
    if (shared.anchors) return shared.anchors;
    const anchors = new Map<string, YamlNode[]>();
    visit(this.doc, (_key, node) => {
      // Broken documents can hold pairs with a null key or value; the visitor sees those as null.
      if (node === null || node === undefined) return;
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor && (isMap(node) || isSeq(node) || isScalar(node))) {
        const list = anchors.get(anchor) ?? [];
        list.push(node as YamlNode);
        anchors.set(anchor, list);
      }
    });
    for (const list of anchors.values()) list.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
    shared.anchors = anchors;
    return anchors;
  }

  map(node: unknown): YAMLMap | null {
    const n = this.deref(node);
    return isMap(n) ? n : null;
  }

  seq(node: unknown): YAMLSeq | null {
    const n = this.deref(node);
    return isSeq(n) ? n : null;
  }

  scalar(node: unknown): Scalar | null {
    const n = this.deref(node);
    return isScalar(n) ? n : null;
  }

  /** A scalar's value as a string (numbers and booleans as written), or undefined. */
  str(node: unknown): string | undefined {
    const s = this.scalar(node);
    if (!s) return undefined;
    if (s.value === null || s.value === undefined) return undefined;
    if (typeof s.source === 'string' && typeof s.value !== 'string') return s.source;
    return String(s.value);
  }

  /**
   * The pairs of a mapping with `<<` merges applied: own keys win over merged
   * ones, and earlier merge sources over later ones, as YAML 1.1 says.
   */
  pairs(node: unknown, depth = 0): readonly Pair[] {
    const m = this.map(node);
    if (!m) return NO_PAIRS;
    // Most mappings have no `<<`: their own items, neither copied nor cached (this runs for every key lookup).
    if (!this.mayHoldMergeKeys() || !hasMergeKey(m)) return m.items as Pair[];
    const cached = this.merged.get(m);
    if (cached) return cached;
    const result = this.mergePairs(m, depth);
    this.merged.set(m, result);
    return result;
  }

  /**
   * Most documents have no merge key anywhere: one search of their text then
   * spares every key lookup a pass over its mapping's keys (the hottest lookup
   * of a scan; that pass was ~1% of its CPU profile). A `<<` key is written as
   * `<<`, quoted or not, or in double quotes escaped or split by escaped line
   * breaks; aliases cannot reach other documents.
   */
  private mayHoldMergeKeys(): boolean {
    if (this.mergeKeysPossible === undefined) {
      const shared = sharedFacts(this.doc);
      if (shared.mergeKeysPossible === undefined) {
        const range = this.doc.range as [number, number, number] | undefined;
        const text = this.file.text;
        shared.mergeKeysPossible = MERGE_KEY_TEXT.test(range ? text.slice(range[0], range[2]) : text);
      }
      this.mergeKeysPossible = shared.mergeKeysPossible;
    }
    return this.mergeKeysPossible;
  }

  private mergePairs(m: YAMLMap, depth: number): Pair[] {
    const own: Pair[] = [];
    const merged: Pair[] = [];
    for (const p of m.items) {
      const key = p.key as YamlNode | null;
      if (isScalar(key) && key.value === '<<' && depth < 16) {
        const v = this.deref(p.value);
        const sources = isSeq(v) ? v.items : [v];
        for (const s of sources) merged.push(...this.pairs(s, depth + 1));
      } else own.push(p);
    }
    if (merged.length === 0) return own;
    const seen = new Set(own.map((p) => keyString(p)));
    const out = [...own];
    for (const p of merged) {
      const k = keyString(p);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(p);
      }
    }
    return out;
  }

  /** The pair under `key` in a mapping (merges applied). */
  pair(node: unknown, key: string): Pair | undefined {
    // An indexed loop, not find() or for-of: this is the hottest lookup of a scan, and without TurboFan
    // inlining (see v8-tuning) closures and iterators were a large share of its garbage.
    const pairs = this.pairs(node);
    for (let i = 0; i < pairs.length; i++) if (keyString(pairs[i]!) === key) return pairs[i];
    return undefined;
  }

  /** The value under `key`, aliases followed. */
  get(node: unknown, key: string): YamlNode | null {
    const p = this.pair(node, key);
    return p ? this.deref(p.value) : null;
  }

  /**
   * The items of a sequence, aliases followed. Read-only: a sequence with no
   * alias or empty item (nearly all) is answered with its own items, not a copy.
   */
  items(node: unknown): readonly YamlNode[] {
    const s = this.seq(node);
    if (!s) return NO_ITEMS;
    const own = s.items as unknown[];
    let i = 0;
    while (i < own.length && own[i] !== null && own[i] !== undefined && !isAlias(own[i])) i++;
    if (i === own.length) return own as YamlNode[];
    const out = own.slice(0, i) as YamlNode[];
    for (; i < own.length; i++) {
      const n = this.deref(own[i]);
      if (n) out.push(n);
    }
    return out;
  }
}

const NO_PAIRS: readonly Pair[] = Object.freeze([]);
const NO_ITEMS: readonly YamlNode[] = Object.freeze([]);

/**
 * What every reader of one document finds the same, found once: whether its
 * text can hold a `<<` key, and its anchors. A document has a reader per
 * object it holds (the cross-file rules make one for each), and for a `List`
 * of 8,000 runs finding these again per reader was a pass over the whole
 * document each time: 6 of a 7 s scan. Kept on the document itself, so that
 * they live exactly as long: a WeakMap keyed by documents would have kept
 * each one's tree alive through young-generation collections (see
 * `core/file-scoped.ts`).
 */
interface DocumentFacts {
  mergeKeysPossible?: boolean;
  anchors?: Map<string, YamlNode[]>;
}

const FACTS = Symbol('pipewarden document facts');

function sharedFacts(doc: Document): DocumentFacts {
  const holder = doc as Document & { [FACTS]?: DocumentFacts };
  return (holder[FACTS] ??= {});
}

/**
 * Text that may stand for a `<<` key: as written, joined across escaped line
 * breaks in double quotes (`"<\` then `<"` on the next line), or with `<` escaped.
 */
const MERGE_KEY_TEXT = /<<|<(?:\\\r?\n[ \t]*)+<|\\(?:x3c|u003c|U0000003c)/i;

function hasMergeKey(m: YAMLMap): boolean {
  const items = m.items;
  for (let i = 0; i < items.length; i++) {
    const k = items[i]!.key as unknown;
    if (isScalar(k) && k.value === '<<') return true;
  }
  return false;
}

export function keyString(pair: Pair): string {
  const k = pair.key as unknown;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

/** Flow nesting (`[`/`{`) refused before `yaml` reads a file the fast reader gave up on: what the fast reader also refuses. */
const FLOW_NESTING_LIMIT = 200;

/** Lexer tokens that mark structure and stand for no source text. */
const CONTROL_TOKENS = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * Offset of the first flow collection nested deeper than `limit`, or -1.
 * Read with `yaml`'s lexer, which does not recurse and gives quoted
 * scalars, block scalars and comments as single tokens: brackets in scripts
 * (`\033[32m`) are text, not nesting.
 */
export function flowNestingPast(text: string, limit: number): number {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') {
      if (++depth > limit) return offset;
    } else if ((token === ']' || token === '}') && depth > 0) depth--;
    if (!(token.length === 1 && CONTROL_TOKENS.has(token))) offset += token.length;
  }
  return -1;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  problems: YamlProblem[];
}

/** Parse every document of a YAML stream; never throws. */
export function parseYaml(file: SourceFile): ParsedYaml {
  const problems: YamlProblem[] = [];
  let documents: Document[];
  try {
    // The fast reader covers what pipeline files use and gives up on anything else; `yaml` is the reference and the fallback.
    const fast = fastParseAll(file.text);
    // Refused on depth alone, by counting: whether `yaml` overflowed the stack would depend on the thread.
    const deepAt = fast ? -1 : lastBailReason === 'too deep' ? lastTooDeepAt : flowNestingPast(file.text, FLOW_NESTING_LIMIT);
    if (deepAt >= 0) return { docs: [], problems: [{ message: 'document is nested too deeply to parse', span: file.span(deepAt, deepAt), fatal: true }] };
    const parsed = fast ?? parseAllDocuments(file.text, PARSE_OPTIONS);
    documents = Array.isArray(parsed) ? (parsed as Document[]) : [];
    if (!Array.isArray(parsed)) {
      // An empty stream comes back as an EmptyStream object with no documents.
      documents = [];
    }
  } catch (err) {
    const message = err instanceof RangeError ? 'document is nested too deeply to parse' : `YAML could not be parsed: ${(err as Error).message}`;
    return { docs: [], problems: [{ message, span: file.span(0, 0), fatal: true }] };
  }
  const docs: YamlDoc[] = [];
  for (const d of documents) {
    const openers = d.errors.some((e) => UNCLOSED.test(e.message)) ? unclosedOpeners(d) : [];
    const unclosedSeen = new Set<string>();
    for (const e of d.errors) {
      let message = firstLine(e.message);
      let start = e.pos[0];
      let end = Math.max(e.pos[0], e.pos[1]);
      if (e.code === 'RESOURCE_EXHAUSTION') {
        // The `yaml` package turns a stack overflow into this error; say what it means, not "Maximum call stack size exceeded".
        message = 'document is nested too deeply to parse';
      } else if (UNCLOSED.test(message)) {
        // `yaml` reports an unclosed quote or bracket where it gave up (often the end of the file),
        // once per nesting level; report it once, at the outermost quote or bracket never closed.
        const key = `${e.pos[0]}\0${message}`;
        if (unclosedSeen.has(key)) continue;
        unclosedSeen.add(key);
        const opener = openers.find((n) => n.range![1] === e.pos[0]);
        if (opener) {
          start = opener.range![0];
          end = start + 1;
          message += ' (opened here)';
        }
      }
      if (start >= file.text.length && file.text.length > 0) {
        // An error at the very end of the file: show the last written character, not the empty line after it.
        start = Math.max(0, file.text.trimEnd().length - 1);
        end = start + 1;
      }
      problems.push({ message, span: file.span(start, end), fatal: !NON_FATAL.has(e.code) });
    }
    docs.push(new YamlDoc(file, d));
  }
  return { docs, problems };
}

/** Messages of errors about a quote or flow collection that is never closed. */
const UNCLOSED = /^Missing closing ["']quote|^Flow (sequence|map)( in block collection must be sufficiently indented and| must) end with a/;

/** Quoted scalars and flow collections of a broken document, outermost (earliest start) first. */
function unclosedOpeners(d: Document): YamlNode[] {
  const out: YamlNode[] = [];
  try {
    visit(d, (_key, node) => {
      if (!node || !(node as YamlNode).range) return;
      if (isScalar(node) ? node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' : (isMap(node) || isSeq(node)) && node.flow === true) out.push(node as YamlNode);
    });
  } catch {
    // A document too deep to walk keeps the parser's own error positions.
  }
  return out.sort((a, b) => a.range![0] - b.range![0]);
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

