/**
 * Argo Workflows objects → pipeline model. Each template that runs a
 * container (container, script, containerSet) is a job in its own pod; the
 * workflow spec carries pod-wide defaults (service account, security context).
 */
import { isMap } from '../../core/yaml-nodes.js';
import type { YamlDoc, YamlNode } from '../../core/yaml.js';
import type { Job, Pipeline, Str } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';
import { containerStep, type ContainerContext } from '../kube/containers.js';
import { kubeMetaOf, type KubeObject } from '../kube/objects.js';

export const ARGO_WORKFLOW_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'CronWorkflow']);

/** The workflow spec of an Argo object (CronWorkflow nests it). */
export function workflowSpec(o: { kind: string; node: unknown; y: YamlDoc }): YamlNode | null {
  const spec = o.y.get(o.node, 'spec');
  return o.kind === 'CronWorkflow' ? o.y.get(spec, 'workflowSpec') : spec;
}

export function buildArgo(o: KubeObject): { pipeline: Pipeline; problems: { message: string; span: Span }[] } {
  const y = o.y;
  const ctx: ContainerContext = { y, syntax: 'argo', references: [], expressions: [] };
  const problems: { message: string; span: Span }[] = [];
  const jobs: Job[] = [];
  const spec = ARGO_WORKFLOW_KINDS.has(o.kind) ? workflowSpec(o) : null;
  const str = (node: unknown): Str | undefined => {
    const v = y.str(node);
    return v === undefined ? undefined : { value: v, span: y.span(node as YamlNode) };
  };
  const workflowSa = str(y.get(spec, 'serviceAccountName'));
  const enumInputs = new Set<string>();
  // Argo Events objects run their pods with the account in `spec.template`.
  const eventsSpec = o.kind === 'Sensor' || o.kind === 'EventSource' ? y.get(o.node, 'spec') : null;
  const sensorSa = str(y.get(y.get(eventsSpec, 'template'), 'serviceAccountName'));
  const templates = y.get(spec, 'templates');
  if (templates && !y.seq(templates)) problems.push({ message: '`templates` must be a list', span: y.span(templates) });
  for (const t of y.items(templates)) {
    if (!isMap(t)) {
      problems.push({ message: 'each template must be a mapping', span: y.span(t) });
      continue;
    }
    const id = str(y.get(t, 'name')) ?? { value: '(unnamed template)', span: y.span(t) };
    const job: Job = { id, span: y.span(t), env: [], steps: [], needs: [], with: new Map(), secrets: [], images: [], containers: [], pod: t, node: t };
    const sa = str(y.get(t, 'serviceAccountName')) ?? workflowSa;
    if (sa) job.serviceAccount = sa;
    const add = (node: YamlNode | null, role: string, scriptKey?: string) => {
      if (!node) return;
      const step = containerStep(ctx, node, job.steps.length, role, scriptKey);
      if (step) job.steps.push(step);
    };
    add(y.get(t, 'container'), 'container');
    add(y.get(t, 'script'), 'script', 'source');
    for (const c of y.items(y.get(y.get(t, 'containerSet'), 'containers'))) add(c, 'container');
    for (const key of ['initContainers', 'sidecars']) {
      for (const c of y.items(y.get(t, key))) {
        const side = containerStep(ctx, c, -1, key === 'sidecars' ? 'sidecar' : 'init');
        if (side?.container) {
          job.containers!.push(side.container);
          if (side.container.image) job.images.push(side.container.image);
          // Init containers and sidecars run commands too: keep their scripts visible to injection checks.
          if (side.script) job.steps.push({ ...side, index: job.steps.length });
        }
      }
    }
    // Template inputs with `enum:` accept only the listed values.
    for (const ip of y.items(y.get(y.get(t, 'inputs'), 'parameters'))) {
      const n = str(y.get(ip, 'name'));
      if (n && y.get(ip, 'enum')) enumInputs.add(`${id.value}/${n.value}`);
    }
    jobs.push(job);
  }
  const refNode = y.get(spec, 'workflowTemplateRef');
  if (refNode) {
    const n = str(y.get(refNode, 'name'));
    if (n) ctx.references.push({ kind: 'module', raw: n.value, span: n.span, name: n.value, pin: 'local' });
  }
  const inputs = new Map<string, { name: Str; type?: string }>();
  for (const p of y.items(y.get(y.get(spec, 'arguments'), 'parameters'))) {
    const n = str(y.get(p, 'name'));
    if (!n) continue;
    // Parameters with a fixed set of values cannot carry free text.
    inputs.set(n.value, y.get(p, 'enum') ? { name: n, type: 'choice' } : { name: n });
  }
  for (const key of enumInputs) {
    const [, param] = key.split('/');
    if (param && !inputs.has(param)) inputs.set(param, { name: { value: param, span: o.span }, type: 'choice' });
  }
  const name: Str = o.name ?? { value: o.kind, span: o.span };
  const pipeline: Pipeline = {
    platform: 'argo',
    kind: o.kind,
    file: y.file,
    name,
    triggers: [],
    env: [],
    jobs,
    references: ctx.references.sort((a, b) => a.span.offset - b.span.offset),
    expressions: ctx.expressions.sort((a, b) => a.span.offset - b.span.offset),
    inputs,
    document: y.doc,
    kube: {
      ...kubeMetaOf(o),
      ...(workflowSa ? { serviceAccount: workflowSa } : sensorSa ? { serviceAccount: sensorSa } : {}),
    },
  };
  return { pipeline, problems };
}
