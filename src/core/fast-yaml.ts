/**
 * A single-pass YAML reader for the subset real pipeline files use, building
 * the very node tree `parseAllDocuments` (options as in yaml.ts) would build:
 * same classes, ranges, values, types, anchors, tags and warnings. On anything
 * outside that subset, or anything the `yaml` package would report as an
 * error, it gives up (`undefined`) and the caller parses with `yaml`, which
 * stays the reference. It never throws.
 *
 * Not reproduced, because nothing downstream reads them: comments
 * (`comment`, `commentBefore`), `spaceBefore`, `doc.comment`, `srcToken`.
 */
import { Alias, Document, isMap as yamlSaysMap, isPair as yamlSaysPair, isScalar as yamlSaysScalar, isSeq as yamlSaysSeq, Pair, Scalar, YAMLMap, YAMLSeq, YAMLWarning } from 'yaml';
import type { Node as YamlNode, Schema } from 'yaml';
import { fit } from './fit.js';

/** The options yaml.ts parses with: documents carry them. */
export const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: false, keepSourceTokens: false } as const;

/**
 * Call depth (about two per nesting level) past which a document is refused
 * as nested too deeply. Counted, not caught as a stack overflow, so the
 * verdict is the same on every thread (workers have larger stacks than the
 * main thread) and at any JIT state. No pipeline nests anywhere near it.
 */
const MAX_DEPTH = 400;

/** Where the last `too deep` bail happened (an offset into the text). */
export let lastTooDeepAt = -1;

/** Thrown internally to give up; never escapes. */
class Bail {
  constructor(readonly reason: string) {}
}

type ScalarTag = { default?: unknown; test?: RegExp; resolve: (s: string, onError: (m: string) => void, o: unknown) => unknown; format?: string; collection?: string; tag: string };

const probe = new Document(undefined, PARSE_OPTIONS);
const DirectivesClass = probe.directives!.constructor as new (o: { version: string }) => { atDocument(): unknown; docStart: boolean | null; docEnd: boolean };
/** Core-schema tags tried on plain scalars, in the order `yaml` tries them. */
const DEFAULT_TAGS: ScalarTag[] = (probe.schema.tags as unknown as ScalarTag[]).filter((t) => t.default === true && t.test && !t.collection);
const STR_TAG = (probe.schema.tags as unknown as ScalarTag[]).find((t) => t.tag === 'tag:yaml.org,2002:str')!;
const noError = () => {
  throw new Bail('tag resolve error');
};

const enum K {
  MapValue,
  SeqItem,
  Line,
}

interface Props {
  anchor: string | null;
  tag: string | null;
  tagStart: number;
  /** End of the last property (for empty nodes). */
  end: number;
}

/** Reasons for giving up, counted for tests. */
export let lastBailReason = '';

export function fastParseAll(text: string): Document[] | undefined {
  try {
    lastBailReason = '';
    return new FastYaml(text).stream();
  } catch (e) {
    lastBailReason = e instanceof Bail ? e.reason : `exception: ${(e as Error)?.message ?? e}`;
    return undefined;
  }
}


/**
 * Scalars and pairs are most of a tree's nodes. `yaml`'s constructors mark
 * each with its node type through `Object.defineProperty`, a runtime call per
 * node; these take the mark from a prototype instead. The nodes are still
 * instances of `Scalar` and `Pair`, and `isScalar`/`isPair` (which read the
 * mark) and `clone` (which keeps the prototype) work on them unchanged.
 */
const NODE_TYPE = Object.getOwnPropertySymbols(new Scalar(null)).find((k) => k.description === 'yaml.node.type');
const markedPrototype = (proto: object, sample: object): object | undefined =>
  NODE_TYPE === undefined ? undefined : Object.create(proto, { [NODE_TYPE]: { value: (sample as Record<symbol, unknown>)[NODE_TYPE] } });
const SCALAR_PROTOTYPE = markedPrototype(Scalar.prototype, new Scalar(null));
const PAIR_PROTOTYPE = markedPrototype(Pair.prototype, new Pair(null));
/** Checked once, with yaml's own tests of the mark: a `yaml` release that marks nodes differently gets its own constructors. */
const MARK_FROM_PROTOTYPE = SCALAR_PROTOTYPE !== undefined && PAIR_PROTOTYPE !== undefined && yamlSaysScalar(Object.create(SCALAR_PROTOTYPE)) && yamlSaysPair(Object.create(PAIR_PROTOTYPE));

function newScalar(value: unknown): Scalar {
  if (!MARK_FROM_PROTOTYPE) return new Scalar(value);
  const s = Object.create(SCALAR_PROTOTYPE!) as Scalar;
  s.value = value;
  return s;
}

function newPair(key: unknown, value: unknown): Pair {
  if (!MARK_FROM_PROTOTYPE) return new Pair(key, value);
  const p = Object.create(PAIR_PROTOTYPE!) as Pair;
  p.key = key;
  p.value = value;
  return p;
}

/**
 * Mappings and sequences likewise: `yaml`'s constructor defines two properties
 * per collection (its mark and its document's schema). Their prototypes hold
 * both, and one pair of prototypes serves every document, so that all files'
 * collections share their hidden classes (a prototype per document made every
 * rule's reads of `items` megamorphic). The schema is the one every fast-read
 * document shares (see `document`); it stays writable, as yaml's own is:
 * `clone(schema)` sets a copy's own.
 */
const MAP_PROTOTYPE = markedPrototype(YAMLMap.prototype, new YAMLMap());
const SEQ_PROTOTYPE = markedPrototype(YAMLSeq.prototype, new YAMLSeq());
const COLLECTIONS_FROM_PROTOTYPE = MAP_PROTOTYPE !== undefined && SEQ_PROTOTYPE !== undefined && yamlSaysMap(Object.create(MAP_PROTOTYPE)) && yamlSaysSeq(Object.create(SEQ_PROTOTYPE)) && !yamlSaysMap(Object.create(SEQ_PROTOTYPE));
const SHARED_SCHEMA = { schema: { value: probe.schema, configurable: true, enumerable: false, writable: true } };
/** The prototypes every document's collections take, or undefined where `yaml` marks nodes otherwise. */
const COLLECTION_PROTOTYPES = COLLECTIONS_FROM_PROTOTYPE ? { map: Object.create(MAP_PROTOTYPE!, SHARED_SCHEMA) as object, seq: Object.create(SEQ_PROTOTYPE!, SHARED_SCHEMA) as object } : undefined;
// Shared by every fast-read document, so no document may add to it: yaml's composer adds tags it meets to
// the schema it composes with, which for fast-read documents could only happen if their options were handed back
// to yaml. Frozen, such a push fails in that document instead of changing every other one. `clone` copies the list.
Object.freeze(probe.schema.tags);

