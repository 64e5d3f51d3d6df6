/**
 * Tekton objects → pipeline model. A Task (or an embedded taskSpec) is a job
 * whose steps are containers; a Pipeline's tasks are jobs; runs carry the
 * service account and workspace bindings. Remote task references (bundles,
 * git/hub resolvers) are external references with a pin state.
 */
import { isMap } from '../../core/yaml-nodes.js';
import { isCommitSha } from '../../core/refs.js';
import type { YamlDoc, YamlNode } from '../../core/yaml.js';
import type { ExternalRef, Job, Pipeline, PinState, Str, Trigger } from '../../model/pipeline.js';
import { containerStep, envOf, type ContainerContext } from '../kube/containers.js';
import { kubeMetaOf, type KubeObject } from '../kube/objects.js';

export interface Problem {
  message: string;
  span: import('../../model/source.js').Span;
}


export const TEKTON_KINDS = new Set([
  'Task', 'ClusterTask', 'Pipeline', 'PipelineRun', 'TaskRun', 'StepAction', 'EventListener', 'TriggerBinding',
  'ClusterTriggerBinding', 'TriggerTemplate', 'Interceptor', 'ClusterInterceptor', 'CustomRun', 'Run',
]);

class TektonBuilder {
  readonly problems: Problem[] = [];
  readonly ctx: ContainerContext;
  constructor(readonly o: KubeObject) {
    this.ctx = { y: o.y, syntax: 'tekton', references: [], expressions: [] };
  }
  get y(): YamlDoc {
    return this.o.y;
  }
  str(node: unknown): Str | undefined {
    const v = this.y.str(node);
    return v === undefined ? undefined : { value: v, span: this.y.span(node as YamlNode) };
  }

  /** The steps, sidecars and stepTemplate of a task spec, as one job. */
  taskJob(id: Str, spec: YamlNode | null, node: YamlNode): Job {
    const y = this.y;
    const job: Job = { id, span: y.span(node), env: [], steps: [], needs: [], with: new Map(), secrets: [], images: [], containers: [], node };
    if (!spec) return job;
    const steps = y.get(spec, 'steps');
    if (steps && !y.seq(steps)) this.problems.push({ message: '`steps` must be a list', span: y.span(steps) });
    y.items(steps).forEach((s, i) => {
      const step = containerStep(this.ctx, s, i, 'step');
      if (step) job.steps.push(step);
      else this.problems.push({ message: 'each step must be a mapping', span: y.span(s) });
    });
    for (const s of y.items(y.get(spec, 'sidecars'))) {
      const side = containerStep(this.ctx, s, -1, 'sidecar');
      if (side?.container) {
        job.containers!.push(side.container);
        if (side.container.image) job.images.push(side.container.image);
      }
    }
    const template = y.get(spec, 'stepTemplate');
    if (template && isMap(template)) {
      job.containers!.push({ node: template, role: 'stepTemplate' });
      job.env.push(...envOf(this.ctx, y.get(template, 'env')));
    }
    return job;
  }

