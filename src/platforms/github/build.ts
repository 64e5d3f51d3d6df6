/**
 * Builds the pipeline model of a GitHub Actions workflow or action from its
 * YAML, once. Wrong shapes become problems with locations; whatever can still
 * be read is modelled, so one bad job does not hide the others.
 */
import { isMap, isScalar, isSeq } from '../../core/yaml-nodes.js';
import type { Pair } from 'yaml';
import { conditionText, templatedText } from '../../core/templated.js';
import { parseImageRef } from '../../core/refs.js';
import { keyString, type YamlDoc, type YamlNode } from '../../core/yaml.js';
import type {
  EnvVar, Expression, ExternalRef, Job, Permissions, PermissionLevel, Pipeline, Runner, ShellKind, Step, StepInput, Str,
  TemplatedText, Trigger,
} from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';
import { eventTrust } from './events.js';
import { codeInputsOf } from './sinks.js';
import { actionKey, parseUses } from './uses.js';

export interface ShapeProblem {
  message: string;
  span: Span;
}

export interface BuildOutput {
  pipeline: Pipeline | null;
  problems: ShapeProblem[];
}

/** Labels of GitHub-hosted runners; anything else in `runs-on` is self-hosted or a larger-runner label. */
/** `self-hosted`, and the OS and architecture labels GitHub gives every self-hosted runner. */
const SELF_HOSTED_LABEL = /^(self-hosted|linux|windows|macos|x64|arm64|arm)$/i;
const HOSTED_LABEL = /^(ubuntu|windows|macos)(-[0-9a-z.]+)*(-arm)?$|^(ubuntu|windows|macos)-latest(-[a-z0-9]+)*$/i;

class Builder {
  readonly problems: ShapeProblem[] = [];
  readonly references: ExternalRef[] = [];
  readonly expressions: Expression[] = [];
  readonly declaredInputs = new Map<string, { name: Str; type?: string }>();

  constructor(readonly y: YamlDoc) {}

  problem(message: string, node: YamlNode | null | undefined): void {
    this.problems.push({ message, span: this.y.span(node) });
  }

  str(node: unknown): Str | undefined {
    const s = this.y.scalar(node);
    const value = this.y.str(node);
    if (!s || value === undefined) return undefined;
    return { value, span: this.y.span(s) };
  }

  text(node: unknown): TemplatedText | undefined {
    const t = templatedText(this.y, node);
    if (!t) return undefined;
    this.expressions.push(...t.expressions);
    return t;
  }

  condition(node: unknown): TemplatedText | undefined {
    const t = conditionText(this.y, node);
    if (!t) return undefined;
    this.expressions.push(...t.expressions);
    return t;
  }

  /** A mapping of names to templated values (`env:`, `with:`). */
  namedValues(node: unknown, what: string): { key: Str; value: TemplatedText | null }[] {
    const n = this.y.deref(node);
    if (!n) return [];
    if (!isMap(n)) {
      // `env: ${{ fromJSON(...) }}` is legal: record the expression, not a problem.
      const t = this.text(n);
      if (!t || t.expressions.length === 0) this.problem(`\`${what}\` must be a mapping`, n);
      return [];
    }
    const out: { key: Str; value: TemplatedText | null }[] = [];
    for (const p of this.y.pairs(n)) {
      const key = this.str(p.key);
      if (!key) continue;
      const v = this.y.deref(p.value);
      let value: TemplatedText | null = null;
      if (v && isScalar(v)) value = this.text(v) ?? null;
      else if (v) this.collectExpressions(v);
      out.push({ key, value });
    }
    return out;
  }

  env(node: unknown): EnvVar[] {
    return this.namedValues(node, 'env').map(({ key, value }) => ({ name: key, value }));
  }

  inputs(node: unknown): Map<string, StepInput> {
    const m = new Map<string, StepInput>();
    for (const { key, value } of this.namedValues(node, 'with')) {
      if (value) m.set(key.value, { key, value });
    }
    return m;
  }

  /** Record expressions in a subtree the model does not represent, so no `${{ }}` goes unseen. */
  collectExpressions(node: unknown, depth = 0): void {
    if (depth > 64) return;
    const n = this.y.deref(node);
    if (!n) return;
    if (isScalar(n)) this.text(n);
    else if (isMap(n)) for (const p of this.y.pairs(n)) this.collectExpressions(p.value, depth + 1);
    else if (isSeq(n)) for (const it of n.items) this.collectExpressions(it, depth + 1);
  }

