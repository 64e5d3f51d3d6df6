/**
 * Builds the pipeline model of a GitLab CI configuration: the root file, its
 * local includes (read through an injectable reader), `!reference` tags,
 * `extends:` and `default:`, merged the way GitLab merges them, with every
 * value keeping the file and place where it was written.
 *
 * Wrong shapes become problems with locations; whatever can still be read is
 * modelled. Nothing here throws on bad input.
 */
import { visit } from 'yaml';
import type { Scalar } from 'yaml';
import { isDynamic, parseImageRef } from '../../core/refs.js';
import { ScalarLocator } from '../../core/templated.js';
import { AliasBudgetExceeded, parseYaml, type YamlDoc } from '../../core/yaml.js';
import type {
  EnvVar, Environment, Expression, ExternalRef, Job, Pipeline, Runner, Step, Str, TemplatedText, Trigger,
} from '../../model/pipeline.js';
import { SourceFile, type Span } from '../../model/source.js';
import { and, evalOnlyExcept, evalRules, or, Variables, type RefPolicy, type RuleSpec, type Situation, type Tri } from './conditions.js';
import { componentRef, localGlob, normalizeLocal, projectRef, remoteRef, templateRef } from './include.js';
import {
  deepMergeAll, entry, flatItems, fromYaml, get, isNullNode, listOrOne, newBudget, NodeBudgetExceeded, str,
  type ConvertProblem, type MEntry, type MMap, type MNode, type MRef, type MScalar, type Origin,
} from './tree.js';
import { FileScopedMap } from '../../core/file-scoped.js';

// ---------------------------------------------------------------------------
// Public types

/** A local file as the reader returns it: parsed documents (a `spec:` header may come first). */
export interface LocalFile {
  file: SourceFile;
  docs: YamlDoc[];
  /** YAML problems found while parsing it, reported against this file. */
  problems?: { message: string; span: Span }[];
}

/** Reads a repository-relative path (no leading `/`, already checked not to leave the repository). */
export type ReadLocal = (path: string) => LocalFile | { error: string };

export interface LocalReader {
  read: ReadLocal;
  /** Repository-relative paths of every file, for wildcard includes (`ci/*.yml`). */
  list?: () => string[];
}

export interface GitlabProblem {
  message: string;
  span: Span;
  /** Path of the file the span is in (`SourceFile.path`). */
  file: string;
}

export interface GitlabBuildOutput {
  pipeline: Pipeline | null;
  problems: GitlabProblem[];
}

export interface RootInput {
  file: SourceFile;
  /** Every document of the root file (`spec:` header first when present). */
  docs?: YamlDoc[];
  /** A single document, for callers that have only one. */
  doc?: YamlDoc;
  /** Repository-relative path of the root file, to detect includes that come back to it (default `.gitlab-ci.yml`). */
  path?: string;
}

export type RunsFor = { mergeRequests: Tri; defaultBranch: Tri };

export interface GitlabInput {
  name: Str;
  type?: string;
  /** The default when it is a scalar; `null` when a non-scalar default is given. */
  default?: Str | null;
  options?: Str[];
  description?: string;
  regex?: string;
}

export interface GitlabInclude {
  kind: 'local' | 'remote' | 'project' | 'template' | 'component' | 'artifact';
  /** The path, URL, project or component as written. */
  value: Str;
  /** The include entry. */
  span: Span;
  /** File the include is written in. */
  file: SourceFile;
  /** For external kinds. */
  ref?: ExternalRef;
  /** Repository-relative paths of the local files it loaded. */
  loaded: string[];
  /** Names given under `inputs:`. */
  inputs: Str[];
  /** Has `rules:` (loaded here whether or not they match). */
  conditional: boolean;
  /** Written under `trigger: include:`: the file makes a child pipeline, not part of this one. */
  child?: true;
}

export interface GitlabCache {
  span: Span;
  key?: Str;
  keyFiles: Str[];
  keyPrefix?: Str;
  paths: Str[];
  policy?: Str;
  unprotect?: boolean;
  fallbackKeys: Str[];
}

export interface GitlabService {
  ref: ExternalRef;
  alias?: Str;
  command: Str[];
  entrypoint: Str[];
}

export type StepPhase = 'pre_get_sources_script' | 'before_script' | 'script' | 'after_script';

/** What the model has no field for, per job. */
export interface GitlabJobInfo {
  file: SourceFile;
  /** The job after includes, `!reference`, `extends` and `default:`, for rules that read beyond the model. */
  merged: MMap;
  stage?: Str;
  when?: Str;
  extends: Str[];
  rules: RuleSpec[];
  only?: RefPolicy;
  except?: RefPolicy;
  runsFor: RunsFor;
  /** A rule (or workflow rule) that lets the job run in a merge request pipeline. */
  mergeRequestSpan?: Span;
  image?: ExternalRef;
  services: GitlabService[];
  idTokens: { name: Str; aud: Str[] }[];
  secrets: { name: Str; provider?: string; span: Span }[];
  caches: GitlabCache[];
  environmentAction?: Str;
  artifacts?: { span: Span; paths: Str[]; untracked: boolean; reports: string[] };
  trigger?: { span: Span; project?: Str; includes: GitlabInclude[] };
  inherit: { default: boolean | string[]; variables: boolean | string[] };
}

export interface GitlabPipelineInfo {
  /** Root file first, then every local file loaded, in load order. */
  files: SourceFile[];
  includes: GitlabInclude[];
  /** The root file's `spec: inputs:` with everything declared. */
  inputs: GitlabInput[];
  /** `spec: inputs:` of included files (components, templates with inputs). */
  fileInputs: Map<SourceFile, GitlabInput[]>;
  stages: Str[];
  workflow: { rules: RuleSpec[]; runsFor: RunsFor; name?: TemplatedText };
  /** Some configuration comes from files not read here (remote, project, template, component, computed paths). */
  opaqueIncludes: boolean;
}

// ---------------------------------------------------------------------------
// Side tables, until the model has fields for these.

const spanFiles = new FileScopedMap<object, SourceFile>();
const jobInfos = new FileScopedMap<Job, GitlabJobInfo>();
const pipelineInfos = new FileScopedMap<Pipeline, GitlabPipelineInfo>();
const stepPhases = new FileScopedMap<Step, StepPhase>();

/**
 * The file something of a GitLab pipeline is written in: a Job, Step,
 * ExternalRef, Expression, Str or Span built here. Undefined for objects
 * from elsewhere (use `pipeline.file` then).
 */
export function fileOf(x: Job | Step | Span | { span: Span }): SourceFile | undefined {
  const direct = spanFiles.get(x);
  if (direct) return direct;
  const span = (x as { span?: Span }).span;
  return span ? spanFiles.get(span) : undefined;
}

