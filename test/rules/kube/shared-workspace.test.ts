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

test("an object's kind makes it a run and its API group says where its storage is: Tekton workspaces, Argo volumes", async () => {
  // Odd pairs, but the rule judged them so before the model kept the claims: a Tekton `Workflow`, an Argo `TaskRun`.
  const tektonWorkflow = yaml`
    apiVersion: tekton.dev/v1
    kind: Workflow
    metadata:
      name: tw
    spec:
      workspaces:
        - name: src
          persistentVolumeClaim:
            claimName: shared
  `;
  const argoTaskRun = yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: TaskRun
    metadata:
      name: at
    spec:
      volumes:
        - name: vol
          persistentVolumeClaim:
            claimName: shared
  `;
  const { findings } = await scanTree({ 'a.yaml': tektonWorkflow, 'b.yaml': argoTaskRun });
  assert.deepEqual(ofRule(findings, 'shared-workspace').map((x) => `${x.file}:${x.span.line}`), ['a.yaml:9', 'b.yaml:9']);
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
    ['bomb.yaml:2 TaskRun workspaces expand too many aliases (or nest too deeply) to read: their claims are not checked'],
  );
  assert.deepEqual(ofRule(findings, 'unrestricted-egress').map((x) => `${x.file}:${x.span.line}`), ['bomb.yaml:5']);
});