  /** `taskRef` / `pipelineRef`: a name in the cluster, a bundle, or a remote resolver. */
  remoteRef(refNode: YamlNode | null): ExternalRef | undefined {
    const y = this.y;
    if (!refNode || !isMap(refNode)) return undefined;
    const bundle = y.str(y.get(refNode, 'bundle'));
    const resolver = y.str(y.get(refNode, 'resolver'));
    const params = new Map<string, { value: string; node: YamlNode }>();
    for (const p of y.items(y.get(refNode, 'params'))) {
      const n = y.str(y.get(p, 'name'));
      const vNode = y.get(p, 'value');
      const v = y.str(vNode);
      if (n && v !== undefined && vNode) params.set(n, { value: v, node: vNode });
    }
    const span = y.span(refNode);
    const refOf = (name: string, version: string | undefined, pin: PinState, at = span, kind: ExternalRef['kind'] = 'module'): ExternalRef => {
      const r: ExternalRef = { kind, raw: version ? `${name}@${version}` : name, span: at, name, pin };
      if (version) r.version = version;
      return r;
    };
    const dynamic = (v: string) => /\$\(/.test(v);
    if (bundle) {
      const pin: PinState = dynamic(bundle) ? 'dynamic' : /@sha256:[0-9a-f]{64}$/i.test(bundle) ? 'digest' : 'tag';
      return refOf(bundle, undefined, pin, y.span(y.get(refNode, 'bundle')), 'bundle');
    }
    if (!resolver) return undefined;
    if (resolver === 'bundles') {
      const b = params.get('bundle');
      if (!b) return refOf('bundles resolver', undefined, 'unpinned', span, 'bundle');
      const pin: PinState = dynamic(b.value) ? 'dynamic' : /@sha256:[0-9a-f]{64}$/i.test(b.value) ? 'digest' : 'tag';
      return refOf(b.value, undefined, pin, y.span(b.node), 'bundle');
    }
    if (resolver === 'git') {
      const url = params.get('url')?.value ?? params.get('repo')?.value ?? 'git';
      const rev = params.get('revision');
      if (!rev) return refOf(url, undefined, 'unpinned');
      const pin: PinState = dynamic(rev.value) ? 'dynamic' : isCommitSha(rev.value) ? 'hash' : 'tag';
      return refOf(url, rev.value, pin, y.span(rev.node));
    }
    if (resolver === 'hub') {
      const name = params.get('name')?.value ?? 'hub';
      const version = params.get('version');
      if (!version) return refOf(name, undefined, 'unpinned');
      // Hub versions are immutable releases of the catalog, but the catalog can republish: a tag.
      return refOf(name, version.value, dynamic(version.value) ? 'dynamic' : 'tag', y.span(version.node));
    }
    if (resolver === 'http') {
      const url = params.get('url');
      return refOf(url?.value ?? 'http', undefined, url && dynamic(url.value) ? 'dynamic' : 'unpinned', url ? y.span(url.node) : span);
    }
    if (resolver === 'cluster') return refOf(params.get('name')?.value ?? 'cluster', undefined, 'local');
    return refOf(resolver, undefined, 'unpinned');
  }

  build(): Pipeline {
    const o = this.o;
    const y = this.y;
    const spec = y.get(o.node, 'spec');
    const name: Str = o.name ?? { value: o.kind, span: o.span };
    const jobs: Job[] = [];
    const triggers: Trigger[] = [];
    let serviceAccount: Str | undefined;
    let pod: YamlNode | null = null;
    switch (o.kind) {
      case 'Task':
      case 'ClusterTask':
        jobs.push(this.taskJob(name, spec, o.node));
        break;
      case 'StepAction': {
        const job = this.taskJob(name, null, o.node);
        const step = spec ? containerStep(this.ctx, spec, 0, 'step') : undefined;
        if (step) job.steps.push(step);
        jobs.push(job);
        break;
      }
      case 'Pipeline':
        jobs.push(...this.pipelineTasks(spec));
        break;
      case 'PipelineRun': {
        const pipelineSpec = y.get(spec, 'pipelineSpec');
        if (pipelineSpec) jobs.push(...this.pipelineTasks(pipelineSpec));
        const ref = this.remoteRef(y.get(spec, 'pipelineRef'));
        if (ref) this.ctx.references.push(ref);
        serviceAccount = this.str(y.get(y.get(spec, 'taskRunTemplate'), 'serviceAccountName')) ?? this.str(y.get(spec, 'serviceAccountName'));
        pod = y.get(y.get(spec, 'taskRunTemplate'), 'podTemplate') ?? y.get(spec, 'podTemplate');
        triggers.push(...pacTriggers(o));
        break;
      }
      case 'TaskRun': {
        const taskSpec = y.get(spec, 'taskSpec');
        if (taskSpec) jobs.push(this.taskJob(name, taskSpec, o.node));
        const ref = this.remoteRef(y.get(spec, 'taskRef'));
        if (ref) this.ctx.references.push(ref);
        serviceAccount = this.str(y.get(spec, 'serviceAccountName'));
        pod = y.get(spec, 'podTemplate');
        triggers.push(...pacTriggers(o));
        break;
      }
      case 'EventListener':
        serviceAccount = this.str(y.get(spec, 'serviceAccountName'));
        break;
      default:
        break;
    }
    for (const j of jobs) {
      if (serviceAccount && !j.serviceAccount) j.serviceAccount = serviceAccount;
      if (pod && !j.pod) j.pod = pod;
    }
    const inputs = new Map<string, { name: Str; type?: string }>();
    for (const p of y.items(y.get(spec, 'params'))) {
      const n = this.str(y.get(p, 'name'));
      if (!n) continue;
      // A param with `enum:` accepts only the listed values.
      const type = y.get(p, 'enum') ? 'choice' : y.str(y.get(p, 'type'));
      inputs.set(n.value, type ? { name: n, type } : { name: n });
    }
    const pipeline: Pipeline = {
      platform: 'tekton',
      kind: o.kind,
      file: y.file,
      name,
      triggers,
      env: [],
      jobs,
      references: this.ctx.references.sort((a, b) => a.span.offset - b.span.offset),
      expressions: this.ctx.expressions.sort((a, b) => a.span.offset - b.span.offset),
      inputs,
      document: y.doc,
      kube: {
        ...kubeMetaOf(o),
        ...(serviceAccount ? { serviceAccount } : {}),
      },
    };
    return pipeline;
  }

  /** Pipeline `tasks` and `finally`: embedded task specs become jobs; task refs become references. */
  pipelineTasks(spec: YamlNode | null): Job[] {
    const y = this.y;
    const jobs: Job[] = [];
    for (const key of ['tasks', 'finally']) {
      for (const t of y.items(y.get(spec, key))) {
        const id = this.str(y.get(t, 'name')) ?? { value: '(unnamed task)', span: y.span(t) };
        const taskSpec = y.get(t, 'taskSpec');
        const job = this.taskJob(id, taskSpec, t);
        const ref = this.remoteRef(y.get(t, 'taskRef'));
        if (ref) {
          this.ctx.references.push(ref);
          job.uses = ref;
        }
        for (const r of y.items(y.get(t, 'runAfter'))) {
          const s = this.str(r);
          if (s) job.needs.push(s);
        }
        jobs.push(job);
      }
    }
    return jobs;
  }
}

/** Pipelines-as-Code runs (`.tekton/`) declare the events that start them. */
function pacTriggers(o: KubeObject): Trigger[] {
  const y = o.y;
  const ann = y.get(y.get(o.node, 'metadata'), 'annotations');
  const pair = y.pair(ann, 'pipelinesascode.tekton.dev/on-event');
  if (!pair) return [];
  const v = y.deref(pair.value);
  const events = (y.seq(v) ? y.items(v).map((i) => y.str(i) ?? '') : (y.str(v) ?? '').replace(/[[\]"']/g, '').split(',')).map((e) => e.trim()).filter(Boolean);
  const span = y.pairSpan(pair);
  return events.map((event) => ({
    event,
    span,
    actor: event === 'pull_request' || event === 'incoming' ? 'external' : 'collaborator',
    // PaC runs in the cluster with the repository's secrets whatever the event.
    privileged: true,
  }));
}

export function buildTekton(o: KubeObject): { pipeline: Pipeline; problems: Problem[] } {
  const b = new TektonBuilder(o);
  const pipeline = b.build();
  return { pipeline, problems: b.problems };
}
