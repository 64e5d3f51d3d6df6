/**
 * Builds the pipeline model of a Jenkinsfile from its Groovy tree: a
 * declarative `pipeline { }` (stages become jobs, nested stages and parallel
 * branches flattened with ids joined by ` / `) or a scripted one (`node { stage('x') { … } }`,
 * each stage a pseudo-job). Shell steps become scripts whose expressions are
 * the GString interpolations Groovy substitutes before the shell runs.
 * What the platform-neutral model has no field for is kept in the exported
 * WeakMaps below.
 */
import { Document, Scalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { isCommitSha, isDynamic, parseImageRef } from '../../core/refs.js';
import type {
  EnvVar, Expression, ExternalRef, Job, PinState, Pipeline, Runner, ShellKind, Step, StepInput, Str, TemplatedText, Trigger, TrustLevel,
} from '../../model/pipeline.js';
import type { SourceFile, Span } from '../../model/source.js';
import type { Interpolation } from './lexer.js';
import {
  closureOf, literalString, namedArg, parseGroovy, parseGroovyExpression, positionalArgs, statementCall, walk,
  type CallExpr, type ClosureExpr, type Expr, type ParseResult, type Stmt, type StringExpr,
} from './parser.js';
import { FileScopedMap } from '../../core/file-scoped.js';

export interface ShapeProblem {
  message: string;
  span: Span;
}

export type JenkinsKind = 'declarative' | 'scripted' | 'not-pipeline';

export interface JenkinsBuildOutput {
  pipeline: Pipeline | null;
  problems: ShapeProblem[];
  kind: JenkinsKind;
}

/** Where a job runs (`agent` in declarative pipelines; `node`, `podTemplate`, `docker.image().inside` in scripted ones). */
export interface JenkinsAgent {
  kind: 'any' | 'none' | 'label' | 'node' | 'docker' | 'dockerfile' | 'kubernetes' | 'unknown';
  span: Span;
  label?: Str;
  /** The docker agent's image. */
  image?: ExternalRef;
  /** Every image the agent names (docker image, images in a pod yaml, container templates). */
  images: ExternalRef[];
  /** `args` of a docker or dockerfile agent: extra `docker run` options. */
  args?: Str;
  registryUrl?: Str;
  registryCredentialsId?: Str;
  /** Dockerfile agents: the file name (`Dockerfile` when `dockerfile true`). */
  dockerfile?: Str;
  additionalBuildArgs?: Str;
  /** Kubernetes agents. */
  yaml?: Str;
  yamlFile?: Str;
  inheritFrom?: Str;
  reuseNode?: boolean;
}

/** A manual approval that gates a job: the `input` stage directive or an `input` step. */
export interface JenkinsApproval {
  kind: 'directive' | 'step';
  span: Span;
  message?: Str;
  submitter?: Str;
}

/** One `when` condition (`branch 'main'`, `expression { … }`, `allOf { … }` with children). */
export interface JenkinsCondition {
  kind: string;
  span: Span;
  /** The first literal argument (`'main'` in `branch 'main'`) or the `pattern:`/`name:`/`value:` one. */
  value?: Str;
  children: JenkinsCondition[];
}

export interface JenkinsJobInfo {
  /** `stage` (declarative or scripted), `branch` (a parallel branch), `post` (pipeline-level post),
   *  `environment` (shell calls in the pipeline-level environment), `outside-stages`, `method` (a `def` method body). */
  origin: 'stage' | 'branch' | 'post' | 'environment' | 'outside-stages' | 'method';
  /** The stage's own agent, when it declares one. */
  agent?: JenkinsAgent;
  /** The agent it runs on: its own, or the nearest enclosing one. */
  effectiveAgent?: JenkinsAgent;
  /** `docker run` options that apply: docker/dockerfile agent `args`, `.inside('…')`, `.withRun('…')`. */
  dockerArgs: Str[];
  approvals: JenkinsApproval[];
  when: JenkinsCondition[];
  /** Names of enclosing stages and branches, outermost first. */
  parents: string[];
  /** Runs as a branch of a `parallel` block (or a matrix cell). */
  parallel: boolean;
  matrix: boolean;
}

export interface JenkinsStepInfo {
  /** The step's name as called (`sh`, `echo`, `input`, `checkout` …). */
  name: string;
  call: CallExpr;
  job: Job;
  /** Variables bound by enclosing `withCredentials` blocks. */
  boundCredentials: Set<string>;
}

export interface JenkinsCredentialEnv {
  /** The credentials id given to `credentials(…)`; null when it is not a string. */
  id: Str | null;
  span: Span;
}

export interface JenkinsPipelineInfo {
  kind: JenkinsKind;
  /** The top-level agent. */
  agent?: JenkinsAgent;
  /** Shared libraries: `@Library`, `library`, `libraries { lib(…) }`. */
  libraries: ExternalRef[];
  /** The Groovy tree, for rules that must read beyond the model. */
  tree: ParseResult;
}

/** Per-pipeline facts the model has no field for. */
export const jenkinsPipelineInfo = new FileScopedMap<Pipeline, JenkinsPipelineInfo>();
/** Per-job facts: agents, docker args, approvals, `when` conditions. */
export const jenkinsJobInfo = new FileScopedMap<Job, JenkinsJobInfo>();
/** Per-step facts: the call, its job, the credentials bound around it. */
export const jenkinsStepInfo = new FileScopedMap<Step, JenkinsStepInfo>();
/** Variables bound by `withCredentials` around a step (`variable`, `usernameVariable`, `passwordVariable`, `keyFileVariable` …). */
export const boundCredentials = new FileScopedMap<Step, Set<string>>();
/** Environment variables whose value is `credentials('id')`. */
export const credentialEnv = new FileScopedMap<EnvVar, JenkinsCredentialEnv>();
/** Every access path in a Groovy expression (`${params.A + env.B}` → params.A, env.B); `path` is the first. */
export const groovyPaths = new FileScopedMap<Expression, string[]>();

/** Whether an environment variable holds `credentials('id')`. */
export function isCredentialEnv(env: EnvVar): boolean {
  return credentialEnv.has(env);
}

/**
 * Names that hold secrets where a step runs: variables bound by `withCredentials`,
 * and environment variables set from `credentials()` in the pipeline or the stage
 * (with the `_USR`/`_PSW` variables Jenkins adds for username-password credentials).
 */
export function secretVariablesFor(pipeline: Pipeline, step: Step): Set<string> {
  const out = new Set(boundCredentials.get(step) ?? []);
  const info = jenkinsStepInfo.get(step);
  const envs = [...pipeline.env, ...(info?.job.env ?? [])];
  for (const e of envs) {
    if (!credentialEnv.has(e)) continue;
    out.add(e.name.value);
    out.add(`${e.name.value}_USR`);
    out.add(`${e.name.value}_PSW`);
  }
  return out;
}

const SHELLS: Record<string, ShellKind> = { sh: 'sh', bat: 'cmd', powershell: 'powershell', pwsh: 'pwsh' };
const PARAM_TYPES: Record<string, string> = {
  string: 'string', text: 'text', booleanParam: 'boolean', choice: 'choice', password: 'password',
  StringParameterDefinition: 'string', TextParameterDefinition: 'text', BooleanParameterDefinition: 'boolean',
  ChoiceParameterDefinition: 'choice', PasswordParameterDefinition: 'password',
};
/** Who can cause a trigger. Jenkins builds hold the job's credentials, so every trigger is privileged. */
const TRIGGER_TRUST: Record<string, TrustLevel> = {
  cron: 'system', parameterizedCron: 'system', upstream: 'system', pollSCM: 'collaborator', githubPush: 'collaborator',
  gitlab: 'collaborator', bitbucketPush: 'collaborator', GenericTrigger: 'external', issueCommentTrigger: 'external', ghprbTrigger: 'external',
};
/** Calls that only occur in pipelines: a file with one of these is a scripted pipeline. */
const PIPELINE_SIGNALS = new Set([
  'node', 'stage', 'sh', 'bat', 'powershell', 'pwsh', 'parallel', 'checkout', 'podTemplate', 'withCredentials', 'library', 'timestamps',
  'properties', 'archiveArtifacts', 'junit', 'stash', 'unstash', 'input', 'withEnv', 'ws',
]);

/** A stand-in for the YAML node fields of the model, which Groovy files do not have. */
function placeholderNode(): YamlNode {
  return new Scalar(null) as YamlNode;
}

/** Mutable walking context: where steps go and what surrounds them. */
interface Ctx {
  /** Enclosing stage and branch names. */
  prefix: string[];
  slot: Slot;
  creds: Set<string>;
  env: EnvVar[];
  agent?: JenkinsAgent;
  images: ExternalRef[];
  dockerArgs: Str[];
  parallel: boolean;
  matrix: boolean;
}

/** A job made on first use (steps outside stages, parallel branches, post blocks), from the context of that use. */
interface Slot {
  job: Job | null;
  /** `at`: where the first use is, for jobs that have no place of their own. */
  make: (ctx: Ctx, at?: { start: number; end: number }) => Job;
}

interface StageScope {
  prefix: string[];
  agent?: JenkinsAgent;
  env: EnvVar[];
  parallel: boolean;
  matrix: boolean;
}

class Builder {
  readonly problems: ShapeProblem[] = [];
  readonly references: ExternalRef[] = [];
  readonly expressions: Expression[] = [];
  readonly jobs: Job[] = [];
  readonly triggers: Trigger[] = [];
  readonly inputs = new Map<string, { name: Str; type?: string }>();
  readonly libraries: ExternalRef[] = [];
  readonly env: EnvVar[] = [];
  topAgent: JenkinsAgent | undefined;
  private readonly interpolations = new Map<number, Expression>();
  private readonly imageOf = new Map<CallExpr, ExternalRef>();
  private readonly syntheticOf = new Map<Expr, Expression>();

  constructor(readonly file: SourceFile, readonly tree: ParseResult) {
    // Every interpolation in the file is an expression, in source order; scripts reuse these objects.
    for (const t of tree.tokens) {
      if (t.type !== 'string') continue;
      for (const i of t.str!.interpolations) {
        const e = this.fromInterpolation(i);
        this.interpolations.set(i.start, e);
        this.expressions.push(e);
      }
    }
  }

  span(start: number, end: number): Span {
    return this.file.span(start, end);
  }

  problem(message: string, start: number, end: number): void {
    this.problems.push({ message, span: this.span(start, end) });
  }

  private fromInterpolation(i: Interpolation): Expression {
    const e: Expression = { raw: i.inner, span: this.span(i.start, i.end), ast: null, syntax: 'groovy' };
    const parsed = parseGroovyExpression(i.inner);
    const paths = parsed ? accessPaths(parsed) : [];
    if (paths.length) e.path = paths[0]!;
    groovyPaths.set(e, paths);
    return e;
  }

  /** An expression for a Groovy value joined into a script (`sh 'x ' + params.Y`). */
  private synthetic(e: Expr): Expression {
    const known = this.syntheticOf.get(e);
    if (known) return known;
    const out: Expression = { raw: this.file.text.slice(e.start, e.end), span: this.span(e.start, e.end), ast: null, syntax: 'groovy' };
    const paths = accessPaths(e);
    if (paths.length) out.path = paths[0]!;
    groovyPaths.set(out, paths);
    this.expressions.push(out);
    this.syntheticOf.set(e, out);
    return out;
  }

  /** A string literal as a Str (quotes included in the span). */
  str(e: Expr | undefined): Str | undefined {
    if (!e) return undefined;
    if (e.type === 'string') return { value: e.token.str!.value, span: this.span(e.start, e.end) };
    return undefined;
  }

  /** Literal strings, GStrings and `+` concatenations as templated text. */
  text(e: Expr | undefined): TemplatedText | undefined {
    if (!e) return undefined;
    if (e.type === 'paren') return this.text(e.expr);
    if (e.type === 'string') {
      const s = e.token.str!;
      return {
        value: s.value,
        span: this.span(e.start, e.end),
        expressions: s.interpolations.map((i) => this.interpolations.get(i.start)!).filter(Boolean),
      };
    }
    if (e.type === 'binary' && e.op === '+') {
      const parts = flattenPlus(e);
      if (!parts.some((p) => p.type === 'string')) return undefined;
      let value = '';
      const expressions: Expression[] = [];
      for (const p of parts) {
        const t = p.type === 'string' ? this.text(p)! : undefined;
        if (t) {
          value += t.value;
          expressions.push(...t.expressions);
        } else {
          value += '${' + this.file.text.slice(p.start, p.end) + '}';
          expressions.push(this.synthetic(p));
        }
      }
      return { value, span: this.span(e.start, e.end), expressions };
    }
    return undefined;
  }

  /** Any value substituted into a script: text when it is one, otherwise a single expression. */
  scriptText(e: Expr): TemplatedText {
    const t = this.text(e);
    if (t) return t;
    const x = this.synthetic(e);
    return { value: '${' + x.raw + '}', span: x.span, expressions: [x] };
  }

  newJob(idValue: string, idSpan: Span, name: Str | undefined, span: Span, info: JenkinsJobInfo, images: ExternalRef[], env: EnvVar[]): Job {
    const job: Job = {
      id: { value: idValue, span: idSpan },
      span,
      env: [...env],
      steps: [],
      needs: [],
      with: new Map(),
      secrets: [],
      images: [...new Set(images)],
      node: placeholderNode(),
    };
    if (name) job.name = name;
    const agent = info.effectiveAgent;
    if (agent?.label) job.runner = runnerOf(agent);
    jenkinsJobInfo.set(job, info);
    this.jobs.push(job);
    return job;
  }

  /** A slot holding an existing job. */
  fixedSlot(job: Job): Slot {
    return { job, make: () => job };
  }

  /**
   * A job made when its first step is met: id `name` under the context's prefix
   * (or the prefix itself when `name` is null, for parallel branches).
   */
  lazySlot(name: string | null, at: { start: number; end: number } | null, origin: JenkinsJobInfo['origin']): Slot {
    const s: Slot = {
      job: null,
      make: (c: Ctx, use?: { start: number; end: number }) => {
        if (s.job) return s.job;
        const where = at ?? use ?? { start: 0, end: 0 };
        const span = this.span(where.start, where.end);
        const parents = name === null ? c.prefix.slice(0, -1) : [...c.prefix];
        const info: JenkinsJobInfo = { origin, dockerArgs: [...c.dockerArgs], approvals: [], when: [], parents, parallel: c.parallel, matrix: c.matrix };
        if (c.agent) info.effectiveAgent = c.agent;
        const id = name === null ? c.prefix.join(' / ') : [...c.prefix, name].join(' / ');
        const own = name === null ? { value: c.prefix[c.prefix.length - 1] ?? '', span } : undefined;
        s.job = this.newJob(id, span, own, span, info, c.images, c.env);
        return s.job;
      },
    };
    return s;
  }

  /** A fresh context whose steps go to a job made on first use. */
  pseudoCtx(name: string, at: { start: number; end: number } | null, origin: JenkinsJobInfo['origin'], agent?: JenkinsAgent): Ctx {
    const ctx: Ctx = { prefix: [], slot: this.lazySlot(name, at, origin), creds: new Set(), env: [], images: [], dockerArgs: [], parallel: false, matrix: false };
    if (agent) {
      ctx.agent = agent;
      ctx.images = agent.images;
      if (agent.args) ctx.dockerArgs = [agent.args];
    }
    return ctx;
  }

  addImage(ref: ExternalRef): void {
    this.references.push(ref);
  }

  // ---- libraries, parameters, triggers ----

  library(s: Str, dynamic: boolean, span?: Span): ExternalRef {
    const raw = s.value;
    const at = raw.indexOf('@');
    const name = (at < 0 ? raw : raw.slice(0, at)).trim();
    const version = at < 0 ? undefined : raw.slice(at + 1).trim();
    let pin: PinState;
    if (dynamic || isDynamic(raw)) pin = 'dynamic';
    else if (!version) pin = 'unpinned';
    else if (isCommitSha(version)) pin = 'hash';
    else pin = 'tag';
    const ref: ExternalRef = { kind: 'library', raw, span: span ?? s.span, name, pin };
    if (version) ref.version = version;
    this.references.push(ref);
    this.libraries.push(ref);
    return ref;
  }

  /** Library names in `@Library('a@1')`, `@Library(['a', 'b@2'])`, `@Library(value = 'a')`, `library 'a'`, `library(identifier: 'a')`. */
  libraryArgs(values: Expr[]): void {
    for (const v of values) {
      if (v.type === 'list') this.libraryArgs(v.items);
      else if (v.type === 'assign' && v.target.type === 'ident' && v.target.name === 'value') this.libraryArgs([v.value]);
      else if (v.type === 'string') this.library(this.str(v)!, v.token.str!.interpolations.length > 0);
    }
  }

  declareParam(call: CallExpr): void {
    let type = call.name ? PARAM_TYPES[call.name] ?? call.name : undefined;
    let nameExpr = namedArg(call, 'name');
    const cls = literalString(namedArg(call, '$class'));
    if (cls) type = PARAM_TYPES[cls] ?? cls;
    // `string('NAME')`-style positional names are not Jenkins syntax, but take them.
    if (!nameExpr) nameExpr = positionalArgs(call).find((a) => a.type === 'string');
    const name = this.str(nameExpr);
    if (!name) return;
    const prev = this.inputs.get(name.value);
    if (prev && (prev.type === undefined || prev.type === 'string' || prev.type === 'text')) return;
    this.inputs.set(name.value, type ? { name, type } : { name });
  }

  /** `parameters { string(…) … }` or `parameters([string(…), …])`. */
  parameters(call: CallExpr): void {
    const closure = closureOf(call);
    const calls: CallExpr[] = [];
    if (closure) for (const s of closure.body) {
      const c = statementCall(s);
      if (c) calls.push(c);
    }
    for (const a of positionalArgs(call)) {
      if (a.type !== 'list') continue;
      for (const it of a.items) {
        if (it.type === 'call') calls.push(it);
        else if (it.type === 'map') this.declareParam({ ...call, name: null, args: it.entries, closures: [] });
      }
    }
    for (const c of calls) this.declareParam(c);
  }

  trigger(call: CallExpr): void {
    if (!call.name) return;
    const actor = TRIGGER_TRUST[call.name] ?? 'collaborator';
    this.triggers.push({ event: call.name, span: this.span(call.start, call.end), actor, privileged: true });
  }

  // ---- agents ----

  /** Images named in a pod yaml: `image:` lines, with their exact location in the file. */
  yamlImages(e: StringExpr): ExternalRef[] {
    const s = e.token.str!;
    const raw = this.file.text.slice(s.contentStart, s.contentEnd);
    const out: ExternalRef[] = [];
    const re = /^([ \t]*(?:-[ \t]+)?image:[ \t]*)(["']?)([^"'\s#]+)\2/gm;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      const start = s.contentStart + m.index + m[1]!.length + m[2]!.length;
      const ref = parseImageRef(m[3]!, this.span(start, start + m[3]!.length));
      out.push(ref);
      this.addImage(ref);
    }
    return out;
  }

  /** `containerTemplate(name: 'x', image: 'y')` and `containerTemplate { image 'y' }`. */
  containerTemplateImage(call: CallExpr): ExternalRef | undefined {
    let img = namedArg(call, 'image');
    if (!img) {
      const closure = closureOf(call);
      const d = closure ? directives(closure).get('image') : undefined;
      img = d ? positionalArgs(d)[0] : undefined;
    }
    const s = this.str(img);
    if (!s || !s.value.trim()) return undefined;
    const ref = parseImageRef(s.value, s.span);
    this.addImage(ref);
    return ref;
  }

  /** The images of `containers: [containerTemplate(…), …]` and a `yaml:` pod. */
  podImages(call: CallExpr): ExternalRef[] {
    const out: ExternalRef[] = [];
    const containers = namedArg(call, 'containers');
    if (containers?.type === 'list') for (const it of containers.items) {
      if (it.type === 'call' && it.name === 'containerTemplate') {
        const ref = this.containerTemplateImage(it);
        if (ref) out.push(ref);
      }
    }
    const yaml = namedArg(call, 'yaml');
    if (yaml?.type === 'string') out.push(...this.yamlImages(yaml));
    return out;
  }

  agent(call: CallExpr): JenkinsAgent {
    const span = this.span(call.start, call.end);
    const agent: JenkinsAgent = { kind: 'unknown', span, images: [] };
    const pos = positionalArgs(call);
    const first = pos[0];
    if (first?.type === 'ident' && (first.name === 'any' || first.name === 'none')) agent.kind = first.name;
    else if (first?.type === 'string') {
      agent.kind = 'label';
      agent.label = this.str(first)!;
    }
    // Legacy map forms: `agent label: 'x'`, `agent docker: 'image'`.
    const label = this.str(namedArg(call, 'label'));
    if (label) {
      agent.kind = 'label';
      agent.label = label;
    }
    const dockerNamed = namedArg(call, 'docker');
    if (dockerNamed) this.dockerAgent(agent, call, dockerNamed);
    const closure = closureOf(call);
    if (closure) {
      for (const [name, d] of directives(closure)) {
        switch (name) {
          case 'any':
          case 'none':
            agent.kind = name;
            break;
          case 'label': {
            const l = this.str(positionalArgs(d)[0]);
            agent.kind = 'label';
            if (l) agent.label = l;
            break;
          }
          case 'node': {
            agent.kind = 'node';
            const inner = closureOf(d);
            const l = inner ? this.str(positionalArgs(directives(inner).get('label') ?? d)[0]) : this.str(namedArg(d, 'label'));
            if (l) agent.label = l;
            break;
          }
          case 'docker':
            this.dockerAgent(agent, d, positionalArgs(d)[0]);
            break;
          case 'dockerfile':
            this.dockerfileAgent(agent, d);
            break;
          case 'kubernetes':
            this.kubernetesAgent(agent, d);
            break;
          default:
            break;
        }
      }
    }
    return agent;
  }

  /** `docker 'image'`, `docker { image 'x'; args '…' }`, `docker image: 'x', args: '…'`. */
  private dockerAgent(agent: JenkinsAgent, call: CallExpr, first: Expr | undefined): void {
    agent.kind = 'docker';
    const settings = this.settings(call);
    const image = first?.type === 'string' ? first : settings.get('image');
    const s = this.str(image);
    if (s && s.value.trim()) {
      agent.image = parseImageRef(s.value, s.span);
      agent.images.push(agent.image);
      this.addImage(agent.image);
    }
    this.commonAgentSettings(agent, settings);
  }

  private dockerfileAgent(agent: JenkinsAgent, call: CallExpr): void {
    agent.kind = 'dockerfile';
    const settings = this.settings(call);
    const first = positionalArgs(call)[0];
    const filename = this.str(settings.get('filename'));
    if (filename) agent.dockerfile = filename;
    else if (first?.type === 'literal' && first.value === 'true') agent.dockerfile = { value: 'Dockerfile', span: this.span(first.start, first.end) };
    const extra = this.str(settings.get('additionalBuildArgs'));
    if (extra) agent.additionalBuildArgs = extra;
    this.commonAgentSettings(agent, settings);
  }

  private kubernetesAgent(agent: JenkinsAgent, call: CallExpr): void {
    agent.kind = 'kubernetes';
    const settings = this.settings(call);
    const yaml = settings.get('yaml');
    if (yaml?.type === 'string') {
      agent.yaml = this.str(yaml)!;
      agent.images.push(...this.yamlImages(yaml));
    }
    const yamlFile = this.str(settings.get('yamlFile'));
    if (yamlFile) agent.yamlFile = yamlFile;
    const inherit = this.str(settings.get('inheritFrom'));
    if (inherit) agent.inheritFrom = inherit;
    const closure = closureOf(call);
    const templates: CallExpr[] = [];
    if (closure) for (const s of closure.body) {
      const c = statementCall(s);
      if (c?.name === 'containerTemplate') templates.push(c);
    }
    const named = namedArg(call, 'containerTemplate');
    if (named?.type === 'call') templates.push(named);
    for (const t of templates) {
      const ref = this.containerTemplateImage(t);
      if (ref) agent.images.push(ref);
    }
    const label = this.str(settings.get('label'));
    if (label) agent.label = label;
  }

  private commonAgentSettings(agent: JenkinsAgent, settings: Map<string, Expr>): void {
    const args = this.str(settings.get('args'));
    if (args) agent.args = args;
    const url = this.str(settings.get('registryUrl'));
    if (url) agent.registryUrl = url;
    const cred = this.str(settings.get('registryCredentialsId'));
    if (cred) agent.registryCredentialsId = cred;
    const label = this.str(settings.get('label'));
    if (label) agent.label = label;
    const reuse = settings.get('reuseNode');
    if (reuse?.type === 'literal') agent.reuseNode = reuse.value === 'true';
  }

  /** Settings of a block written as directives (`image 'x'`) or named arguments (`image: 'x'`). */
  private settings(call: CallExpr): Map<string, Expr> {
    const out = new Map<string, Expr>();
    for (const a of call.args) if (a.name) out.set(a.name.value, a.value);
    const closure = closureOf(call);
    if (closure) for (const [name, d] of directives(closure)) {
      const v = positionalArgs(d)[0];
      if (v) out.set(name, v);
    }
    return out;
  }

  // ---- environment, when, input ----

  /** `environment { X = credentials('id'); Y = 'lit' }`; shell calls in values run in `ctx`. */
  environment(closure: ClosureExpr, ctx: Ctx): EnvVar[] {
    const out: EnvVar[] = [];
    for (const s of closure.body) {
      if (s.type !== 'expr' || s.expr.type !== 'assign' || s.expr.op !== '=') continue;
      const target = s.expr.target;
      const name = target.type === 'ident' ? target.name : target.type === 'property' ? target.name : undefined;
      if (!name) continue;
      const nameStart = target.type === 'property' ? target.nameStart : target.start;
      const nameEnd = target.type === 'property' ? target.nameEnd : target.end;
      const value = s.expr.value;
      const env: EnvVar = { name: { value: name, span: this.span(nameStart, nameEnd) }, value: null };
      if (value.type === 'call' && value.name === 'credentials' && value.callee.type === 'ident') {
        credentialEnv.set(env, { id: this.str(positionalArgs(value)[0]) ?? null, span: this.span(value.start, value.end) });
      } else {
        env.value = this.text(value) ?? null;
        if (!env.value) this.walkExpr(value, ctx, false);
      }
      out.push(env);
    }
    return out;
  }

  when(closure: ClosureExpr): JenkinsCondition[] {
    const out: JenkinsCondition[] = [];
    for (const s of closure.body) {
      const c = statementCall(s);
      if (!c || !c.name) continue;
      const cond: JenkinsCondition = { kind: c.name, span: this.span(c.start, c.end), children: [] };
      const v = this.str(positionalArgs(c)[0] ?? namedArg(c, 'pattern') ?? namedArg(c, 'name') ?? namedArg(c, 'value'));
      if (v) cond.value = v;
      const inner = closureOf(c);
      if (inner && c.name !== 'expression') cond.children = this.when(inner);
      out.push(cond);
    }
    return out;
  }

  approval(call: CallExpr, kind: JenkinsApproval['kind']): JenkinsApproval {
    const a: JenkinsApproval = { kind, span: this.span(call.start, call.end) };
    const closure = closureOf(call);
    const d = closure ? directives(closure) : new Map<string, CallExpr>();
    const message = this.str(namedArg(call, 'message') ?? positionalArgs(call).find((x) => x.type === 'string') ?? (d.get('message') ? positionalArgs(d.get('message')!)[0] : undefined));
    if (message) a.message = message;
    const submitter = this.str(namedArg(call, 'submitter') ?? (d.get('submitter') ? positionalArgs(d.get('submitter')!)[0] : undefined));
    if (submitter) a.submitter = submitter;
    return a;
  }

  // ---- steps ----

  step(call: CallExpr, ctx: Ctx): Step {
    const job = ctx.slot.make(ctx, { start: call.nameStart, end: call.nameEnd });
    const anchor = this.span(call.nameStart, call.nameEnd);
    const withInputs = new Map<string, StepInput>();
    for (const a of call.args) {
      if (!a.name) continue;
      const value = this.text(a.value);
      if (value) withInputs.set(a.name.value, { key: { value: a.name.value, span: this.span(a.name.start, a.name.end) }, value });
    }
    const step: Step = { index: job.steps.length, span: this.span(call.start, call.end), anchor, with: withInputs, env: [...ctx.env], node: placeholderNode() };
    const label = this.str(namedArg(call, 'label'));
    if (label) step.name = label;
    const shell = call.name ? SHELLS[call.name] : undefined;
    if (shell) {
      const arg = namedArg(call, 'script') ?? positionalArgs(call)[0];
      if (arg) {
        const t = this.scriptText(arg);
        step.script = { kind: 'run', shell, text: t.value, span: t.span, expressions: t.expressions };
      }
    }
    job.steps.push(step);
    const creds = new Set(ctx.creds);
    boundCredentials.set(step, creds);
    jenkinsStepInfo.set(step, { name: call.name ?? '', call, job, boundCredentials: creds });
    return step;
  }

  walkStmts(stmts: Stmt[], ctx: Ctx, depth = 0): void {
    if (depth > 200) return;
    let cur = ctx;
    for (const s of stmts) {
      switch (s.type) {
        case 'expr': {
          const next = this.walkExpr(s.expr, cur, true, depth);
          if (next) cur = next;
          break;
        }
        case 'def':
          for (const d of s.declarators) if (d.value) this.walkExpr(d.value, cur, false, depth);
          if (s.declarators.length === 0 && s.value) this.walkExpr(s.value, cur, false, depth);
          break;
        case 'if':
          this.walkExpr(s.cond, cur, false, depth);
          this.walkStmts(s.then, cur, depth + 1);
          if (s.else) this.walkStmts(s.else, cur, depth + 1);
          break;
        case 'try':
          this.walkStmts(s.body, cur, depth + 1);
          for (const c of s.catches) this.walkStmts(c.body, cur, depth + 1);
          if (s.finally) this.walkStmts(s.finally, cur, depth + 1);
          break;
        case 'loop':
        case 'switch':
          if (s.type === 'loop' && s.head) this.walkExpr(s.head, cur, false, depth);
          if (s.type === 'switch' && s.subject) this.walkExpr(s.subject, cur, false, depth);
          this.walkStmts(s.body, cur, depth + 1);
          break;
        case 'block':
          this.walkStmts(s.body, cur, depth + 1);
          break;
        case 'return':
        case 'throw':
          if (s.value) this.walkExpr(s.value, cur, false, depth);
          break;
        case 'method':
          this.walkStmts(s.body, this.pseudoCtx(`${s.name}()`, { start: s.nameStart, end: s.nameEnd }, 'method'), depth + 1);
          break;
        default:
          break;
      }
    }
  }

  /** Walks an expression for steps; returns a new context when a `stage 'x'` (without a block) starts a stage. */
  walkExpr(e: Expr, ctx: Ctx, statement: boolean, depth = 0): Ctx | undefined {
    if (depth > 200) return undefined;
    if (e.type === 'call') return this.call(e, ctx, statement, depth);
    if (e.type === 'closure') {
      this.walkStmts(e.body, ctx, depth + 1);
      return undefined;
    }
    for (const child of exprChildren(e)) this.walkExpr(child, ctx, false, depth + 1);
    return undefined;
  }

  private walkArgs(call: CallExpr, ctx: Ctx, depth: number, skipCallee = false): void {
    if (!skipCallee && call.callee.type !== 'ident') this.walkExpr(call.callee, ctx, false, depth + 1);
    for (const a of call.args) {
      if (a.key) this.walkExpr(a.key, ctx, false, depth + 1);
      this.walkExpr(a.value, ctx, false, depth + 1);
    }
    for (const c of call.closures) this.walkStmts(c.body, ctx, depth + 1);
  }

  private call(call: CallExpr, ctx: Ctx, statement: boolean, depth: number): Ctx | undefined {
    const name = call.name ?? '';
    const receiver = call.callee.type === 'property' ? call.callee.object : null;
    const plain = call.callee.type === 'ident';
    const closure = closureOf(call);
    if (plain && name === 'pipeline' && closure) return undefined; // read as a declarative pipeline
    if (plain && SHELLS[name]) {
      this.step(call, ctx);
      this.walkArgs(call, ctx, depth);
      return undefined;
    }
    if (plain && name === 'withCredentials' && closure) {
      const creds = new Set(ctx.creds);
      for (const a of positionalArgs(call)) if (a !== closure) collectBindings(a, creds);
      this.walkStmts(closure.body, { ...ctx, creds }, depth + 1);
      return undefined;
    }
    if (plain && name === 'withEnv' && closure) {
      const env = [...ctx.env];
      const list = positionalArgs(call)[0];
      if (list?.type === 'list') for (const it of list.items) {
        const t = this.text(it);
        if (!t || it.type !== 'string') continue;
        const eq = t.value.indexOf('=');
        if (eq <= 0) continue;
        const s = it.token.str!;
        const nameSpan = this.span(s.contentStart, s.contentStart + eq);
        env.push({ name: { value: t.value.slice(0, eq), span: nameSpan }, value: { value: t.value.slice(eq + 1), span: t.span, expressions: t.expressions } });
      }
      this.walkStmts(closure.body, { ...ctx, env }, depth + 1);
      return undefined;
    }
    if (plain && name === 'stage') {
      const nameExpr = positionalArgs(call).find((a) => a.type === 'string') ?? namedArg(call, 'name');
      const nameStr = this.str(nameExpr) ?? { value: this.file.text.slice(nameExpr?.start ?? call.nameStart, nameExpr?.end ?? call.nameEnd), span: this.span(nameExpr?.start ?? call.nameStart, nameExpr?.end ?? call.nameEnd) };
      const info: JenkinsJobInfo = {
        origin: 'stage', dockerArgs: [...ctx.dockerArgs], approvals: [], when: [], parents: [...ctx.prefix], parallel: ctx.parallel, matrix: ctx.matrix,
      };
      if (ctx.agent) info.effectiveAgent = ctx.agent;
      const job = this.newJob([...ctx.prefix, nameStr.value].join(' / '), nameStr.span, nameStr, this.span(call.start, call.end), info, ctx.images, ctx.env);
      const inner: Ctx = { ...ctx, prefix: [...ctx.prefix, nameStr.value], slot: this.fixedSlot(job) };
      if (closure) {
        this.walkStmts(closure.body, inner, depth + 1);
        return undefined;
      }
      // `stage 'Build'` (old scripted syntax): the following statements belong to it.
      return statement ? inner : undefined;
    }
    if (plain && name === 'parallel') {
      const branches = call.args.filter((a) => a.name && a.value.type === 'closure');
      const map = positionalArgs(call).find((a) => a.type === 'map');
      if (map?.type === 'map') branches.push(...map.entries.filter((a) => a.name && a.value.type === 'closure'));
      for (const b of branches) {
        const branchName = b.name!.value;
        if (branchName === 'failFast') continue;
        // The branch's own steps go to a job whose id is the branch path; its stages get their own jobs.
        const bctx: Ctx = { ...ctx, prefix: [...ctx.prefix, branchName], parallel: true, slot: this.lazySlot(null, b.name!, 'branch') };
        this.walkStmts((b.value as ClosureExpr).body, bctx, depth + 1);
      }
      for (const a of call.args) if (!branches.includes(a) && a.value !== map) this.walkExpr(a.value, ctx, false, depth + 1);
      return undefined;
    }
    if (plain && name === 'node' && closure) {
      const labelExpr = positionalArgs(call).find((a) => a !== closure) ?? namedArg(call, 'label');
      const agent: JenkinsAgent = { kind: labelExpr ? 'label' : 'any', span: this.span(call.start, call.end), images: [] };
      const label = this.str(labelExpr);
      if (label) agent.label = label;
      this.walkStmts(closure.body, { ...ctx, agent }, depth + 1);
      return undefined;
    }
    if (plain && (name === 'podTemplate' || name === 'kubernetes') && closure) {
      const images = this.podImages(call);
      const agent: JenkinsAgent = { kind: 'kubernetes', span: this.span(call.start, call.end), images };
      const yaml = this.str(namedArg(call, 'yaml'));
      if (yaml) agent.yaml = yaml;
      const inherit = this.str(namedArg(call, 'inheritFrom'));
      if (inherit) agent.inheritFrom = inherit;
      this.walkStmts(closure.body, { ...ctx, agent, images: [...ctx.images, ...images] }, depth + 1);
      return undefined;
    }
    if (isDockerImage(call)) {
      this.dockerImage(call, ctx);
      for (const a of call.args) this.walkExpr(a.value, ctx, false, depth + 1);
      return undefined;
    }
    if (receiver && (name === 'inside' || name === 'withRun' || name === 'run')) {
      const viaImage = receiver.type === 'call' && isDockerImage(receiver);
      // `img.inside('…')` on a variable, `docker.build('x').inside('…')`: the options apply, the image is not known.
      const viaBuild = receiver.type === 'call' && receiver.name === 'build' && receiver.callee.type === 'property' && receiver.callee.object.type === 'ident' && receiver.callee.object.name === 'docker';
      if (viaImage || ((receiver.type === 'ident' || viaBuild) && name !== 'run')) {
        const recvImage = viaImage ? this.dockerImage(receiver as CallExpr, ctx) : undefined;
        const args = this.str(positionalArgs(call).find((a) => a.type === 'string'));
        const inner: Ctx = { ...ctx, images: recvImage ? [...ctx.images, recvImage] : ctx.images, dockerArgs: args ? [...ctx.dockerArgs, args] : ctx.dockerArgs };
        if (args) {
          const job = ctx.slot.make(ctx);
          jenkinsJobInfo.get(job)?.dockerArgs.push(args);
        }
        if (!viaImage) this.walkExpr(receiver, ctx, false, depth + 1);
        for (const a of call.args) if (a.value.type !== 'closure') this.walkExpr(a.value, ctx, false, depth + 1);
        if (closure) this.walkStmts(closure.body, inner, depth + 1);
        return undefined;
      }
    }
    if (plain && name === 'input') {
      const step = this.step(call, ctx);
      jenkinsJobInfo.get(jenkinsStepInfo.get(step)!.job)?.approvals.push(this.approval(call, 'step'));
      this.walkArgs(call, ctx, depth);
      return undefined;
    }
    if (plain && name === 'library') {
      const id = namedArg(call, 'identifier') ?? positionalArgs(call)[0];
      if (id) this.libraryArgs([id]);
    }
    if (plain && name === 'parameters') this.parameters(call);
    if (plain && name === 'pipelineTriggers') {
      const list = positionalArgs(call)[0];
      if (list?.type === 'list') for (const it of list.items) if (it.type === 'call') this.trigger(it);
    }
    // Any other call: a step when it stands alone, a wrapper when it has a block.
    if (plain && statement && !closure && name !== 'library') this.step(call, ctx);
    this.walkArgs(call, ctx, depth);
    return undefined;
  }

  /** `docker.image('x')`: the image, recorded once per call and added to the job it is used in. */
  private dockerImage(call: CallExpr, ctx: Ctx): ExternalRef | undefined {
    let ref = this.imageOf.get(call);
    if (!ref) {
      const arg = positionalArgs(call)[0];
      const t = arg ? this.text(arg) : undefined;
      if (!t) return undefined;
      ref = parseImageRef(t.value, t.span);
      if (t.expressions.length) ref.pin = 'dynamic';
      this.imageOf.set(call, ref);
      this.addImage(ref);
    }
    const job = ctx.slot.make(ctx);
    if (!job.images.includes(ref)) job.images.push(ref);
    return ref;
  }

  // ---- declarative ----

  declarative(pipelineCall: CallExpr): void {
    const closure = closureOf(pipelineCall)!;
    const d = directivesAll(closure);
    const agentCall = d.get('agent')?.[0];
    const top: StageScope = { prefix: [], env: [], parallel: false, matrix: false };
    if (agentCall) {
      this.topAgent = this.agent(agentCall);
      top.agent = this.topAgent;
    } else this.problem('a declarative pipeline needs an `agent` section', pipelineCall.nameStart, pipelineCall.nameEnd);
    for (const envCall of d.get('environment') ?? []) {
      const envClosure = closureOf(envCall);
      if (!envClosure) continue;
      const env = this.environment(envClosure, this.pseudoCtx('environment', { start: envCall.nameStart, end: envCall.nameEnd }, 'environment', top.agent));
      this.env.push(...env);
    }
    for (const p of d.get('parameters') ?? []) this.parameters(p);
    for (const t of d.get('triggers') ?? []) {
      const tc = closureOf(t);
      if (tc) for (const s of tc.body) {
        const c = statementCall(s);
        if (c) this.trigger(c);
      }
    }
    for (const l of d.get('libraries') ?? []) {
      const lc = closureOf(l);
      if (lc) for (const s of lc.body) {
        const c = statementCall(s);
        if (c && c.name === 'lib') this.libraryArgs(positionalArgs(c).concat(namedArg(c, 'identifier') ?? []));
      }
    }
    const stages = d.get('stages');
    if (!stages) this.problem('a declarative pipeline needs a `stages` section', pipelineCall.nameStart, pipelineCall.nameEnd);
    for (const s of stages ?? []) this.stages(s, top);
    for (const post of d.get('post') ?? []) {
      this.post(post, this.pseudoCtx('post', { start: post.nameStart, end: post.nameEnd }, 'post', top.agent));
    }
  }

  /** `post { always { … } failure { … } }`: every condition's steps. */
  private post(post: CallExpr, ctx: Ctx): void {
    const c = closureOf(post);
    if (!c) return;
    for (const s of c.body) {
      const cond = statementCall(s);
      const body = cond ? closureOf(cond) : undefined;
      if (body) this.walkStmts(body.body, ctx);
    }
  }

  /** `stages { stage('a') { … } … }` or `parallel { stage … }`. */
  private stages(call: CallExpr, scope: StageScope): void {
    const c = closureOf(call);
    if (!c) return;
    for (const s of c.body) {
      const st = statementCall(s);
      if (st?.name === 'stage') this.stage(st, scope);
    }
  }

  private stage(call: CallExpr, parent: StageScope): void {
    const nameExpr = positionalArgs(call).find((a) => a.type === 'string') ?? namedArg(call, 'name');
    const name = this.str(nameExpr);
    if (!name) this.problem('a stage needs a name: `stage(\'name\') { … }`', call.nameStart, call.nameEnd);
    const stageName = name ?? {
      value: nameExpr ? this.file.text.slice(nameExpr.start, nameExpr.end) : 'stage',
      span: nameExpr ? this.span(nameExpr.start, nameExpr.end) : this.span(call.nameStart, call.nameEnd),
    };
    const closure = closureOf(call);
    if (!closure) {
      this.problem(`stage \`${stageName.value}\` has no body`, call.start, call.end);
      return;
    }
    const d = directivesAll(closure);
    const agentCall = d.get('agent')?.[0];
    const own = agentCall ? this.agent(agentCall) : undefined;
    const effective = own && own.kind !== 'none' ? own : parent.agent;
    const scope: StageScope = { prefix: [...parent.prefix, stageName.value], env: [...parent.env], parallel: parent.parallel, matrix: parent.matrix };
    if (effective) scope.agent = effective;
    const base = (): Ctx => {
      const ctx: Ctx = {
        prefix: scope.prefix, slot: this.lazySlot('environment', { start: call.nameStart, end: call.nameEnd }, 'environment'), creds: new Set(), env: [],
        images: effective?.images ?? [], dockerArgs: effective?.args ? [effective.args] : [], parallel: scope.parallel, matrix: scope.matrix,
      };
      if (effective) ctx.agent = effective;
      return ctx;
    };
    const envCalls = d.get('environment') ?? [];
    const nested = d.has('stages') || d.has('parallel') || d.has('matrix');
    if (nested) {
      for (const e of envCalls) {
        const ec = closureOf(e);
        if (ec) scope.env.push(...this.environment(ec, base()));
      }
      for (const [kind, list] of d) {
        for (const n of list) {
          if (kind === 'stages') this.stages(n, scope);
          else if (kind === 'parallel') this.stages(n, { ...scope, parallel: true });
          else if (kind === 'matrix') this.matrix(n, scope);
        }
      }
      const steps = d.get('steps')?.[0];
      if (steps) this.problem(`stage \`${stageName.value}\` has both \`steps\` and nested stages`, steps.nameStart, steps.nameEnd);
      return;
    }
    const info: JenkinsJobInfo = {
      origin: 'stage', dockerArgs: effective?.args ? [effective.args] : [], approvals: [], when: [],
      parents: [...parent.prefix], parallel: scope.parallel, matrix: scope.matrix,
    };
    if (own) info.agent = own;
    if (effective) info.effectiveAgent = effective;
    const job = this.newJob(scope.prefix.join(' / '), stageName.span, stageName, this.span(call.start, call.end), info, effective?.images ?? [], scope.env);
    const ctx = base();
    ctx.slot = this.fixedSlot(job);
    for (const w of d.get('when') ?? []) {
      const wc = closureOf(w);
      if (!wc) continue;
      info.when.push(...this.when(wc));
      // `expression { … }` conditions are Groovy run on the agent: a `sh` there is a step too.
      walk(wc.body, (n) => {
        const c = n.type === 'call' ? n : undefined;
        if (c?.name !== 'expression' || c.callee.type !== 'ident') return true;
        const body = closureOf(c);
        if (body) this.walkStmts(body.body, ctx);
        return false;
      });
    }
    for (const i of d.get('input') ?? []) info.approvals.push(this.approval(i, 'directive'));
    for (const e of envCalls) {
      const ec = closureOf(e);
      if (ec) job.env.push(...this.environment(ec, ctx));
    }
    const steps = d.get('steps')?.[0];
    if (!steps) this.problem(`stage \`${stageName.value}\` has no \`steps\`, \`stages\`, \`parallel\` or \`matrix\``, call.nameStart, call.nameEnd);
    for (const st of d.get('steps') ?? []) {
      const sc = closureOf(st);
      if (sc) this.walkStmts(sc.body, ctx);
    }
    for (const post of d.get('post') ?? []) this.post(post, ctx);
  }

  /** `matrix { axes { … } agent { … } stages { … } }`: its stages run once per cell. */
  private matrix(call: CallExpr, scope: StageScope): void {
    const c = closureOf(call);
    if (!c) return;
    const d = directivesAll(c);
    const agentCall = d.get('agent')?.[0];
    const own = agentCall ? this.agent(agentCall) : undefined;
    const inner: StageScope = { ...scope, env: [...scope.env], matrix: true, parallel: true };
    if (own && own.kind !== 'none') inner.agent = own;
    for (const e of d.get('environment') ?? []) {
      const ec = closureOf(e);
      if (!ec) continue;
      const ctx = this.pseudoCtx('environment', { start: e.nameStart, end: e.nameEnd }, 'environment', inner.agent);
      ctx.prefix = inner.prefix;
      inner.env.push(...this.environment(ec, ctx));
    }
    for (const s of d.get('stages') ?? []) this.stages(s, inner);
  }
}

/** `docker.image(…)` of the Docker Pipeline plugin. */
function isDockerImage(call: CallExpr): boolean {
  return call.name === 'image' && call.callee.type === 'property' && call.callee.object.type === 'ident' && call.callee.object.name === 'docker';
}

function runnerOf(agent: JenkinsAgent): Runner {
  return { span: agent.label!.span, labels: [agent.label!], selfHosted: 'unknown' };
}

/** Directive calls of a declarative block, first of each name. */
function directives(closure: ClosureExpr): Map<string, CallExpr> {
  const out = new Map<string, CallExpr>();
  for (const s of closure.body) {
    const c = statementCall(s);
    if (c?.name && c.callee.type === 'ident' && !out.has(c.name)) out.set(c.name, c);
  }
  return out;
}

/** Directive calls of a declarative block by name, in order. */
function directivesAll(closure: ClosureExpr): Map<string, CallExpr[]> {
  const out = new Map<string, CallExpr[]>();
  for (const s of closure.body) {
    const c = statementCall(s);
    if (!c?.name || c.callee.type !== 'ident') continue;
    const list = out.get(c.name) ?? [];
    list.push(c);
    out.set(c.name, list);
  }
  return out;
}

/** `withCredentials([...])` bindings: every `variable:`-like named argument with a string value. */
function collectBindings(e: Expr, out: Set<string>): void {
  const visit = (x: Expr): void => {
    if (x.type === 'list') x.items.forEach(visit);
    else if (x.type === 'call' || x.type === 'map') {
      const args = x.type === 'call' ? x.args : x.entries;
      for (const a of args) {
        if (a.name && /variable$/i.test(a.name.value)) {
          const v = literalString(a.value);
          if (v) out.add(v);
        }
      }
      if (x.type === 'call') for (const a of positionalArgs(x)) visit(a);
    }
  };
  visit(e);
}

/** The operands of `a + b + c`, left to right (iteratively: such chains can be long). */
function flattenPlus(e: Expr): Expr[] {
  const out: Expr[] = [];
  const stack: Expr[] = [e];
  while (stack.length) {
    let x = stack.pop()!;
    if (x.type === 'paren' && x.expr.type === 'binary' && x.expr.op === '+') x = x.expr;
    if (x.type === 'binary' && x.op === '+') {
      stack.push(x.right, x.left);
      continue;
    }
    out.push(x);
  }
  return out;
}

function exprChildren(e: Expr): Expr[] {
  switch (e.type) {
    case 'list':
      return e.items;
    case 'map':
      return e.entries.flatMap((a) => (a.key ? [a.key, a.value] : [a.value]));
    case 'property':
      return [e.object];
    case 'index':
      return [e.object, ...e.index];
    case 'binary':
      return [e.left, e.right];
    case 'unary':
      return [e.operand];
    case 'ternary':
      return e.then ? [e.cond, e.then, e.else] : [e.cond, e.else];
    case 'assign':
      return [e.target, e.value];
    case 'new':
      return e.args.map((a) => a.value);
    case 'cast':
      return [e.operand];
    case 'paren':
      return [e.expr];
    default:
      return [];
  }
}

/** `params.X`, `env.BRANCH_NAME`, `TOKEN`, `params['X']` → a dotted path; undefined for anything else. */
export function accessPath(e: Expr, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  switch (e.type) {
    case 'ident':
      return e.name;
    case 'property': {
      if (e.op !== '.' && e.op !== '?.') return undefined;
      const base = accessPath(e.object, depth + 1);
      return base === undefined ? undefined : `${base}.${e.name}`;
    }
    case 'index': {
      if (e.index.length !== 1) return undefined;
      const k = e.index[0]!;
      const key = k.type === 'string' && k.token.str!.interpolations.length === 0 ? k.token.str!.value : k.type === 'number' ? k.text : undefined;
      const base = accessPath(e.object, depth + 1);
      return base === undefined || key === undefined ? undefined : `${base}.${key}`;
    }
    case 'paren':
      return accessPath(e.expr, depth + 1);
    default:
      return undefined;
  }
}

/** Every value read in an expression, as dotted paths, leftmost first (`params.X.trim()` reads `params.X`). */
export function accessPaths(e: Expr): string[] {
  const out: string[] = [];
  const visit = (x: Expr, depth: number): void => {
    if (depth > 64) return;
    const p = accessPath(x);
    if (p !== undefined) {
      out.push(p);
      return;
    }
    if (x.type === 'call') {
      // The method name is not a value; its receiver and arguments are.
      if (x.callee.type === 'property') visit(x.callee.object, depth + 1);
      for (const a of x.args) visit(a.value, depth + 1);
      return;
    }
    if (x.type === 'closure') {
      walk(x.body, (n) => {
        if (n.type === 'expr') {
          visit(n.expr, depth + 1);
          return false;
        }
        return true;
      });
      return;
    }
    for (const c of exprChildren(x)) visit(c, depth + 1);
  };
  visit(e, 0);
  return [...new Set(out)];
}

/** Whether a Jenkins global variable (`currentBuild`) is read. */
function usesGlobal(stmts: Stmt[], name: string): boolean {
  let found = false;
  walk(stmts, (n) => {
    if (n.type === 'ident' && n.name === name) found = true;
    return !found;
  });
  return found;
}

/** Calls anywhere in the tree, in source order. */
function allCalls(stmts: Stmt[]): CallExpr[] {
  const out: CallExpr[] = [];
  walk(stmts, (n) => {
    if (n.type === 'call') out.push(n);
  });
  return out;
}

/** Builds the model of a Jenkinsfile (declarative or scripted). Never throws. */
export function buildJenkins(file: SourceFile): JenkinsBuildOutput {
  const tree = parseGroovy(file.text);
  const b = new Builder(file, tree);
  for (const p of tree.problems) b.problem(p.message, p.offset, p.end);
  const calls = allCalls(tree.statements);
  const pipelines = calls.filter((c) => c.name === 'pipeline' && c.callee.type === 'ident' && closureOf(c) && positionalArgs(c).every((a) => a.type === 'closure'));
  const annotations: Stmt[] = [];
  walk(tree.statements, (n) => {
    if (n.type === 'annotation' && (n.name === 'Library' || n.name.endsWith('.Library'))) annotations.push(n);
  });
  let kind: JenkinsKind;
  if (pipelines.length) kind = 'declarative';
  else if (
    calls.some((c) => (c.callee.type === 'ident' && c.name && PIPELINE_SIGNALS.has(c.name)) || isDockerImage(c)) ||
    usesGlobal(tree.statements, 'currentBuild') ||
    annotations.length > 0 ||
    /^jenkinsfile/i.test(file.path.split(/[\\/]/).pop() ?? '')
  ) kind = 'scripted';
  else kind = 'not-pipeline';
  if (kind === 'not-pipeline') return { pipeline: null, problems: b.problems, kind };

  try {
    for (const a of annotations) if (a.type === 'annotation') b.libraryArgs(a.args.map((x) => x.value));
    for (const p of pipelines) b.declarative(p);
    // Code outside `pipeline { }`: scripted pipelines, helper methods, preambles. Its job is placed at its first step.
    b.walkStmts(tree.statements, b.pseudoCtx('(outside stages)', null, 'outside-stages'));
  } catch (err) {
    // Walks are depth-limited; this only guards against stack exhaustion on absurd input.
    if (!(err instanceof RangeError)) throw err;
    b.problem('the file is nested too deeply to read completely', 0, 0);
  }

  const pipeline: Pipeline = {
    platform: 'jenkins',
    kind,
    file,
    triggers: b.triggers,
    env: b.env,
    jobs: b.jobs,
    references: b.references.sort((x, y) => x.span.offset - y.span.offset),
    expressions: b.expressions.sort((x, y) => x.span.offset - y.span.offset),
    inputs: b.inputs,
    document: new Document(),
  };
  const info: JenkinsPipelineInfo = { kind, libraries: b.libraries.sort((x, y) => x.span.offset - y.span.offset), tree };
  if (b.topAgent) info.agent = b.topAgent;
  jenkinsPipelineInfo.set(pipeline, info);
  b.problems.sort((x, y) => x.span.offset - y.span.offset);
  return { pipeline, problems: b.problems, kind };
}
