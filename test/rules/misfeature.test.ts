import { test } from 'node:test';
import assert from 'node:assert/strict';
import rule, { shellProblem } from '../../src/rules/misfeature.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(rule, {
  valid: [
    { name: 'named shells, templates with -e, setup-python without pip-install', code: yaml`
      on: push
      defaults:
        run:
          shell: bash
      jobs:
        a:
          runs-on: windows-latest
          defaults:
            run:
              shell: pwsh
          steps:
            - uses: actions/setup-python@${SHA}
              with:
                python-version: '3.12'
                cache: pip
            - run: pip install -r requirements.txt
            - run: echo
              shell: bash -euxo pipefail {0}
            - run: echo
              shell: sh -e {0}
            - run: echo
              shell: powershell
            - run: print(1)
              shell: python {0}
    ` },
    { name: 'one-line scripts and scripts that set -e themselves', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: windows-latest
          defaults:
            run:
              shell: cmd
          steps:
            - run: e2etest.exe -test.v
            - run: |
                set -eu
                ./a.sh
                ./b.sh
              shell: bash -l {0}
            - run: make && make test 2>&1
              shell: bash {0}
    ` },
    { name: 'shells at the regular level', code: yaml`
      on: push
      jobs:
        a:
          runs-on: windows-latest
          steps:
            - run: |
                a.exe
                b.exe
              shell: cmd
    `, persona: 'regular' },
  ],
  invalid: [
    { name: 'cmd, a template without -e and pip-install', persona: 'pedantic', code: yaml`
      on: push
      defaults:
        run:
          shell: cmd
      jobs:
        a:
          runs-on: windows-latest
          steps:
            - uses: actions/setup-python@${SHA}
              with:
                python-version: '3.12'
                pip-install: requests
            - run: |
                ./check-signature.sh
                ./install.sh
              shell: bash {0}
            - run: ./check.sh; ./install.sh
              shell: /bin/sh -x {0}
            - run: |
                verify.exe
                install.exe
    `, findings: [
      { line: 4, column: 12, severity: 'low', message: /`cmd` ignores/ },
      { line: 12, column: 11, message: /pip-install/ },
      { line: 16, column: 16, message: /bash without `-e`/ },
      { line: 18, message: /sh without `-e`/ },
    ] },
  ],
});

test('misfeature: shell templates', () => {
  assert.equal(shellProblem('bash'), undefined);
  assert.equal(shellProblem('bash -e {0}'), undefined);
  assert.equal(shellProblem('bash --noprofile --norc -o errexit {0}'), undefined);
  assert.match(shellProblem('bash --noprofile --norc {0}') ?? '', /without `-e`/);
  assert.match(shellProblem('CMD.EXE') ?? '', /cmd/);
  assert.equal(shellProblem('perl {0}'), undefined);
});