function bail(reason: string): never {
  throw new Bail(reason);
}

/** Keys a block mapping compares one by one before it keeps them in a Set. */
const KEYS_COMPARED_ONE_BY_ONE = 16;

const SP = 32;
const NL = 10;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const TAB = 9;

class FastYaml {
  private pos = 0;

  private tooDeep(): never {
    lastTooDeepAt = this.pos;
    bail('too deep');
  }
  /** The line start of the last content position skipTrivia found, so columns need no scan back. */
  private knownPos = -1;
  private knownLineStart = 0;
  private readonly n: number;
  private doc!: Document;
  private schema!: Schema;
  private warnings: YAMLWarning[] = [];
  private directives: { atDocument(): unknown } | undefined;

  constructor(private readonly src: string) {
    this.n = src.length;
  }

  stream(): Document[] {
    const src = this.src;
    if (src.indexOf('\ufeff') >= 0) bail('BOM');
    if (src.indexOf('\r') >= 0) bail('CR');
    const docs: Document[] = [];
    this.directives = new DirectivesClass({ version: '1.2' });
    for (;;) {
      const c = this.skipTrivia(this.pos);
      if (c >= this.n) break;
      const ch = src.charCodeAt(c);
      if (ch === 37 /* % */ && this.col(c) === 0) bail('directive');
      if (this.isMarker(c, '...')) {
        // A document end with no document: yaml keeps it as stream trivia.
        bail('stray document end');
      }
      docs.push(this.document(c));
    }
    return docs;
  }

  private newMap(): YAMLMap {
    if (!COLLECTION_PROTOTYPES) return new YAMLMap(this.schema);
    const map = Object.create(COLLECTION_PROTOTYPES.map) as YAMLMap;
    map.items = [];
    return map;
  }

  private newSeq(): YAMLSeq {
    if (!COLLECTION_PROTOTYPES) return new YAMLSeq(this.schema);
    const seq = Object.create(COLLECTION_PROTOTYPES.seq) as YAMLSeq;
    seq.items = [];
    return seq;
  }

  private document(c: number): Document {
    const src = this.src;
    // One schema for every document: `yaml` made one per document (three defineProperty calls and its tag lists),
    // though it follows from the YAML version and the options. Only 1.2 is read here (a `%YAML` directive is left to
    // yaml), checked below, since a schema given in the options is taken whatever the version.
    const doc = new Document(undefined, Object.assign({ _directives: this.directives, schema: probe.schema }, PARSE_OPTIONS) as never);
    if ((doc.directives as { yaml?: { version?: string } } | undefined)?.yaml?.version !== '1.2') bail('yaml version');
    this.doc = doc;
    this.schema = doc.schema;
    this.warnings = [];
    const docStart = this.lineStartOf(c);
    if (this.isMarker(c, '---')) {
      (doc.directives as unknown as { docStart: boolean }).docStart = true;
      let p = c + 3;
      while (p < this.n && src.charCodeAt(p) === SP) p++;
      const at = p;
      if (p < this.n && src.charCodeAt(p) === HASH) p = this.lineEnd(p);
      else if (p < this.n && src.charCodeAt(p) !== NL) bail('content after ---');
      if (p < this.n) p++;
      this.pos = p;
      c = this.skipTrivia(p);
      if (c >= this.n || this.isMarker(c, '---') || this.isMarker(c, '...')) {
        // An empty document (a `---` closing a file, or two in a row): a null scalar right after the marker.
        // With comments around it, yaml stretches it in ways not worth following.
        if (this.isMarker(c, '...') || src.charCodeAt(at) === HASH || this.maxCommentIndent(p, c >= this.n ? this.n : c) >= 0) bail('empty document');
        const s = this.plainScalar('');
        s.range = [at, at, at];
        doc.contents = s as never;
        doc.range = [docStart, at, at];
        this.pos = c >= this.n ? this.n : this.lineStartOf(c);
        return doc;
      }
    }
    if (src.charCodeAt(c) === 37 /* % */ && this.col(c) === 0) bail('directive');
    this.pos = c;
    const contents = this.lineNode(this.col(c), -1, null, 0);
    doc.contents = contents as never;
    const contentEnd = contents.range![2];
    // Trailing blank lines and comments belong to the document.
    let end = contentEnd;
    let t = this.skipTrivia(this.pos);
    if (t < this.n && !this.isMarker(t, '---') && !this.isMarker(t, '...')) bail('content after document node');
    // (what an empty last value holds stays with it)
    if (t > this.pos && !((contents instanceof YAMLMap || contents instanceof YAMLSeq) && !contents.flow)) bail('lines after a top-level scalar');
    if (t === this.pos) end = contentEnd;
    else if (t >= this.n) end = this.n;
    else end = this.lineStartOf(t);
    if (end < contentEnd) end = contentEnd;
    this.pos = end;
    if (t < this.n && this.isMarker(t, '...')) {
      (doc.directives as unknown as { docEnd: boolean }).docEnd = true;
      let p = t + 3;
      while (p < this.n && src.charCodeAt(p) === SP) p++;
      if (p < this.n && src.charCodeAt(p) === HASH) p = this.lineEnd(p);
      else if (p < this.n && src.charCodeAt(p) !== NL) bail('content after ...');
      if (p < this.n) p++;
      end = p;
      this.pos = p;
    }
    doc.range = [docStart, contentEnd, end];
    if (this.warnings.length > 0) {
      this.warnings.sort((a, b) => a.pos[0] - b.pos[0]);
      doc.warnings.push(...this.warnings);
    }
    return doc;
  }

  // ---- low-level scanning ----

  private col(p: number): number {
    if (p === this.knownPos) return p - this.knownLineStart;
    let q = p;
    while (q > 0 && this.src.charCodeAt(q - 1) !== NL) q--;
    return p - q;
  }

  private lineStartOf(p: number): number {
    let q = p;
    while (q > 0 && this.src.charCodeAt(q - 1) !== NL) q--;
    return q;
  }

  /** Position of the newline ending the line containing p (or the end of text). */
  private lineEnd(p: number): number {
    const i = this.src.indexOf('\n', p);
    return i < 0 ? this.n : i;
  }

