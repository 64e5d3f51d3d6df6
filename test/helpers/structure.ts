/**
 * Structural check for fixes: the YAML documents after a fix, turned into
 * plain data, must equal the documents before it once the paths the applied
 * fixes declare (`Fix.targets`) are removed from both. A fix that touches any
 * other key, reorders documents or changes a scalar elsewhere shows up as a
 * difference.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Fix } from '../../src/model/finding.js';

type Data = unknown;

function toData(text: string): { docs: Data[]; starts: number[] } {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  return {
    docs: list.map((d) => d.toJS({ maxAliasCount: -1 }) as Data),
    starts: list.map((d) => d.range[0]),
  };
}

function container(value: Data): value is Record<string, Data> | Data[] {
  return typeof value === 'object' && value !== null;
}

function get(root: Data, path: (string | number)[]): Data {
  let v = root;
  for (const k of path) {
    if (!container(v)) return undefined;
    v = (v as Record<string, Data>)[k as string];
  }
  return v;
}

function remove(root: Data, path: (string | number)[]): void {
  const parent = get(root, path.slice(0, -1));
  if (!container(parent)) return;
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = '<changed by fix>';
  else delete (parent as Record<string, Data>)[String(last)];
}

function isEmpty(v: Data): boolean {
  return container(v) && Object.keys(v).length === 0;
}

/** Index of the document an offset of the original text falls in. */
function docAt(starts: number[], offset: number): number {
  let i = 0;
  while (i + 1 < starts.length && starts[i + 1]! <= offset) i++;
  return i;
}

/**
 * Undefined when the structure is kept, else a description of the first
 * difference (document index and the paths that were masked).
 */
export function structureDifference(before: string, after: string, fixes: Fix[]): string | undefined {
  const a = toData(before);
  const b = toData(after);
  if (a.docs.length !== b.docs.length) return `document count ${a.docs.length} → ${b.docs.length}`;
  const masked: string[] = [];
  for (const fix of fixes) {
    if (!fix.targets || fix.targets.length === 0) return `a fix without targets: ${fix.description}`;
    const d = docAt(a.starts, fix.edits[0]?.offset ?? 0);
    for (const path of fix.targets) {
      // Whole documents or top-level lists are too broad to count as "what the fix meant to change".
      if (path.length === 0) return `a fix targets a whole document: ${fix.description}`;
      remove(a.docs[d], path);
      remove(b.docs[d], path);
      // Containers the fix created around its key and that are now empty were not there before.
      for (let n = path.length - 1; n > 0; n--) {
        const prefix = path.slice(0, n);
        if (isEmpty(get(b.docs[d], prefix)) && get(a.docs[d], prefix) === undefined) remove(b.docs[d], prefix);
        else break;
      }
      masked.push(`${d}:${path.join('.')}`);
    }
  }
  for (let i = 0; i < a.docs.length; i++) {
    if (!isDeepStrictEqual(a.docs[i], b.docs[i])) return `document ${i} differs outside ${masked.join(', ')}`;
  }
  return undefined;
}
