/**
 * Outside values followed through step outputs and job outputs. A `run:`
 * step that writes `name=<value>` to `$GITHUB_OUTPUT`, where the value
 * statically carries an outsider's text (a `${{ }}` expression, or a shell
 * variable set from one through `env:`), makes `steps.<id>.outputs.<name>`
 * carry that text; a job's `outputs:` mapped from it makes
 * `needs.<job>.outputs.<name>` carry it in the jobs that need it. Outputs
 * whose value cannot be read from the definition are left as they were.
 */
import { locateInScript } from '../../core/templated.js';
import { expressionOffsets } from '../../core/templated.js';
import type { ExprNode } from '../../expr/ast.js';
import { parseExpression } from '../../expr/parser.js';
import type { RelatedLocation } from '../../model/finding.js';
import type { EnvVar, Expression, Job, Pipeline, Script, Step, TemplatedText } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';
import { fileWrites, producedLines, VariableTaint, writtenPairs } from '../../shell/flow.js';
import { shellOf, templatesIn, type Part, type ShellScript } from '../../shell/index.js';
import { calleeOf } from './callees.js';
import { classifyPath, inputName, taintsOf, type Taint } from './contexts.js';
import { input } from './steps.js';
import { actionKey } from './uses.js';
import { FileScopedMap } from '../../core/file-scoped.js';

/** Variables the runner sets from the run itself (paths, ids, the commit): nothing a pull request chooses. */
export const RUNNER_SET = /^(GITHUB_(SHA|RUN_ID|RUN_NUMBER|RUN_ATTEMPT|WORKSPACE|REPOSITORY|REPOSITORY_OWNER|SERVER_URL|API_URL|GRAPHQL_URL|ACTION_PATH|ENV|PATH|OUTPUT|STEP_SUMMARY|JOB|WORKFLOW|EVENT_NAME|BASE_REF)|RUNNER_(TEMP|TOOL_CACHE|OS|ARCH|NAME|WORKSPACE)|HOME|PWD)$/;

/** An outside value reaching a place, with the hops it took (source first). */
export interface Flow {
  taint: Taint;
  related: RelatedLocation[];
}

/**
 * What the rules read of a flow: its taint's source, path and events, and the
 * way it came. Flows alike in these are one (a taint's expression node is read by none).
 */
function flowKey(f: Flow): string {
  let key = `${f.taint.source}\0${f.taint.path}\0${f.taint.events.join(',')}`;
  for (const r of f.related) key += `\0${r.file}\0${r.span.offset}\0${r.span.endOffset}\0${r.message}`;
  return key;
}

/** Actions whose outputs repeat text an outsider wrote, by lower-case `owner/repo`. */
const ACTION_OUTPUTS: Record<string, Record<string, string>> = {
  'tj-actions/branch-names': { current_branch: 'github.head_ref', head_ref_branch: 'github.head_ref' },
  'xt0rted/pull-request-comment-branch': { head_ref: 'github.event.pull_request.head.ref' },
};

const flowsOf = new FileScopedMap<Pipeline, GithubFlows>();

export function githubFlows(p: Pipeline): GithubFlows {
  let f = flowsOf.get(p);
  if (!f) {
    f = new GithubFlows(p);
    flowsOf.set(p, f);
  }
  return f;
}