  private isMarker(p: number, m: string): boolean {
    const src = this.src;
    if (p + 3 > this.n || !src.startsWith(m, p)) return false;
    if (p > 0 && src.charCodeAt(p - 1) !== NL) return false;
    const ch = src.charCodeAt(p + 3);
    return p + 3 === this.n || ch === NL || ch === SP || ch === TAB;
  }

  /**
   * From the start of a line (or after a line's content), skip blank and comment
   * lines; returns the position of the next content character, or n.
   */
  private skipTrivia(p: number): number {
    const src = this.src;
    const n = this.n;
    let lineStart = p === 0 || src.charCodeAt(p - 1) === NL ? p : -1;
    while (p < n) {
      const ch = src.charCodeAt(p);
      if (ch === SP) p++;
      else if (ch === NL) {
        p++;
        lineStart = p;
      } else if (ch === HASH) {
        p = this.lineEnd(p);
      } else if (ch === TAB) {
        bail(lineStart >= 0 ? 'tab indentation' : 'tab');
      } else {
        if (lineStart >= 0) {
          this.knownPos = p;
          this.knownLineStart = lineStart;
        }
        return p;
      }
    }
    return n;
  }

  /** Largest indent of a comment line in [from, to) (-1 if none). */
  private maxCommentIndent(from: number, to: number): number {
    const src = this.src;
    let max = -1;
    let p = from;
    while (p < to) {
      let q = p;
      while (q < to && src.charCodeAt(q) === SP) q++;
      if (q < to && src.charCodeAt(q) === HASH) {
        const ind = q - p;
        if (ind > max) max = ind;
      }
      const e = src.indexOf('\n', q);
      if (e < 0 || e >= to) break;
      p = e + 1;
    }
    return max;
  }

  /** After a node's content on its line: spaces, an optional comment, then the newline. Returns the position after it. */
  private finishLine(p: number): number {
    const src = this.src;
    const start = p;
    while (p < this.n && src.charCodeAt(p) === SP) p++;
    if (p >= this.n) return p;
    const ch = src.charCodeAt(p);
    if (ch === NL) return p + 1;
    if (ch === HASH && (p > start || src.charCodeAt(p - 1) === SP)) {
      const e = this.lineEnd(p);
      return e < this.n ? e + 1 : e;
    }
    if (ch === TAB) bail('tab after node');
    bail(`unexpected text after node: ${JSON.stringify(src.slice(start, start + 20))}`);
  }

  /**
   * Indented comment lines right after a value in a block collection at `indent`
   * (with blank lines between) are kept in that value's trailing end by `yaml`.
   */
  private extendIndentedComments(p: number, indent: number): number {
    const src = this.src;
    let end = p;
    let q = p;
    for (;;) {
      // skip blank lines
      const lineStart = q;
      let r = q;
      while (r < this.n && src.charCodeAt(r) === SP) r++;
      if (r < this.n && src.charCodeAt(r) === NL) {
        q = r + 1;
        continue;
      }
      if (r < this.n && src.charCodeAt(r) === HASH && r - lineStart > indent) {
        const e = this.lineEnd(r);
        end = e < this.n ? e + 1 : e;
        q = end;
        continue;
      }
      return end;
    }
  }

  // ---- nodes ----

  private props(): Props | null {
    const src = this.src;
    let p = this.pos;
    let props: Props | null = null;
    for (;;) {
      const ch = src.charCodeAt(p);
      if (ch !== 38 /* & */ && ch !== 33 /* ! */) break;
      props ??= { anchor: null, tag: null, tagStart: 0, end: 0 };
      let q = p + 1;
      while (q < this.n) {
        const c = src.charCodeAt(q);
        if (c === SP || c === NL || c === TAB || c === 44 || c === 91 || c === 93 || c === 123 || c === 125) break;
        q++;
      }
      const text = src.slice(p + 1, q);
      if (ch === 38) {
        if (props.anchor !== null || text === '' || text.endsWith(':')) bail('anchor');
        props.anchor = text;
      } else {
        if (props.tag !== null) bail('two tags');
        props.tagStart = p;
        if (text === '!str') props.tag = 'tag:yaml.org,2002:str';
        else if (text === '!map') props.tag = 'tag:yaml.org,2002:map';
        else if (text === '!seq') props.tag = 'tag:yaml.org,2002:seq';
        else if (/^[A-Za-z0-9_.\-]+$/.test(text)) props.tag = '!' + text;
        else bail('tag');
      }
      props.end = q;
      const c = src.charCodeAt(q);
      if (q < this.n && c !== SP && c !== NL) bail('props not followed by space');
      while (q < this.n && src.charCodeAt(q) === SP) q++;
      p = q;
    }
    this.pos = p;
    return props;
  }

  /** A node whose first character is at this.pos on the current line, after `key:`, `- ` or at a line start. */
  private node(kind: K, parentIndent: number, depth: number): YamlNode {
    if (depth > MAX_DEPTH) this.tooDeep();
    const src = this.src;
    const props = this.props();
    let p = this.pos;
    const ch = p < this.n ? src.charCodeAt(p) : NL;
    if (ch === NL || ch === HASH || p >= this.n) {
      if (ch === HASH && props && src.charCodeAt(p - 1) !== SP) bail('comment glued');
      if (ch === HASH && !props && kind !== K.Line && src.charCodeAt(p - 1) !== SP) bail('comment glued');
      // The node is on the following lines, or empty.
      const afterLine = this.finishLine(p);
      const c = this.skipTrivia(afterLine);
      if (c < this.n && !this.isMarker(c, '---') && !this.isMarker(c, '...')) {
        const m = this.col(c);
        if (m > parentIndent || (m === parentIndent && kind === K.MapValue && this.isDash(c))) {
          this.pos = c;
          return this.lineNode(m, parentIndent, props, depth + 1);
        }
      }
      return this.emptyNode(kind, parentIndent, props, p, afterLine, c);
    }
    if (ch === DASH && this.isDash(p)) {
      if (kind === K.MapValue) bail('sequence on key line');
      if (props) bail('props before compact sequence');
      return this.blockSeq(this.col(p), depth + 1);
    }
    if (kind !== K.MapValue && this.keyAhead(p)) {
      if (props) bail('props on key');
      return this.blockMap(this.col(p), depth + 1);
    }
    return this.inlineValue(parentIndent, props, depth);
  }

