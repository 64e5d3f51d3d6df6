/**
 * Text edits that add or change keys in block-style YAML while keeping every
 * other byte: indentation is taken from the surrounding keys, line endings
 * from the file. Flow-style (`{…}`) nodes are left alone (no edit is offered).
 */
import { type Pair } from 'yaml';
import { isMap, isScalar, isSeq } from '../core/yaml-nodes.js';
import { partitionPoint } from '../core/sorted.js';
import type { TextEdit } from '../model/finding.js';
import type { SourceFile } from '../model/source.js';
import type { YamlNode } from '../core/yaml.js';

export function newlineOf(file: SourceFile): string {
  // Asked once per edit: searching a large file for each of thousands of edits was quadratic.
  if (lastNewline?.file !== file) lastNewline = { file, newline: file.text.includes('\r\n') ? '\r\n' : '\n' };
  return lastNewline.newline;
}

let lastNewline: { file: SourceFile; newline: string } | undefined;

/** Offset just past the end of the line that contains `offset` (after its line break). */
export function endOfLine(file: SourceFile, offset: number): number {
  const nl = file.text.indexOf('\n', offset);
  return nl < 0 ? file.text.length : nl + 1;
}

/** Offset of the start of the line that contains `offset`. */
export function startOfLine(file: SourceFile, offset: number): number {
  return file.text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

export function isBlockMap(node: YamlNode | null | undefined): boolean {
  return !!node && isMap(node) && !(node as { flow?: boolean }).flow;
}

/** Column (0-based) where a pair's key starts. */
export function keyColumn(file: SourceFile, pair: Pair): number {
  const k = pair.key as YamlNode;
  return file.position(k.range![0]).column - 1;
}

/** Where the text of a pair ends, comments on its last line included. */
function pairEnd(file: SourceFile, pair: Pair): number {
  const v = pair.value as YamlNode | null;
  const end = v?.range?.[2] ?? v?.range?.[1] ?? (pair.key as YamlNode).range![1];
  // A block value's range ends at the start of the next line; otherwise finish the current line.
  return end > 0 && file.text[end - 1] === '\n' ? end : endOfLine(file, end);
}

/** Insert `key: value` as the last entry of a block mapping, aligned with its other keys. */
export function appendToMap(file: SourceFile, map: YamlNode, key: string, value: string): TextEdit | undefined {
  if (!isBlockMap(map)) return undefined;
  const items = (map as unknown as { items: Pair[] }).items;
  const last = items[items.length - 1];
  if (!last) return undefined;
  const indent = ' '.repeat(keyColumn(file, last));
  const at = pairEnd(file, last);
  const lead = at === file.text.length && !file.text.endsWith('\n') ? newlineOf(file) : '';
  return { offset: at, endOffset: at, replacement: `${lead}${indent}${key}: ${value}${newlineOf(file)}` };
}

/** Insert lines before the line of `pair`, indented like its key (for new keys of the same mapping). */
export function insertBefore(file: SourceFile, pair: Pair, lines: string[]): TextEdit {
  const indent = ' '.repeat(keyColumn(file, pair));
  const at = startOfLine(file, (pair.key as YamlNode).range![0]);
  const nl = newlineOf(file);
  // A `- ` sequence marker may share the line with the first key: then insert after the pair instead.
  const before = file.text.slice(at, (pair.key as YamlNode).range![0]);
  if (/\S/.test(before)) {
    const end = pairEnd(file, pair);
    return { offset: end, endOffset: end, replacement: lines.map((l) => `${indent}${l}${nl}`).join('') };
  }
  return { offset: at, endOffset: at, replacement: lines.map((l) => `${indent}${l}${nl}`).join('') };
}

/** Replace a scalar's source text. */
export function replaceScalar(node: YamlNode, text: string): TextEdit | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return { offset: node.range[0], endOffset: node.range[1], replacement: text };
}

/** Keys and sequence indexes from a document's root down to a node. */
export type YamlPath = (string | number)[];

/**
 * The path of `target` in `root` (found by descending only into nodes whose
 * range contains it, so the cost is the depth, not the document size).
 */