/** Whether a job runs in a merge request pipeline and on a push to the default branch (workflow rules included). */
export function jobRunsFor(job: Job): RunsFor {
  return jobInfos.get(job)?.runsFor ?? { mergeRequests: 'unknown', defaultBranch: 'unknown' };
}

export function gitlabJobInfo(job: Job): GitlabJobInfo | undefined {
  return jobInfos.get(job);
}

export function gitlabPipelineInfo(pipeline: Pipeline): GitlabPipelineInfo | undefined {
  return pipelineInfos.get(pipeline);
}

export function stepPhase(step: Step): StepPhase | undefined {
  return stepPhases.get(step);
}

// ---------------------------------------------------------------------------

/** Top-level keys that are not jobs. `image` … `cache` at top level are the deprecated form of `default:`. */
const GLOBAL_KEYS = new Set(['stages', 'types', 'variables', 'include', 'default', 'workflow', 'spec', 'image', 'services', 'before_script', 'after_script', 'cache']);
const LEGACY_DEFAULT_KEYS = ['image', 'services', 'cache', 'before_script', 'after_script'];
const DEFAULT_KEYS = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout'];
const INCLUDE_KEYS = new Set(['local', 'remote', 'project', 'ref', 'file', 'template', 'component', 'artifact', 'job', 'inputs', 'rules', 'integrity', 'cache']);
const SECRET_PROVIDERS = ['vault', 'gcp_secret_manager', 'azure_key_vault', 'akeyless', 'aws_secrets_manager', 'gitlab_secrets_manager'];
/** GitLab.com hosted runner tags. */
const SAAS_TAG = /^saas-(linux|macos|windows)-[a-z0-9-]+$/i;
/** GitLab's limits: includes per pipeline (default), nesting of includes, `extends` levels, `!reference` nesting. */
const MAX_INCLUDES = 150;
const MAX_INCLUDE_DEPTH = 100;
const MAX_EXTENDS_DEPTH = 11;
const MAX_REFERENCE_DEPTH = 10;
const INPUT_EXPR = /\$\[\[([\s\S]*?)\]\]/g;

/**
 * GitLab-shipped templates whose whole content is known and decides when
 * pipelines run; they are merged like local files (as `template:<name>`).
 */
const KNOWN_TEMPLATES: Record<string, string> = {
  'Workflows/MergeRequest-Pipelines.gitlab-ci.yml': 'workflow:\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n    - if: $CI_COMMIT_TAG\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n',
  'Workflows/Branch-Pipelines.gitlab-ci.yml': 'workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n    - if: $CI_COMMIT_BRANCH\n',
};

class Builder {
  readonly problems: GitlabProblem[] = [];
  readonly files: SourceFile[] = [];
  readonly contentDocs: YamlDoc[] = [];
  readonly includes: GitlabInclude[] = [];
  readonly fileInputs = new Map<SourceFile, GitlabInput[]>();
  private readonly refs = new Set<ExternalRef>();
  private readonly textCache = new WeakMap<Scalar, TemplatedText>();
  private readonly imageCache = new WeakMap<Scalar, ExternalRef>();
  private readonly readCache = new Map<string, LocalFile | { error: string }>();
  private readonly budget = newBudget();
  private includeCount = 0;
  opaque = false;

  constructor(
    private readonly reader: LocalReader,
  ) {}

  // --- locations

  span(o: Origin): Span {
    const s = o.y.span(o.node);
    spanFiles.set(s, o.y.file);
    return s;
  }

  problem(message: string, at: Origin | { o: Origin }): void {
    const o = 'o' in at ? at.o : at;
    this.problems.push({ message, span: o.y.span(o.node), file: o.y.file.path });
  }

  /** Problems about a `!reference` point at the tag, which the node's range leaves out. */
  refProblem(message: string, ref: MRef): void {
    const span = ref.o.y.span(ref.o.node);
    const text = ref.o.y.file.text;
    const tag = text.lastIndexOf('!reference', span.offset);
    const start = tag >= 0 && /^\s*$/.test(text.slice(tag + '!reference'.length, span.offset)) ? tag : span.offset;
    this.problems.push({ message, span: ref.o.y.file.span(start, span.endOffset), file: ref.o.y.file.path });
  }

  convert(y: YamlDoc, node: unknown): MNode | null {
    const problems: ConvertProblem[] = [];
    const n = fromYaml(y, node, this.budget, problems);
    for (const p of problems) this.problem(p.message, p.origin);
    return n;
  }

  str(n: MNode | null | undefined): Str | undefined {
    if (!n || n.t !== 'scalar') return undefined;
    const value = str(n);
    if (value === undefined) return undefined;
    return { value, span: this.span(n.o) };
  }

  keyStr(e: MEntry): Str {
    return { value: e.key, span: this.span(e.keyOrigin) };
  }

  /** A scalar as text with its `$[[ … ]]` interpolations located; one object per scalar node. */
  text(y: YamlDoc, node: Scalar): TemplatedText {
    const cached = this.textCache.get(node);
    if (cached) return cached;
    const value = node.value === null || node.value === undefined ? '' : typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
    const span = this.span({ y, node });
    const expressions: Expression[] = [];
    if (value.includes('$[[')) {
      const locator = new ScalarLocator(y, node, value);
      for (const m of value.matchAll(INPUT_EXPR)) {
        const raw = m[1]!;
        const e: Expression = {
          raw,
          span: locator.span(m.index!, m.index! + m[0].length),
          ast: null,
          syntax: 'gitlab',
          path: raw.split('|')[0]!.trim(),
        };
        spanFiles.set(e.span, y.file);
        expressions.push(e);
      }
      const open = value.lastIndexOf('$[[');
      if (open >= 0 && value.indexOf(']]', open) < 0) {
        const e: Expression = { raw: value.slice(open + 3), span: locator.span(open, value.length), ast: null, syntax: 'gitlab', error: 'unterminated $[[ interpolation' };
        e.path = e.raw.split('|')[0]!.trim();
        spanFiles.set(e.span, y.file);
        expressions.push(e);
      }
    }
    const t: TemplatedText = { value, span, expressions };
    this.textCache.set(node, t);
    return t;
  }

  mtext(n: MNode | null | undefined): TemplatedText | undefined {
    if (!n || n.t !== 'scalar' || isNullNode(n)) return undefined;
    return this.text(n.o.y, n.node);
  }

  addRef(ref: ExternalRef, file: SourceFile): ExternalRef {
    spanFiles.set(ref.span, file);
    this.refs.add(ref);
    return ref;
  }

  image(n: MScalar): ExternalRef | undefined {
    const cached = this.imageCache.get(n.node);
    if (cached) return cached;
    const t = this.mtext(n);
    if (!t || t.value.trim() === '') return undefined;
    const ref = this.addRef(parseImageRef(t.value, t.span), n.o.y.file);
    this.imageCache.set(n.node, ref);
    return ref;
  }