  /** A node starting at a line's first content character (this.pos), column m. */
  private lineNode(m: number, parentIndent: number, outer: Props | null, depth: number): YamlNode {
    if (depth > MAX_DEPTH) this.tooDeep();
    const p = this.pos;
    const src = this.src;
    const ch = src.charCodeAt(p);
    if (ch === DASH && this.isDash(p)) {
      if (outer) {
        // props on their own line before a block sequence
        const seq = this.blockSeq(m, depth + 1);
        return this.applyProps(seq, outer, 'seq');
      }
      return this.blockSeq(m, depth + 1);
    }
    if (this.keyAhead(p)) {
      const map = this.blockMap(m, depth + 1);
      return outer ? this.applyProps(map, outer, 'map') : map;
    }
    if (ch === 38 || ch === 33) {
      if (outer) bail('two sets of props');
      return this.node(K.Line, parentIndent, depth);
    }
    if (outer) {
      // Props on one line, a scalar on the next: yaml keeps it, but rarely written.
      bail('props line before scalar');
    }
    return this.inlineValue(parentIndent, null, depth);
  }

  private isDash(p: number): boolean {
    if (this.src.charCodeAt(p) !== DASH) return false;
    const c = this.src.charCodeAt(p + 1);
    return p + 1 >= this.n || c === SP || c === NL;
  }

  private applyProps<T extends YAMLMap | YAMLSeq>(node: T, props: Props, kind: 'map' | 'seq'): T {
    if (props.anchor !== null) node.anchor = props.anchor;
    if (props.tag !== null) {
      if (props.tag === 'tag:yaml.org,2002:str') bail('str tag on collection');
      if (props.tag === 'tag:yaml.org,2002:map' || props.tag === 'tag:yaml.org,2002:seq') {
        if (props.tag !== `tag:yaml.org,2002:${kind}`) bail('collection tag mismatch');
      } else {
        this.warnings.push(new YAMLWarning([props.tagStart, props.tagStart + props.tag.length], 'TAG_RESOLVE_FAILED', `Unresolved tag: ${props.tag}`));
      }
      node.tag = props.tag;
    }
    return node;
  }

  /** Does an implicit key (`key:` followed by space or line end) start at p on this line? */
  private keyAhead(p: number): boolean {
    const src = this.src;
    const ch = src.charCodeAt(p);
    if (ch === 34 || ch === 39) {
      const e = this.quotedEndOnLine(p);
      if (e < 0) return false;
      let q = e;
      while (q < this.n && src.charCodeAt(q) === SP) q++;
      return this.isValueColon(q);
    }
    if (!this.plainStart(p, false)) return false;
    let q = p + 1;
    while (q < this.n) {
      const c = src.charCodeAt(q);
      if (c === NL) return false;
      if (c === COLON && this.isValueColon(q)) return true;
      if (c === HASH && (src.charCodeAt(q - 1) === SP || src.charCodeAt(q - 1) === TAB)) return false;
      q++;
    }
    return false;
  }

  private isValueColon(q: number): boolean {
    if (this.src.charCodeAt(q) !== COLON) return false;
    const c = this.src.charCodeAt(q + 1);
    return q + 1 >= this.n || c === SP || c === NL;
  }