  permissions(pair: Pair | undefined): Permissions | undefined {
    if (!pair) return undefined;
    const node = this.y.deref(pair.value);
    const span = this.y.pairSpan(pair);
    const scopes = new Map<string, { level: PermissionLevel; span: Span }>();
    if (!node || (isScalar(node) && (node.value === null || node.value === ''))) return { span, kind: 'none', scopes };
    if (isScalar(node)) {
      const v = String(node.value).trim();
      if (v === 'read-all') return { span, kind: 'read-all', scopes };
      if (v === 'write-all') return { span, kind: 'write-all', scopes };
      if (v.includes('${{')) return { span, kind: 'dynamic', scopes };
      this.problem(`unknown permissions value \`${v}\` (expected read-all, write-all or a mapping)`, node);
      return { span, kind: 'dynamic', scopes };
    }
    if (!isMap(node)) {
      this.problem('`permissions` must be read-all, write-all or a mapping of scopes', node);
      return { span, kind: 'dynamic', scopes };
    }
    for (const p of this.y.pairs(node)) {
      const scope = keyString(p);
      const level = this.y.str(p.value);
      if (level === 'read' || level === 'write' || level === 'none') scopes.set(scope, { level, span: this.y.pairSpan(p) });
      else this.problem(`permission \`${scope}\` must be read, write or none`, p.value as YamlNode);
    }
    return { span, kind: scopes.size === 0 ? 'none' : 'scopes', scopes };
  }

  triggers(node: unknown): Trigger[] {
    const n = this.y.deref(node);
    const out: Trigger[] = [];
    const add = (event: string, span: Span, types?: string[]) => {
      const t: Trigger = { event, span, ...eventTrust(event) };
      if (types) t.types = types;
      out.push(t);
    };
    if (!n) return out;
    if (isScalar(n)) {
      const s = this.str(n);
      if (s && typeof n.value === 'string') add(s.value, s.span);
      else this.problem('`on` must be an event name, a list or a mapping', n);
    } else if (isSeq(n)) {
      for (const it of this.y.items(n)) {
        const s = this.str(it);
        if (s && typeof this.y.scalar(it)?.value === 'string') add(s.value, s.span);
        else this.problem('each trigger in the `on` list must be an event name', it);
      }
    } else if (isMap(n)) {
      for (const p of this.y.pairs(n)) {
        const key = this.str(p.key);
        if (!key) continue;
        const typesNode = this.y.get(p.value, 'types');
        let types: string[] | undefined;
        if (typesNode) {
          types = isSeq(typesNode) ? this.y.items(typesNode).map((t) => this.y.str(t) ?? '').filter(Boolean) : [this.y.str(typesNode) ?? ''];
        }
        add(key.value, key.span, types);
        if (key.value === 'workflow_dispatch' || key.value === 'workflow_call') this.declareInputs(this.y.get(p.value, 'inputs'));
      }
    } else this.problem('`on` must be an event name, a list or a mapping', n);
    return out;
  }

  /** Input declarations: a typed input (boolean, number, choice) cannot carry free text. */
  declareInputs(node: unknown): void {
    for (const p of this.y.pairs(node)) {
      const name = this.str(p.key);
      if (!name) continue;
      const type = this.y.str(this.y.get(p.value, 'type'));
      const prev = this.declaredInputs.get(name.value);
      // The same name in both dispatch and call: the weaker (free-text) declaration wins.
      if (prev && (prev.type === undefined || prev.type === 'string')) continue;
      this.declaredInputs.set(name.value, type ? { name, type } : { name });
    }
  }

  /** Values a `matrix.X` can take: the axis list plus `include` entries; undefined when computed. */
  matrixValues(strategy: unknown, axis: string): string[] | undefined {
    const matrix = this.y.get(strategy, 'matrix');
    if (!matrix || !isMap(matrix)) return undefined;
    const values: string[] = [];
    const list = this.y.get(matrix, axis);
    if (list) {
      if (!isSeq(list)) return undefined;
      for (const it of this.y.items(list)) {
        // A matrix value may itself be a label list (`[self-hosted, gpu]`).
        const parts = isSeq(it) ? this.y.items(it) : [it];
        for (const part of parts) {
          const v = this.y.str(part);
          if (v === undefined) return undefined;
          values.push(v);
        }
      }
    }
    for (const inc of this.y.items(this.y.get(matrix, 'include'))) {
      const v = this.y.get(inc, axis);
      if (v) {
        const s = this.y.str(v);
        if (s === undefined) return undefined;
        values.push(s);
      }
    }
    return values.length > 0 ? values : undefined;
  }

