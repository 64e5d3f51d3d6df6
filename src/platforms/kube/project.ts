/**
 * Every Kubernetes-style object of a scan, indexed by kind and name, so rules
 * can follow references across files: a run to its service account, the
 * account to its bindings, a binding to its role, a workspace to its claim.
 * An object with no namespace matches any namespace: manifests usually get
 * theirs at apply time.
 */
import type { Pipeline } from '../../model/pipeline.js';
import { releaseYaml } from './security.js';

/**
 * Kinds whose YAML the project rules read (PipelineRuns and Pipelines, RBAC,
 * claims, network policies, triggers and the objects they reach). Other
 * objects are read through the model alone (a Task's scripts; a TaskRun's or
 * Argo workflow's claims and namespace), so their YAML trees can go once their
 * file's own rules have run: Tasks and workflows are most of the bytes.
 */
export const PROJECT_YAML_KINDS: ReadonlySet<string> = new Set([
  'PipelineRun', 'Pipeline',
  'WorkflowTemplate', 'ClusterWorkflowTemplate', 'Sensor',
  'EventListener', 'TriggerBinding', 'ClusterTriggerBinding', 'TriggerTemplate',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding',
  'PersistentVolumeClaim', 'NetworkPolicy',
]);

/** Releases the YAML of a file's objects that no project rule reads. */
export function releaseYamlUnusedByProjectRules(pipelines: Pipeline[]): void {
  for (const p of pipelines) if (p.kube && !PROJECT_YAML_KINDS.has(p.kube.kind) && !p.embeddedIn) releaseYaml(p);
}

export interface ProjectIndex {
  pipelines: Pipeline[];
  ofKind(...kinds: string[]): Pipeline[];
  find(kinds: string[], name: string, namespace?: string): Pipeline[];
}

export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/** The items by key, each group in the items' order. */
export function groupBy<K, T>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export function buildProjectIndex(pipelines: Pipeline[]): ProjectIndex {
  const byKind = groupBy(pipelines.filter((p) => p.kube), (p) => p.kube!.kind);
  // By name too, made for a kind when first asked: rules look objects up once per run or
  // binding, and a scan over every object of the kind each time grew with the square of the estate.
  const byName = new Map<string, Map<string | undefined, Pipeline[]>>();
  const named = (kind: string): Map<string | undefined, Pipeline[]> => {
    let names = byName.get(kind);
    if (!names) byName.set(kind, (names = groupBy(byKind.get(kind) ?? [], (p) => p.kube!.name?.value)));
    return names;
  };
  return {
    pipelines,
    ofKind: (...kinds) => kinds.flatMap((k) => byKind.get(k) ?? []),
    find: (kinds, name, namespace) => kinds.flatMap((k) => named(k).get(name) ?? []).filter((p) => sameNamespace(p.kube?.namespace, namespace)),
  };
}