export function pathOf(root: YamlNode | null | undefined, target: YamlNode): YamlPath | undefined {
  const at = target.range?.[0];
  if (at === undefined) return undefined;
  // An empty node's range is empty: it still holds itself.
  const holds = (n: YamlNode | null | undefined): boolean => !!n?.range && n.range[0] <= at && (at < Math.max(n.range[1], n.range[2]) || n === target);
  const path: YamlPath = [];
  let node: unknown = root;
  for (let depth = 0; depth < 200 && node; depth++) {
    if (node === target) return path;
    let next: unknown;
    if (isMap(node)) {
      const items = node.items;
      // Items are in source order: the candidate is the last one starting at or before the target
      // (a workflow with hundreds of jobs made a linear walk per fix quadratic).
      const guess = lastStartingBefore(items, at, (p) => (p.key as YamlNode | null)?.range?.[0]);
      const p = guess >= 0 && (items[guess]!.key === target || holds(items[guess]!.value as YamlNode | null)) ? items[guess] : items.find((q) => q.key === target || holds(q.value as YamlNode | null));
      if (p) {
        if (p.key === target) return [...path, keyText(p)];
        path.push(keyText(p));
        next = p.value;
      }
    } else if (isSeq(node)) {
      const items = node.items;
      const guess = lastStartingBefore(items, at, (it) => (it as YamlNode | null)?.range?.[0]);
      const i = guess >= 0 && holds(items[guess] as YamlNode | null) ? guess : items.findIndex((it) => holds(it as YamlNode | null));
      if (i >= 0) {
        path.push(i);
        next = items[i];
      }
    }
    node = next;
  }
  return undefined;
}

