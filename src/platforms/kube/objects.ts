/** Kubernetes objects in a YAML stream: every document, and the items of `List` kinds. */
import { isMap, isSeq } from '../../core/yaml-nodes.js';
import type { YAMLMap } from 'yaml';
import { unlessTooLarge, type YamlDoc } from '../../core/yaml.js';
import type { Span } from '../../model/source.js';
import type { ClaimBinding, KubeMeta, Str } from '../../model/pipeline.js';

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
  const namespaceNode = y.get(meta, 'namespace');
  const namespace = y.str(namespaceNode);
  const kindPair = y.pair(map, 'kind');
  const o: KubeObject = { apiVersion, kind, span: kindPair ? y.pairSpan(kindPair) : y.span(map), node: map, y };
  if (name) o.name = name;
  if (namespace) {
    o.namespace = namespace;
    o.namespaceSpan = y.span(namespaceNode);
  }
  if (isMap(map)) out.push(o);
}

/** The model's metadata of an object: what every builder copies from it before adding its own facts. */
export function kubeMetaOf(o: KubeObject): KubeMeta {
  return {
    apiVersion: o.apiVersion, kind: o.kind, span: o.span, objectNode: o.node,
    ...(o.name ? { name: o.name } : {}), ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.namespaceSpan ? { namespaceSpan: o.namespaceSpan } : {}),
  };
}

/** Runs and workflows, whose storage the cross-file rules follow to claims. */
const RUN_KINDS = new Set(['PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow']);

/**
 * A run's workspaces (Tekton) or a workflow's volumes (Argo) bound to an
 * existing PersistentVolumeClaim, which the cross-file rules read once the
 * object's YAML is gone; no `claims` for objects that are not runs. Read with
 * an alias budget of their own, as a rule would, so that these reads never
 * push the build of the file over its budget. A list that expands too far (an
 * alias bomb) is not read: `unreadable` says so, for the file's report, which
 * describes the input whichever rules are on.
 */
export function runClaims(o: { kind: string; node: unknown; y: YamlDoc }, platform: string): { claims?: ClaimBinding[]; unreadable?: string } {
  if (!RUN_KINDS.has(o.kind) || (platform !== 'tekton' && platform !== 'argo')) return {};
  const y = o.y.withOwnBudget();
  const what = platform === 'tekton' ? 'workspaces' : 'volumes';
  const claims = unlessTooLarge(() => {
    const spec = y.get(o.node, 'spec');
    const found: ClaimBinding[] = [];
    for (const w of y.items(y.get(platform === 'argo' && o.kind === 'CronWorkflow' ? y.get(spec, 'workflowSpec') : spec, what))) {
      const pvc = y.get(w, 'persistentVolumeClaim');
      const claim = y.str(y.get(pvc, 'claimName'));
      if (pvc && claim) found.push({ name: y.str(y.get(w, 'name')) ?? claim, claim, span: y.span(pvc) });
    }
    return found;
  }, undefined);
  return claims ? { claims } : { unreadable: `the ${what} of this ${o.kind} expand too many aliases (or nest too deeply) to read` };
}

/**
 * The span of an object's own `metadata.namespace`, if it names one (for
 * objects written inside others), read with an alias budget of its own like
 * the claims above; none past an alias bomb.
 */
export function ownNamespaceSpan(y: YamlDoc, node: unknown): Span | undefined {
  const own = y.withOwnBudget();
  return unlessTooLarge(() => {
    const ns = own.get(own.get(node, 'metadata'), 'namespace');
    return ns ? own.span(ns) : undefined;
  }, undefined);
}
