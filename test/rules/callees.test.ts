/** A caller's untrusted value followed into a local composite action and a local reusable workflow. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyConfig } from '../../src/config/config.js';
import { releaseFileScoped } from '../../src/core/file-scoped.js';
import { scanFile, type ScanOptions } from '../../src/core/scan.js';
import type { Pipeline } from '../../src/model/pipeline.js';
import { calleeOf } from '../../src/platforms/github/callees.js';
import { allRules } from '../../src/rules/index.js';
import { ofRule, scanTree, writeTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const ACTION = yaml`
  name: cherry-pick
  inputs:
    target:
      description: branch
    title:
      description: title
  runs:
    using: composite
    steps:
      - shell: bash
        run: |
          git checkout \${{ inputs.target }}
          echo "\${{ inputs.title }}"
`;

/** A local reusable workflow that echoes its `title` input into a script. */
const REUSABLE = yaml`
  on:
    workflow_call:
      inputs:
        title:
          type: string
  jobs:
    say:
      runs-on: ubuntu-latest
      steps:
        - run: echo "\${{ inputs.title }}"
`;

test('an issue comment passed into a composite action is high at the sink, with the caller as related', async () => {
  const { findings } = await scanTree({
    '.github/actions/cherry-pick/action.yml': ACTION,
    '.github/workflows/commands.yml': yaml`
      on: issue_comment
      permissions:
        contents: write
      jobs:
        pick:
          runs-on: ubuntu-latest
          steps:
            - uses: ./.github/actions/cherry-pick
              with:
                target: \${{ github.event.comment.body }}
                title: \${{ github.event.issue.number }}
    `,
  });
  const f = ofRule(findings, 'template-injection');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line} ${x.severity}`), [
    '.github/actions/cherry-pick/action.yml:12 high',
    '.github/actions/cherry-pick/action.yml:13 medium',
  ]);
  assert.equal(f[0]!.related?.[0]?.file, '.github/workflows/commands.yml');
  assert.equal(f[0]!.related?.[0]?.span.line, 10);
});

test('a constant passed into the same action stays at the action\'s own (caller-supplied) level', async () => {
  const { findings } = await scanTree({
    '.github/actions/cherry-pick/action.yml': ACTION,
    '.github/workflows/commands.yml': yaml`
      on: push
      permissions:
        contents: read
      jobs:
        pick:
          runs-on: ubuntu-latest
          steps:
            - uses: ./.github/actions/cherry-pick
              with:
                target: main
                title: release
    `,
  });
  assert.deepEqual(ofRule(findings, 'template-injection').map((x) => x.severity), ['medium', 'medium']);
});

test('a pull request title passed to a local reusable workflow under pull_request_target', async () => {
  const { findings } = await scanTree({
    '.github/workflows/reusable.yml': REUSABLE,
    '.github/workflows/caller.yml': yaml`
      on: pull_request_target
      jobs:
        call:
          uses: ./.github/workflows/reusable.yml
          with:
            title: \${{ github.event.pull_request.title }}
    `,
  });
  const high = ofRule(findings, 'template-injection').filter((f) => f.severity === 'high');
  assert.deepEqual(high.map((f) => `${f.file}:${f.span.line}`), ['.github/workflows/reusable.yml:10']);
});

const META = yaml`
  name: meta
  inputs:
    title:
      required: true
  outputs:
    slug:
      value: \${{ steps.s.outputs.slug }}
    raw:
      value: \${{ inputs.title }}
    fixed:
      value: \${{ steps.f.outputs.fixed }}
  runs:
    using: composite
    steps:
      - id: s
        shell: bash
        env:
          T: \${{ inputs.title }}
        run: echo "slug=$T" >> "$GITHUB_OUTPUT"
      - id: f
        shell: bash
        run: echo "fixed=v1" >> "$GITHUB_OUTPUT"
`;

test("a local composite action's outputs carry what the caller passed in: high at the caller's sink, with the path through the action", async () => {
  const { findings } = await scanTree({
    '.github/actions/meta/action.yml': META,
    '.github/workflows/triage.yml': yaml`
      on: issues
      permissions: {}
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: m
              uses: ./.github/actions/meta
              with:
                title: \${{ github.event.issue.title }}
            - run: echo "\${{ steps.m.outputs.slug }}"
            - run: echo "\${{ steps.m.outputs.raw }}"
            - run: echo "\${{ steps.m.outputs.fixed }}"
    `,
  });
  const f = ofRule(findings, 'template-injection');
  // The output written from fixed text carries nothing: no finding on line 13.
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line} ${x.severity} ${x.confidence}`), [
    '.github/workflows/triage.yml:11 high high',
    '.github/workflows/triage.yml:12 high high',
  ]);
  assert.match(f[0]!.message, /`steps\.m\.outputs\.slug` carries `github\.event\.issue\.title`/);
  assert.deepEqual(f[0]!.related?.map((r) => `${r.file}:${r.span.line}`), [
    '.github/workflows/triage.yml:10',
    '.github/actions/meta/action.yml:18',
    '.github/actions/meta/action.yml:19',
    '.github/actions/meta/action.yml:7',
  ]);
  assert.match(f[0]!.related![3]!.message, /action output `slug` is mapped from it/);
});

test("a composite action's output from a constant input is not raised above the action's own level", async () => {
  const { findings } = await scanTree({
    '.github/actions/meta/action.yml': META,
    '.github/workflows/triage.yml': yaml`
      on: issues
      permissions: {}
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: m
              uses: ./.github/actions/meta
              with:
                title: release
            - run: echo "\${{ steps.m.outputs.slug }}"
    `,
  });
  assert.deepEqual(ofRule(findings, 'template-injection').filter((x) => x.file.endsWith('triage.yml')), []);
});

