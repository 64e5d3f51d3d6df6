/**
 * The cross-file rules look objects up by name (accounts in bindings, roles,
 * runs by their pipeline; policies by namespace, in rules/kube/egress.test.ts)
 * instead of reading every object of a kind for every run. These cases pin
 * which object each lookup must find when several share a name, so the
 * indexes answer as a full scan of the objects would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const RUN = yaml`
  apiVersion: tekton.dev/v1
  kind: PipelineRun
  metadata:
    name: app-build
    namespace: ci
  spec:
    pipelineRef:
      name: build-and-push
    taskRunTemplate:
      serviceAccountName: build-sa
`;

test('an account named in several bindings: each binding is matched on its first subject in the run\'s namespace', async () => {
  const rbac = yaml`
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: elsewhere-then-here
    roleRef:
      kind: ClusterRole
      name: cluster-admin
    subjects:
      - kind: ServiceAccount
        name: build-sa
        namespace: other
      - kind: User
        name: build-sa
      - kind: ServiceAccount
        name: build-sa
        namespace: ci
      - kind: ServiceAccount
        name: build-sa
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: someone-else
    roleRef:
      kind: ClusterRole
      name: cluster-admin
    subjects:
      - kind: ServiceAccount
        name: deploy-sa
        namespace: ci
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: reader
      namespace: ci
    roleRef:
      kind: Role
      name: secret-reader
    subjects:
      - kind: ServiceAccount
        name: build-sa
  `;
  const { findings } = await scanTree({ 'rbac.yaml': rbac, 'run.yaml': RUN, 'roles.yaml': SECRET_READERS });
  const f = ofRule(findings, 'overprivileged-service-account');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.confidence, 'high');
  assert.match(f[0]!.message, /ClusterRoleBinding `elsewhere-then-here`/);
  // The matched subject is the third (line 14), not the first (another namespace) or the User.
  assert.deepEqual(f[0]!.related?.map((r) => `${r.file}:${r.span.line} ${r.message}`), [
    'rbac.yaml:14 ClusterRoleBinding `elsewhere-then-here` binds `build-sa`',
    'rbac.yaml:41 RoleBinding `reader` binds `build-sa`',
    'roles.yaml:17 Role `secret-reader` grants reading any secret in its namespace',
  ]);
});

/** Two Roles of one name: only the one in the binding's namespace is the binding's. */
const SECRET_READERS = yaml`
  apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata:
    name: secret-reader
    namespace: other
  rules:
    - apiGroups: [""]
      resources: ["pods"]
      verbs: ["get"]
  ---
  apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata:
    name: secret-reader
    namespace: ci
  rules:
    - apiGroups: [""]
      resources: ["secrets"]
      verbs: ["get", "list"]
`;

test('a role is looked up by name in the binding\'s namespace, and not at all under another kind', async () => {
  const binding = (roleKind: string) => yaml`
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: reader
      namespace: ci
    roleRef:
      kind: ${roleKind}
      name: secret-reader
    subjects:
      - kind: ServiceAccount
        name: build-sa
  `;
  const asRole = await scanTree({ 'rb.yaml': binding('Role'), 'run.yaml': RUN, 'roles.yaml': SECRET_READERS });
  const f = ofRule(asRole.findings, 'overprivileged-service-account');
  assert.deepEqual(f.map((x) => x.severity), ['medium']);
  assert.equal(f[0]!.related?.[1]?.span.line, 17);
  // A ClusterRole of that name does not exist: the Roles must not answer for it.
  const asClusterRole = await scanTree({ 'rb.yaml': binding('ClusterRole'), 'run.yaml': RUN, 'roles.yaml': SECRET_READERS });
  assert.deepEqual(ofRule(asClusterRole.findings, 'overprivileged-service-account'), []);
});

/** A pipeline whose `shared` workspace goes to a clone task and to a build task (the spec alone, to embed it too). */
const PIPELINE_SPEC = yaml`
  workspaces:
    - name: shared
  tasks:
    - name: fetch
      taskRef:
        name: git-clone
      workspaces:
        - name: output
          workspace: shared
    - name: build
      taskRef:
        name: user-build
      workspaces:
        - name: source
          workspace: shared
`;

const indented = (text: string, by: number) => text.replace(/^(?=.)/gm, ' '.repeat(by));

