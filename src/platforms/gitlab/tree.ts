/**
 * GitLab merges configuration from several files (`include:`), from other
 * jobs (`extends:`, `!reference`) and from `default:`. This is the merged
 * tree: a copy of the YAML values in which every node remembers the document
 * and node where it was written, so the model can point into the right file.
 */
import { isMap, isScalar, isSeq } from '../../core/yaml-nodes.js';
import type { Scalar } from 'yaml';
import { keyString, type YamlDoc, type YamlNode } from '../../core/yaml.js';
import type { Span } from '../../model/source.js';

/** Where a merged node was written. */
export interface Origin {
  y: YamlDoc;
  node: YamlNode;
}

export interface MEntry {
  /** The key as written (its origin is the key scalar). */
  key: string;
  keyOrigin: Origin;
  value: MNode;
}

export interface MMap {
  t: 'map';
  entries: Map<string, MEntry>;
  o: Origin;
}

export interface MSeq {
  t: 'seq';
  items: MNode[];
  o: Origin;
}

export interface MScalar {
  t: 'scalar';
  node: Scalar;
  o: Origin;
}

/** An unresolved `!reference [job, key, …]`. */
export interface MRef {
  t: 'ref';
  path: string[];
  o: Origin;
}

export type MNode = MMap | MSeq | MScalar | MRef;

/** Thrown when a document expands to more nodes than any real pipeline has (alias bombs). */
export class NodeBudgetExceeded extends Error {}

const NODE_BUDGET = 500_000;

export interface ConvertProblem {
  message: string;
  origin: Origin;
}

/**
 * Copies a YAML node into the merged tree, following aliases and `<<` merge
 * keys. `budget.left` counts nodes across a whole build.
 */
export function fromYaml(y: YamlDoc, raw: unknown, budget: { left: number }, problems: ConvertProblem[], depth = 0): MNode | null {
  const node = y.deref(raw);
  if (!node) return null;
  if (--budget.left < 0) throw new NodeBudgetExceeded(`configuration expands to more than ${NODE_BUDGET} nodes`);
  const o: Origin = { y, node };
  if (depth > 200) {
    problems.push({ message: 'configuration is nested too deeply', origin: o });
    return null;
  }
  const tag = (node as { tag?: string }).tag;
  if (tag === '!reference') {
    if (!isSeq(node)) {
      problems.push({ message: '`!reference` must be followed by a list such as `[.job, script]`', origin: o });
      return null;
    }
    const path: string[] = [];
    for (const it of y.items(node)) {
      const s = scalarText(y.scalar(it));
      if (s === undefined) {
        problems.push({ message: '`!reference` path elements must be strings', origin: { y, node: it } });
        return null;
      }
      path.push(s);
    }
    if (path.length === 0) {
      problems.push({ message: '`!reference` needs at least a job name', origin: o });
      return null;
    }
    return { t: 'ref', path, o };
  }
  if (isMap(node)) {
    const entries = new Map<string, MEntry>();
    for (const p of y.pairs(node)) {
      const keyNode = y.deref(p.key) ?? node;
      const key = keyString(p);
      const value = fromYaml(y, p.value, budget, problems, depth + 1) ?? nullScalar(y, keyNode);
      entries.set(key, { key, keyOrigin: { y, node: keyNode }, value });
    }
    return { t: 'map', entries, o };
  }
  if (isSeq(node)) {
    const items: MNode[] = [];
    for (const it of node.items) {
      const v = fromYaml(y, it, budget, problems, depth + 1);
      if (v) items.push(v);
    }
    return { t: 'seq', items, o };
  }
  if (isScalar(node)) return { t: 'scalar', node, o };
  return null;
}

export function newBudget(): { left: number } {
  return { left: NODE_BUDGET };
}

/** A stand-in for `key:` with nothing after it, located at the key. */
function nullScalar(y: YamlDoc, at: YamlNode): MScalar {
  const s = { value: null, range: at.range, type: 'PLAIN' } as unknown as Scalar;
  return { t: 'scalar', node: s, o: { y, node: at } };
}

