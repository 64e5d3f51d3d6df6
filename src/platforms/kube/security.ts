/**
 * The security context that applies to a container: its own, then the
 * defaults around it (Tekton stepTemplate, pod and podTemplate security
 * contexts, Argo template and workflow security contexts). Pod-level contexts
 * only carry the user settings (runAsUser, runAsNonRoot); the others are
 * container-only in Kubernetes.
 */
import { Document } from 'yaml';
import { isMap } from '../../core/yaml-nodes.js';
import { YamlDoc, type YamlNode } from '../../core/yaml.js';
import type { Job, Pipeline, Step } from '../../model/pipeline.js';
import { ARGO_WORKFLOW_KINDS } from '../argo/build.js';
import { FileScopedMap } from '../../core/file-scoped.js';

export interface EffectiveSecurity {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  dropsAll: boolean;
  added: string[];
  /** Nodes that set `runAsUser: 0` or `privileged: true`, for locations. */
  where: Partial<Record<'privileged' | 'allowPrivilegeEscalation' | 'runAsUser' | 'runAsNonRoot', YamlNode>>;
  /** An Argo `podSpecPatch` can set anything: the picture is incomplete. */
  patched: boolean;
}

const docs = new FileScopedMap<Pipeline, YamlDoc>();
const released = new WeakSet<Pipeline>();

export function yamlOf(p: Pipeline): YamlDoc {
  if (released.has(p)) {
    throw new Error(`the YAML of ${p.kube?.kind ?? p.kind} \`${p.name?.value ?? ''}\` was released after its file's rules; a project rule that reads it must list the kind in PROJECT_YAML_KINDS`);
  }
  let y = docs.get(p);
  if (!y) {
    y = new YamlDoc(p.file, p.document);
    docs.set(p, y);
  }
  return y;
}

/**
 * Lets go of a pipeline's YAML tree once nothing will read it (the model and
 * its spans stay): the node fields point at an empty document, and `yamlOf`
 * refuses it from then on, so a late reader fails loudly instead of reading
 * nothing.
 */
export function releaseYaml(p: Pipeline): void {
  released.add(p);
  docs.delete(p);
  const empty = RELEASED_DOCUMENT.contents as YamlNode;
  p.document = RELEASED_DOCUMENT;
  if (p.kube?.objectNode) p.kube.objectNode = empty;
  for (const job of p.jobs) {
    job.node = empty;
    if (job.pod) job.pod = empty;
    for (const step of job.steps) {
      step.node = empty;
      if (step.container) step.container.node = empty;
    }
    for (const c of job.containers ?? []) c.node = empty;
  }
}

const RELEASED_DOCUMENT = new Document({});

/** Pod-level mappings that apply to a job, nearest first. */
export function podLayers(p: Pipeline, job: Job): YamlNode[] {
  const y = yamlOf(p);
  const layers: YamlNode[] = [];
  if (job.pod) layers.push(job.pod);
  if (p.platform === 'argo' && p.kube && ARGO_WORKFLOW_KINDS.has(p.kube.kind)) {
    const spec = p.kube.objectNode ? y.get(p.kube.objectNode, 'spec') : null;
    const root = p.kube.kind === 'CronWorkflow' ? y.get(spec, 'workflowSpec') : spec;
    if (root) layers.push(root);
  }
  return layers;
}

function bool(y: YamlDoc, node: unknown): boolean | undefined {
  const s = y.scalar(node);
  if (!s) return undefined;
  if (typeof s.value === 'boolean') return s.value;
  if (s.value === 'true') return true;
  if (s.value === 'false') return false;
  return undefined;
}

export function effectiveSecurity(p: Pipeline, job: Job, step: Step): EffectiveSecurity {
  const y = yamlOf(p);
  const out: EffectiveSecurity = { dropsAll: false, added: [], where: {}, patched: false };
  const containerLayers: YamlNode[] = [];
  const own = y.get(step.container?.node ?? step.node, 'securityContext');
  if (own) containerLayers.push(own);
  for (const c of job.containers ?? []) {
    if (c.role === 'stepTemplate') {
      const sc = y.get(c.node, 'securityContext');
      if (sc) containerLayers.push(sc);
    }
  }
  const podContexts = podLayers(p, job).map((l) => y.get(l, 'securityContext')).filter((n): n is YamlNode => n !== null && isMap(n));
  out.patched = podLayers(p, job).some((l) => y.get(l, 'podSpecPatch') !== null);
  const pick = <K extends 'privileged' | 'allowPrivilegeEscalation' | 'readOnlyRootFilesystem'>(key: K) => {
    for (const l of containerLayers) {
      const v = bool(y, y.get(l, key));
      if (v !== undefined) {
        if (key !== 'readOnlyRootFilesystem') out.where[key as 'privileged'] = y.get(l, key)!;
        return v;
      }
    }
    return undefined;
  };
  const priv = pick('privileged');
  if (priv !== undefined) out.privileged = priv;
  const esc = pick('allowPrivilegeEscalation');
  if (esc !== undefined) out.allowPrivilegeEscalation = esc;
  const ro = pick('readOnlyRootFilesystem');
  if (ro !== undefined) out.readOnlyRootFilesystem = ro;
  for (const l of [...containerLayers, ...podContexts]) {
    if (out.runAsNonRoot === undefined) {
      const v = bool(y, y.get(l, 'runAsNonRoot'));
      if (v !== undefined) {
        out.runAsNonRoot = v;
        out.where.runAsNonRoot = y.get(l, 'runAsNonRoot')!;
      }
    }
    if (out.runAsUser === undefined) {
      const s = y.scalar(y.get(l, 'runAsUser'));
      const n = s ? Number(s.value) : NaN;
      if (Number.isInteger(n)) {
        out.runAsUser = n;
        out.where.runAsUser = s!;
      }
    }
  }
  for (const l of containerLayers) {
    const caps = y.get(l, 'capabilities');
    if (!caps) continue;
    const drop = y.items(y.get(caps, 'drop')).map((d) => (y.str(d) ?? '').toUpperCase());
    if (drop.includes('ALL')) out.dropsAll = true;
    out.added.push(...y.items(y.get(caps, 'add')).map((d) => (y.str(d) ?? '').toUpperCase()));
    break;
  }
  return out;
}

/** The job's steps and its sidecars (as step-shaped records): every container that runs. */
export function runningContainers(job: Job): Step[] {
  const sidecars: Step[] = (job.containers ?? [])
    .filter((c) => c.role === 'sidecar')
    .map((c) => ({ index: -1, span: job.span, anchor: c.name?.span ?? c.image?.span ?? job.span, with: new Map(), env: [], container: c, node: c.node }));
  return [...job.steps.filter((s) => s.container), ...sidecars];
}

/** Volumes declared for the job's pod: pod spec and pod templates, and a Tekton task spec's `volumes`. */
export function podVolumes(p: Pipeline, job: Job): YamlNode[] {
  const y = yamlOf(p);
  const taskSpec = y.get(job.node, 'spec') ?? y.get(job.node, 'taskSpec');
  const lists = [...podLayers(p, job), ...(p.platform === 'tekton' && taskSpec ? [taskSpec] : [])].map((l) => y.get(l, 'volumes'));
  return lists.flatMap((l) => y.items(l));
}