  runner(node: unknown, strategy?: unknown): Runner | undefined {
    const n = this.y.deref(node);
    if (!n) return undefined;
    const labels: Str[] = [];
    let group = false;
    if (isScalar(n)) {
      const s = this.text(n);
      if (s) labels.push(s);
    } else if (isSeq(n)) {
      for (const it of this.y.items(n)) {
        const s = this.text(it);
        if (s) labels.push(s);
      }
    } else if (isMap(n)) {
      group = this.y.get(n, 'group') !== null;
      const l = this.y.get(n, 'labels');
      if (l) for (const it of isSeq(l) ? this.y.items(l) : [l]) {
        const s = this.text(it);
        if (s) labels.push(s);
      }
    }
    // `${{ matrix.os }}` is as self-hosted as the values the matrix gives it.
    const resolved: string[] = [];
    let computed = false;
    for (const l of labels) {
      const m = /^\s*\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}\s*$/.exec(l.value);
      const values = m ? this.matrixValues(strategy, m[1]!) : undefined;
      if (values) resolved.push(...values);
      else if (l.value.includes('${{')) computed = true;
      else resolved.push(l.value);
    }
    let selfHosted: Runner['selfHosted'] = 'no';
    if (resolved.some((l) => SELF_HOSTED_LABEL.test(l.trim()))) selfHosted = 'yes';
    else if (group || computed) selfHosted = 'unknown';
    else if (resolved.some((l) => !HOSTED_LABEL.test(l.trim()))) selfHosted = 'unknown';
    return { span: this.y.span(n), labels, selfHosted };
  }

  image(node: unknown): ExternalRef | undefined {
    const n = this.y.deref(node);
    const imageNode = n && isMap(n) ? this.y.get(n, 'image') : n;
    const t = this.text(imageNode);
    if (!t || t.value.trim() === '') return undefined;
    const ref = parseImageRef(t.value, t.span);
    this.references.push(ref);
    return ref;
  }

  step(node: YamlNode, index: number, defaultShell: ShellKind): Step | undefined {
    if (!isMap(node)) {
      this.problem('each step must be a mapping', node);
      return undefined;
    }
    const y = this.y;
    const usesText = this.text(y.get(node, 'uses'));
    const runNode = y.get(node, 'run');
    const id = this.str(y.get(node, 'id'));
    const name = this.str(y.get(node, 'name'));
    const withNode = y.get(node, 'with');
    const step: Step = {
      index,
      span: y.span(node),
      anchor: usesText?.span ?? y.span(runNode) ?? y.span(node),
      with: this.inputs(withNode),
      env: this.env(y.get(node, 'env')),
      node,
    };
    if (id) step.id = id;
    if (name) step.name = name;
    const cond = this.condition(y.get(node, 'if'));
    if (cond) step.if = cond;
    if (usesText) {
      step.uses = parseUses(usesText.value, usesText.span, 'action');
      this.references.push(step.uses);
    }
    if (runNode) {
      const run = this.text(runNode);
      if (run) {
        const shellName = this.y.str(y.get(node, 'shell'));
        step.script = { kind: 'run', shell: shellName ? shellKind(shellName) : defaultShell, text: run.value, span: run.span, expressions: run.expressions };
        step.anchor = y.span(y.pair(node, 'run')?.key as YamlNode) ?? run.span;
      } else this.problem('`run` must be a string', runNode);
    } else if (step.uses) {
      // Inputs that the action runs as code are scripts too (actions/github-script's `script`).
      const key = actionKey(step.uses);
      for (const input of codeInputsOf(key)) {
        const v = step.with.get(input.name);
        if (v) step.script = { kind: input.kind, shell: input.shell, text: v.value.value, span: v.value.span, expressions: v.value.expressions };
      }
    }
    if (!usesText && !runNode) this.problem('a step needs `uses` or `run`', node);
    this.collectOther(node, ['uses', 'run', 'id', 'name', 'with', 'env', 'if', 'shell']);
    return step;
  }

  /** Expressions under keys the model does not read (timeout-minutes, continue-on-error …). */
  collectOther(node: YamlNode, known: string[]): void {
    for (const p of this.y.pairs(node)) if (!known.includes(keyString(p))) this.collectExpressions(p.value);
  }

  steps(node: unknown, defaultShell: ShellKind, owner: YamlNode): Step[] {
    const n = this.y.deref(node);
    if (!n) return [];
    if (!isSeq(n)) {
      this.problem('`steps` must be a list', n ?? owner);
      return [];
    }
    const out: Step[] = [];
    this.y.items(n).forEach((s, i) => {
      const step = this.step(s, i, defaultShell);
      if (step) out.push(step);
    });
    return out;
  }

  job(pair: Pair, workflowShell: ShellKind | undefined): Job | undefined {
    const y = this.y;
    const id = this.str(pair.key);
    const node = y.deref(pair.value);
    if (!id) return undefined;
    if (!node || !isMap(node)) {
      this.problem(`job \`${id.value}\` must be a mapping`, node ?? (pair.key as YamlNode));
      return undefined;
    }
    const runner = this.runner(y.get(node, 'runs-on'), y.get(node, 'strategy'));
    const jobShell = this.y.str(y.get(y.get(y.get(node, 'defaults'), 'run'), 'shell'));
    const windows = runner?.labels.some((l) => /windows/i.test(l.value)) ?? false;
    const shell: ShellKind = jobShell ? shellKind(jobShell) : workflowShell ?? (windows ? 'pwsh' : 'bash');
    const job: Job = {
      id,
      span: y.span(node),
      env: this.env(y.get(node, 'env')),
      steps: this.steps(y.get(node, 'steps'), shell, node),
      needs: [],
      with: this.inputs(y.get(node, 'with')),
      secrets: [],
      images: [],
      node,
    };
    const name = this.str(y.get(node, 'name'));
    if (name) job.name = name;
    if (runner) job.runner = runner;
    const outputs = y.get(node, 'outputs');
    if (outputs) {
      job.outputs = new Map();
      for (const { key, value } of this.namedValues(outputs, 'outputs')) if (value) job.outputs.set(key.value, { key, value });
    }
    const perms = this.permissions(y.pair(node, 'permissions'));
    if (perms) job.permissions = perms;
    const cond = this.condition(y.get(node, 'if'));
    if (cond) job.if = cond;
    const needs = y.get(node, 'needs');
    for (const it of needs && isSeq(needs) ? y.items(needs) : needs ? [needs] : []) {
      const s = this.str(it);
      if (s) job.needs.push(s);
    }
    const envNode = y.get(node, 'environment');
    if (envNode) {
      const nameNode = isMap(envNode) ? y.get(envNode, 'name') : envNode;
      const envName = this.text(nameNode);
      if (envName) job.environment = { name: envName, span: y.span(envNode) };
      if (isMap(envNode)) this.collectExpressions(y.get(envNode, 'url'));
    }
    const uses = this.text(y.get(node, 'uses'));
    if (uses) {
      job.uses = parseUses(uses.value, uses.span, 'reusable-workflow');
      this.references.push(job.uses);
    }
    const secretsPair = y.pair(node, 'secrets');
    if (secretsPair) {
      const v = y.deref(secretsPair.value);
      if (isScalar(v) && v.value === 'inherit') job.secretsInherit = y.pairSpan(secretsPair);
      else job.secrets = this.env(v);
    }
    const container = y.get(node, 'container');
    if (container) {
      const img = this.image(container);
      if (img) job.images.push(img);
      if (isMap(container)) this.collectOther(container, ['image']);
    }
    const services = y.get(node, 'services');
    if (services) {
      if (!isMap(services)) this.problem('`services` must be a mapping', services);
      for (const p of y.pairs(services)) {
        const img = this.image(p.value);
        if (img) job.images.push(img);
        const svc = y.map(p.value);
        if (svc) this.collectOther(svc, ['image']);
      }
    }
    this.collectOther(node, ['runs-on', 'env', 'steps', 'name', 'permissions', 'if', 'needs', 'environment', 'uses', 'with', 'secrets', 'container', 'services', 'defaults', 'outputs']);
    if (!uses && !y.get(node, 'steps')) this.problem(`job \`${id.value}\` has neither \`steps\` nor \`uses\``, pair.key as YamlNode);
    return job;
  }
}

