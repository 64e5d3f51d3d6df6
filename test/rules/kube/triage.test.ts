/** Cases found by reading the rules' findings on the corpus: each once noisy or missed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import injection from '../../../src/rules/template-injection.js';
import privileged from '../../../src/rules/privileged-container.js';
import runAsRoot from '../../../src/rules/run-as-root.js';
import { findingsOf, yaml } from '../../helpers/rule-tester.js';
import { ofRule, scanTree } from '../../helpers/tree.js';

const D = 'sha256:' + '3'.repeat(64);

test('Tekton result paths and enum params carry no outside text', () => {
  const found = findingsOf(injection, {
    name: 'results and enum',
    path: 'task.yaml',
    code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        params:
          - name: mode
            enum: [fast, slow]
          - name: free
        results:
          - name: digest
        steps:
          - name: s
            image: alpine@${D}
            script: |
              echo done > $(results.digest.path)
              run --mode $(params.mode)
              run --free $(params.free)
    `,
  });
  assert.deepEqual(found.map((f) => f.span.line), [18]);
});

test('a Tekton sidecar running as root, and a Task hostPath volume', () => {
  const code = yaml`
    apiVersion: tekton.dev/v1
    kind: Task
    metadata:
      name: t
    spec:
      steps:
        - name: s
          image: alpine@${D}
      sidecars:
        - name: helper
          image: alpine@${D}
          securityContext:
            runAsUser: 0
      volumes:
        - name: modules
          hostPath:
            path: /lib/modules
  `;
  assert.deepEqual(findingsOf(runAsRoot, { name: 'sidecar', path: 'task.yaml', code }).map((f) => f.span.line), [13]);
  assert.deepEqual(findingsOf(privileged, { name: 'volume', path: 'task.yaml', code }).map((f) => [f.span.line, f.severity]), [[17, 'high']]);
});

test('GitLab: docker:dind as the job image is the CLI only; `produce-report` is not a deployment', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      login:
        image: docker:dind
        script:
          - docker login -u x -p "$TOKEN" registry.example.com
      produce-report:
        script:
          - echo report
    `,
  });
  assert.deepEqual(ofRule(findings, 'privileged-container'), []);
  assert.deepEqual(ofRule(findings, 'unprotected-deployment'), []);
});

test('an Argo file that YAML 1.2 rejects but Kubernetes accepts: one low note, still analysed', async () => {
  const { findings } = await scanTree({
    'wf.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Workflow',
      'metadata:',
      '  name: w',
      'spec:',
      '  serviceAccountName: ci',
      '  templates:',
      '  - name: build',
      '    inputs:',
      '      parameters:',
      '      - name: target',
      '    container:',
      `      image: golang@${D}`,
      '      command: [sh, -c]',
      '      args: ["',
      '        make {{inputs.parameters.target}}',
      '      "]',
      '',
    ].join('\n'),
  });
  const parse = ofRule(findings, 'parse-error');
  assert.equal(parse.length, 1);
  assert.equal(parse[0]!.severity, 'low');
  assert.ok(ofRule(findings, 'missing-security-context').length > 0, 'the recovered document is still analysed');
});
