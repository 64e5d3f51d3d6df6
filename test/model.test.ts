/** The GitHub Actions model: what the builder extracts, and where it says things are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml, YamlDoc } from '../src/core/yaml.js';
import { SourceFile } from '../src/model/source.js';
import { buildAction, buildWorkflow } from '../src/platforms/github/build.js';
import { yaml } from './helpers/rule-tester.js';

function workflow(text: string) {
  const file = new SourceFile('w.yml', text);
  const { docs, problems } = parseYaml(file);
  assert.deepEqual(problems, []);
  const out = buildWorkflow(docs[0] as YamlDoc);
  return { ...out, file };
}

test('triggers carry who can cause them and whether the run is privileged', () => {
  const { pipeline } = workflow(yaml`
    on:
      pull_request_target:
        types: [opened]
      push:
      schedule:
        - cron: '0 0 * * *'
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  `);
  const t = pipeline!.triggers.map((x) => [x.event, x.actor, x.privileged, x.span.line, x.types ?? null]);
  assert.deepEqual(t, [
    ['pull_request_target', 'external', true, 2, ['opened']],
    ['push', 'collaborator', true, 4, null],
    ['schedule', 'system', true, 5, null],
  ]);
});

test('anchors, aliases and merge keys resolve, keeping the location where the value is written', () => {
  const { pipeline, file } = workflow(yaml`
    on: push
    x-defaults: &defaults
      runs-on: [self-hosted, linux]
      env:
        MODE: fast
    x-step: &checkout
      uses: actions/checkout@v4
    jobs:
      a:
        <<: *defaults
        env:
          MODE: slow
        steps:
          - *checkout
          - run: make
  `);
  const job = pipeline!.jobs[0]!;
  assert.equal(job.runner?.selfHosted, 'yes');
  assert.equal(job.runner?.span.line, 3, 'runner location is the anchored mapping');
  assert.deepEqual(job.env.map((e) => [e.name.value, e.value?.value]), [['MODE', 'slow']], 'own keys win over merged ones');
  assert.equal(job.steps[0]!.uses?.raw, 'actions/checkout@v4');
  assert.equal(job.steps[0]!.uses?.span.line, 7);
  assert.equal(file.lineText(job.steps[0]!.uses!.span.line).slice(job.steps[0]!.uses!.span.column - 1), 'actions/checkout@v4');
});

test('references carry their pin state', () => {
  const sha = 'a'.repeat(40);
  const { pipeline } = workflow(yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        container: node:20
        steps:
          - uses: actions/checkout@${sha}
          - uses: actions/setup-node@v4
          - uses: ./local
          - uses: docker://alpine@sha256:${'b'.repeat(64)}
          - uses: owner/repo
      b:
        uses: org/r/.github/workflows/x.yml@\${{ inputs.ref }}
  `);
  assert.deepEqual(
    pipeline!.references.map((r) => [r.kind, r.pin]),
    [['image', 'tag'], ['action', 'hash'], ['action', 'tag'], ['action', 'local'], ['image', 'digest'], ['action', 'unpinned'], ['reusable-workflow', 'dynamic']],
  );
});

test('scripts know their shell; expressions in a folded block point at the expression', () => {
  const { pipeline, file } = workflow(yaml`
    on: push
    defaults:
      run:
        shell: pwsh
    jobs:
      a:
        runs-on: windows-latest
        steps:
          - run: >
              echo one
              \${{ github.sha }}
          - run: echo "x"
            shell: python
  `);
  const [s1, s2] = pipeline!.jobs[0]!.steps;
  assert.equal(s1!.script?.shell, 'pwsh');
  assert.equal(s2!.script?.shell, 'python');
  const e = s1!.script!.expressions[0]!;
  assert.equal(e.span.line, 11);
  assert.equal(file.text.slice(e.span.offset, e.span.endOffset), '${{ github.sha }}');
  assert.equal(e.ast?.type, 'index');
});

test('permissions: scopes, write-all and empty', () => {
  const { pipeline } = workflow(yaml`
    on: push
    permissions: {}
    jobs:
      a:
        runs-on: ubuntu-latest
        permissions:
          contents: read
          pull-requests: write
        steps:
          - run: make
      b:
        runs-on: ubuntu-latest
        permissions: write-all
        steps:
          - run: make
  `);
  assert.equal(pipeline!.permissions?.kind, 'none');
  const a = pipeline!.jobs[0]!.permissions!;
  assert.deepEqual([...a.scopes].map(([k, v]) => [k, v.level, v.span.line]), [['contents', 'read', 7], ['pull-requests', 'write', 8]]);
  assert.equal(pipeline!.jobs[1]!.permissions?.kind, 'write-all');
});

test('wrong shapes are problems with locations, and the rest is still modelled', () => {
  const { pipeline, problems } = workflow(yaml`
    on: push
    jobs:
      broken:
        runs-on: ubuntu-latest
        steps: "make"
      good:
        runs-on: ubuntu-latest
        steps:
          - run: make
          - just a string
  `);
  assert.deepEqual(problems.map((p) => [p.span.line, p.message]), [
    [5, '`steps` must be a list'],
    [10, 'each step must be a mapping'],
  ]);
  assert.equal(pipeline!.jobs.find((j) => j.id.value === 'good')!.steps.length, 1);
});

test('actions: composite steps and declared inputs', () => {
  const file = new SourceFile('action.yml', yaml`
    name: setup
    inputs:
      version:
        description: which
    runs:
      using: composite
      steps:
        - run: echo \${{ inputs.version }}
          shell: bash
  `);
  const { pipeline } = buildAction(parseYaml(file).docs[0]!);
  assert.equal(pipeline!.kind, 'composite-action');
  assert.deepEqual([...pipeline!.inputs.keys()], ['version']);
  assert.equal(pipeline!.jobs[0]!.steps[0]!.script?.shell, 'bash');
});

test('merge keys apply in each document that has one, written plainly, quoted or escaped, and not in the others', () => {
  const file = new SourceFile('k.yaml', [
    'base: &b {a: 1}',
    'own: {z: 0}',
    '---',
    'base: &b {a: 1}',
    'm: {<<: *b, z: 0}',
    '---',
    'base: &b {a: 1}',
    'm: {"\\x3c\\u003c": *b, z: 0}',
    '---',
    "base: &b {a: 1}",
    "m: {'<<': *b, z: 0}",
    '---',
    'base: &b {a: 1}',
    'm: {"<\\',
    '  \\',
    '  <": *b, z: 0}',
    '',
  ].join('\n'));
  const { docs, problems } = parseYaml(file);
  assert.deepEqual(problems, []);
  const keys = (d: YamlDoc, key: string) => d.pairs(d.get(d.contents, key)).map((p) => String((p.key as { value: unknown }).value));
  assert.deepEqual(keys(docs[0]!, 'own'), ['z']);
  assert.deepEqual(docs.slice(1).map((d) => keys(d, 'm')), [['z', 'a'], ['z', 'a'], ['z', 'a'], ['z', 'a']]);
});

test("a reader with its own alias budget spends none of its parent's, and starts at zero even from a spent one", () => {
  // 6,000 aliases per read: a second read passes one reader's budget of 10,000.
  const text = `a: &x 1\nlist:\n${'  - *x\n'.repeat(6_000)}`;
  const doc = parseYaml(new SourceFile('a.yml', text)).docs[0] as YamlDoc;
  const read = (d: YamlDoc) => d.items(d.get(d.contents, 'list')).length;
  const own = doc.withOwnBudget();
  assert.equal(read(own), 6_000);
  assert.throws(() => read(own), /alias expansions/);
  assert.equal(read(doc), 6_000);
  assert.throws(() => read(doc), /alias expansions/);
  assert.equal(read(doc.withOwnBudget()), 6_000);
});
