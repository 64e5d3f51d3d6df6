/** Kubernetes objects in a YAML stream: every document, and the items of `List` kinds. */
import { isMap, isSeq } from '../../core/yaml-nodes.js';
import type { YAMLMap } from 'yaml';
import type { YamlDoc } from '../../core/yaml.js';
import type { KubeMeta, Str } from '../../model/pipeline.js';

export interface KubeObject extends KubeMeta {
  node: YAMLMap;
  y: YamlDoc;
}

export function kubeObjects(docs: YamlDoc[]): KubeObject[] {
  const out: KubeObject[] = [];
  for (const y of docs) collect(y, y.contents, out, 0);
  return out;
}

function collect(y: YamlDoc, node: unknown, out: KubeObject[], depth: number): void {
  const map = y.map(node);
  if (!map || depth > 4) return;
  const apiVersion = y.str(y.get(map, 'apiVersion'));
  const kind = y.str(y.get(map, 'kind'));
  if (!apiVersion || !kind) return;
  if (kind === 'List' || kind.endsWith('List')) {
    const items = y.get(map, 'items');
    if (isSeq(items)) for (const it of y.items(items)) collect(y, it, out, depth + 1);
    return;
  }
  const meta = y.get(map, 'metadata');
  const nameNode = y.get(meta, 'name') ?? y.get(meta, 'generateName');
  const nameValue = y.str(nameNode);
  const name: Str | undefined = nameValue !== undefined ? { value: nameValue, span: y.span(nameNode) } : undefined;
  const namespace = y.str(y.get(meta, 'namespace'));
  const kindPair = y.pair(map, 'kind');
  const o: KubeObject = { apiVersion, kind, span: kindPair ? y.pairSpan(kindPair) : y.span(map), node: map, y };
  if (name) o.name = name;
  if (namespace) o.namespace = namespace;
  if (isMap(map)) out.push(o);
}
