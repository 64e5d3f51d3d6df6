/** A caller's untrusted value followed into a local composite action and a local reusable workflow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
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
    '.github/workflows/reusable.yml': yaml`
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
    `,
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