  get references(): ExternalRef[] {
    const order = new Map(this.files.map((f, i) => [f, i]));
    const rank = (r: ExternalRef) => order.get(spanFiles.get(r.span)!) ?? 0;
    return [...this.refs].sort((a, b) => rank(a) - rank(b) || a.span.offset - b.span.offset);
  }

  // --- files and includes

  addFile(f: SourceFile): void {
    if (!this.files.includes(f)) this.files.push(f);
  }

  /** Splits a file's documents into the `spec:` header and the configuration. */
  documents(docs: YamlDoc[]): { header?: YamlDoc; content?: YamlDoc } {
    if (docs.length === 0) return {};
    const first = docs[0]!;
    const isHeader = docs.length >= 2 && first.get(first.contents, 'spec') !== null;
    const header = isHeader ? first : undefined;
    const content = isHeader ? docs[1] : first;
    const extra = docs[isHeader ? 2 : 1];
    if (extra) {
      const r = extra.doc.range;
      const span = extra.file.span(r?.[0] ?? 0, r?.[1] ?? 0);
      this.problems.push({ message: 'GitLab reads one configuration document (after an optional `spec:` header); later documents are ignored', span, file: extra.file.path });
    }
    return header ? (content ? { header, content } : { header }) : content ? { content } : {};
  }

  /** `spec: inputs:` of a header document. */
  inputs(specNode: MNode | null): GitlabInput[] {
    const out: GitlabInput[] = [];
    const inputs = get(specNode, 'inputs');
    if (!inputs || isNullNode(inputs)) return out;
    if (inputs.t !== 'map') {
      this.problem('`spec: inputs` must be a mapping of input names', inputs);
      return out;
    }
    for (const e of inputs.entries.values()) {
      const input: GitlabInput = { name: this.keyStr(e) };
      const v = e.value;
      if (v.t === 'map') {
        const type = str(get(v, 'type'));
        if (type) input.type = type;
        const def = entry(v, 'default');
        if (def) input.default = def.value.t === 'scalar' ? (this.str(def.value) ?? null) : null;
        const options = get(v, 'options');
        if (options) input.options = flatItems(options).map((o) => this.str(o)).filter((s): s is Str => !!s);
        const description = str(get(v, 'description'));
        if (description) input.description = description;
        const regex = str(get(v, 'regex'));
        if (regex) input.regex = regex;
      } else if (!isNullNode(v)) this.problem(`input \`${e.key}\` must be a mapping (type, default, options, description)`, v);
      out.push(input);
    }
    return out;
  }

  read(path: string): LocalFile | { error: string } {
    const cached = this.readCache.get(path);
    if (cached) return cached;
    let r: LocalFile | { error: string };
    try {
      r = this.reader.read(path);
    } catch (err) {
      r = { error: (err as Error).message ?? String(err) };
    }
    this.readCache.set(path, r);
    if ('file' in r) for (const p of r.problems ?? []) this.problems.push({ message: p.message, span: p.span, file: r.file.path });
    return r;
  }

  /** A file's configuration with its includes merged in: included files in order, then the file itself on top. */
  loadContent(y: YamlDoc, stack: string[]): MMap | null | 'invalid' {
    this.contentDocs.push(y);
    const root = this.convert(y, y.contents);
    if (!root || isNullNode(root)) return null;
    if (root.t !== 'map') {
      this.problem('a GitLab CI configuration must be a mapping of jobs and keywords', root);
      return 'invalid';
    }
    const inc = root.entries.get('include');
    if (!inc) return root;
    const parts: MNode[] = this.includeList(inc.value, stack, false);
    const entries = new Map(root.entries);
    entries.delete('include');
    parts.push({ t: 'map', entries, o: root.o });
    return deepMergeAll(parts) as MMap;
  }

  /**
   * The entries of an `include:` (top level, or `trigger: include:` when
   * `child` is set: those files make another pipeline and are not merged).
   */
  includeList(node: MNode, stack: string[], child: boolean, sink?: GitlabInclude[]): MMap[] {
    const out: MMap[] = [];
    const items = node.t === 'seq' ? node.items : [node];
    for (const item of items) {
      if (isNullNode(item)) continue;
      const inc = this.includeEntry(item, stack, child, out);
      if (inc) {
        if (child) inc.child = true;
        this.includes.push(inc);
        sink?.push(inc);
      }
    }
    return out;
  }