test("an action output from an input the caller leaves to its default, or fills from a value that cannot be followed, is not taken as clean", async () => {
  const { findings } = await scanTree({
    '.github/actions/def/action.yml': yaml`
      name: def
      inputs:
        title:
          default: \${{ github.event.pull_request.title }}
      outputs:
        out:
          value: \${{ steps.s.outputs.out }}
      runs:
        using: composite
        steps:
          - id: s
            shell: bash
            env:
              T: \${{ inputs.title }}
            run: echo "out=$T" >> "$GITHUB_OUTPUT"
    `,
    '.github/workflows/pr.yml': yaml`
      on: pull_request_target
      permissions: {}
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: d
              uses: ./.github/actions/def
            - id: prev
              run: echo "v=$(cat title.txt)" >> "$GITHUB_OUTPUT"
            - id: p
              uses: ./.github/actions/def
              with:
                title: \${{ steps.prev.outputs.v }}
            - run: echo "\${{ steps.d.outputs.out }}"
            - run: echo "\${{ steps.p.outputs.out }}"
    `,
  });
  const f = ofRule(findings, 'template-injection').filter((x) => x.file.endsWith('pr.yml'));
  assert.deepEqual(f.map((x) => x.span.line), [15, 16]);
});

describe('a callee scanned before its callers is built once', () => {
  const CALLER = yaml`
    on: pull_request_target
    jobs:
      call:
        uses: ./.github/workflows/reusable.yml
        with:
          title: \${{ github.event.pull_request.title }}
      pick:
        runs-on: ubuntu-latest
        steps:
          - uses: ./.github/actions/cherry-pick
  `;

  async function scanInOrder(files: Record<string, string | Buffer>, order: string[]) {
    const dir = writeTree({});
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    const calleeCache = new Map<string, Pipeline | null>();
    const opts: ScanOptions = { rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: dir, toolVersion: 'test', calleeCache };
    const pipelines = new Map<string, Pipeline | undefined>();
    const calleesOfLast: (Pipeline | undefined)[] = [];
    for (const rel of order) {
      const a = await scanFile(path.join(dir, rel), rel, rel, opts);
      pipelines.set(rel, a.pipelines[0]);
      calleesOfLast.length = 0;
      for (const ref of a.pipelines[0]?.references ?? []) if (ref.pin === 'local') calleesOfLast.push(calleeOf(ref));
      releaseFileScoped();
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return { pipelines, calleesOfLast, cached: [...calleeCache.keys()].map((k) => path.relative(dir, k.split('\0')[1]!)) };
  }

  test('a local action and a reusable workflow are the very pipelines their own scans built', async () => {
    const r = await scanInOrder(
      { '.github/actions/cherry-pick/action.yml': ACTION, '.github/workflows/reusable.yml': REUSABLE, '.github/workflows/caller.yml': CALLER },
      ['.github/actions/cherry-pick/action.yml', '.github/workflows/reusable.yml', '.github/workflows/caller.yml'],
    );
    assert.deepEqual(r.cached, ['.github/actions/cherry-pick/action.yml', '.github/workflows/reusable.yml']);
    assert.equal(r.calleesOfLast.length, 2);
    assert.equal(r.calleesOfLast[0], r.pipelines.get('.github/workflows/reusable.yml'));
    assert.equal(r.calleesOfLast[1], r.pipelines.get('.github/actions/cherry-pick/action.yml'));
  });

  test('a callee met first from its caller is read on its own, as before', async () => {
    const r = await scanInOrder(
      { '.github/workflows/reusable.yml': REUSABLE, '.github/workflows/caller.yml': CALLER, '.github/actions/cherry-pick/action.yml': ACTION },
      ['.github/workflows/caller.yml'],
    );
    assert.equal(r.calleesOfLast.length, 2);
    assert.ok(r.calleesOfLast.every((p) => p !== undefined));
    assert.equal(r.calleesOfLast[0]!.file.path, '.github/workflows/reusable.yml');
  });

  test('files a caller would not get as they were scanned are not offered', async () => {
    const r = await scanInOrder(
      {
        // Not reusable: no workflow_call.
        '.github/workflows/plain.yml': 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n',
        // Invalid UTF-8: the scan and a callee's read replace the bytes differently.
        '.github/actions/bytes/action.yml': Buffer.concat([Buffer.from('name: "caf'), Buffer.from([0xe9]), Buffer.from('"\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n')]),
      },
      ['.github/workflows/plain.yml', '.github/actions/bytes/action.yml'],
    );
    assert.ok(r.pipelines.get('.github/workflows/plain.yml'));
    assert.ok(r.pipelines.get('.github/actions/bytes/action.yml'));
    assert.deepEqual(r.cached, []);
  });

  test('a workflow that calls itself gets a copy of itself built apart', async () => {
    const selfCalling = REUSABLE + yaml`
      again:
        uses: ./.github/workflows/reusable.yml
    `.replace(/^/gm, '  ');
    const r = await scanInOrder({ '.github/workflows/reusable.yml': selfCalling }, ['.github/workflows/reusable.yml']);
    assert.equal(r.calleesOfLast.length, 1);
    assert.ok(r.calleesOfLast[0]);
    assert.notEqual(r.calleesOfLast[0], r.pipelines.get('.github/workflows/reusable.yml'));
  });
});
