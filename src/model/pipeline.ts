import type { Document, Node as YamlNode } from 'yaml';
import type { ExprNode } from '../expr/ast.js';
import type { SourceFile, Span } from './source.js';

/** Platforms pipewarden knows, matching the catalog's platform tags. */
export type Platform = 'gha' | 'gitlab' | 'jenkins' | 'tekton' | 'argo' | 'k8s' | 'docker' | 'dagger' | 'dependabot';

/** A string from the source with where it stands. */
export interface Str {
  value: string;
  span: Span;
}

/**
 * Template languages that substitute values into text before an interpreter
 * reads it: GitHub `${{ }}`, GitLab `$[[ inputs.x ]]`, Tekton `$(params.x)`,
 * Argo `{{inputs.parameters.x}}`, Groovy GString `${params.X}`.
 */
export type TemplateSyntax = 'gha' | 'gitlab' | 'tekton' | 'argo' | 'groovy';

/** One template substitution (`${{ … }}`, a bare `if:` condition, `$(params.x)` …) with its exact location. */
export interface Expression {
  /** Text between the delimiters, untrimmed. */
  raw: string;
  /** Location of the whole substitution, delimiters included (or of the bare condition). */
  span: Span;
  /** Parsed GitHub expression; null for other syntaxes or when it did not parse. */
  ast: ExprNode | null;
  /** Why the expression did not parse, when it did not. */
  error?: string;
  /** Absent means `gha`. */
  syntax?: TemplateSyntax;
  /** For non-GitHub syntaxes: the referenced value as a dotted path (`inputs.x`, `params.x`, `body.pull_request.title`). */
  path?: string;
}

/** A scalar value that may contain template expressions. */
export interface TemplatedText extends Str {
  expressions: Expression[];
}

/**
 * Who can cause an event, from least to most trusted.
 * - external: anyone with a GitHub account (fork pull requests, issue comments)
 * - collaborator: someone with write access (push, manual dispatch)
 * - maintainer: repository administrators (releases, environment changes)
 * - system: the platform itself (schedules)
 */
export type TrustLevel = 'external' | 'collaborator' | 'maintainer' | 'system';

export interface Trigger {
  event: string;
  span: Span;
  actor: TrustLevel;
  /** The run gets the repository's secrets and a token that can write. */
  privileged: boolean;
  /** Activity types it is limited to, when given (`types: [opened]`). */
  types?: string[];
}

export type PinState =
  /** full commit SHA (actions) */
  | 'hash'
  /** content digest (images, bundles) */
  | 'digest'
  /** a version tag or other mutable ref */
  | 'tag'
  /** no version at all, or `latest` */
  | 'unpinned'
  /** code in the same repository */
  | 'local'
  /** computed at run time; cannot be judged */
  | 'dynamic';

export type RefKind = 'action' | 'reusable-workflow' | 'image' | 'include' | 'library' | 'bundle' | 'module';

export interface ExternalRef {
  kind: RefKind;
  /** As written. */
  raw: string;
  span: Span;
  /** For actions: `owner/repo` (lower-cased owner kept as written); for images: registry/repository. */
  name: string;
  owner?: string;
  repo?: string;
  /** Path inside the repository for actions in sub-folders and reusable workflows. */
  path?: string;
  /** Tag, branch or commit as written after `@` or `:`. */
  version?: string;
  digest?: string;
  pin: PinState;
}

export interface EnvVar {
  name: Str;
  value: TemplatedText | null;
}

export type PermissionLevel = 'read' | 'write' | 'none';

export interface Permissions {
  span: Span;
  /** `read-all`, `write-all`, `{}` (none), a scope map, or an expression. */
  kind: 'read-all' | 'write-all' | 'none' | 'scopes' | 'dynamic';
  scopes: Map<string, { level: PermissionLevel; span: Span }>;
}

export type ShellKind = 'bash' | 'sh' | 'pwsh' | 'powershell' | 'cmd' | 'python' | 'javascript' | 'unknown';

/** Code that an interpreter runs, after the platform has substituted its templates into it. */
export interface Script {
  /** `run` for shell steps, `github-script` for JavaScript run by actions/github-script, `input` for other action inputs evaluated as code. */
  kind: 'run' | 'github-script' | 'input';
  shell: ShellKind;
  text: string;
  span: Span;
  expressions: Expression[];
}

export interface StepInput {
  key: Str;
  value: TemplatedText;
}

