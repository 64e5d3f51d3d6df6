/** A comparable picture of a parsed YAML stream, for checking the fast reader against `yaml`. */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document } from 'yaml';

export function project(docs: Document[]): unknown {
  return docs.map((d) => ({
    range: d.range,
    contents: node(d.contents, 0),
    errors: d.errors.map((e) => [e.code, e.pos, e.message]),
    warnings: d.warnings.map((e) => [e.code, e.pos, e.message]),
    docStart: d.directives?.docStart ?? null,
    docEnd: d.directives?.docEnd ?? false,
  }));
}

function node(n: unknown, depth: number): unknown {
  if (depth > 1000) return 'deep';
  if (n === null || n === undefined) return n ?? null;
  if (isScalar(n)) {
    const v = n.value;
    return {
      c: 'Scalar', range: n.range, type: n.type, anchor: n.anchor, tag: n.tag, source: n.source, format: n.format,
      minFractionDigits: (n as { minFractionDigits?: number }).minFractionDigits,
      value: typeof v === 'number' ? (Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : `num:${v}`) : v,
    };
  }
  if (isAlias(n)) return { c: 'Alias', range: n.range, source: n.source };
  if (isMap(n)) return { c: 'YAMLMap', range: n.range, flow: n.flow, anchor: n.anchor, tag: n.tag, items: n.items.map((p) => pair(p, depth + 1)) };
  if (isSeq(n)) return { c: 'YAMLSeq', range: n.range, flow: n.flow, anchor: n.anchor, tag: n.tag, items: n.items.map((i) => node(i, depth + 1)) };
  if (isPair(n)) return pair(n, depth);
  return { c: 'unknown', s: String(n) };
}

function pair(p: unknown, depth: number): unknown {
  if (!isPair(p)) return { c: 'not a pair' };
  return { c: 'Pair', key: node(p.key, depth + 1), value: node(p.value, depth + 1) };
}