const PIPELINE = yaml`
  apiVersion: tekton.dev/v1
  kind: Pipeline
  metadata:
    name: build-and-push
  spec:
` + indented(PIPELINE_SPEC, 2);

const secretRun = (name: string, pipeline: string) => yaml`
  apiVersion: tekton.dev/v1
  kind: PipelineRun
  metadata:
    name: ${name}
  spec:
    pipelineRef:
      name: ${pipeline}
    workspaces:
      - name: shared
        secret:
          secretName: cloud
`;

test('of several runs binding a pipeline\'s workspace to a Secret, the last in the scan\'s order is named; runs of other pipelines are not', async () => {
  const { findings } = await scanTree({
    'a-pipeline.yaml': PIPELINE,
    'b-run.yaml': secretRun('first', 'build-and-push'),
    'c-run.yaml': secretRun('second', 'build-and-push'),
    'd-run.yaml': secretRun('unrelated', 'another-pipeline'),
  });
  const f = ofRule(findings, 'credential-workspace-exposure');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /backed by a Secret in PipelineRun `second`/);
  assert.equal(f[0]!.related?.[1]?.file, 'c-run.yaml');
  const none = await scanTree({ 'a-pipeline.yaml': PIPELINE, 'd-run.yaml': secretRun('unrelated', 'another-pipeline') });
  assert.deepEqual(ofRule(none.findings, 'credential-workspace-exposure'), []);
});

test('a run with its pipeline embedded binds its own workspace to a Secret', async () => {
  const run = yaml`
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata:
      name: inline
    spec:
      workspaces:
        - name: shared
          secret:
            secretName: cloud
      pipelineSpec:
  ` + indented(PIPELINE_SPEC, 4);
  const { findings } = await scanTree({ 'run.yaml': run, 'z-other.yaml': secretRun('later', 'inline') });
  const f = ofRule(findings, 'credential-workspace-exposure');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.file, 'run.yaml');
  // The other run names a pipeline called `inline` and comes later: it is taken as this one's, as before.
  assert.match(f[0]!.message, /PipelineRun `later`/);
});

test('an alias bomb among a binding\'s subjects leaves the subjects before it, and the other bindings, matched', async () => {
  const bomb = `{<<: [${Array.from({ length: 10_050 }, () => '*m').join(', ')}]}`;
  const rbac = yaml`
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata:
      name: rb
      namespace: ci
    roleRef:
      kind: ClusterRole
      name: cluster-admin
    subjects:
      - kind: ServiceAccount
        name: build-sa
        namespace: ci
      - &m {kind: ServiceAccount, name: x}
      - BOMB
  `.replace('BOMB', bomb);
  const { findings } = await scanTree({ 'rbac.yaml': rbac, 'run.yaml': RUN });
  const f = ofRule(findings, 'overprivileged-service-account');
  // It used to stop the whole rule ("internal error while checking (project)"), and the scan exit 0.
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line} ${x.severity}`), ['run.yaml:10 critical']);
  assert.equal(f[0]!.related?.[0]?.span.line, 10);
});

test("a binding whose subject names no namespace binds the account in any namespace, and bindings stay in their order", async () => {
  const binding = (name: string, subjectNamespace: string) => yaml`
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata:
      name: ${name}
    roleRef:
      kind: ClusterRole
      name: cluster-admin
    subjects:
      - kind: ServiceAccount
        name: build-sa
        ${subjectNamespace}
  `;
  // The binding with no namespace comes first: of two equally severe grants, the first binding is the one named.
  const { findings } = await scanTree({
    'rbac/a.yaml': binding('anywhere', '# no namespace'),
    'rbac/b.yaml': binding('in-ci', 'namespace: ci'),
    'rbac/c.yaml': binding('in-other', 'namespace: other'),
    'run.yaml': RUN,
  });
  const f = ofRule(findings, 'overprivileged-service-account');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /ClusterRoleBinding `anywhere` grants/);
  // Matched by name only on the subject's side: medium.
  assert.equal(f[0]!.confidence, 'medium');
  // Both bindings that can bind it in `ci` are related, in their order; the one for `other` is not.
  assert.deepEqual(f[0]!.related?.map((r) => r.file), ['rbac/a.yaml', 'rbac/b.yaml']);
});
