/** Webhook data followed across four files into a step script. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const D = 'sha256:' + 'f'.repeat(64);

const files = (bindingValue: string) => ({
  'triggers/binding.yaml': yaml`
    apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerBinding
    metadata:
      name: pr-binding
    spec:
      params:
        - name: title
          value: ${bindingValue}
  `,
  'triggers/template.yaml': yaml`
    apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerTemplate
    metadata:
      name: pr-template
    spec:
      params:
        - name: title
      resourcetemplates:
        - apiVersion: tekton.dev/v1
          kind: PipelineRun
          metadata:
            generateName: pr-
          spec:
            pipelineRef:
              name: pr-pipeline
            params:
              - name: pr-title
                value: $(tt.params.title)
  `,
  'pipelines/pipeline.yaml': yaml`
    apiVersion: tekton.dev/v1
    kind: Pipeline
    metadata:
      name: pr-pipeline
    spec:
      params:
        - name: pr-title
      tasks:
        - name: announce
          taskRef:
            name: announce-task
          params:
            - name: message
              value: $(params.pr-title)
  `,
  'tasks/announce.yaml': yaml`
    apiVersion: tekton.dev/v1
    kind: Task
    metadata:
      name: announce-task
    spec:
      params:
        - name: message
      steps:
        - name: say
          image: alpine@${D}
          script: |
            echo "New PR: $(params.message)"
  `,
});

test('a pull request title from the webhook body reaches a step script: high, with the chain', async () => {
  const { findings } = await scanTree(files('$(body.pull_request.title)'));
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.equal(high.length, 1);
  assert.equal(high[0]!.file, 'tasks/announce.yaml');
  assert.deepEqual([high[0]!.span.line, high[0]!.span.column], [12, 23]);
  assert.deepEqual(high[0]!.related?.map((r) => r.file), ['triggers/binding.yaml', 'triggers/template.yaml', 'pipelines/pipeline.yaml']);
});

test('a binding from a constant does not make the chain high', async () => {
  const { findings } = await scanTree(files('release-notes'));
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.deepEqual(high, []);
});

test('a TriggerTemplate run with an embedded script: webhook data from a listener binding is high; the run is checked like any other', async () => {
  const { findings } = await scanTree({
    'listener.yaml': yaml`
      apiVersion: triggers.tekton.dev/v1beta1
      kind: EventListener
      metadata:
        name: el
      spec:
        triggers:
          - name: pr
            bindings:
              - name: title
                value: $(body.pull_request.title)
            template:
              ref: inline-template
    `,
    'template.yaml': yaml`
      apiVersion: triggers.tekton.dev/v1beta1
      kind: TriggerTemplate
      metadata:
        name: inline-template
      spec:
        params:
          - name: title
        resourcetemplates:
          - apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              generateName: pr-
            spec:
              taskSpec:
                steps:
                  - name: say
                    image: alpine:latest
                    script: echo "$(tt.params.title)"
    `,
  });
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.deepEqual(high.map((f) => [f.file, f.span.line, f.span.column]), [['template.yaml', 18, 29]]);
  assert.deepEqual(ofRule(findings, 'unpinned-images').map((f) => [f.file, f.span.line]), [['template.yaml', 17]]);
});
