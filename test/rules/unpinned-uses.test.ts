import rule from '../../src/rules/unpinned-uses.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(rule, {
  valid: [
    { name: 'SHA pins, local actions and local reusable workflows', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@${SHA} # v4.2.2
            - uses: ./.github/actions/setup
        b:
          uses: ./.github/workflows/reusable.yml
        c:
          uses: $/.github/workflows/self.yml
    ` },
    { name: 'an owner allowed to use tags by policy', options: { policies: { 'my-org/*': 'ref-pin' } }, code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: my-org/deploy@v3
    ` },
    { name: 'docker:// references (unpinned-images covers them)', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: docker://alpine:3.20
    ` },
  ],
  invalid: [
    { name: 'tags, a branch and no ref', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - uses: some-user/tool@main
            - uses: other/action
        b:
          uses: org/repo/.github/workflows/x.yml@v1
    `, findings: [
      { line: 6, column: 15, endColumn: 34, severity: 'medium' },
      { line: 7, severity: 'high', message: /main/ },
      { line: 8, severity: 'high', message: /no ref/ },
      { line: 10, column: 11, severity: 'high', message: /reusable workflow/ },
    ] },
    { name: 'the most specific policy wins', options: { policies: { 'my-org/*': 'ref-pin', 'my-org/untrusted': 'hash-pin' } }, code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: my-org/deploy@v3
            - uses: my-org/untrusted@v1
    `, findings: [{ line: 7, message: /my-org\/untrusted: hash-pin/ }] },
  ],
});