/**
 * A container as Kubernetes describes it (Tekton steps and sidecars, Argo
 * templates, pod containers). Rules read the security-relevant keys from
 * `node` (securityContext, resources, volumeMounts) through a YamlDoc.
 */
export interface ContainerSpec {
  name?: Str;
  image?: ExternalRef;
  /** The container mapping. */
  node: YamlNode;
  /** `step`, `sidecar`, `stepTemplate`, `container`, `script`, `init` … */
  role: string;
}

export interface Step {
  index: number;
  id?: Str;
  name?: Str;
  /** Span of the whole step. */
  span: Span;
  /** Span to point at when the step as a whole is at fault: its `uses:`/`run:`/name line. */
  anchor: Span;
  uses?: ExternalRef;
  with: Map<string, StepInput>;
  script?: Script;
  env: EnvVar[];
  if?: TemplatedText;
  /** Kubernetes-style platforms: the container the step runs in. */
  container?: ContainerSpec;
  /** The YAML node, for rules that must read beyond the model. */
  node: YamlNode;
}

export interface Runner {
  span: Span;
  labels: Str[];
  /** yes: a self-hosted label; no: only hosted labels; unknown: computed or a group. */
  selfHosted: 'yes' | 'no' | 'unknown';
}

export interface Environment {
  name: TemplatedText;
  span: Span;
}

export interface Job {
  id: Str;
  name?: Str;
  span: Span;
  runner?: Runner;
  permissions?: Permissions;
  env: EnvVar[];
  steps: Step[];
  if?: TemplatedText;
  needs: Str[];
  environment?: Environment;
  /** Call of a reusable workflow. */
  uses?: ExternalRef;
  with: Map<string, StepInput>;
  /** GitHub job `outputs:` by name (values usually `${{ steps.<id>.outputs.<name> }}`). */
  outputs?: Map<string, StepInput>;
  /** `secrets: inherit` on a reusable workflow call. */
  secretsInherit?: Span;
  secrets: EnvVar[];
  /** Container images the job runs in or beside (`container:`, `services:`). */
  images: ExternalRef[];
  /** Kubernetes-style platforms: containers beside the steps (sidecars) and defaults (stepTemplate). */
  containers?: ContainerSpec[];
  /** Kubernetes-style platforms: the pod-level mapping (pod spec, podTemplate) when there is one. */
  pod?: YamlNode;
  /** Service account the job's pod runs as, when named. */
  serviceAccount?: Str;
  node: YamlNode;
}

/** Identity of a Kubernetes object (Tekton, Argo and plain Kubernetes kinds). */
export interface KubeMeta {
  apiVersion: string;
  kind: string;
  name?: Str;
  namespace?: string;
  /** Span of the object's `kind:` line, where whole-object findings point. */
  span: Span;
  /** The object's mapping (a file may hold many objects, so the document root is not enough). */
  objectNode?: YamlNode;
  /** The service account a run, workflow or listener names for its pods. */
  serviceAccount?: Str;
  /** The object's own `metadata.namespace` value, where a finding about its namespace points. */
  namespaceSpan?: Span;
  /**
   * Storage bound to a claim that already exists (Tekton runs' `workspaces`,
   * Argo workflows' `volumes`): kept in the model so the cross-file rules need
   * not keep the whole object's YAML to find them.
   */
  claims?: ClaimBinding[];
}

/** A workspace or volume bound to an existing PersistentVolumeClaim. */
export interface ClaimBinding {
  /** The workspace or volume name (the claim's name when it has none). */
  name: string;
  claim: string;
  /** The `persistentVolumeClaim` mapping. */
  span: Span;
}

export interface Pipeline {
  platform: Platform;
  /** e.g. `workflow`, `composite-action`, `docker-action`, `reusable-workflow`. */
  kind: string;
  file: SourceFile;
  name?: Str;
  triggers: Trigger[];
  permissions?: Permissions;
  env: EnvVar[];
  jobs: Job[];
  /** Every external reference, in source order. */
  references: ExternalRef[];
  /** Every expression in the definition, in source order. */
  expressions: Expression[];
  /** Kubernetes-style platforms: the object this pipeline was built from. */
  kube?: KubeMeta;
  /** A run written inside another object (a TriggerTemplate's resourcetemplates). */
  embeddedIn?: Pipeline;
  /** Declared inputs (workflow_dispatch / workflow_call / action inputs) by name; `type` when declared. */
  inputs: Map<string, { name: Str; type?: string }>;
  document: Document;
}