/** A scalar's value as text: strings as they are, numbers and booleans as written; undefined for null. */
export function scalarText(s: Scalar | null | undefined): string | undefined {
  if (!s) return undefined;
  if (s.value === null || s.value === undefined) return undefined;
  if (typeof s.source === 'string' && typeof s.value !== 'string') return s.source;
  return String(s.value);
}

export function isNullNode(n: MNode | null | undefined): boolean {
  return !n || (n.t === 'scalar' && (n.node.value === null || n.node.value === undefined));
}

export function spanOf(n: { o: Origin }): Span {
  return n.o.y.span(n.o.node);
}

export function emptyMap(o: Origin): MMap {
  return { t: 'map', entries: new Map(), o };
}

/**
 * GitLab's deep merge: mappings merge key by key, the later side winning;
 * anything else (lists included) is replaced whole by the later value.
 * Neither input is modified.
 */
export function deepMerge(a: MNode, b: MNode, depth = 0): MNode {
  if (a.t !== 'map' || b.t !== 'map' || depth > 100) return b;
  const entries = new Map(a.entries);
  for (const [k, e] of b.entries) {
    const prev = entries.get(k);
    entries.set(k, prev ? { ...e, value: deepMerge(prev.value, e.value, depth + 1) } : e);
  }
  return { t: 'map', entries, o: b.o };
}

/**
 * `deepMerge` of several nodes in order, in one pass: merging them one after
 * another copied the growing result each time, quadratic in the number of
 * nodes (a job extending thousands of templates, a file of thousands of includes).
 */
export function deepMergeAll(nodes: readonly MNode[], depth = 0): MNode {
  const last = nodes[nodes.length - 1]!;
  if (nodes.length === 1 || last.t !== 'map' || depth > 100) return last;
  // Whatever precedes a node that is not a mapping is replaced by it, and it in turn by the mapping after it.
  let from = nodes.length - 1;
  while (from > 0 && nodes[from - 1]!.t === 'map') from--;
  if (from === nodes.length - 1) return last;
  const byKey = new Map<string, MEntry[]>();
  for (let i = from; i < nodes.length; i++) {
    for (const [k, e] of (nodes[i] as MMap).entries) {
      const list = byKey.get(k);
      if (list) list.push(e);
      else byKey.set(k, [e]);
    }
  }
  const entries = new Map<string, MEntry>();
  for (const [k, list] of byKey) {
    const e = list[list.length - 1]!;
    entries.set(k, list.length === 1 ? e : { ...e, value: deepMergeAll(list.map((x) => x.value), depth + 1) });
  }
  return { t: 'map', entries, o: last.o };
}

export function get(n: MNode | null | undefined, key: string): MNode | null {
  if (!n || n.t !== 'map') return null;
  return n.entries.get(key)?.value ?? null;
}

export function entry(n: MNode | null | undefined, key: string): MEntry | undefined {
  if (!n || n.t !== 'map') return undefined;
  return n.entries.get(key);
}

export function str(n: MNode | null | undefined): string | undefined {
  return n && n.t === 'scalar' ? scalarText(n.node) : undefined;
}

/** Items of a list with nested lists flattened (GitLab flattens what `!reference` inserts), up to 10 levels. */
export function flatItems(n: MNode | null | undefined, depth = 0): MNode[] {
  if (!n || n.t !== 'seq') return [];
  const out: MNode[] = [];
  for (const it of n.items) {
    if (it.t === 'seq' && depth < 10) out.push(...flatItems(it, depth + 1));
    else out.push(it);
  }
  return out;
}

/** A list's flattened items, or the value itself when it is not a list (`tags: x` as `tags: [x]`). */
export function listOrOne(n: MNode | null | undefined): MNode[] {
  if (!n || isNullNode(n)) return [];
  return n.t === 'seq' ? flatItems(n) : [n];
}
