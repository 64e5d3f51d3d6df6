/**
 * shared-workspace on the runs whose YAML the scan lets go after their own
 * rules (TaskRuns, Argo workflows): their claim bindings come from the model,
 * and are reported where the YAML put them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../../helpers/tree.js';
import { yaml } from '../../helpers/rule-tester.js';

const PVC = (name: string, mode: string) => yaml`
  apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: ${name}
  spec:
    accessModes: ["${mode}"]
`;

const TASK_RUN = yaml`
  apiVersion: tekton.dev/v1
  kind: TaskRun
  metadata:
    name: lint
  spec:
    taskRef:
      name: lint
    workspaces:
      - name: scratch
        emptyDir: {}
      - name: source
        persistentVolumeClaim:
          claimName: shared-src
`;

const WORKFLOW = yaml`
  apiVersion: argoproj.io/v1alpha1
  kind: Workflow
  metadata:
    generateName: build-
  spec:
    entrypoint: main
    volumes:
      - name: cache
        persistentVolumeClaim:
          claimName: build-cache
    templates:
      - name: main
        container:
          image: alpine
`;

const CRON_WORKFLOW = yaml`
  apiVersion: argoproj.io/v1alpha1
  kind: CronWorkflow
  metadata:
    name: nightly
  spec:
    schedule: "0 2 * * *"
    workflowSpec:
      entrypoint: main
      volumes:
        - persistentVolumeClaim:
            claimName: build-cache
      templates:
        - name: main
          container:
            image: alpine
`;

test('a TaskRun and Argo workflows bound to existing claims: reported at each persistentVolumeClaim, with the claim as related', async () => {
  const { findings } = await scanTree({
    'claims/src.yaml': PVC('shared-src', 'ReadWriteMany'),
    'claims/cache.yaml': PVC('build-cache', 'ReadWriteOnce'),
    'runs/taskrun.yaml': TASK_RUN,
    'runs/workflow.yaml': WORKFLOW,
    'runs/cron.yaml': CRON_WORKFLOW,
  });
  const f = ofRule(findings, 'shared-workspace');
  assert.deepEqual(
    f.map((x) => [x.file, x.span.line, x.span.column, x.severity, x.related?.[0]?.file]),
    [
      ['runs/cron.yaml', 11, 11, 'medium', 'claims/cache.yaml'],
      ['runs/taskrun.yaml', 13, 9, 'high', 'claims/src.yaml'],
      ['runs/workflow.yaml', 10, 9, 'medium', 'claims/cache.yaml'],
    ],
  );
  // A volume without a name is named by its claim.
  assert.match(f[0]!.message, /workspace `build-cache` uses the pre-existing claim `build-cache`/);
  assert.match(f[1]!.message, /workspace `source` uses claim `shared-src`, which is ReadWriteMany/);
});

test('per-run volumes (volumeClaimTemplates, emptyDir) are silent', async () => {
  const { findings } = await scanTree({
    'runs/taskrun.yaml': TASK_RUN.replace(/persistentVolumeClaim:\n\s+claimName: shared-src/, 'emptyDir: {}'),
    'runs/workflow.yaml': WORKFLOW.replace(/  volumes:\n(.*\n){3}/, '  volumeClaimTemplates:\n    - metadata:\n        name: cache\n'),
  });
  assert.deepEqual(ofRule(findings, 'shared-workspace'), []);
});

test("an object's kind makes it a run and its API group says which list binds its storage", async () => {
  // Odd pairs among them, but the rule judged them so before the model kept the claims. Each object holds
  // every list, so that reading the wrong one shows: Tekton reads `workspaces`, Argo `volumes`, and an
  // Argo CronWorkflow those of its `workflowSpec`.
  const run = (apiVersion: string, kind: string) => yaml`
    apiVersion: ${apiVersion}
    kind: ${kind}
    metadata:
      name: odd
    spec:
      workspaces:
        - name: ws
          persistentVolumeClaim:
            claimName: from-workspaces
      volumes:
        - name: vol
          persistentVolumeClaim:
            claimName: from-volumes
      workflowSpec:
        volumes:
          - name: nested
            persistentVolumeClaim:
              claimName: from-workflow-spec
  `;
  const { findings } = await scanTree({
    'a.yaml': run('tekton.dev/v1', 'Workflow'),
    'b.yaml': run('argoproj.io/v1alpha1', 'TaskRun'),
    'c.yaml': run('tekton.dev/v1', 'CronWorkflow'),
    'd.yaml': run('argoproj.io/v1alpha1', 'CronWorkflow'),
    'e.yaml': run('argoproj.io/v1alpha1', 'WorkflowTemplate'),
  });
  assert.deepEqual(
    ofRule(findings, 'shared-workspace').map((x) => `${x.file}:${x.span.line} ${/claim `([^`]+)`/.exec(x.message)?.[1]}`),
    ['a.yaml:9 from-workspaces', 'b.yaml:13 from-volumes', 'c.yaml:9 from-workspaces', 'd.yaml:18 from-workflow-spec'],
  );
});

test("a run's workspace list that expands too many aliases: said at the run, and the rest of the file and scan is still checked", async () => {
  const bomb = Array.from({ length: 10_050 }, () => '    - *w').join('\n');
  const run = yaml`
    apiVersion: tekton.dev/v1
    kind: TaskRun
    metadata:
      name: bomb
      namespace: ci
    spec:
      taskRef: {name: t}
      workspaces:
        - &w
          name: a
          emptyDir: {}
  ` + `\n${bomb}\n`;
  const errors: unknown[] = [];
  const { findings } = await scanTree({ 'bomb.yaml': run, 'other.yaml': TASK_RUN }, 'auditor', (_file, err) => errors.push(err));
  // Before the claims were read with the model, the rule failed here for every run in the scan.
  assert.deepEqual(errors, []);
  assert.deepEqual(ofRule(findings, 'shared-workspace').map((x) => `${x.file}:${x.span.line}`), ['other.yaml:13']);
  assert.deepEqual(
    ofRule(findings, 'parse-error').map((x) => `${x.file}:${x.span.line} ${x.message}`),
    ['bomb.yaml:2 the workspaces of this TaskRun expand too many aliases (or nest too deeply) to read'],
  );
  assert.deepEqual(ofRule(findings, 'unrestricted-egress').map((x) => `${x.file}:${x.span.line}`), ['bomb.yaml:5']);
});
