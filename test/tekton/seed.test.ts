/**
 * The seed's Expected Behaviour table (../shared/seeds/001_…): each row's
 * Default column must produce a finding, its Hardened column silence; and
 * each of the five adversaries end to end over a small multi-file tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const DIGEST = 'sha256:' + 'c'.repeat(64);

const SA_CLUSTER_ADMIN = yaml`
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: build-sa
    namespace: ci
  ---
  apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata:
    name: build-sa-admin
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: ClusterRole
    name: cluster-admin
  subjects:
    - kind: ServiceAccount
      name: build-sa
      namespace: ci
`;

const SA_LEAST_PRIVILEGE = yaml`
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: build-sa
    namespace: ci
  ---
  apiVersion: rbac.authorization.k8s.io/v1
  kind: Role
  metadata:
    name: build-role
    namespace: ci
  rules:
    - apiGroups: [""]
      resources: ["secrets"]
      resourceNames: ["git-deploy-key"]
      verbs: ["get"]
  ---
  apiVersion: rbac.authorization.k8s.io/v1
  kind: RoleBinding
  metadata:
    name: build-rb
    namespace: ci
  subjects:
    - kind: ServiceAccount
      name: build-sa
      namespace: ci
  roleRef:
    kind: Role
    name: build-role
    apiGroup: rbac.authorization.k8s.io
`;

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

test('row 1 / adversary 1: a run whose service account is bound to cluster-admin (across three files)', async () => {
  const bad = await scanTree({ 'rbac/sa.yaml': SA_CLUSTER_ADMIN, 'runs/run.yaml': RUN });
  const f = ofRule(bad.findings, 'overprivileged-service-account');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.file, 'runs/run.yaml');
  assert.equal(f[0]!.span.line, 10);
  assert.match(f[0]!.message, /cluster-admin/);
  assert.deepEqual(f[0]!.related?.map((r) => r.file), ['rbac/sa.yaml']);
  const good = await scanTree({ 'rbac/sa.yaml': SA_LEAST_PRIVILEGE, 'runs/run.yaml': RUN });
  assert.deepEqual(ofRule(good.findings, 'overprivileged-service-account'), []);
});

test('a role reading every secret cluster-wide is critical; in one namespace, medium', async () => {
  const role = (kind: 'Role' | 'ClusterRole', binding: 'RoleBinding' | 'ClusterRoleBinding') => yaml`
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ${kind}
    metadata:
      name: reader
      namespace: ci
    rules:
      - apiGroups: [""]
        resources: ["secrets"]
        verbs: ["get", "list"]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ${binding}
    metadata:
      name: reader-b
      namespace: ci
    roleRef:
      kind: ${kind}
      name: reader
    subjects:
      - kind: ServiceAccount
        name: build-sa
        namespace: ci
  `;
  const wide = await scanTree({ 'rbac.yaml': role('ClusterRole', 'ClusterRoleBinding'), 'run.yaml': RUN });
  assert.deepEqual(ofRule(wide.findings, 'overprivileged-service-account').map((f) => f.severity), ['critical']);
  const narrow = await scanTree({ 'rbac.yaml': role('Role', 'RoleBinding'), 'run.yaml': RUN });
  assert.deepEqual(ofRule(narrow.findings, 'overprivileged-service-account').map((f) => f.severity), ['medium']);
});

const PIPELINE = (credWorkspaceForBuild: boolean) => yaml`
  apiVersion: tekton.dev/v1
  kind: Pipeline
  metadata:
    name: build-and-push
  spec:
    workspaces:
      - name: source-code
      - name: credentials
    tasks:
      - name: clone
        taskRef:
          name: git-clone
        workspaces:
          - name: output
            workspace: source-code
          - name: ssh-directory
            workspace: credentials
      - name: build
        taskRef:
          name: user-build-task
        workspaces:
          - name: source
            workspace: ${credWorkspaceForBuild ? 'credentials' : 'source-code'}
        runAfter: ["clone"]
`;

test('row 2 / adversary 2: a credential workspace also bound to the user build task', async () => {
  const bad = await scanTree({ 'pipeline.yaml': PIPELINE(true) });
  const f = ofRule(bad.findings, 'credential-workspace-exposure');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.span.line, 22);
  assert.match(f[0]!.message, /`credentials`.*`build`/);
  const good = await scanTree({ 'pipeline.yaml': PIPELINE(false) });
  assert.deepEqual(ofRule(good.findings, 'credential-workspace-exposure'), []);
});

test('a workspace bound to a Secret by the run, shared with a build task', async () => {
  const pipeline = PIPELINE(false).replace('name: ssh-directory', 'name: extra').replace('workspace: source-code\n      runAfter', 'workspace: credentials\n      runAfter');
  const run = RUN + yaml`
      workspaces:
        - name: credentials
          secret:
            secretName: aws-creds
  `.replace(/^/gm, '  ');
  const { findings } = await scanTree({ 'pipeline.yaml': pipeline, 'run.yaml': run });
  const f = ofRule(findings, 'credential-workspace-exposure');
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /backed by a Secret/);
  assert.equal(f[0]!.related?.[1]?.file, 'run.yaml');
});

const TASK = (image: string) => yaml`
  apiVersion: tekton.dev/v1
  kind: Task
  metadata:
    name: build
  spec:
    steps:
      - name: build
        image: ${image}
        script: make
`;

const TASKRUN = yaml`
  apiVersion: tekton.dev/v1
  kind: TaskRun
  metadata:
    name: build-run
    namespace: ci
  spec:
    serviceAccountName: build-sa
    taskRef:
      name: build
`;

test('row 3 / adversary 3: a step image pulled by :latest', async () => {
  const bad = await scanTree({ 'task.yaml': TASK('registry.example.com/build-tools:latest'), 'run.yaml': TASKRUN });
  const f = ofRule(bad.findings, 'unpinned-images');
  assert.deepEqual(f.map((x) => [x.span.line, x.severity]), [[8, 'high']]);
  const good = await scanTree({ 'task.yaml': TASK(`registry.example.com/build-tools@${DIGEST}`), 'run.yaml': TASKRUN });
  assert.deepEqual(ofRule(good.findings, 'unpinned-images'), []);
});

test('row 4 / adversary 4: a parameter pasted into a shell script; validated first → low', async () => {
  const bad = await scanTree({
    'task.yaml': yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: docker-build
      spec:
        params:
          - name: BUILD_ARGS
        steps:
          - name: build
            image: docker@${DIGEST}
            script: |
              docker build $(params.BUILD_ARGS) .
    `,
    'run.yaml': TASKRUN.replace('name: build\n', 'name: docker-build\n') + '  params:\n    - name: BUILD_ARGS\n      value: "--build-arg FOO=bar"\n',
  });
  const f = ofRule(bad.findings, 'template-injection');
  assert.deepEqual(f.map((x) => [x.span.line, x.span.column, x.severity]), [[12, 22, 'medium']]);
  const good = await scanTree({
    'task.yaml': yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: validated-build
      spec:
        params:
          - name: git-revision
        steps:
          - name: validate-params
            image: alpine@${DIGEST}
            script: |
              #!/bin/sh
              GIT_REVISION="$(params.git-revision)"
              if ! echo "$GIT_REVISION" | grep -qE '^[a-f0-9]{40}$'; then
                exit 1
              fi
          - name: build
            image: golang@${DIGEST}
            script: |
              #!/bin/sh
              GIT_REVISION="$(params.git-revision)"
              go build -ldflags "-X main.Version=\${GIT_REVISION}" ./...
    `,
  });
  const g = ofRule(good.findings, 'template-injection');
  assert.equal(g.length, 2);
  assert.ok(g.every((x) => x.severity === 'low'), 'validated substitutions drop below medium');
});

const RUN_WITH_WORKSPACE = (binding: string) => yaml`
  apiVersion: tekton.dev/v1
  kind: PipelineRun
  metadata:
    name: app-build
  spec:
    pipelineRef:
      name: secure-build-pipeline
    workspaces:
      - name: source-code
${binding}
`;

test('row 5 / adversary 5: a ReadWriteMany claim shared by concurrent runs', async () => {
  const pvc = yaml`
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: shared-ws
    spec:
      accessModes: ["ReadWriteMany"]
  `;
  const bad = await scanTree({ 'pvc.yaml': pvc, 'run.yaml': RUN_WITH_WORKSPACE('        persistentVolumeClaim:\n          claimName: shared-ws') });
  const f = ofRule(bad.findings, 'shared-workspace');
  assert.deepEqual(f.map((x) => [x.file, x.span.line, x.severity]), [['run.yaml', 11, 'high']]);
  assert.equal(f[0]!.related?.[0]?.file, 'pvc.yaml');
  const good = await scanTree({
    'pvc.yaml': pvc,
    'run.yaml': RUN_WITH_WORKSPACE('        volumeClaimTemplate:\n          spec:\n            accessModes: ["ReadWriteOnce"]'),
  });
  assert.deepEqual(ofRule(good.findings, 'shared-workspace'), []);
});

test("the seed's hardened build-task has no finding at medium or above", async () => {
  const { findings } = await scanTree({
    'task.yaml': yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: build-task
        namespace: tekton-pipelines
      spec:
        steps:
          - name: build
            image: gcr.io/distroless/build@${DIGEST}
            securityContext:
              runAsNonRoot: true
              runAsUser: 65534
              readOnlyRootFilesystem: true
              allowPrivilegeEscalation: false
              capabilities:
                drop: ["ALL"]
            resources:
              requests:
                cpu: "500m"
                memory: "512Mi"
              limits:
                cpu: "2"
                memory: "2Gi"
            volumeMounts:
              - name: build-workspace
                mountPath: /workspace/source
              - name: tmp
                mountPath: /tmp
        volumes:
          - name: tmp
            emptyDir: {}
    `,
  });
  const serious = findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
  assert.deepEqual(serious.map((f) => `${f.rule} ${f.span.line}: ${f.message}`), []);
});
