/** Webhook data through an Argo Events Sensor into a workflow script, embedded and by template reference. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const D = 'sha256:' + '9'.repeat(64);

const sensor = (dataKey: string) => yaml`
  apiVersion: argoproj.io/v1alpha1
  kind: Sensor
  metadata:
    name: webhook
  spec:
    dependencies:
      - name: payload
        eventSourceName: webhook
        eventName: example
    triggers:
      - template:
          name: run
          argoWorkflow:
            operation: submit
            source:
              resource:
                apiVersion: argoproj.io/v1alpha1
                kind: Workflow
                metadata:
                  generateName: hook-
                spec:
                  entrypoint: main
                  arguments:
                    parameters:
                      - name: message
                  workflowTemplateRef:
                    name: notify
            parameters:
              - src:
                  dependencyName: payload
                  dataKey: ${dataKey}
                dest: spec.arguments.parameters.0.value
`;

const TEMPLATE = yaml`
  apiVersion: argoproj.io/v1alpha1
  kind: WorkflowTemplate
  metadata:
    name: notify
  spec:
    entrypoint: main
    templates:
      - name: main
        inputs:
          parameters:
            - name: message
        script:
          image: alpine@${D}
          command: [sh]
          source: |
            echo "{{inputs.parameters.message}}"
`;

test('an event body field reaches the WorkflowTemplate script: high, with the Sensor in the chain', async () => {
  const { findings } = await scanTree({ 'sensor.yaml': sensor('body.message'), 'template.yaml': TEMPLATE });
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.deepEqual(high.map((f) => [f.file, f.span.line, f.span.column]), [['template.yaml', 16, 17]]);
  assert.equal(high[0]!.related?.[0]?.file, 'sensor.yaml');
  // The file-local medium finding at the same place is replaced, not repeated.
  assert.equal(ofRule(findings, 'template-injection').filter((f) => f.file === 'template.yaml').length, 1);
});

test('a constant from the event context does not make it high', async () => {
  const { findings } = await scanTree({ 'sensor.yaml': sensor('context.type'), 'template.yaml': TEMPLATE });
  assert.deepEqual(ofRule(findings, 'template-injection').filter((f) => f.severity === 'high'), []);
});

test("a workflow in the Sensor whose volumes expand too many aliases is still followed to its script", async () => {
  const embedded = yaml`
    apiVersion: argoproj.io/v1alpha1
    kind: Sensor
    metadata:
      name: webhook
    spec:
      triggers:
        - template:
            name: run
            argoWorkflow:
              operation: submit
              source:
                resource:
                  apiVersion: argoproj.io/v1alpha1
                  kind: Workflow
                  metadata:
                    generateName: hook-
                  spec:
                    entrypoint: main
                    arguments:
                      parameters:
                        - name: message
                    templates:
                      - name: main
                        script:
                          image: alpine@${D}
                          command: [sh]
                          source: |
                            echo "{{workflow.parameters.message}}"
                    volumes:
                      - &v
                        name: a
                        emptyDir: {}
    BOMB
              parameters:
                - src:
                    dependencyName: payload
                    dataKey: body.message
                  dest: spec.arguments.parameters.0.value
  `.replace('BOMB', Array.from({ length: 11_000 }, () => '                  - *v').join('\n'));
  const { findings } = await scanTree({ 'sensor.yaml': embedded });
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.deepEqual(high.map((f) => [f.file, f.span.line]), [['sensor.yaml', 28]]);
});
