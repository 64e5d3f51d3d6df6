/**
 * Follows webhook data through Tekton Triggers across files:
 * TriggerBinding `$(body.x)` → TriggerTemplate `$(tt.params.y)` → run params →
 * Pipeline task params → `$(params.z)` in a Task's step script. Yields, for
 * each Task (by name) or embedded task spec, the parameters that carry
 * webhook data and the chain of places that shows why.
 */
import type { YamlDoc, YamlNode } from '../../core/yaml.js';
import type { RelatedLocation } from '../../model/finding.js';
import type { Pipeline } from '../../model/pipeline.js';
import type { ProjectIndex } from '../kube/project.js';
import { yamlOf } from '../kube/security.js';

export interface TaintedParam {
  /** Chain from the webhook field to the task parameter, for related locations. */
  path: RelatedLocation[];
}

/** Task name → parameter name → why it carries webhook data. */
export type WebhookTaint = Map<string, Map<string, TaintedParam>>;

const WEBHOOK = /\$\((body|header|extensions)[.[]/;

function paramRefs(value: string, prefix: 'tt.params' | 'params'): string[] {
  const re = prefix === 'tt.params' ? /\$\(\s*tt\.params\.([A-Za-z0-9_.-]+?)\s*\)/g : /\$\(\s*params\.([A-Za-z0-9_-]+)[^)]*\)/g;
  return [...value.matchAll(re)].map((m) => m[1]!);
}

function loc(p: Pipeline, node: YamlNode | null, message: string): RelatedLocation {
  const y = yamlOf(p);
  return { file: p.file.path, span: node ? y.span(node) : p.kube!.span, message };
}

function paramsOf(y: YamlDoc, node: unknown): { name: string; value: string; node: YamlNode }[] {
  const out: { name: string; value: string; node: YamlNode }[] = [];
  for (const it of y.items(node)) {
    const name = y.str(y.get(it, 'name'));
    const vNode = y.get(it, 'value');
    const value = y.str(vNode);
    if (name && value !== undefined && vNode) out.push({ name, value, node: vNode });
  }
  return out;
}

/** Template parameters a binding fills from the webhook (named bindings or inline in a listener). */
export function webhookTemplateParams(index: ProjectIndex): Map<string, RelatedLocation> {
  const ttTainted = new Map<string, RelatedLocation>();
  for (const b of index.ofKind('TriggerBinding', 'ClusterTriggerBinding')) {
    const y = yamlOf(b);
    for (const p of paramsOf(y, y.get(y.get(b.kube!.objectNode, 'spec'), 'params'))) {
      if (WEBHOOK.test(p.value)) ttTainted.set(p.name, loc(b, p.node, `${b.kube!.kind} \`${b.kube!.name?.value ?? ''}\` sets \`${p.name}\` from \`${p.value.trim()}\``));
    }
  }
  for (const el of index.ofKind('EventListener')) {
    const y = yamlOf(el);
    for (const t of y.items(y.get(y.get(el.kube!.objectNode, 'spec'), 'triggers'))) {
      for (const p of paramsOf(y, y.get(t, 'bindings'))) {
        if (WEBHOOK.test(p.value)) ttTainted.set(p.name, loc(el, p.node, `EventListener binds \`${p.name}\` to \`${p.value.trim()}\``));
      }
    }
  }
  return ttTainted;
}

export function webhookTaint(index: ProjectIndex): WebhookTaint {
  const out: WebhookTaint = new Map();
  const add = (task: string, param: string, path: RelatedLocation[]) => {
    const m = out.get(task) ?? new Map<string, TaintedParam>();
    if (!m.has(param)) m.set(param, { path });
    out.set(task, m);
  };
  // 1. Template parameters fed from the webhook by a binding (named bindings, or inline in a listener).
  const ttTainted = webhookTemplateParams(index);
  if (ttTainted.size === 0) return out;
  // 2. Runs created by templates, with the parameters that carry those values.
  for (const tt of index.ofKind('TriggerTemplate')) {
    const y = yamlOf(tt);
    for (const res of y.items(y.get(y.get(tt.kube!.objectNode, 'spec'), 'resourcetemplates'))) {
      const kind = y.str(y.get(res, 'kind'));
      const spec = y.get(res, 'spec');
      const runParams = new Map<string, RelatedLocation[]>();
      for (const p of paramsOf(y, y.get(spec, 'params'))) {
        for (const ref of paramRefs(p.value, 'tt.params')) {
          const source = ttTainted.get(ref);
          if (source) runParams.set(p.name, [source, loc(tt, p.node, `TriggerTemplate \`${tt.kube!.name?.value ?? ''}\` passes it to the ${kind} as \`${p.name}\``)]);
        }
        if (WEBHOOK.test(p.value)) runParams.set(p.name, [loc(tt, p.node, `TriggerTemplate passes \`${p.value.trim()}\` as \`${p.name}\``)]);
      }
      if (runParams.size === 0) continue;
      if (kind === 'TaskRun') {
        const task = y.str(y.get(y.get(spec, 'taskRef'), 'name'));
        if (task) for (const [name, path] of runParams) add(task, name, path);
        continue;
      }
      // 3. A PipelineRun: through the Pipeline's task params to each task.
      const pipelineName = y.str(y.get(y.get(spec, 'pipelineRef'), 'name'));
      const pipelines = pipelineName ? index.find(['Pipeline'], pipelineName) : [];
      for (const pl of pipelines) {
        const py = yamlOf(pl);
        const pspec = py.get(pl.kube!.objectNode, 'spec');
        for (const key of ['tasks', 'finally']) {
          for (const t of py.items(py.get(pspec, key))) {
            const taskName = py.str(py.get(py.get(t, 'taskRef'), 'name')) ?? `${pl.kube!.name?.value ?? ''}/${py.str(py.get(t, 'name')) ?? ''}`;
            for (const p of paramsOf(py, py.get(t, 'params'))) {
              for (const ref of paramRefs(p.value, 'params')) {
                const path = runParams.get(ref);
                if (path) add(taskName, p.name, [...path, loc(pl, p.node, `Pipeline \`${pl.kube!.name?.value ?? ''}\` passes \`$(params.${ref})\` to task \`${py.str(py.get(t, 'name')) ?? ''}\` as \`${p.name}\``)]);
              }
            }
          }
        }
      }
    }
  }
  return out;
}

/** The key under which `webhookTaint` files a job: its task name, or pipeline/task for embedded specs. */
export function taskKeyOf(p: Pipeline, jobId: string): string {
  if (p.kube?.kind === 'Task' || p.kube?.kind === 'ClusterTask') return p.kube.name?.value ?? jobId;
  return `${p.kube?.name?.value ?? ''}/${jobId}`;
}
