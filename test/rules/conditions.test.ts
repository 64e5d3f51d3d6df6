import { test } from 'node:test';
import assert from 'node:assert/strict';
import insecure from '../../src/rules/insecure-commands.js';
import unsoundCondition from '../../src/rules/unsound-condition.js';
import unsoundContains from '../../src/rules/unsound-contains.js';
import bot from '../../src/rules/bot-conditions.js';
import unredacted from '../../src/rules/unredacted-secrets.js';
import githubEnv from '../../src/rules/github-env.js';
import { findingsOf, ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(insecure, {
  valid: [{ name: 'switched off', code: yaml`
    on: push
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: false
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'switched on for a step', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
            env:
              ACTIONS_ALLOW_UNSECURE_COMMANDS: true
  `, findings: [{ line: 8, column: 11, severity: 'high' }] }],
});

ruleTester(unsoundCondition, {
  valid: [{ name: 'one expression, bare or delimited', code: yaml`
    on: push
    jobs:
      a:
        if: github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        steps:
          - if: \${{ success() && github.event_name == 'push' }}
            run: make
  ` }],
  invalid: [{ name: 'a block scalar and text around expressions', code: yaml`
    on: push
    jobs:
      a:
        if: |
          \${{ github.actor == 'me' }}
        runs-on: ubuntu-latest
        steps:
          - if: \${{ github.ref == 'refs/heads/main' }} && \${{ success() }}
            run: make
  `, findings: [{ line: 4, severity: 'high' }, { line: 8, column: 13 }] }],
});

ruleTester(unsoundContains, {
  valid: [{ name: 'membership in a list', code: yaml`
    on: push
    jobs:
      a:
        if: contains(fromJSON('["refs/heads/main", "refs/heads/dev"]'), github.ref)
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'substring of a string literal', code: yaml`
    on: push
    jobs:
      a:
        if: contains('refs/heads/main refs/heads/dev', github.ref)
        runs-on: ubuntu-latest
        steps:
          - run: make
  `, findings: [{ line: 4, column: 9, severity: 'high' }] }],
});

ruleTester(bot, {
  valid: [{ name: 'a check that only skips work for the bot', code: yaml`
    on: pull_request_target
    jobs:
      a:
        if: github.actor != 'dependabot[bot]'
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }, { name: 'the pull request author', code: yaml`
    on: pull_request_target
    jobs:
      a:
        if: github.event.pull_request.user.login == 'dependabot[bot]'
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'the actor', code: yaml`
    on: pull_request_target
    jobs:
      a:
        if: \${{ github.actor == 'dependabot[bot]' }}
        runs-on: ubuntu-latest
        steps:
          - run: make
  `, findings: [{ line: 4, column: 9, severity: 'high' }] }],
});

ruleTester(unredacted, {
  valid: [{ name: 'a plain secret', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy
            env:
              KEY: \${{ secrets.KEY }}
  ` }],
  invalid: [{ name: 'a field of a JSON secret', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy
            env:
              KEY: \${{ fromJSON(secrets.CONFIG).apiKey }}
  `, findings: [{ line: 8, column: 16, severity: 'medium' }] }],
});

ruleTester(githubEnv, {
  valid: [{ name: 'a constant written under push', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: echo "MODE=release" >> "$GITHUB_ENV"
  ` }],
  invalid: [{ name: 'the write line, not an earlier echo of the same expression', code: yaml`
    on: issues
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              echo "\${{ github.event.issue.title }}"
              echo "T=\${{ github.event.issue.title }}" >> "$GITHUB_ENV"
  `, findings: [{ line: 8, column: 19, severity: 'high' }] }, { name: 'a pull request title into GITHUB_ENV, and any write under pull_request_target', code: yaml`
    on: pull_request_target
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: echo "TITLE=\${{ github.event.pull_request.title }}" >> "$GITHUB_ENV"
          - run: cat artifact/env.txt >> $GITHUB_ENV
  `, findings: [{ line: 6, column: 26, severity: 'high' }, { line: 7, severity: 'medium', confidence: 'low' }] },
  { name: 'through step env and a group redirection; tee -a into GITHUB_PATH; constants stay silent', code: yaml`
    on: pull_request_target
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - env:
              HEAD: \${{ github.event.pull_request.head.ref }}
            run: |
              echo "STATIC=1" >> "$GITHUB_ENV"
              {
                echo "BRANCH=$HEAD"
              } >> "$GITHUB_ENV"
              echo "\${{ github.event.pull_request.title }}" | tee -a "$GITHUB_PATH"
              echo "$(echo '\${{ github.event.pull_request.body }}' | head -1)" >> $GITHUB_ENV
  `, findings: [
    { line: 11, column: 13, severity: 'high', message: /carries `github\.event\.pull_request\.head\.ref`/ },
    { line: 13, column: 17, severity: 'high' },
    { line: 14, column: 25, severity: 'high' },
  ] }],
});

ruleTester(githubEnv, {
  valid: [{ name: 'a variable set only to fixed text; runner paths; a branch name under push, where it is empty', code: yaml`
    on: [push, pull_request_target]
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              msg="done"
              echo "MSG=\${msg}" >> "$GITHUB_ENV"
              echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
              echo "SHA=$GITHUB_SHA" >> "$GITHUB_ENV"
  ` }, { name: 'commit messages only exist under push', code: yaml`
    on: pull_request_target
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: echo "M=\${{ github.event.head_commit.message }}" >> "$GITHUB_ENV"
  ` }],
  invalid: [{ name: 'the pull request branch through GITHUB_HEAD_REF; a computed value under pull_request_target', code: yaml`
    on: pull_request_target
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              echo "BRANCH=$GITHUB_HEAD_REF" >> "$GITHUB_ENV"
              echo "V=$(cat version.txt)" >> "$GITHUB_ENV"
  `, findings: [{ line: 7, severity: 'high', message: /github\.head_ref/ }, { line: 8, severity: 'medium', confidence: 'low' }] }],
});

test('github-env: the source of a variable written to GITHUB_ENV is a related location', () => {
  const [f] = findingsOf(githubEnv, { name: 'x', code: yaml`
    on: issue_comment
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - env:
              BODY: \${{ github.event.comment.body }}
            run: echo "X=$BODY" >> "$GITHUB_ENV"
  ` });
  assert.equal(f?.related?.[0]?.span.line, 7);
});