function outputPath(path: string): { kind: 'steps' | 'needs'; id: string; name: string } | undefined {
  const m = /^(steps|needs)\.([^.[]+)\.outputs\.([^.[]+)/.exec(path);
  return m ? { kind: m[1] as 'steps' | 'needs', id: m[2]!.toLowerCase(), name: m[3]!.toLowerCase() } : undefined;
}

/** A script's expressions by their offset in its text. */
function byStart(script: Script): Map<number, Expression> {
  const offsets = expressionOffsets(script.text);
  const map = new Map<number, Expression>();
  script.expressions.forEach((e, i) => {
    const at = offsets[i];
    if (at !== undefined) map.set(at, e);
  });
  return map;
}

/**
 * Hops a value is followed through at most, as related locations. Each hop
 * copied the path so far: a chain of thousands of jobs or steps, each passing
 * the last one's output on (far past GitHub's own limits), took time growing
 * with its square. A longer path keeps its first hops, from the source, and
 * the newest, at the sink.
 */
const MAX_HOPS = 64;

function withHops(path: RelatedLocation[], more: RelatedLocation[]): RelatedLocation[] {
  if (path.length + more.length <= MAX_HOPS) return [...path, ...more];
  const newest = more.slice(-MAX_HOPS);
  return [...path.slice(0, MAX_HOPS - newest.length), ...newest];
}

function withHop(path: RelatedLocation[], hop: RelatedLocation): RelatedLocation[] {
  return withHops(path, [hop]);
}

export class GithubFlows {
  private readonly steps = new Map<Job, Map<string, Map<string, Flow[]>>>();
  private readonly jobs = new Map<string, Map<string, Flow[]>>();
  private readonly busy = new Set<Job>();
  /** Jobs by lower-case id, the first of each (as `jobs.find` did: looked up per `needs`, that was quadratic). */
  private byId: Map<string, Job> | undefined;

  constructor(readonly pipeline: Pipeline) {}

  /**
   * The taints an expression carries in `job`, with step and job outputs
   * replaced by what was written into them when that can be read; other
   * taints (and outputs that cannot be read) are returned as they are.
   */
  resolve(ast: ExprNode, job: Job | undefined, jsonIsSafe = false): Flow[] {
    const out: Flow[] = [];
    for (const t of taintsOf(ast, jsonIsSafe)) {
      const o = job ? outputPath(t.path) : undefined;
      const known = o ? (o.kind === 'steps' ? this.stepOutputs(job!).get(o.id) : this.jobOutputs(o.id))?.get(o.name) : undefined;
      // An output known to be written only from fixed text carries nothing.
      if (known) out.push(...known);
      else out.push({ taint: t, related: [] });
    }
    return out;
  }

  /** Outside values written into the outputs of the job's steps, by step id and output name (lower case). */
  stepOutputs(job: Job): Map<string, Map<string, Flow[]>> {
    const done = this.steps.get(job);
    if (done) return done;
    const map = new Map<string, Map<string, Flow[]>>();
    // Visible while being filled: a step reads only the outputs of steps before it.
    this.steps.set(job, map);
    for (const step of job.steps) {
      const id = step.id?.value.toLowerCase();
      if (!id) continue;
      const outputs = this.outputsOfStep(job, step);
      if (outputs.size > 0) map.set(id, outputs);
    }
    return map;
  }

  /** Outside values in a job's `outputs:`, by output name (lower case). */
  jobOutputs(jobId: string): Map<string, Flow[]> {
    const done = this.jobs.get(jobId);
    if (done) return done;
    const map = new Map<string, Flow[]>();
    this.jobs.set(jobId, map);
    const job = this.jobById(jobId);
    if (!job?.outputs || this.busy.has(job)) return map;
    this.busy.add(job);
    const owner = this.pipeline.kind === 'composite-action' ? 'action' : `job \`${job.id.value}\``;
    for (const [name, out] of job.outputs) {
      const { flows, opaque } = this.follow(out.value, job, `${owner} output \`${name}\` is mapped from it`);
      if (flows.length > 0 || !opaque) map.set(name.toLowerCase(), flows);
    }
    this.busy.delete(job);
    return map;
  }

  private jobById(lowerCaseId: string): Job | undefined {
    if (!this.byId) {
      this.byId = new Map();
      for (const j of this.pipeline.jobs) {
        const id = j.id.value.toLowerCase();
        if (!this.byId.has(id)) this.byId.set(id, j);
      }
    }
    return this.byId.get(lowerCaseId);
  }

  private at(span: Span, message: string): RelatedLocation {
    return { file: this.pipeline.file.path, span, message };
  }

  private outputsOfStep(job: Job, step: Step): Map<string, Flow[]> {
    const out = new Map<string, Flow[]>();
    const add = (name: string, flows: Flow[]) => {
      if (flows.length === 0) return;
      const key = name.toLowerCase();
      out.set(key, [...(out.get(key) ?? []), ...flows]);
    };
    const key = actionKey(step.uses);
    const known = key ? ACTION_OUTPUTS[key] : undefined;
    if (known) {
      for (const [name, path] of Object.entries(known)) {
        const t = classifyPath(path);
        const node = parseExpression(path).ast;
        if (t && node && step.uses) add(name, [{ taint: { ...t, node }, related: [this.at(step.uses.span, `\`${key}\` sets output \`${name}\` from \`${path}\``)] }]);
      }
      return out;
    }
    const callee = calleeOf(step.uses);
    if (callee?.kind === 'composite-action') {
      // Outputs known to be written from fixed text are known clean (empty); unknown ones are left out.
      for (const [name, flows] of this.calleeOutputs(job, step, callee)) out.set(name.toLowerCase(), flows);
      return out;
    }
    const script = step.script;
    if (!script || script.kind !== 'run') return out;
    if (!script.text.includes('GITHUB_OUTPUT') && !script.text.includes('::set-output')) return out;
    const shell = shellOf(script);
    if (!shell) return out;
    const taint = this.scriptTaint(job, step, shell);
    const stepName = `steps.${step.id!.value}.outputs`;
    const hop = (flows: Flow[], start: number, end: number, name: string): Flow[] => {
      const line = script.text.slice(start, end).split('\n')[0]!;
      const span = locateInScript(this.pipeline.file, script, start, line.length);
      return flows.map((f) => ({ taint: f.taint, related: withHop(f.related, this.at(span, `\`${stepName}.${name}\` is set from \`${f.taint.path}\``)) }));
    };
    const writes = fileWrites(shell, ['GITHUB_OUTPUT']);
    // A write whose text cannot be read may set any name: then no output of this step is known to be clean.
    const unread = writes.some((w) => w.lines === undefined);
    const unknown = new Set<string>();
    // Made once, for the first clean write: making it per write read the whole script each time.
    let exprs: Map<number, Expression> | undefined;
    for (const pair of writtenPairs(writes)) {
      const cmd = pair.write.site.cmd;
      const flows = taint.parts(pair.value);
      if (flows.length > 0) add(pair.name, hop(flows, cmd.start, cmd.end, pair.name));
      else if (unread || this.opaque(job, shell, (exprs ??= byStart(script)), pair.value)) unknown.add(pair.name.toLowerCase());
      else if (!out.has(pair.name.toLowerCase())) out.set(pair.name.toLowerCase(), []);
    }
    for (const name of unknown) if (out.get(name)?.length === 0) out.delete(name);
    // The retired `::set-output name=x::value` workflow command, still honoured in old runners' logs.
    for (const site of shell.commands) {
      const lines = site.cmd.redirects.length === 0 && site.outer.length === 0 && !site.substituted ? producedLines(shell, site) : undefined;
      const first = lines?.[0]?.[0];
      if (!first || first.type !== 'lit') continue;
      const m = /^::set-output name=([A-Za-z0-9_.-]+)::/.exec(first.value);
      if (!m) continue;
      const rest: Part[] = [{ ...first, value: first.value.slice(m[0].length) }, ...lines![0]!.slice(1)];
      add(m[1]!, hop(taint.parts(rest), site.cmd.start, site.cmd.end, m[1]!));
    }
    return out;
  }

  /**
   * Outputs of a local composite action, followed inside it and back: what
   * the action writes from its inputs carries what this step passes in
   * `with:`; what it writes from the event carries that as it is.
   */
  private calleeOutputs(job: Job, step: Step, callee: Pipeline): Map<string, Flow[]> {
    const out = new Map<string, Flow[]>();
    const inner = githubFlows(callee);
    const runs = callee.jobs[0];
    if (!runs) return out;
    for (const [name, flows] of inner.jobOutputs(runs.id.value.toLowerCase())) {
      const mapped: Flow[] = [];
      // Unknown (left out) when something it carries cannot be followed: an input the caller does not
      // pass (its default may be an event value), a derived value or an expression that did not parse.
      let opaque = false;
      for (const f of flows) {
        const inputKey = f.taint.source === 'caller' ? inputName(f.taint.path) : undefined;
        if (inputKey === undefined) {
          if (f.taint.source === 'attacker') mapped.push(f);
          else opaque = true;
          continue;
        }
        const given = input(step, inputKey);
        if (!given) {
          opaque = true;
          continue;
        }
        const passed = this.follow(given.value, job, `passed to \`${step.uses!.raw}\` as input \`${inputKey}\``);
        if (passed.opaque) opaque = true;
        for (const g of passed.flows) mapped.push({ taint: g.taint, related: withHops(g.related, f.related) });
      }
      if (mapped.length > 0 || !opaque) out.set(name, mapped);
    }
    return out;
  }

  /**
   * The outside values a templated value carries in `job`, each with `note`
   * (at the value) added to its path; opaque when part of it cannot be
   * followed (an expression that did not parse, a derived value).
   */
  private follow(value: TemplatedText, job: Job, note: string): { flows: Flow[]; opaque: boolean } {
    const flows: Flow[] = [];
    let opaque = false;
    for (const e of value.expressions) {
      if (!e.ast) {
        opaque = true;
        continue;
      }
      for (const f of this.resolve(e.ast, job)) {
        if (f.taint.source === 'derived') opaque = true;
        else flows.push({ taint: f.taint, related: withHop(f.related, this.at(value.span, note)) });
      }
    }
    return { flows, opaque };
  }

  private readonly taints = new WeakMap<Step, VariableTaint<Flow>>();

  /**
   * Whether written text holds something whose content is not known here:
   * a variable or command output that carries no known outside value, or an
   * expression that is itself an unread output.
   */
  private opaque(job: Job, shell: ShellScript, exprs: Map<number, Expression>, parts: Part[]): boolean {
    for (const p of parts) {
      if (p.type === 'param' || p.type === 'cmdsub' || p.type === 'procsub') return true;
      if (p.type !== 'lit') continue;
      for (const t of templatesIn(shell, p.start, p.end)) {
        const e = exprs.get(t.start);
        if (!e?.ast || this.resolve(e.ast, job).some((f) => f.taint.source === 'derived')) return true;
      }
    }
    return false;
  }

  /** Shell variables of a step's script that carry outside values (through `env:` and assignments). */
  scriptTaint(job: Job, step: Step, shell: ShellScript): VariableTaint<Flow> {
    const cached = this.taints.get(step);
    if (cached) return cached;
    const made = this.makeScriptTaint(job, step, shell);
    this.taints.set(step, made);
    return made;
  }

  private makeScriptTaint(job: Job, step: Step, shell: ShellScript): VariableTaint<Flow> {
    const script = step.script!;
    const env = new Map<string, Flow[]>();
    const envFlows = (vars: EnvVar[]) => {
      for (const v of vars) {
        const flows: Flow[] = [];
        for (const e of v.value?.expressions ?? []) {
          if (!e.ast) continue;
          for (const f of this.resolve(e.ast, job)) {
            if (f.taint.source === 'derived') continue;
            flows.push({ taint: f.taint, related: withHop(f.related, this.at(v.value!.span, `\`${v.name.value}\` is set from \`${f.taint.path}\``)) });
          }
        }
        // Inner scopes override outer ones.
        env.set(v.name.value, flows);
      }
    };
    // The runner sets GITHUB_HEAD_REF to the pull request's branch name, which its author chose.
    const headRef = classifyPath('github.head_ref');
    const headRefNode = parseExpression('github.head_ref').ast;
    if (headRef && headRefNode) env.set('GITHUB_HEAD_REF', [{ taint: { ...headRef, node: headRefNode }, related: [] }]);
    envFlows(this.pipeline.env);
    envFlows(job.env);
    envFlows(step.env);
    const exprs = byStart(script);
    return new VariableTaint<Flow>(shell, env, (start) => {
      const e = exprs.get(start);
      if (!e?.ast) return [];
      return this.resolve(e.ast, job).filter((f) => f.taint.source !== 'derived');
    }, (name) => RUNNER_SET.test(name) && !env.has(name), flowKey);
  }
}