/** Index of the last item whose start is at or before `at` (binary search), or -1 when unsure: a start is missing, or none qualifies. */
function lastStartingBefore<T>(items: readonly T[], at: number, startOf: (item: T) => number | undefined): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = startOf(items[mid]!);
    if (start === undefined) return -1;
    if (start <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function keyText(p: Pair): string {
  const k = p.key as unknown;
  return isScalar(k) ? String(k.value) : String(k);
}

/** Column where the entries of a block mapping start, or undefined for an empty or flow mapping. */
export function entryColumn(file: SourceFile, map: YamlNode | null | undefined): number | undefined {
  if (!isBlockMap(map)) return undefined;
  const first = (map as unknown as { items: Pair[] }).items[0];
  return first ? keyColumn(file, first) : undefined;
}

/** The indentation step a file uses: the column of a mapping's entries minus the column of its key. */
export function indentUnit(file: SourceFile, pair: Pair | undefined): number {
  if (pair) {
    const inner = entryColumn(file, pair.value as YamlNode);
    const outer = keyColumn(file, pair);
    if (inner !== undefined && inner > outer) return inner - outer;
  }
  return 2;
}

/**
 * Where a pair's own lines end: after its value's last content line and any
 * comment lines indented deeper than its key (blank lines and comments at the
 * key's level are left to what follows).
 */
export function pairContentEnd(file: SourceFile, pair: Pair): number {
  const v = pair.value as YamlNode | null;
  const k = pair.key as YamlNode;
  const contentEnd = v?.range?.[1] ?? k.range![1];
  let at = contentEnd > 0 && file.text[contentEnd - 1] === '\n' ? contentEnd : endOfLine(file, contentEnd);
  const column = keyColumn(file, pair);
  for (;;) {
    if (at >= file.text.length) return at;
    const next = endOfLine(file, at);
    const line = file.text.slice(at, next);
    const m = /^([ \t]*)#/.exec(line);
    if (!m || m[1]!.length <= column) return at;
    at = next;
  }
}

/** True when nothing but indentation stands before the pair's key on its line. */
export function startsItsLine(file: SourceFile, pair: Pair): boolean {
  const k = pair.key as YamlNode;
  return !/\S/.test(file.text.slice(startOfLine(file, k.range![0]), k.range![0]));
}

/**
 * Remove a pair's whole lines (comments on them included), keeping its
 * neighbours byte for byte. Undefined when the pair shares a line with
 * something else (a `- ` marker, a flow mapping).
 */
export function removePairLines(file: SourceFile, pair: Pair): TextEdit | undefined {
  if (!startsItsLine(file, pair)) return undefined;
  const start = startOfLine(file, (pair.key as YamlNode).range![0]);
  const end = pairContentEnd(file, pair);
  if (end <= start) return undefined;
  return { offset: start, endOffset: end, replacement: '' };
}

/** Lines of a nested block, each indented by `indent` and ended with the file's line break. */
export function blockLines(file: SourceFile, indent: number, lines: string[]): string {
  const nl = newlineOf(file);
  return lines.map((l) => `${' '.repeat(indent)}${l}${nl}`).join('');
}

/** The pair whose key starts at `keyOffset`, with the mapping holding it and that mapping's own pair (if any). */
export function findPair(root: YamlNode | null | undefined, keyOffset: number): { pair: Pair; map: YamlNode; parent?: Pair } | undefined {
  let node: unknown = root;
  let parent: Pair | undefined;
  for (let depth = 0; depth < 200 && node; depth++) {
    const n = node as YamlNode;
    let next: unknown;
    if (isMap(n)) {
      // From the likely item on, then the ones before it (items out of file order are still all read).
      const first = firstItemAt(n.items, keyOffset);
      for (let j = 0; j < n.items.length; j++) {
        const p = n.items[(first + j) % n.items.length]!;
        const k = p.key as YamlNode | null;
        if (k?.range?.[0] === keyOffset) return { pair: p, map: n, ...(parent ? { parent } : {}) };
        const v = p.value as YamlNode | null;
        if (v?.range && v.range[0] <= keyOffset && keyOffset < Math.max(v.range[1], v.range[2])) {
          next = v;
          parent = p;
          break;
        }
      }
    } else if (isSeq(n)) {
      const first = firstItemAt(n.items, keyOffset);
      for (let j = 0; j < n.items.length; j++) {
        const it = n.items[(first + j) % n.items.length];
        const r = (it as YamlNode | null)?.range;
        if (r && r[0] <= keyOffset && keyOffset < Math.max(r[1], r[2])) {
          next = it;
          parent = undefined;
          break;
        }
      }
    }
    node = next;
  }
  return undefined;
}

/**
 * Where to start looking for what holds `offset` among a collection's items,
 * which are usually in file order: the last one starting at or before it,
 * found by halving (reading every job of a workflow for each of thousands of
 * fixes was quadratic). 0 when an item has no position to compare. Callers
 * read on from there and then the items before it, so items out of order (a
 * merge key's, added after a mapping's own) are still found.
 */
export function firstItemAt(items: readonly unknown[], offset: number): number {
  const start = (item: unknown): number | undefined => {
    const node = (isMap(item as YamlNode) || isSeq(item as YamlNode) || isScalar(item as YamlNode) ? item : (item as Pair | null)?.key) as YamlNode | null | undefined;
    return node?.range?.[0];
  };
  let unplaced = false;
  const k = partitionPoint(items.length, (i) => {
    const at = start(items[i]);
    if (at === undefined) unplaced = true;
    return at !== undefined && at <= offset;
  });
  return unplaced ? 0 : Math.max(0, k - 1);
}

/**
 * Remove the entry whose key starts at `keyOffset`; when it is the only entry
 * of its mapping, the mapping's own key goes with it (`env:` left empty would
 * be null, which some platforms reject). Entries of anchored mappings are
 * shared with other places and are left alone.
 */
export function removeEntry(file: SourceFile, root: YamlNode | null | undefined, keyOffset: number): { edit: TextEdit; path: YamlPath } | undefined {
  const found = findPair(root, keyOffset);
  if (!found || !isBlockMap(found.map) || (found.map as { anchor?: string }).anchor) return undefined;
  const items = (found.map as unknown as { items: Pair[] }).items;
  const whole = items.length === 1 && found.parent !== undefined;
  const target = whole ? found.parent! : found.pair;
  const edit = removePairLines(file, target);
  const path = pathOf(root, (target.key as YamlNode));
  if (!edit || !path) return undefined;
  return { edit, path };
}