  includeEntry(item: MNode, stack: string[], child: boolean, out: MMap[]): GitlabInclude | undefined {
    const file = item.o.y.file;
    const base = (kind: GitlabInclude['kind'], value: Str, conditional = false, inputs: Str[] = []): GitlabInclude => ({
      kind, value, span: this.span(item.o), file, loaded: [], inputs, conditional,
    });
    if (item.t === 'scalar') {
      const value = this.str(item);
      if (!value) {
        this.problem('an include must be a path, a URL or a mapping', item);
        return undefined;
      }
      if (/^https?:\/\//i.test(value.value.trim())) {
        const inc = base('remote', value);
        inc.ref = this.addRef(remoteRef(value.value, value.span, undefined), file);
        if (!child) this.opaque = true;
        return inc;
      }
      const inc = base('local', value);
      if (!child) this.loadLocal(item, value, stack, inc, out);
      return inc;
    }
    if (item.t !== 'map') {
      this.problem('an include must be a path, a URL or a mapping (local, remote, project, template or component)', item);
      return undefined;
    }
    for (const e of item.entries.values()) {
      if (!INCLUDE_KEYS.has(e.key)) this.problem(`unknown key \`${e.key}\` in include`, e.keyOrigin);
    }
    const conditional = entry(item, 'rules') !== undefined;
    const inputsNode = get(item, 'inputs');
    const inputs = inputsNode && inputsNode.t === 'map' ? [...inputsNode.entries.values()].map((e) => this.keyStr(e)) : [];
    const forms = ['local', 'remote', 'project', 'template', 'component', 'artifact'].filter((k) => entry(item, k));
    if (forms.length === 0) {
      this.problem('unknown include form: expected `local`, `remote`, `project`, `template` or `component`', item);
      return undefined;
    }
    if (forms.length > 1) this.problem(`an include takes one of ${forms.map((f) => `\`${f}\``).join(', ')}, not several`, item);
    const kind = forms[0] as GitlabInclude['kind'];
    const valueNode = get(item, kind)!;
    const value = this.str(valueNode);
    if (!value || value.value.trim() === '') {
      this.problem(`\`${kind}\` in an include must be a non-empty string`, valueNode);
      return undefined;
    }
    const inc = base(kind, value, conditional, inputs);
    switch (kind) {
      case 'local':
        if (!child) this.loadLocal(valueNode, value, stack, inc, out);
        break;
      case 'remote': {
        const integrity = str(get(item, 'integrity'));
        inc.ref = this.addRef(remoteRef(value.value, value.span, integrity), file);
        break;
      }
      case 'project': {
        const fileNode = get(item, 'file');
        const files = listOrOne(fileNode).map((f) => str(f)).filter((s): s is string => s !== undefined);
        if (!fileNode || files.length === 0) this.problem('`include: project` needs `file:`', fileNode ?? item);
        inc.ref = this.addRef(projectRef(value.value, value.span, str(get(item, 'ref')), files), file);
        break;
      }
      case 'template': {
        inc.ref = this.addRef(templateRef(value.value, value.span), file);
        const known = KNOWN_TEMPLATES[value.value.trim()];
        if (known !== undefined && !child) {
          const tf = new SourceFile(`template:${value.value.trim()}`, known);
          const doc = parseYaml(tf).docs[0];
          const m = doc ? this.loadContent(doc, [...stack, tf.path]) : null;
          if (m && m !== 'invalid') {
            this.addFile(tf);
            inc.loaded.push(tf.path);
            out.push(m);
          }
          return inc;
        }
        break;
      }
      case 'component':
        inc.ref = this.addRef(componentRef(value.value, value.span), file);
        break;
      case 'artifact':
        if (!child) this.problem('`include: artifact` is only for child pipelines (`trigger: include:`)', item);
        else {
          // A file a job of this pipeline generates: computed at run time.
          inc.ref = this.addRef({ kind: 'include', raw: value.value, span: value.span, name: value.value, pin: 'dynamic' }, file);
        }
        break;
    }
    if (kind !== 'local' && kind !== 'artifact' && !child) this.opaque = true;
    return inc;
  }

  /** Resolves, reads and merges a local include. Problems point at `at` (the path as written). */
  loadLocal(at: MNode, value: Str, stack: string[], inc: GitlabInclude, out: MMap[]): void {
    if (isDynamic(value.value)) {
      // GitLab expands some CI/CD variables in include paths; the value is not known here.
      this.opaque = true;
      return;
    }
    const norm = normalizeLocal(value.value);
    if ('error' in norm) {
      this.problem(norm.error, at);
      return;
    }
    let paths: string[];
    if (norm.path.includes('*')) {
      if (!this.reader.list) {
        this.problem(`wildcard include \`${value.value}\` cannot be expanded: no file listing available`, at);
        return;
      }
      let all: string[] = [];
      try {
        all = this.reader.list();
      } catch (err) {
        this.problem(`wildcard include \`${value.value}\` cannot be expanded: ${(err as Error).message}`, at);
        return;
      }
      const re = localGlob(norm.path);
      paths = all.map((p) => p.replace(/\\/g, '/').replace(/^\/+/, '')).filter((p) => re.test(p)).sort();
      if (paths.length === 0) {
        this.problem(`local include \`${value.value}\` matches no file`, at);
        return;
      }
    } else paths = [norm.path];
    for (const path of paths) {
      if (stack.includes(path)) {
        this.problem(`include cycle: ${[...stack.slice(stack.indexOf(path)), path].join(' → ')}`, at);
        continue;
      }
      if (stack.length > MAX_INCLUDE_DEPTH) {
        this.problem(`includes are nested more than ${MAX_INCLUDE_DEPTH} levels deep`, at);
        return;
      }
      if (++this.includeCount > MAX_INCLUDES) {
        if (this.includeCount === MAX_INCLUDES + 1) this.problem(`more than ${MAX_INCLUDES} includes; GitLab refuses the pipeline`, at);
        return;
      }
      const r = this.read(path);
      if ('error' in r) {
        this.problem(`local include \`${path}\`: ${r.error}`, at);
        continue;
      }
      this.addFile(r.file);
      inc.loaded.push(path);
      const { header, content } = this.documents(r.docs);
      if (header && !this.fileInputs.has(r.file)) this.fileInputs.set(r.file, this.inputs(get(this.convert(header, header.contents), 'spec')));
      if (!content) continue;
      const m = this.loadContent(content, [...stack, path]);
      if (m && m !== 'invalid') out.push(m);
    }
  }

  // --- !reference

  resolveReferences(root: MMap): MMap {
    const memo = new Map<MRef, MNode | null>();
    const lookup = (path: string[], stack: MRef[], at: MRef): MNode | null => {
      let cur: MNode | null = root;
      for (let i = 0; i < path.length; i++) {
        if (cur && cur.t === 'ref') cur = resolve(cur, stack);
        if (cur && cur.t === 'seq' && /^\d+$/.test(path[i]!)) {
          // An index into a list (gitlab-ci-local extension; GitLab itself reads keys only).
          cur = cur.items[Number(path[i])] ?? null;
          if (!cur) {
            this.refProblem(`\`!reference [${path.join(', ')}]\`: no item ${path[i]}`, at);
            return null;
          }
          continue;
        }
        if (!cur || cur.t !== 'map') {
          this.refProblem(`\`!reference [${path.join(', ')}]\`: \`${path.slice(0, i).join('.')}\` is not a mapping`, at);
          return null;
        }
        const next: MEntry | undefined = cur.entries.get(path[i]!);
        if (!next) {
          // A job may come from an include not read here.
          if (i > 0 || !this.opaque) this.refProblem(`\`!reference [${path.join(', ')}]\`: ${i === 0 ? 'no job or template' : 'no key'} \`${path[i]}\``, at);
          return null;
        }
        cur = next.value;
      }
      return cur;
    };
    const resolve = (n: MNode, stack: MRef[]): MNode | null => {
      if (n.t === 'scalar') return n;
      if (n.t === 'ref') {
        if (memo.has(n)) return memo.get(n)!;
        if (stack.includes(n)) {
          this.refProblem(`\`!reference [${n.path.join(', ')}]\` refers to itself`, n);
          return null;
        }
        if (stack.length >= MAX_REFERENCE_DEPTH) {
          this.refProblem(`\`!reference\` tags are nested more than ${MAX_REFERENCE_DEPTH} levels deep`, n);
          return null;
        }
        const inner = [...stack, n];
        const target = lookup(n.path, inner, n);
        const result = target ? resolve(target, inner) : null;
        memo.set(n, result);
        return result;
      }
      if (n.t === 'seq') {
        let changed = false;
        const items: MNode[] = [];
        for (const it of n.items) {
          const r = resolve(it, stack);
          if (r !== it) changed = true;
          if (r) items.push(r);
        }
        return changed ? { t: 'seq', items, o: n.o } : n;
      }
      let changed = false;
      const entries = new Map<string, MEntry>();
      for (const [k, e] of n.entries) {
        const r = resolve(e.value, stack);
        if (r !== e.value) changed = true;
        if (r) entries.set(k, r === e.value ? e : { ...e, value: r });
      }
      return changed ? { t: 'map', entries, o: n.o } : n;
    };
    const r = resolve(root, []);
    return r && r.t === 'map' ? r : root;
  }

  // --- extends

  resolveExtends(root: MMap): Map<string, MMap> {
    // Each job or template as resolved, with the levels of `extends` below it. A result cut short by
    // the walk's own depth (a chain too deep for whoever asked) is not kept: it depends on the asker.
    const memo = new Map<string, { job: MMap; levels: number }>();
    const resolve = (name: string, job: MMap, stack: string[]): { job: MMap; levels: number; cut: boolean } => {
      const done = memo.get(name);
      if (done) return { ...done, cut: false };
      const ext = get(job, 'extends');
      if (!ext || isNullNode(ext)) return { job, levels: 0, cut: false };
      const parents: MNode[] = [];
      let levels = 0;
      let cut = false;
      for (const it of listOrOne(ext)) {
        const parentName = str(it);
        if (parentName === undefined) {
          this.problem('`extends` must name a job or template, or list them', it);
          continue;
        }
        if (parentName === name || stack.includes(parentName)) {
          this.problem(`\`extends\` cycle: ${[...stack, name, parentName].join(' → ')}`, it);
          continue;
        }
        if (stack.length >= MAX_EXTENDS_DEPTH - 1) {
          this.problem(`\`extends\` is nested more than ${MAX_EXTENDS_DEPTH} levels deep`, it);
          cut = true;
          continue;
        }
        const parent = root.entries.get(parentName)?.value;
        if (!parent) {
          if (!this.opaque) this.problem(`\`extends\`: no job or template \`${parentName}\``, it);
          continue;
        }
        if (parent.t !== 'map') {
          this.problem(`\`extends\`: \`${parentName}\` is not a job or template mapping`, it);
          continue;
        }
        const resolved = resolve(parentName, parent, [...stack, name]);
        // A parent already resolved may stand on a chain as deep as one walked here: the limit holds in
        // any order of the file's keys (templates resolved first used to chain without end, in quadratic time).
        if (resolved.levels >= MAX_EXTENDS_DEPTH - 1) {
          this.problem(`\`extends\` is nested more than ${MAX_EXTENDS_DEPTH} levels deep`, it);
          continue;
        }
        cut ||= resolved.cut;
        levels = Math.max(levels, resolved.levels + 1);
        parents.push(resolved.job);
      }
      const out = parents.length > 0 ? (deepMergeAll([...parents, job]) as MMap) : job;
      if (!cut) memo.set(name, { job: out, levels });
      return { job: out, levels, cut };
    };
    const out = new Map<string, MMap>();
    for (const [name, e] of root.entries) {
      if (GLOBAL_KEYS.has(name) || e.value.t !== 'map') continue;
      out.set(name, resolve(name, e.value, []).job);
    }
    return out;
  }

  // --- model pieces

  env(n: MNode | null): EnvVar[] {
    if (!n || isNullNode(n) || interpolated(n)) return [];
    if (n.t !== 'map') {
      this.problem('`variables` must be a mapping of names to values', n);
      return [];
    }
    const out: EnvVar[] = [];
    for (const e of n.entries.values()) {
      const v = e.value;
      let value: TemplatedText | null = null;
      if (v.t === 'scalar') value = isNullNode(v) ? null : this.mtext(v) ?? null;
      else if (v.t === 'map') value = this.mtext(get(v, 'value')) ?? null;
      else this.problem(`variable \`${e.key}\` must be a string or a mapping with \`value\``, v);
      out.push({ name: this.keyStr(e), value });
    }
    return out;
  }

  ruleSpecs(n: MNode | null, what: string, jobWhen?: string): RuleSpec[] {
    if (!n || isNullNode(n)) return [];
    // Rules from an input: whether they match is unknown.
    if (interpolated(n)) return [{ span: this.span(n.o), dependsOnFiles: true }];
    if (n.t !== 'seq') {
      this.problem(`\`${what}\` must be a list of rules`, n);
      return [];
    }
    const out: RuleSpec[] = [];
    for (const r of flatItems(n)) {
      if (interpolated(r)) {
        out.push({ span: this.span(r.o), dependsOnFiles: true });
        continue;
      }
      if (r.t !== 'map') {
        this.problem(`each entry of \`${what}\` must be a mapping (if, changes, exists, when)`, r);
        continue;
      }
      const spec: RuleSpec = { span: this.span(r.o), dependsOnFiles: entry(r, 'changes') !== undefined || entry(r, 'exists') !== undefined };
      const cond = str(get(r, 'if'));
      if (cond !== undefined) spec.if = cond;
      const when = str(get(r, 'when')) ?? jobWhen;
      if (when !== undefined) spec.when = when;
      out.push(spec);
    }
    return out;
  }

  policy(n: MNode | null, what: string): RefPolicy | undefined {
    if (!n || isNullNode(n)) return undefined;
    const p: RefPolicy = { span: this.span(n.o) };
    if (n.t === 'scalar' || n.t === 'seq') {
      p.refs = listOrOne(n).map((r) => str(r)).filter((s): s is string => s !== undefined);
      return p;
    }
    if (n.t !== 'map') return undefined;
    const refs = get(n, 'refs');
    if (refs) p.refs = listOrOne(refs).map((r) => str(r)).filter((s): s is string => s !== undefined);
    const vars = get(n, 'variables');
    if (vars) p.variables = listOrOne(vars).map((r) => str(r)).filter((s): s is string => s !== undefined);
    if (entry(n, 'changes')) p.changes = true;
    if (entry(n, 'kubernetes')) p.kubernetes = true;
    for (const e of n.entries.values()) {
      if (!['refs', 'variables', 'changes', 'kubernetes'].includes(e.key)) this.problem(`unknown key \`${e.key}\` in \`${what}\``, e.keyOrigin);
    }
    return p;
  }

  strList(n: MNode | null): Str[] {
    return listOrOne(n).map((x) => this.str(x)).filter((s): s is Str => !!s);
  }

  caches(n: MNode | null): GitlabCache[] {
    const out: GitlabCache[] = [];
    for (const c of n && n.t === 'seq' ? flatItems(n) : n && !isNullNode(n) ? [n] : []) {
      if (interpolated(c)) continue;
      if (c.t !== 'map') {
        this.problem('`cache` must be a mapping (key, paths, policy) or a list of them', c);
        continue;
      }
      const cache: GitlabCache = { span: this.span(c.o), keyFiles: [], paths: this.strList(get(c, 'paths')), fallbackKeys: this.strList(get(c, 'fallback_keys')) };
      const key = get(c, 'key');
      if (key && key.t === 'map') {
        cache.keyFiles = this.strList(get(key, 'files'));
        const prefix = this.str(get(key, 'prefix'));
        if (prefix) cache.keyPrefix = prefix;
      } else {
        const k = this.str(key);
        if (k) cache.key = k;
      }
      const policy = this.str(get(c, 'policy'));
      if (policy) cache.policy = policy;
      const unprotect = str(get(c, 'unprotect'));
      if (unprotect !== undefined) cache.unprotect = unprotect === 'true';
      out.push(cache);
    }
    return out;
  }

  runner(n: MNode | null): Runner | undefined {
    if (!n || isNullNode(n)) return undefined;
    // `tags: $[[ inputs.tags ]]` and plain strings are read as one tag.
    if (n.t !== 'seq' && n.t !== 'scalar') {
      this.problem('`tags` must be a list of runner tags', n);
      return undefined;
    }
    const labels: Str[] = [];
    for (const it of listOrOne(n)) {
      const t = this.mtext(it);
      if (t) labels.push(t);
      else this.problem('runner tags must be strings', it);
    }
    if (labels.length === 0) return undefined;
    // Hosted only when every tag names a GitLab.com hosted runner; other tags may be self-managed runners.
    const selfHosted: Runner['selfHosted'] = labels.every((l) => SAAS_TAG.test(l.value.trim())) ? 'no' : 'unknown';
    return { span: this.span(n.o), labels, selfHosted };
  }

  inherit(n: MNode | null, key: string): boolean | string[] {
    const v = get(n, key);
    if (!v || isNullNode(v)) return true;
    if (v.t === 'scalar') return str(v) !== 'false';
    return listOrOne(v).map((x) => str(x)).filter((s): s is string => s !== undefined);
  }

  steps(job: MMap, name: string): Step[] {
    const steps: Step[] = [];
    const phases: [StepPhase, MNode | null][] = [
      ['pre_get_sources_script', get(get(job, 'hooks'), 'pre_get_sources_script')],
      ['before_script', get(job, 'before_script')],
      ['script', get(job, 'script')],
      ['after_script', get(job, 'after_script')],
    ];
    for (const [phase, node] of phases) {
      if (!node || isNullNode(node)) continue;
      if (node.t !== 'scalar' && node.t !== 'seq') {
        this.problem(`\`${phase}\` of job \`${name}\` must be a string or a list of strings`, node);
        continue;
      }
      for (const line of node.t === 'seq' ? flatItems(node) : [node]) {
        if (line.t !== 'scalar' || isNullNode(line)) {
          const hint = line.t === 'map' ? ' (quote lines that contain `: `)' : '';
          this.problem(`each line of \`${phase}\` must be a string${hint}`, line);
          continue;
        }
        const t = this.text(line.o.y, line.node);
        const step: Step = {
          index: steps.length,
          span: t.span,
          anchor: t.span,
          with: new Map(),
          env: [],
          node: line.o.node,
          script: { kind: 'run', shell: 'sh', text: t.value, span: t.span, expressions: t.expressions },
        };
        stepPhases.set(step, phase);
        spanFiles.set(step, line.o.y.file);
        steps.push(step);
      }
    }
    return steps;
  }

  job(e: MEntry, merged: MMap, ctx: { vars: Map<string, string>; workflow: Record<Situation, { runs: Tri; span?: Span }> }): Job {
    const name = e.key;
    const file = merged.o.y.file;
    const job: Job = {
      id: this.keyStr(e),
      span: this.span(merged.o),
      env: this.env(get(merged, 'variables')),
      steps: this.steps(merged, name),
      needs: [],
      with: new Map(),
      secrets: [],
      images: [],
      node: merged.o.node,
    };
    spanFiles.set(job, file);
    const info: GitlabJobInfo = {
      file,
      merged,
      extends: this.strList(get(merged, 'extends')),
      rules: [],
      runsFor: { mergeRequests: 'unknown', defaultBranch: 'unknown' },
      services: [],
      idTokens: [],
      secrets: [],
      caches: this.caches(get(merged, 'cache')),
      inherit: { default: this.inherit(get(merged, 'inherit'), 'default'), variables: this.inherit(get(merged, 'inherit'), 'variables') },
    };
    const stage = this.str(get(merged, 'stage'));
    if (stage) info.stage = stage;
    const when = this.str(get(merged, 'when'));
    if (when) info.when = when;

    // Images.
    const imageNode = get(merged, 'image');
    if (imageNode && !isNullNode(imageNode)) {
      const nameNode = imageNode.t === 'map' ? get(imageNode, 'name') : imageNode;
      if (nameNode && nameNode.t === 'scalar') {
        const ref = this.image(nameNode);
        if (ref) {
          info.image = ref;
          job.images.push(ref);
        }
      } else if (!interpolated(nameNode)) this.problem('`image` must be a string or a mapping with `name`', nameNode ?? imageNode);
    }
    const servicesNode = get(merged, 'services');
    if (servicesNode && !isNullNode(servicesNode)) {
      if (servicesNode.t !== 'seq' && !interpolated(servicesNode)) this.problem('`services` must be a list', servicesNode);
      else for (const s of listOrOne(servicesNode)) {
        const nameNode = s.t === 'map' ? get(s, 'name') : s;
        if (!nameNode || nameNode.t !== 'scalar') {
          this.problem('each service must be an image name or a mapping with `name`', nameNode ?? s);
          continue;
        }
        const ref = this.image(nameNode);
        if (!ref) continue;
        job.images.push(ref);
        const svc: GitlabService = { ref, command: this.strList(get(s, 'command')), entrypoint: this.strList(get(s, 'entrypoint')) };
        const alias = this.str(get(s, 'alias'));
        if (alias) svc.alias = alias;
        info.services.push(svc);
      }
    }

    // Runner.
    const runner = this.runner(get(merged, 'tags'));
    if (runner) job.runner = runner;

    // Needs.
    for (const n of listOrOne(get(merged, 'needs'))) {
      const s = n.t === 'map' ? this.str(get(n, 'job')) ?? this.str(get(n, 'pipeline')) : this.str(n);
      if (s) job.needs.push(s);
    }

    // Environment.
    const envNode = get(merged, 'environment');
    if (envNode && !isNullNode(envNode)) {
      const nameNode = envNode.t === 'map' ? get(envNode, 'name') : envNode;
      const envName = this.mtext(nameNode);
      if (envName) {
        const env: Environment = { name: envName, span: this.span(envNode.o) };
        job.environment = env;
      } else if (!interpolated(nameNode)) this.problem('`environment` must be a name or a mapping with `name`', nameNode ?? envNode);
      const action = this.str(get(envNode, 'action'));
      if (action) info.environmentAction = action;
    }

    // id_tokens, secrets.
    const idTokens = get(merged, 'id_tokens');
    if (idTokens && !isNullNode(idTokens)) {
      if (interpolated(idTokens)) {
        // From an input.
      } else if (idTokens.t !== 'map') this.problem('`id_tokens` must be a mapping of token names', idTokens);
      else for (const t of idTokens.entries.values()) info.idTokens.push({ name: this.keyStr(t), aud: this.strList(get(t.value, 'aud')) });
    }
    const secrets = get(merged, 'secrets');
    if (secrets && !isNullNode(secrets)) {
      if (interpolated(secrets)) {
        // From an input.
      } else if (secrets.t !== 'map') this.problem('`secrets` must be a mapping of variable names', secrets);
      else for (const s of secrets.entries.values()) {
        const provider = SECRET_PROVIDERS.find((p) => entry(s.value, p));
        info.secrets.push(provider ? { name: this.keyStr(s), provider, span: this.span(s.value.o) } : { name: this.keyStr(s), span: this.span(s.value.o) });
      }
    }

    // Artifacts.
    const artifacts = get(merged, 'artifacts');
    if (artifacts && artifacts.t === 'map') {
      const reports = get(artifacts, 'reports');
      info.artifacts = {
        span: this.span(artifacts.o),
        paths: this.strList(get(artifacts, 'paths')),
        untracked: str(get(artifacts, 'untracked')) === 'true',
        reports: reports && reports.t === 'map' ? [...reports.entries.keys()] : [],
      };
    }

    // Child and downstream pipelines.
    const trigger = get(merged, 'trigger');
    if (trigger && !isNullNode(trigger)) {
      const t: NonNullable<GitlabJobInfo['trigger']> = { span: this.span(trigger.o), includes: [] };
      const project = trigger.t === 'scalar' ? this.str(trigger) : this.str(get(trigger, 'project'));
      if (project) t.project = project;
      const inc = get(trigger, 'include');
      if (inc) this.includeList(inc, [], true, t.includes);
      info.trigger = t;
    }

    // When it runs.
    const rulesNode = get(merged, 'rules');
    const onlyNode = get(merged, 'only');
    const exceptNode = get(merged, 'except');
    if (rulesNode && (onlyNode || exceptNode)) this.problem(`job \`${name}\` uses \`rules\` together with \`only\`/\`except\`, which GitLab refuses`, rulesNode);
    info.rules = this.ruleSpecs(rulesNode, 'rules', when?.value);
    const only = this.policy(onlyNode, 'only');
    if (only) info.only = only;
    const except = this.policy(exceptNode, 'except');
    if (except) info.except = except;
    const declared = new Map(ctx.vars);
    for (const v of job.env) if (v.value) declared.set(v.name.value, v.value.value);
    const decide = (s: Situation): { runs: Tri; span?: Span } => {
      const vars = new Variables(s, declared);
      const wf = ctx.workflow[s];
      const own = rulesNode ? evalRules(info.rules, vars) : { runs: evalOnlyExcept(only, except, vars) };
      const runs = and(wf.runs, own.runs);
      const span = runs === false ? undefined : own.span ?? wf.span;
      return span ? { runs, span } : { runs };
    };
    const mr = decide('merge_request');
    info.runsFor = { mergeRequests: mr.runs, defaultBranch: decide('default_branch').runs };
    if (mr.span) info.mergeRequestSpan = mr.span;

    if (!entry(merged, 'script') && !entry(merged, 'trigger') && !entry(merged, 'run') && !this.opaque) {
      this.problem(`job \`${name}\` needs \`script\`, \`run\` or \`trigger\``, e.keyOrigin);
    }
    jobInfos.set(job, info);
    return job;
  }

  /**
   * Images written where no visible job uses them here (hidden templates,
   * `default:`): other pipelines may extend them, so they are references too.
   */
  templateImages(holder: MNode | null | undefined): void {
    if (!holder || holder.t !== 'map') return;
    const image = get(holder, 'image');
    const imageName = image && image.t === 'map' ? get(image, 'name') : image;
    if (imageName && imageName.t === 'scalar') this.image(imageName);
    const services = get(holder, 'services');
    for (const s of services && services.t === 'seq' ? flatItems(services) : []) {
      const n = s.t === 'map' ? get(s, 'name') : s;
      if (n && n.t === 'scalar') this.image(n);
    }
  }

  /** Every `$[[ … ]]` in the loaded files, in file order then source order. */
  expressions(): Expression[] {
    const out: Expression[] = [];
    for (const y of this.contentDocs) {
      const here: Expression[] = [];
      visit(y.doc, {
        Scalar: (_k, node) => {
          if (typeof node.value === 'string' && node.value.includes('$[[')) here.push(...this.text(y, node).expressions);
        },
      });
      here.sort((a, b) => a.span.offset - b.span.offset);
      out.push(...here);
    }
    return [...new Set(out)];
  }
}

