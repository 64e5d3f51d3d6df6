/**
 * All Kubernetes-style documents of a file → pipelines (Tekton, Argo, pod
 * workloads) plus the raw objects, which the project index joins across
 * files (service accounts, RBAC, NetworkPolicies, PVCs).
 */
import { isMap } from '../../core/yaml-nodes.js';
import type { YamlDoc, YamlNode } from '../../core/yaml.js';
import type { Job, Pipeline, Str } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';
import { ARGO_WORKFLOW_KINDS, buildArgo } from '../argo/build.js';
import { buildTekton, TEKTON_KINDS } from '../tekton/build.js';
import { containerStep, type ContainerContext } from './containers.js';
import { kubeMetaOf, kubeObjects, ownNamespaceSpan, runClaims, type KubeObject } from './objects.js';

export interface KubeLoad {
  pipelines: Pipeline[];
  objects: KubeObject[];
  problems: { message: string; span: Span }[];
}

/** Where the pod spec sits in each workload kind. */
const POD_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export function platformOf(o: { apiVersion: string; kind: string }): 'tekton' | 'argo' | 'k8s' {
  if (/tekton\.dev|pipelinesascode/.test(o.apiVersion)) return 'tekton';
  if (/argoproj\.io/.test(o.apiVersion)) return 'argo';
  return 'k8s';
}

function podPipeline(o: KubeObject, podPath: string[]): Pipeline {
  const y = o.y;
  let pod: YamlNode | null = o.node;
  for (const key of podPath) pod = y.get(pod, key);
  const ctx: ContainerContext = { y, syntax: 'argo', references: [], expressions: [] };
  const name: Str = o.name ?? { value: o.kind, span: o.span };
  const job: Job = { id: name, span: o.span, env: [], steps: [], needs: [], with: new Map(), secrets: [], images: [], containers: [], node: o.node };
  if (pod) job.pod = pod;
  const sa = y.get(pod, 'serviceAccountName') ?? y.get(pod, 'serviceAccount');
  const saName = y.str(sa);
  if (saName) job.serviceAccount = { value: saName, span: y.span(sa) };
  for (const c of y.items(y.get(pod, 'containers'))) {
    const s = containerStep(ctx, c, job.steps.length, 'container');
    if (s) job.steps.push(s);
  }
  for (const c of y.items(y.get(pod, 'initContainers'))) {
    const s = containerStep(ctx, c, job.steps.length, 'init');
    if (s) job.steps.push(s);
  }
  // Plain Kubernetes does not substitute templates: drop what the container reader found.
  for (const s of job.steps) if (s.script) s.script.expressions = [];
  return {
    platform: 'k8s', kind: o.kind, file: y.file, name, triggers: [], env: [], jobs: [job],
    references: ctx.references, expressions: [], inputs: new Map(), document: y.doc,
    kube: { ...kubeMetaOf(o), ...(job.serviceAccount ? { serviceAccount: job.serviceAccount } : {}) },
  };
}

/** Any other object (RBAC, ConfigMap, Trigger kinds …): no jobs, but per-object rules still see it. */
function barePipeline(o: KubeObject, platform: 'tekton' | 'argo' | 'k8s'): Pipeline {
  // Tekton Chains is configured through a plain ConfigMap; it belongs with Tekton.
  const owner = o.kind === 'ConfigMap' && o.name?.value === 'chains-config' ? 'tekton' : platform;
  return {
    platform: owner, kind: o.kind, file: o.y.file, name: o.name ?? { value: o.kind, span: o.span }, triggers: [], env: [], jobs: [],
    references: [], expressions: [], inputs: new Map(), document: o.y.doc,
    kube: kubeMetaOf(o),
  };
}

export function loadKube(docs: YamlDoc[]): KubeLoad {
  const objects = kubeObjects(docs);
  const pipelines: Pipeline[] = [];
  const problems: KubeLoad['problems'] = [];
  // A run's claim bindings are kept in the model: the cross-file rules read them after its YAML may have gone.
  const withClaims = (p: Pipeline, o: { kind: string; node: unknown; y: YamlDoc }, platform: string): Pipeline => {
    const { claims, unreadable } = runClaims(o, platform);
    if (claims) p.kube!.claims = claims;
    if (unreadable) problems.push({ message: unreadable, span: p.kube!.span });
    return p;
  };
  for (const o of objects) {
    const platform = platformOf(o);
    if (platform === 'tekton' && TEKTON_KINDS.has(o.kind)) {
      const out = buildTekton(o);
      pipelines.push(withClaims(out.pipeline, o, platform));
      problems.push(...out.problems);
      // The runs a TriggerTemplate creates are checked like runs written on their own.
      if (o.kind === 'TriggerTemplate') {
        for (const res of o.y.items(o.y.get(o.y.get(o.node, 'spec'), 'resourcetemplates'))) {
          const kind = o.y.str(o.y.get(res, 'kind'));
          if (!kind || !['PipelineRun', 'TaskRun'].includes(kind) || !isMap(res)) continue;
          // In the template's namespace; a finding about it points at the run's own `namespace:` if it writes one.
          const namespaceSpan = ownNamespaceSpan(o.y, res);
          const embedded = buildTekton({
            apiVersion: o.y.str(o.y.get(res, 'apiVersion')) ?? '', kind, span: o.y.span(res), node: res, y: o.y,
            ...(o.namespace ? { namespace: o.namespace } : {}), ...(namespaceSpan ? { namespaceSpan } : {}),
          });
          embedded.pipeline.embeddedIn = out.pipeline;
          pipelines.push(withClaims(embedded.pipeline, { kind, node: res, y: o.y }, platform));
          problems.push(...embedded.problems);
        }
      }
    } else if (platform === 'argo') {
      const out = buildArgo(o);
      pipelines.push(withClaims(out.pipeline, o, platform));
      problems.push(...out.problems);
    } else if (platform === 'k8s' && POD_PATHS[o.kind]) {
      pipelines.push(podPipeline(o, POD_PATHS[o.kind]!));
    } else {
      pipelines.push(withClaims(barePipeline(o, platform), o, platform));
    }
  }
  return { pipelines, objects, problems };
}