export function shellKind(shell: string): ShellKind {
  const s = shell.trim().split(/\s+/)[0]!.toLowerCase();
  if (s === 'bash' || s.endsWith('/bash')) return 'bash';
  if (s === 'sh' || s.endsWith('/sh')) return 'sh';
  if (s === 'pwsh') return 'pwsh';
  if (s === 'powershell') return 'powershell';
  if (s === 'cmd') return 'cmd';
  if (s === 'python' || s.startsWith('python')) return 'python';
  if (s === 'node') return 'javascript';
  return 'unknown';
}

type PipelineBase = Omit<Pipeline, 'references' | 'expressions' | 'platform' | 'document' | 'inputs'>;

function finish(b: Builder, base: PipelineBase): BuildOutput {
  const pipeline: Pipeline = {
    ...base,
    inputs: b.declaredInputs,
    platform: 'gha',
    references: b.references.sort((a, c) => a.span.offset - c.span.offset),
    expressions: b.expressions.sort((a, c) => a.span.offset - c.span.offset),
    document: b.y.doc,
  };
  return { pipeline, problems: b.problems };
}

/** A workflow file (`on:` + `jobs:`). */
export function buildWorkflow(y: YamlDoc): BuildOutput {
  const b = new Builder(y);
  const root = y.contents;
  if (!root || !isMap(root)) return { pipeline: null, problems: [{ message: 'a workflow must be a mapping', span: y.span(root) }] };
  // YAML 1.1 readers turn an unquoted `on` into `true`; GitHub accepts both spellings.
  const onPair = y.pair(root, 'on') ?? y.pair(root, 'true');
  if (!onPair) b.problem('a workflow needs `on:` (its triggers)', root);
  const triggers = onPair ? b.triggers(onPair.value) : [];
  if (onPair) b.collectExpressions(onPair.value);
  const workflowShellName = y.str(y.get(y.get(y.get(root, 'defaults'), 'run'), 'shell'));
  const workflowShell = workflowShellName ? shellKind(workflowShellName) : undefined;
  const jobsNode = y.get(root, 'jobs');
  const jobs: Job[] = [];
  if (!jobsNode) b.problem('a workflow needs `jobs:`', root);
  else if (!isMap(jobsNode)) b.problem('`jobs` must be a mapping of job ids to jobs', jobsNode);
  else for (const p of y.pairs(jobsNode)) {
    const j = b.job(p, workflowShell);
    if (j) jobs.push(j);
  }
  const base: PipelineBase = {
    kind: triggers.some((t) => t.event === 'workflow_call') ? 'reusable-workflow' : 'workflow',
    file: y.file,
    triggers,
    env: b.env(y.get(root, 'env')),
    jobs,
  };
  const name = b.str(y.get(root, 'name'));
  if (name) base.name = name;
  const perms = b.permissions(y.pair(root, 'permissions'));
  if (perms) base.permissions = perms;
  b.collectExpressions(y.get(root, 'run-name'));
  b.collectExpressions(y.get(root, 'concurrency'));
  return finish(b, base);
}

