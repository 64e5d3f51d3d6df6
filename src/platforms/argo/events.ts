/**
 * Follows webhook data through Argo Events: a Sensor trigger's `parameters`
 * copy `body.*`/`header.*` of an event into a Workflow's arguments; the
 * workflow (embedded in the Sensor, or a WorkflowTemplate it references)
 * then pastes `{{workflow.parameters.x}}` or the entrypoint's
 * `{{inputs.parameters.x}}` into a script.
 */
import type { RelatedLocation } from '../../model/finding.js';
import type { Expression, Job, Pipeline } from '../../model/pipeline.js';
import type { KubeObject } from '../kube/objects.js';
import type { ProjectIndex } from '../kube/project.js';
import { yamlOf } from '../kube/security.js';
import { buildArgo } from './build.js';

export interface WebhookSink {
  /** The pipeline whose file holds the script (the Sensor for embedded workflows). */
  owner: Pipeline;
  job: Job;
  expression: Expression;
  param: string;
  chain: RelatedLocation[];
}

const WEBHOOK_KEY = /^(body|header)\b|\.Input\.(body|header)\b/;

export function argoEventsSinks(index: ProjectIndex): WebhookSink[] {
  const out: WebhookSink[] = [];
  for (const sensor of index.ofKind('Sensor')) {
    const y = yamlOf(sensor);
    const spec = y.get(sensor.kube!.objectNode, 'spec');
    for (const trigger of y.items(y.get(spec, 'triggers'))) {
      const template = y.get(trigger, 'template');
      const target = y.get(template, 'argoWorkflow') ?? y.get(template, 'k8s');
      const resource = y.get(y.get(target, 'source'), 'resource');
      if (!resource || y.str(y.get(resource, 'kind')) !== 'Workflow') continue;
      const declared = y.items(y.get(y.get(y.get(resource, 'spec'), 'arguments'), 'parameters')).map((p) => y.str(y.get(p, 'name')) ?? '');
      const tainted = new Map<string, RelatedLocation>();
      for (const p of [...y.items(y.get(target, 'parameters')), ...y.items(y.get(trigger, 'parameters'))]) {
        const src = y.get(p, 'src');
        const key = `${y.str(y.get(src, 'dataKey')) ?? ''} ${y.str(y.get(src, 'dataTemplate')) ?? ''}`.trim();
        const dest = y.str(y.get(p, 'dest')) ?? '';
        const m = /^spec\.arguments\.parameters\.(\d+)\.value$/.exec(dest);
        if (!m || !WEBHOOK_KEY.test(key)) continue;
        const name = declared[Number(m[1])];
        if (name) tainted.set(name, { file: sensor.file.path, span: y.span(src), message: `Sensor \`${sensor.kube!.name?.value ?? ''}\` copies \`${key}\` of the event into workflow parameter \`${name}\`` });
      }
      if (tainted.size === 0) continue;
      // The workflow that runs: embedded in the Sensor, or a template it references.
      const embedded: KubeObject = { apiVersion: y.str(y.get(resource, 'apiVersion')) ?? '', kind: 'Workflow', span: y.span(resource), node: resource as never, y };
      const wf = buildArgo(embedded).pipeline;
      const refName = y.str(y.get(y.get(y.get(resource, 'spec'), 'workflowTemplateRef'), 'name'));
      const targets: { owner: Pipeline; workflow: Pipeline }[] = [{ owner: sensor, workflow: wf }];
      if (refName) for (const t of index.find(['WorkflowTemplate', 'ClusterWorkflowTemplate'], refName)) targets.push({ owner: t, workflow: t });
      for (const { owner, workflow } of targets) {
        const wy = yamlOf(workflow);
        const root = workflow.kube?.objectNode ?? null;
        const entry = wy.str(wy.get(wy.get(root, 'spec'), 'entrypoint')) ?? y.str(y.get(y.get(resource, 'spec'), 'entrypoint'));
        for (const job of workflow.jobs) {
          for (const step of job.steps) {
            for (const e of step.script?.expressions ?? []) {
              const wp = /^workflow\.parameters\.([^.\s]+)/.exec(e.path ?? '')?.[1];
              const ip = job.id.value === entry ? /^inputs\.parameters\.([^.\s]+)/.exec(e.path ?? '')?.[1] : undefined;
              const param = wp ?? ip;
              const source = param ? tainted.get(param) : undefined;
              if (source) out.push({ owner, job, expression: e, param: param!, chain: [source] });
            }
          }
        }
      }
    }
  }
  return out;
}
