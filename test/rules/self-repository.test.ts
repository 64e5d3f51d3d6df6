import { test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../src/rules/self-repository.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { githubRepoFromUrl, gitRemotesFor, remotesOf } from '../../src/platforms/github/identity.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';
import { ofRule, scanTree } from '../helpers/tree.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

const SELF_REF = yaml`
  on: push
  jobs:
    build:
      runs-on: ubuntu-latest
      steps:
        - uses: my-org/my-repo/.github/actions/build@main
        - uses: other-org/my-repo/.github/actions/build@main
`;

ruleTester(rule, {
  valid: [
    { name: 'no evidence of the repository name', code: SELF_REF },
    { name: 'local paths in a guarded workflow', code: yaml`
      on: push
      jobs:
        build:
          if: github.repository == 'my-org/my-repo'
          runs-on: ubuntu-latest
          steps:
            - uses: ./.github/actions/build
        release:
          uses: ./.github/workflows/release.yml
    ` },
    { name: 'a guard inside a reusable workflow names its callers', code: yaml`
      on: workflow_call
      jobs:
        build:
          if: github.repository == 'my-org/my-repo'
          runs-on: ubuntu-latest
          steps:
            - uses: my-org/my-repo/.github/actions/build@main
    ` },
    { name: 'a composite action reaching a sibling action', path: 'action.yml', options: { repository: 'my-org/my-repo' }, code: yaml`
      name: x
      runs:
        using: composite
        steps:
          - uses: my-org/my-repo/setup@main
    ` },
  ],
  invalid: [
    { name: 'the repository named in a guard', code: yaml`
      on: push
      jobs:
        build:
          if: \${{ 'My-Org/my-repo' == github.repository }}
          runs-on: ubuntu-latest
          steps:
            - uses: my-org/my-repo/.github/actions/build@main
        release:
          uses: my-org/my-repo/.github/workflows/release.yml@v2
    `, findings: [
      { line: 7, column: 15, severity: 'low', confidence: 'medium', message: /as of `main`.*use `\.\/\.github\/actions\/build`/ },
      { line: 9, column: 11, message: /reusable workflow.*`\.\/\.github\/workflows\/release\.yml`/ },
    ] },
    { name: 'the repository named in the config; a commit pin for pedantic readers', persona: 'pedantic', options: { repository: 'my-org/my-repo' }, code: yaml`
      on: push
      jobs:
        build:
          runs-on: ubuntu-latest
          steps:
            - uses: my-org/my-repo/.github/actions/build@${SHA}
            - uses: my-org/my-repo@v1
    `, findings: [{ line: 6, severity: 'info', confidence: 'high' }, { line: 7, severity: 'low' }] },
  ],
});

test('self-repository: the name read from the clone\'s .git/config remotes', async () => {
  const config = '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:My-Org/my-repo.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n';
  const { findings } = await scanTree({ '.git/config': config, '.github/workflows/ci.yml': SELF_REF }, 'regular');
  assert.deepEqual(ofRule(findings, 'self-repository').map((f) => `${f.file}:${f.span.line}:${f.span.column} ${f.confidence}`), ['.github/workflows/ci.yml:6:15 high']);
  const none = await scanTree({ '.github/workflows/ci.yml': SELF_REF }, 'regular');
  assert.deepEqual(ofRule(none.findings, 'self-repository'), []);
});

test('self-repository: remote URLs', () => {
  assert.equal(githubRepoFromUrl('https://github.com/o/r.git'), 'o/r');
  assert.equal(githubRepoFromUrl('https://token@github.com/O/R'), 'o/r');
  assert.equal(githubRepoFromUrl('ssh://git@github.com/o/r.js.git'), 'o/r.js');
  assert.equal(githubRepoFromUrl('git@github.com:o/r'), 'o/r');
  assert.equal(githubRepoFromUrl('https://gitlab.com/o/r.git'), undefined);
  assert.equal(githubRepoFromUrl('https://github.com.evil.io/o/r'), undefined);
  assert.deepEqual([...remotesOf('[remote "origin"]\n  url = https://github.com/me/r\n[remote "upstream"]\nurl=https://github.com/org/r.git\n[branch "main"]\n  url = https://github.com/x/y\n')], ['me/r', 'org/r']);
});

test('self-repository: a linked worktree reads the remotes of its main repository', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-wt-'));
  try {
    const gitDir = path.join(dir, 'main', '.git');
    fs.mkdirSync(path.join(gitDir, 'worktrees', 'wt'), { recursive: true });
    fs.writeFileSync(path.join(gitDir, 'config'), '[remote "origin"]\n\turl = https://github.com/my-org/my-repo.git\n');
    fs.writeFileSync(path.join(gitDir, 'worktrees', 'wt', 'commondir'), '../..\n');
    fs.mkdirSync(path.join(dir, 'wt', '.github', 'workflows'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'wt', '.git'), `gitdir: ${path.join(gitDir, 'worktrees', 'wt')}\n`);
    assert.deepEqual([...(gitRemotesFor(path.join(dir, 'wt', '.github', 'workflows', 'ci.yml')) ?? [])], ['my-org/my-repo']);
    assert.equal(gitRemotesFor(path.join(dir, 'elsewhere', 'ci.yml')), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
