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
 * Kinds whose YAML the project rules read (runs, RBAC, claims, network
 * policies, triggers and the objects they reach). Other objects are read
 * through the model alone (a Task's scripts), so their YAML trees can go once
 * their file's own rules have run: Tasks are most of the bytes.
 */
export const PROJECT_YAML_KINDS: ReadonlySet<string> = new Set([
  'PipelineRun', 'TaskRun', 'Pipeline',
  'Workflow', 'CronWorkflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'Sensor',
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

export function buildProjectIndex(pipelines: Pipeline[]): ProjectIndex {
  const byKind = new Map<string, Pipeline[]>();
  for (const p of pipelines) {
    if (!p.kube) continue;
    const list = byKind.get(p.kube.kind) ?? [];
    list.push(p);
    byKind.set(p.kube.kind, list);
  }
  // By name too, made for a kind when first asked: rules look objects up once per run or
  // binding, and a scan over every object of the kind each time grew with the square of the estate.
  const byName = new Map<string, Map<string, Pipeline[]>>();
  const named = (kind: string): Map<string, Pipeline[]> => {
    let names = byName.get(kind);
    if (!names) {
      names = new Map();
      for (const p of byKind.get(kind) ?? []) {
        const name = p.kube?.name?.value;
        if (name === undefined) continue;
        const list = names.get(name);
        if (list) list.push(p);
        else names.set(name, [p]);
      }
      byName.set(kind, names);
    }
    return names;
  };
  return {
    pipelines,
    ofKind: (...kinds) => kinds.flatMap((k) => byKind.get(k) ?? []),
    find: (kinds, name, namespace) => kinds.flatMap((k) => named(k).get(name) ?? []).filter((p) => sameNamespace(p.kube?.namespace, namespace)),
  };
}
