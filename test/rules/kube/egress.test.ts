/** unrestricted-egress: pipeline namespaces against the NetworkPolicies in the scanned tree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../../helpers/tree.js';
import { yaml } from '../../helpers/rule-tester.js';

const RUN = yaml`
  apiVersion: tekton.dev/v1
  kind: PipelineRun
  metadata:
    name: build
    namespace: ci
  spec:
    pipelineRef:
      name: p
    taskRunTemplate:
      serviceAccountName: sa
`;

const POLICY = (ns: string, types: string) => yaml`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: egress
    namespace: ${ns}
  spec:
    podSelector: {}
    policyTypes: ${types}
`;

test('a pipeline namespace without an egress policy, while policies are managed here: medium, at the namespace', async () => {
  const { findings } = await scanTree({ 'run.yaml': RUN, 'np.yaml': POLICY('other', '[Egress]') }, 'regular');
  const f = ofRule(findings, 'unrestricted-egress');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line}:${x.span.column} ${x.confidence}`), ['run.yaml:5:14 medium']);
});

test('an egress policy in the namespace: silent; only an ingress policy: reported', async () => {
  const good = await scanTree({ 'run.yaml': RUN, 'np.yaml': POLICY('ci', '[Egress]') });
  assert.deepEqual(ofRule(good.findings, 'unrestricted-egress'), []);
  const ingress = await scanTree({ 'run.yaml': RUN, 'np.yaml': POLICY('ci', '[Ingress]') });
  assert.equal(ofRule(ingress.findings, 'unrestricted-egress').length, 1);
});

test('no NetworkPolicy anywhere: only auditors see it, at low confidence', async () => {
  const regular = await scanTree({ 'run.yaml': RUN }, 'regular');
  assert.deepEqual(ofRule(regular.findings, 'unrestricted-egress'), []);
  const auditor = await scanTree({ 'run.yaml': RUN }, 'auditor');
  assert.deepEqual(ofRule(auditor.findings, 'unrestricted-egress').map((f) => f.confidence), ['low']);
});

test('each namespace with runs is judged by the policies of that namespace alone', async () => {
  const runIn = (ns: string) => RUN.replace('namespace: ci', `namespace: ${ns}`);
  const { findings } = await scanTree(
    {
      'runs/a.yaml': RUN,
      'runs/b.yaml': runIn('release'),
      'runs/c.yaml': runIn('release'),
      'np/ci.yaml': POLICY('ci', '[Egress]'),
      'np/release.yaml': POLICY('release', '[Ingress]'),
      'np/other.yaml': POLICY('other', '[Egress]'),
    },
    'auditor',
  );
  const f = ofRule(findings, 'unrestricted-egress');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line} ${x.confidence}`), ['runs/b.yaml:5 medium']);
});

test('runs whose YAML is let go after their own rules (TaskRun, Argo Workflow, CronWorkflow) are reported at their namespace', async () => {
  const taskRun = yaml`
    apiVersion: tekton.dev/v1
    kind: TaskRun
    metadata:
      name: lint
      namespace:   checks
    spec:
      taskRef:
        name: lint
  `;
  const workflow = yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata:
      generateName: build-
      labels: {team: a}
      namespace: argo
    spec:
      entrypoint: main
  `;
  const cron = yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: CronWorkflow
    metadata: {name: nightly, namespace: nightly}
    spec:
      schedule: "0 2 * * *"
  `;
  const { findings } = await scanTree({ 'a/taskrun.yaml': taskRun, 'b/workflow.yaml': workflow, 'c/cron.yaml': cron, 'np.yaml': POLICY('other', '[Egress]') });
  const f = ofRule(findings, 'unrestricted-egress');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line}:${x.span.column}-${x.span.endColumn}`), ['a/taskrun.yaml:5:16-22', 'b/workflow.yaml:6:14-18', 'c/cron.yaml:3:38-45']);
});

test("a run a TriggerTemplate creates is judged in the template's namespace, at its own namespace line or else at the run", async () => {
  const template = (runMetadata: string) => yaml`
    apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerTemplate
    metadata:
      name: on-push
      namespace: hooks
    spec:
      resourcetemplates:
        - apiVersion: tekton.dev/v1
          kind: PipelineRun
          metadata:
            ${runMetadata}
          spec:
            pipelineRef:
              name: build
  `;
  const own = await scanTree({ 'tt.yaml': template('namespace: hooks'), 'np.yaml': POLICY('other', '[Egress]') });
  assert.deepEqual(ofRule(own.findings, 'unrestricted-egress').map((x) => `${x.span.line}:${x.span.column}`), ['11:20']);
  const none = await scanTree({ 'tt.yaml': template('generateName: build-'), 'np.yaml': POLICY('other', '[Egress]') });
  const f = ofRule(none.findings, 'unrestricted-egress');
  assert.deepEqual(f.map((x) => `${x.span.line}:${x.span.column}`), ['8:7']);
  assert.match(f[0]!.message, /namespace `hooks`, where PipelineRun/);
});