  /** End (after the closing quote) of a quoted scalar closed on the same line, or -1. */
  private quotedEndOnLine(p: number): number {
    const src = this.src;
    const q = src.charCodeAt(p);
    let i = p + 1;
    while (i < this.n) {
      const c = src.charCodeAt(i);
      if (c === NL) return -1;
      if (q === 34 && c === 92) {
        i += 2;
        continue;
      }
      if (c === q) {
        if (q === 39 && src.charCodeAt(i + 1) === 39) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  private plainStart(p: number, flow: boolean): boolean {
    const src = this.src;
    const c = src.charCodeAt(p);
    switch (c) {
      case 44: case 91: case 93: case 123: case 125: case HASH: case 38: case 42: case 33: case 124: case 62: case 39: case 34: case 37: case 64: case 96: case TAB: case SP: case NL:
        return false;
      case DASH: case 63: case COLON: {
        const d = src.charCodeAt(p + 1);
        if (p + 1 >= this.n || d === SP || d === NL || d === TAB) return false;
        if (flow && (d === 44 || d === 91 || d === 93 || d === 123 || d === 125)) return false;
        return true;
      }
    }
    return p < this.n;
  }

  private blockMap(indent: number, depth: number): YAMLMap {
    if (depth > MAX_DEPTH) this.tooDeep();
    const src = this.src;
    const map = this.newMap();
    const start = this.pos;
    // Keys already read: compared one by one while the mapping is small (most are), a Set past that.
    let seen: Set<unknown> | undefined;
    let valueEnd = start;
    for (;;) {
      const key = this.key();
      const k = key.value;
      if (seen) {
        if (seen.has(k)) bail('duplicate key');
        seen.add(k);
      } else {
        const items = map.items;
        for (let i = 0; i < items.length; i++) {
          const other = (items[i]!.key as Scalar).value;
          // SameValueZero, as a Set compares: NaN equals NaN.
          if (other === k || (other !== other && k !== k)) bail('duplicate key');
        }
        if (items.length >= KEYS_COMPARED_ONE_BY_ONE) {
          seen = new Set(items.map((it) => (it.key as Scalar).value));
          seen.add(k);
        }
      }
      // after key: spaces then ':'
      let p = this.pos;
      while (src.charCodeAt(p) === SP) p++;
      if (src.charCodeAt(p) !== COLON) bail('key without colon');
      p++;
      while (p < this.n && src.charCodeAt(p) === SP) p++;
      if (src.charCodeAt(p) === TAB) bail('tab after colon');
      this.pos = p;
      const value = this.node(K.MapValue, indent, depth + 1);
      if (hasEnd(value)) {
        const e = this.extendIndentedComments(this.pos, indent);
        if (e > this.pos) {
          value.range![2] = e;
          this.pos = e;
        }
      }
      map.items.push(newPair(key, value));
      valueEnd = value.range![2];
      const after = this.pos;
      const c = this.skipTrivia(after);
      if (c < this.n && !this.isMarker(c, '---') && !this.isMarker(c, '...')) {
        const m = this.col(c);
        if (m === indent) {
          if (this.isDash(c)) bail('sequence item in mapping');
          this.pos = c;
          continue;
        }
        if (m > indent) bail('over-indented line');
      }
      map.range = [start, valueEnd, this.closeCollection(indent, after, c, valueEnd)];
      map.items = fit(map.items);
      return map;
    }
  }

  /**
   * When a block collection ends, the blank and comment lines after its last
   * item stay with it if one of the comments is indented at least as far as
   * the collection (and it is not at column 0); otherwise they go to its parent.
   * Returns the collection's range end, leaving this.pos after what it kept.
   */
  private closeCollection(indent: number, after: number, next: number, valueEnd: number): number {
    if (indent > 0 && next > after) {
      const to = next >= this.n ? this.n : next;
      if (this.maxCommentIndent(after, to) >= indent) {
        this.pos = to;
        return to;
      }
    }
    this.pos = after;
    return valueEnd;
  }

  private blockSeq(indent: number, depth: number): YAMLSeq {
    if (depth > MAX_DEPTH) this.tooDeep();
    const src = this.src;
    const seq = this.newSeq();
    const start = this.pos;
    let valueEnd = start;
    for (;;) {
      let p = this.pos + 1;
      while (p < this.n && src.charCodeAt(p) === SP) p++;
      if (src.charCodeAt(p) === TAB) bail('tab after dash');
      this.pos = p;
      const value = this.node(K.SeqItem, indent, depth + 1);
      if (hasEnd(value)) {
        const e = this.extendIndentedComments(this.pos, indent);
        if (e > this.pos) {
          value.range![2] = e;
          this.pos = e;
        }
      }
      seq.items.push(value);
      valueEnd = value.range![2];
      const after = this.pos;
      const c = this.skipTrivia(after);
      if (c < this.n && !this.isMarker(c, '---') && !this.isMarker(c, '...')) {
        const m = this.col(c);
        if (m === indent && this.isDash(c)) {
          this.pos = c;
          continue;
        }
        if (m > indent) bail('over-indented line');
      }
      seq.range = [start, valueEnd, this.closeCollection(indent, after, c, valueEnd)];
      seq.items = fit(seq.items);
      return seq;
    }
  }

  /** An implicit key at this.pos: a plain or quoted scalar on one line. */
  private key(): Scalar {
    const src = this.src;
    const p = this.pos;
    const ch = src.charCodeAt(p);
    let s: Scalar;
    if (ch === 34 || ch === 39) {
      const e = this.quotedEndOnLine(p);
      if (e < 0) bail('multi-line quoted key');
      const value = ch === 34 ? this.doubleQuoted(p, e) : this.singleQuoted(p, e);
      s = newScalar(value);
      s.range = [p, e, e];
      s.source = value;
      s.type = ch === 34 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
      this.pos = e;
    } else {
      if (!this.plainStart(p, false)) bail('key start');
      let q = p + 1;
      let last = p + 1;
      while (q < this.n) {
        const c = src.charCodeAt(q);
        if (c === COLON && this.isValueColon(q)) break;
        if (c === NL) bail('key without colon');
        if (c === HASH && src.charCodeAt(q - 1) === SP) bail('comment in key');
        if (c === TAB) bail('tab in key');
        q++;
        if (c !== SP) last = q;
      }
      if (last - p > 1024) bail('long key');
      const text = src.slice(p, last);
      s = this.plainScalar(text);
      s.range = [p, last, last];
      this.pos = last;
    }
    if (s.range![1] - p > 1024) bail('long key');
    return s;
  }

  private plainScalar(text: string): Scalar {
    const c = text.charCodeAt(0);
    // Only these first characters can make a core-schema null, bool or number.
    if (text.length > 0 && !((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 126)) {
      const s = newScalar(text);
      s.source = text;
      s.type = 'PLAIN';
      return s;
    }
    let tag: ScalarTag = STR_TAG;
    for (const t of DEFAULT_TAGS) {
      if (t.test!.test(text)) {
        tag = t;
        break;
      }
    }
    const res = tag.resolve(text, noError, this.doc.options);
    const s = res instanceof Scalar ? res : newScalar(res);
    s.source = text;
    s.type = 'PLAIN';
    if (tag.format) s.format = tag.format;
    return s;
  }

  /** Empty value (`key:` with nothing after, `-` alone): a null scalar where `yaml` puts it. */
  private emptyNode(kind: K, parentIndent: number, props: Props | null, p: number, afterLine: number, next: number): Scalar {
    const src = this.src;
    // yaml places it after the indicator or the last property and the spaces that follow (p already is).
    let at = props ? props.end : p;
    while (at < this.n && src.charCodeAt(at) === SP) at++;
    let s: Scalar;
    if (props?.tag) {
      if (props.tag === 'tag:yaml.org,2002:str') {
        s = newScalar('');
      } else bail('tag on empty node');
    } else {
      s = this.plainScalar('');
    }
    s.source = '';
    s.type = 'PLAIN';
    if (props?.tag) s.tag = props.tag;
    if (props?.anchor != null) s.anchor = props.anchor;
    const to = next >= this.n ? this.n : next;
    if (kind === K.Line) bail('empty top-level node');
    if (kind !== K.MapValue) {
      if (src.charCodeAt(p) === HASH || this.maxCommentIndent(afterLine, to) >= 0) bail('comment after empty item');
      s.range = [at, at, at];
      const more = next < this.n && this.col(next) === parentIndent && this.isDash(next);
      this.pos = more ? afterLine : Math.max(afterLine, to);
      return s;
    }
    // The lines after `key:` stay with the value up to the next key, except that from the
    // second line break after the last comment indented past the map, they go to the next key.
    const continues = next < this.n && !this.isMarker(next, '---') && !this.isMarker(next, '...') && this.col(next) === parentIndent;
    let firstComment = -1;
    let nls = 0;
    let cut = -1;
    let q = p;
    while (q < to) {
      const c = src.charCodeAt(q);
      if (c === NL) {
        nls++;
        if (nls === 2) cut = q;
        q++;
      } else if (c === SP) q++;
      else if (c === HASH) {
        if (firstComment < 0) firstComment = q;
        if (q !== p && q - this.lineStartOf(q) > parentIndent) {
          nls = 0;
          cut = -1;
        }
        q = this.lineEnd(q);
      } else bail('empty value scan');
    }
    const retainedEnd = continues && cut >= 0 ? cut : to;
    if (firstComment >= 0 && firstComment < retainedEnd) {
      s.range = [at, at, retainedEnd];
      this.pos = Math.max(afterLine, retainedEnd);
    } else {
      s.range = [at, at, at];
      this.pos = continues ? afterLine : Math.max(afterLine, to);
    }
    return s;
  }

  /** Scalars, flow collections and aliases starting at this.pos on the current line. */
  private inlineValue(parentIndent: number, props: Props | null, depth: number): YamlNode {
    const src = this.src;
    const p = this.pos;
    const ch = src.charCodeAt(p);
    let node: YamlNode;
    let valueEnd: number;
    if (ch === 42 /* * */) {
      if (props) bail('props on alias');
      let q = p + 1;
      while (q < this.n) {
        const c = src.charCodeAt(q);
        if (c === SP || c === NL || c === TAB || c === 44 || c === 91 || c === 93 || c === 123 || c === 125) break;
        q++;
      }
      const name = src.slice(p + 1, q);
      if (name === '' || name.endsWith(':')) bail('alias name');
      const a = new Alias(name);
      valueEnd = q;
      a.range = [p, q, this.finishLine(q)];
      this.pos = a.range[2];
      return a;
    }
    if (ch === 124 || ch === 62) {
      return this.blockScalar(parentIndent, props);
    }
    if (ch === 91 || ch === 123) {
      const coll = this.flowCollection(p, parentIndent, depth + 2); // two per level, as block nesting counts
      valueEnd = this.pos;
      coll.range = [p, valueEnd, this.finishLine(valueEnd)];
      this.pos = coll.range[2];
      return props ? this.applyProps(coll, props, ch === 91 ? 'seq' : 'map') : coll;
    }
    let s: Scalar;
    if (ch === 34 || ch === 39) {
      const e = this.quotedEnd(p, parentIndent);
      const value = ch === 34 ? this.doubleQuoted(p, e) : this.singleQuoted(p, e);
      s = this.taggedString(value, props);
      s.type = ch === 34 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
      valueEnd = e;
      let q = e;
      while (q < this.n && src.charCodeAt(q) === SP) q++;
      if (this.isValueColon(q)) bail('quoted key in value position');
    } else {
      if (!this.plainStart(p, false)) bail('plain start');
      valueEnd = this.plainEnd(p, parentIndent);
      let text = src.slice(p, valueEnd);
      if (text.indexOf('\n') >= 0) text = foldPlain(text);
      if (props?.tag) {
        s = this.taggedString(text, props);
        s.type = 'PLAIN';
      } else {
        s = this.plainScalar(text);
        if (props?.anchor != null) s.anchor = props.anchor;
      }
    }
    node = s;
    s.range = [p, valueEnd, this.finishLine(valueEnd)];
    this.pos = s.range[2];
    return node;
  }

  private taggedString(value: string, props: Props | null): Scalar {
    const s = newScalar(value);
    s.source = value;
    if (props?.anchor != null) s.anchor = props.anchor;
    if (props?.tag) {
      if (props.tag !== 'tag:yaml.org,2002:str') {
        if (props.tag.startsWith('tag:')) bail('scalar tag');
        this.warnings.push(new YAMLWarning([props.tagStart, props.tagStart + props.tag.length], 'TAG_RESOLVE_FAILED', `Unresolved tag: ${props.tag}`));
      }
      s.tag = props.tag;
    }
    return s;
  }

  /** End of a plain scalar in block context starting at p (possibly over several lines). */
  private plainEnd(p: number, parentIndent: number): number {
    const src = this.src;
    let q = p;
    let end = p;
    // first line
    for (;;) {
      while (q < this.n) {
        const c = src.charCodeAt(q);
        if (c === NL) break;
        if (c === COLON && this.isValueColon(q)) bail('mapping in plain value');
        if (c === HASH && (src.charCodeAt(q - 1) === SP || src.charCodeAt(q - 1) === TAB)) {
          if (src.charCodeAt(q - 1) === TAB) bail('tab before comment');
          return end;
        }
        q++;
        if (c !== SP && c !== TAB) end = q;
        else if (c === TAB) bail('tab in plain');
      }
      if (q >= this.n) return end;
      // continuation?
      let r = q + 1;
      for (;;) {
        let s = r;
        while (s < this.n && src.charCodeAt(s) === SP) s++;
        if (s < this.n && src.charCodeAt(s) === NL) {
          r = s + 1;
          continue;
        }
        if (s >= this.n) return end;
        const c = src.charCodeAt(s);
        if (c === HASH || c === TAB) return end;
        if (s - r <= parentIndent) return end;
        if (parentIndent < 0 && (this.isMarker(s, '---') || this.isMarker(s, '...'))) return end;
        if (parentIndent < 0) bail('multi-line top-level scalar');
        q = s;
        break;
      }
    }
  }

  /** End (after the closing quote) of a quoted scalar that may span lines. */
  private quotedEnd(p: number, parentIndent: number): number {
    const src = this.src;
    const qc = src.charCodeAt(p);
    let i = p + 1;
    while (i < this.n) {
      const c = src.charCodeAt(i);
      if (c === NL) {
        // continuation lines must be indented past the parent, and not be document markers
        let s = i + 1;
        while (s < this.n && src.charCodeAt(s) === SP) s++;
        if (s < this.n && src.charCodeAt(s) === TAB) bail('tab in quoted continuation');
        if (s < this.n && src.charCodeAt(s) !== NL && s - (i + 1) <= parentIndent) bail('quoted continuation under-indented');
        if (this.isMarker(i + 1, '---') || this.isMarker(i + 1, '...')) bail('marker in quoted');
        i = s;
        continue;
      }
      if (qc === 34 && c === 92) {
        // An escaped line break still starts a continuation line, whose indentation is checked above.
        i += src.charCodeAt(i + 1) === NL ? 1 : 2;
        continue;
      }
      if (c === qc) {
        if (qc === 39 && src.charCodeAt(i + 1) === 39) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    bail('unclosed quote');
  }

  private singleQuoted(p: number, e: number): string {
    const raw = this.src.slice(p + 1, e - 1);
    const text = raw.indexOf('\n') >= 0 ? foldQuoted(raw) : raw;
    return text.indexOf("''") >= 0 ? text.replace(/''/g, "'") : text;
  }

  private doubleQuoted(p: number, e: number): string {
    const src = this.src;
    const raw = src.slice(p + 1, e - 1);
    if (raw.indexOf('\\') < 0) return raw.indexOf('\n') >= 0 ? foldQuoted(raw) : raw;
    let out = '';
    let i = 0;
    const n = raw.length;
    while (i < n) {
      const c = raw[i]!;
      if (c === '\\') {
        const d = raw[i + 1];
        if (d === undefined) bail('bad escape');
        if (d === '\n') {
          // escaped line break: joins lines, dropping the next line's indentation
          i += 2;
          while (i < n && (raw[i] === ' ' || raw[i] === '\t')) i++;
          continue;
        }
        if (d === 'x' || d === 'u' || d === 'U') {
          const len = d === 'x' ? 2 : d === 'u' ? 4 : 8;
          const hex = raw.slice(i + 2, i + 2 + len);
          if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) bail('bad escape');
          const code = parseInt(hex, 16);
          if (code > 0x10ffff) bail('bad escape');
          out += String.fromCodePoint(code);
          i += 2 + len;
          continue;
        }
        const m = ESCAPES[d];
        if (m === undefined) bail('bad escape');
        out += m;
        i += 2;
        continue;
      }
      if (c === '\n' || c === ' ' || c === '\t') {
        // whitespace run: trailing spaces before a line break are dropped, the break folds
        let j = i;
        while (j < n && (raw[j] === ' ' || raw[j] === '\t')) j++;
        if (j < n && raw[j] === '\n') {
          let breaks = 0;
          while (j < n && (raw[j] === ' ' || raw[j] === '\t' || raw[j] === '\n')) {
            if (raw[j] === '\n') breaks++;
            j++;
          }
          out += breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
          i = j;
          continue;
        }
        out += raw.slice(i, j);
        i = j;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  }

  private blockScalar(parentIndent: number, props: Props | null): Scalar {
    const src = this.src;
    const start = this.pos;
    const folded = src.charCodeAt(start) === 62;
    let p = start + 1;
    let chomp = 0; // -1 strip, 0 clip, 1 keep
    let explicit = 0;
    for (let k = 0; k < 2; k++) {
      const c = src.charCodeAt(p);
      if (c === 45 && chomp === 0) {
        chomp = -1;
        p++;
      } else if (c === 43 && chomp === 0) {
        chomp = 1;
        p++;
      } else if (c >= 49 && c <= 57 && explicit === 0) {
        explicit = c - 48;
        p++;
      }
    }
    const headerEnd = this.finishLine(p);
    if (headerEnd >= this.n) bail('block scalar at end');
    if (explicit && parentIndent < 0) bail('indentation indicator at top level');
    // content lines
    let indent = explicit ? parentIndent + explicit : -1;
    let q = headerEnd;
    let maxBlankIndent = 0;
    const lines: string[] = [];
    let lastContentEnd = headerEnd; // after the newline of the last content line
    let trailingBlank = 0;
    let end = headerEnd;
    while (q < this.n) {
      let s = q;
      while (s < this.n && src.charCodeAt(s) === SP) s++;
      const sp = s - q;
      const c = s < this.n ? src.charCodeAt(s) : NL;
      if (c === NL) {
        if (indent < 0 && sp > maxBlankIndent) maxBlankIndent = sp;
        if (s >= this.n) break;
        if (indent >= 0 && sp > indent) {
          // Spaces past the indentation are content, not an empty line: chomping does not remove them.
          lines.push(src.slice(q + indent, s));
          trailingBlank = 0;
          q = s + 1;
          lastContentEnd = q;
          end = q;
          continue;
        }
        lines.push('');
        trailingBlank++;
        q = s + 1;
        end = q;
        continue;
      }
      if (indent < 0) {
        if (sp <= parentIndent) break;
        indent = sp;
        if (maxBlankIndent > indent) bail('leading blank line over-indented');
        if (indent === 0) bail('zero block indent');
      }
      if (sp < indent) break;
      const e = this.lineEnd(s);
      lines.push(src.slice(q + indent, e));
      trailingBlank = 0;
      q = e < this.n ? e + 1 : e;
      lastContentEnd = q;
      end = q;
    }
    if (indent < 0) bail('empty block scalar');
    if (this.isMarkerInside(headerEnd, lastContentEnd)) bail('marker in block scalar');
    const content = lines.slice(0, lines.length - trailingBlank);
    let value: string;
    if (folded) value = foldBlock(content);
    else value = content.join('\n');
    if (content.length === 0) bail('empty block scalar');
    if (chomp === 0) value += '\n';
    else if (chomp === 1) {
      value += '\n';
      for (let k = 0; k < trailingBlank; k++) value += '\n';
    }
    const rangeEnd = chomp === 1 ? end : lastContentEnd;
    if (chomp === 1 && trailingBlank > 0) {
      // blank lines holding spaces past the indent keep them; rare, leave to yaml
      for (let k = lines.length - trailingBlank; k < lines.length; k++) if (lines[k] !== '') bail('keep with spaces');
    }
    const s = this.taggedString(value, props);
    s.type = folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
    s.range = [start, rangeEnd, rangeEnd];
    this.pos = rangeEnd;
    return s;
  }

  private isMarkerInside(from: number, to: number): boolean {
    const src = this.src;
    let p = from;
    while (p < to) {
      if (this.isMarker(p, '---') || this.isMarker(p, '...')) return true;
      const e = src.indexOf('\n', p);
      if (e < 0) break;
      p = e + 1;
    }
    return false;
  }

  /** A flow collection opening at p; leaves this.pos after its closing bracket. */
  private flowCollection(p: number, parentIndent: number, depth: number): YAMLMap | YAMLSeq {
    if (depth > MAX_DEPTH) this.tooDeep();
    const src = this.src;
    const isMap = src.charCodeAt(p) === 123;
    const close = isMap ? 125 : 93;
    const coll = isMap ? this.newMap() : this.newSeq();
    coll.flow = true;
    let q = this.flowSpace(p + 1, parentIndent, true);
    const seen = isMap ? new Set<unknown>() : null;
    for (;;) {
      const c = src.charCodeAt(q);
      if (c === close) {
        this.pos = q + 1;
        (coll as { items: unknown[] }).items = fit(coll.items as unknown[]);
        return coll;
      }
      // an item
      this.pos = q;
      const item = this.flowItem(parentIndent, depth, isMap ? 'key' : 'item');
      q = this.pos;
      if (isMap) {
        if (src.charCodeAt(q) !== COLON) bail('flow map key without value');
        if (item.range![2] !== item.range![1]) bail('space before flow colon');
        if (seen!.has((item as Scalar).value)) bail('duplicate key');
        seen!.add((item as Scalar).value);
        const d = src.charCodeAt(q + 1);
        if (!(d === SP || d === NL)) bail('flow colon not followed by space');
        q = this.flowSpace(q + 1, parentIndent, true);
        this.pos = q;
        const ch = src.charCodeAt(q);
        if (ch === 44 || ch === close) bail('flow map empty value');
        const value = this.flowItem(parentIndent, depth, 'value');
        (coll as YAMLMap).items.push(newPair(item, value));
        q = this.pos;
      } else {
        if (src.charCodeAt(q) === COLON) bail('flow pair in sequence');
        (coll as YAMLSeq).items.push(item);
      }
      const c2 = src.charCodeAt(q);
      if (c2 === 44) {
        q = this.flowSpace(q + 1, parentIndent, true);
        continue;
      }
      if (c2 === close) continue;
      bail('flow separator');
    }
  }

  /** Skip spaces, line breaks and (if allowed) comments inside a flow collection. */
  private flowSpace(q: number, parentIndent: number, comments: boolean): number {
    const src = this.src;
    for (;;) {
      if (q >= this.n) bail('unclosed flow');
      const c = src.charCodeAt(q);
      if (c === SP) q++;
      else if (c === NL) {
        q++;
        let s = q;
        while (s < this.n && src.charCodeAt(s) === SP) s++;
        const ch = src.charCodeAt(s);
        if (ch === TAB) bail('tab in flow');
        if (s < this.n && ch !== NL && ch !== 93 && ch !== 125 && s - q <= parentIndent) bail('flow under-indented');
        if (this.isMarker(q, '---') || this.isMarker(q, '...')) bail('marker in flow');
        q = s;
      } else if (c === HASH) {
        if (!comments || src.charCodeAt(q - 1) !== SP) bail('comment in flow');
        q = this.lineEnd(q);
      } else if (c === TAB) bail('tab in flow');
      else return q;
    }
  }

  private flowItem(parentIndent: number, depth: number, role: 'key' | 'value' | 'item'): YamlNode {
    const src = this.src;
    const p = this.pos;
    const ch = src.charCodeAt(p);
    let node: YamlNode;
    let valueEnd: number;
    if (ch === 38 || ch === 33 || ch === 42) bail('props in flow');
    if (ch === 91 || ch === 123) {
      const coll = this.flowCollection(p, parentIndent, depth + 2);
      node = coll;
      valueEnd = this.pos;
    } else if (ch === 34 || ch === 39) {
      const e = this.quotedEnd(p, parentIndent);
      const value = ch === 34 ? this.doubleQuoted(p, e) : this.singleQuoted(p, e);
      const s = newScalar(value);
      s.source = value;
      s.type = ch === 34 ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
      node = s;
      valueEnd = e;
    } else {
      if (!this.plainStart(p, true)) bail('flow plain start');
      let q = p;
      let end = p;
      while (q < this.n) {
        const c = src.charCodeAt(q);
        if (c === NL || c === 44 || c === 91 || c === 93 || c === 123 || c === 125) break;
        if (c === COLON) {
          const d = src.charCodeAt(q + 1);
          if (role === 'key' && (d === SP || d === NL)) break;
          bail('colon in flow plain');
        }
        if (c === HASH && src.charCodeAt(q - 1) === SP) bail('comment after flow plain');
        if (c === TAB) bail('tab in flow plain');
        q++;
        if (c !== SP) end = q;
      }
      if (src.charCodeAt(q) === NL) {
        // a plain scalar may continue on the next line; leave that to yaml
        let s = q + 1;
        while (s < this.n && (src.charCodeAt(s) === SP || src.charCodeAt(s) === NL)) s++;
        const c = src.charCodeAt(s);
        if (!(c === 44 || c === 93 || c === 125 || c === HASH || (role === 'key' && c === COLON))) bail('multi-line flow plain');
      }
      const s = this.plainScalar(src.slice(p, end));
      node = s;
      valueEnd = end;
    }
    // trailing space up to the separator belongs to the node (not for keys before ':')
    let r = valueEnd;
    let kept = -1;
    if (role !== 'key') {
      for (;;) {
        const c = src.charCodeAt(r);
        if (c === SP) r++;
        else if (c === NL) {
          // a flow map value keeps the rest of its line; a sequence item everything up to the separator
          if (role === 'value' && kept < 0) kept = r + 1;
          r++;
          let s = r;
          while (s < this.n && src.charCodeAt(s) === SP) s++;
          if (s < this.n && src.charCodeAt(s) !== NL && src.charCodeAt(s) !== 93 && src.charCodeAt(s) !== 125 && s - r <= parentIndent) bail('flow under-indented');
          r = s;
        } else if (c === HASH) bail('comment after flow item');
        else if (r >= this.n) bail('unclosed flow');
        else break;
      }
    } else if (src.charCodeAt(r) !== COLON) {
      // key followed by spaces then ':' or by nothing
      bail('flow key shape');
    }
    node.range = [p, valueEnd, kept >= 0 ? kept : r];
    this.pos = r;
    return node;
  }
}

function hasEnd(n: YamlNode): boolean {
  if (n instanceof Scalar) return n.type !== 'BLOCK_LITERAL' && n.type !== 'BLOCK_FOLDED' && n.range![0] !== n.range![1];
  if (n instanceof Alias) return true;
  return (n as YAMLMap).flow === true;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

/** Multi-line plain scalar: lines trimmed, single breaks become spaces, n blank lines n newlines. */
function foldPlain(text: string): string {
  const lines = text.split('\n');
  let out = lines[0]!.replace(/[ \t]+$/, '');
  let blanks = 0;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') {
      blanks++;
      continue;
    }
    out += blanks === 0 ? ' ' + l : '\n'.repeat(blanks) + l;
    blanks = 0;
  }
  return out;
}

/** Quoted scalar over several lines (no escapes): the same folding, keeping the edges' inner spaces. */
function foldQuoted(text: string): string {
  const lines = text.split('\n');
  let out = lines[0]!.replace(/[ \t]+$/, '');
  let blanks = 0;
  const last = lines.length - 1;
  for (let i = 1; i <= last; i++) {
    let l = lines[i]!.replace(/^[ \t]+/, '');
    if (i < last) l = l.replace(/[ \t]+$/, '');
    if (l === '' && i < last) {
      blanks++;
      continue;
    }
    out += blanks === 0 ? ' ' + l : '\n'.repeat(blanks) + l;
    blanks = 0;
  }
  return out;
}

/** Folded block scalar body (indentation removed, trailing blank lines already cut). */
function foldBlock(lines: string[]): string {
  let out = '';
  let prevText = false; // previous non-empty line was a normal (not more-indented) line
  let blanks = 0;
  let started = false;
  for (const l of lines) {
    if (l === '') {
      blanks++;
      continue;
    }
    const more = l.charCodeAt(0) === SP || l.charCodeAt(0) === TAB;
    if (!started) {
      out += '\n'.repeat(blanks);
      started = true;
    } else if (prevText && !more) out += blanks === 0 ? ' ' : '\n'.repeat(blanks);
    else out += '\n'.repeat(blanks + 1);
    out += l;
    blanks = 0;
    prevText = !more;
  }
  return out;
}