/** An action definition (`action.yml`): composite steps, a docker image, or JavaScript. */
export function buildAction(y: YamlDoc): BuildOutput {
  const b = new Builder(y);
  const root = y.contents;
  if (!root || !isMap(root)) return { pipeline: null, problems: [{ message: 'an action definition must be a mapping', span: y.span(root) }] };
  const runs = y.get(root, 'runs');
  if (!runs || !isMap(runs)) {
    return { pipeline: null, problems: [{ message: 'an action definition needs a `runs:` mapping', span: y.span(runs ?? root) }] };
  }
  b.declareInputs(y.get(root, 'inputs'));
  const using = (y.str(y.get(runs, 'using')) ?? '').toLowerCase();
  const jobs: Job[] = [];
  let kind = 'javascript-action';
  const pseudoJob = (steps: Step[], images: ExternalRef[]): Job => ({
    id: { value: 'runs', span: y.span(runs) },
    span: y.span(runs),
    env: b.env(y.get(runs, 'env')),
    steps,
    needs: [],
    with: new Map(),
    secrets: [],
    images,
    node: runs,
  });
  if (using === 'composite') {
    kind = 'composite-action';
    const job = pseudoJob(b.steps(y.get(runs, 'steps'), 'unknown', runs), []);
    // The action's `outputs:` (`value: ${{ steps.x.outputs.y }}`) play the part of a job's outputs.
    // Read for the flows alone (not added to the definition's expressions, which other rules read).
    const outputs = y.get(root, 'outputs');
    if (outputs && isMap(outputs)) {
      job.outputs = new Map();
      for (const p of y.pairs(outputs)) {
        const key = b.str(p.key);
        const value = templatedText(y, y.get(p.value, 'value'));
        if (key && value) job.outputs.set(key.value, { key, value });
      }
    }
    jobs.push(job);
  } else if (using === 'docker') {
    kind = 'docker-action';
    const imageText = b.text(y.get(runs, 'image'));
    const images: ExternalRef[] = [];
    // `image: Dockerfile` builds locally; only `docker://` names a registry image.
    if (imageText && imageText.value.startsWith('docker://')) {
      const ref = parseImageRef(imageText.value, imageText.span);
      b.references.push(ref);
      images.push(ref);
    }
    jobs.push(pseudoJob([], images));
  } else if (!using) b.problem('`runs.using` is missing', runs);
  b.collectOther(runs, ['steps', 'image', 'env']);
  const base: PipelineBase = { kind, file: y.file, triggers: [], env: [], jobs };
  const name = b.str(y.get(root, 'name'));
  if (name) base.name = name;
  return finish(b, base);
}
