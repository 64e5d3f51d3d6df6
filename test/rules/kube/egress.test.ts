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