/** A scalar that `$[[ inputs.x ]]` replaces before GitLab reads its shape (an input of type array may become a list). */
function interpolated(n: MNode | null | undefined): boolean {
  return !!n && n.t === 'scalar' && typeof n.node.value === 'string' && n.node.value.includes('$[[');
}

function asReader(r: ReadLocal | LocalReader): LocalReader {
  return typeof r === 'function' ? { read: r } : r;
}

/**
 * Builds a GitLab CI pipeline from its root file. Local includes are read
 * through `reader` (paths relative to the repository root); remote, project,
 * template and component includes become `ExternalRef`s of kind `include`.
 */
export function buildGitlab(root: RootInput, reader: ReadLocal | LocalReader): GitlabBuildOutput {
  const b = new Builder(asReader(reader));
  try {
    const out = build(b, root);
    // A file included twice is read twice: say each thing once.
    const seen = new Set<string>();
    out.problems = out.problems.filter((p) => {
      const k = `${p.file}\0${p.span.offset}\0${p.span.endOffset}\0${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return out;
  } catch (err) {
    if (err instanceof AliasBudgetExceeded || err instanceof NodeBudgetExceeded) {
      return { pipeline: null, problems: [...b.problems, { message: `configuration is too large to expand: ${err.message}`, span: root.file.span(0, 0), file: root.file.path }] };
    }
    const message = err instanceof RangeError ? 'configuration is nested too deeply to expand' : `internal error while reading the GitLab configuration: ${(err as Error)?.message ?? String(err)}`;
    return { pipeline: null, problems: [...b.problems, { message, span: root.file.span(0, 0), file: root.file.path }] };
  }
}

function build(b: Builder, root: RootInput): GitlabBuildOutput {
  const file = root.file;
  b.addFile(file);
  const docs = root.docs ?? (root.doc ? [root.doc] : []);
  const { header, content } = b.documents(docs);
  const anyDoc = content ?? header;
  if (!anyDoc) return { pipeline: null, problems: [...b.problems, { message: 'the GitLab CI file is empty', span: file.span(0, 0), file: file.path }] };

  let inputs: GitlabInput[] = [];
  if (header) inputs = b.inputs(get(b.convert(header, header.contents), 'spec'));
  b.fileInputs.set(file, inputs);

  const rootNorm = normalizeLocal(root.path ?? '.gitlab-ci.yml');
  const stack = 'path' in rootNorm ? [rootNorm.path] : [];
  const loaded = content ? b.loadContent(content, stack) : null;
  // Not a mapping: already reported.
  if (loaded === 'invalid') return { pipeline: null, problems: b.problems };
  let merged: MMap | null = loaded;
  const emptyOrigin: Origin = { y: anyDoc, node: (anyDoc.contents ?? { range: [0, 0, 0] }) as Origin['node'] };
  if (!merged) merged = { t: 'map', entries: new Map(), o: emptyOrigin };
  merged = b.resolveReferences(merged);

  // `spec:` belongs in the header document; in the configuration, a `spec:` with
  // `inputs:` is a misplaced header, anything else an ordinary job named spec.
  const specInContent = merged.entries.get('spec');
  const specIsHeader = !!specInContent && (isNullNode(specInContent.value) || entry(specInContent.value, 'inputs') !== undefined || entry(specInContent.value, 'component') !== undefined);
  if (specInContent && specIsHeader) {
    b.problem('`spec:` must be in a header document that ends with `---`, before the configuration', specInContent.keyOrigin);
    if (specInContent.keyOrigin.y === content) inputs = b.inputs(specInContent.value);
  }

  // Global keywords.
  const globalVars = get(merged, 'variables');
  const pipelineEnv = b.env(globalVars);
  const varValues = new Map<string, string>();
  for (const v of pipelineEnv) if (v.value) varValues.set(v.name.value, v.value.value);
  const stages = b.strList(get(merged, 'stages') ?? get(merged, 'types'));
  const workflowNode = get(merged, 'workflow');
  if (workflowNode && !isNullNode(workflowNode) && workflowNode.t !== 'map') b.problem('`workflow` must be a mapping', workflowNode);
  const workflowRulesNode = get(workflowNode, 'rules');
  const workflowRules = b.ruleSpecs(workflowRulesNode, 'workflow: rules');
  const workflowEval = (s: Situation): { runs: Tri; span?: Span } =>
    workflowRulesNode ? evalRules(workflowRules, new Variables(s, varValues)) : { runs: true };
  const workflow = { merge_request: workflowEval('merge_request'), default_branch: workflowEval('default_branch') };
  const defaultNode = get(merged, 'default');
  if (defaultNode && !isNullNode(defaultNode) && defaultNode.t !== 'map') b.problem('`default` must be a mapping', defaultNode);

  // `default:` over the deprecated top-level forms.
  const defaults = new Map<string, MEntry>();
  for (const k of LEGACY_DEFAULT_KEYS) {
    const e = merged.entries.get(k);
    if (e) defaults.set(k, e);
  }
  if (defaultNode && defaultNode.t === 'map') for (const [k, e] of defaultNode.entries) if (DEFAULT_KEYS.includes(k)) defaults.set(k, e);

  // Jobs: visible top-level keys that are not keywords, after `extends`, then `default:`.
  const extended = b.resolveExtends(merged);
  const jobs: Job[] = [];
  for (const [name, e] of merged.entries) {
    if ((GLOBAL_KEYS.has(name) && !(name === 'spec' && !specIsHeader)) || name.startsWith('.')) continue;
    if (e.value.t !== 'map') {
      b.problem(`job \`${name}\` must be a mapping`, isNullNode(e.value) ? e.keyOrigin : e.value.o);
      continue;
    }
    let jobMap = extended.get(name) ?? e.value;
    const inheritDefault = b.inherit(get(jobMap, 'inherit'), 'default');
    if (inheritDefault !== false && defaults.size > 0) {
      const entries = new Map(jobMap.entries);
      for (const [k, d] of defaults) {
        if (entries.has(k)) continue;
        if (Array.isArray(inheritDefault) && !inheritDefault.includes(k)) continue;
        entries.set(k, d);
      }
      jobMap = { t: 'map', entries, o: jobMap.o };
    }
    jobs.push(b.job(e, jobMap, { vars: varValues, workflow }));
  }
  b.templateImages(merged);
  b.templateImages(defaultNode);
  for (const [name, e] of merged.entries) if (name.startsWith('.')) b.templateImages(extended.get(name) ?? e.value);

  // Triggers. Merge request pipelines run in the project the merge request
  // comes from: for a fork, in the fork, with the fork's variables and
  // runners, so an outsider can cause them but they get no secrets of this
  // project (unless a maintainer runs the pipeline in the parent project, a
  // manual action). Pushes need write access: collaborator, with the
  // project's variables (protected ones on protected branches).
  // Trigger spans must be in the root file (a Trigger has no file): the
  // deciding rule when it is there, else the root's `workflow:`, `include:` or
  // first key.
  const triggers: Trigger[] = [];
  const inRoot = (s: Span | undefined) => (s && spanFiles.get(s) === file ? s : undefined);
  const rootKey = (k: string) => {
    const p = content?.pair(content.contents, k);
    return p ? content!.span(p.key as Origin['node']) : undefined;
  };
  const firstKey = () => {
    const p = content ? content.pairs(content.contents)[0] : undefined;
    return p ? content!.span(p.key as Origin['node']) : file.span(0, 0);
  };
  const fallback = () => rootKey('workflow') ?? rootKey('include') ?? jobs.map((j) => inRoot(j.id.span)).find((s) => s) ?? firstKey();
  const mr = jobs.map((j) => jobInfos.get(j)!.runsFor.mergeRequests).reduce<Tri>(or, false);
  if (mr !== false) {
    const span = inRoot(workflow.merge_request.span) ?? jobs.map((j) => inRoot(jobInfos.get(j)!.mergeRequestSpan)).find((s) => s) ?? fallback();
    triggers.push({ event: 'merge_request_event', span, actor: 'external', privileged: false });
  }
  const push = jobs.length === 0 ? workflow.default_branch.runs : jobs.map((j) => jobInfos.get(j)!.runsFor.defaultBranch).reduce<Tri>(or, false);
  if (push !== false) triggers.push({ event: 'push', span: inRoot(workflow.default_branch.span) ?? fallback(), actor: 'collaborator', privileged: true });

  const declared = new Map<string, { name: Str; type?: string }>();
  for (const i of inputs) declared.set(i.name.value, { name: i.name, type: i.type ?? 'string' });

  const pipeline: Pipeline = {
    platform: 'gitlab',
    kind: 'pipeline',
    file,
    triggers,
    env: pipelineEnv,
    jobs,
    references: [],
    expressions: [],
    inputs: declared,
    document: anyDoc.doc,
  };
  const wfName = b.mtext(get(workflowNode, 'name'));
  if (wfName) pipeline.name = wfName;
  // Trigger includes were parsed with the jobs; collect references last.
  pipeline.references = b.references;
  pipeline.expressions = b.expressions();
  const info: GitlabPipelineInfo = {
    files: b.files,
    includes: b.includes,
    inputs,
    fileInputs: b.fileInputs,
    stages,
    workflow: { rules: workflowRules, runsFor: { mergeRequests: workflow.merge_request.runs, defaultBranch: workflow.default_branch.runs } },
    opaqueIncludes: b.opaque,
  };
  if (wfName) info.workflow.name = wfName;
  pipelineInfos.set(pipeline, info);
  return { pipeline, problems: b.problems };
}
