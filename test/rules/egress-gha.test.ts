/** unrestricted-egress on GitHub-hosted runners: privileged jobs with no harden-runner blocking egress. */
import rule from '../../src/rules/unrestricted-egress.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(rule, {
  valid: [
    { name: 'harden-runner blocking egress first', code: yaml`
      on: pull_request_target
      jobs:
        label:
          runs-on: ubuntu-latest
          steps:
            - uses: step-security/harden-runner@${SHA}
              with:
                egress-policy: block
                allowed-endpoints: api.github.com:443
            - run: ./label.sh
    ` },
    { name: 'unprivileged jobs, self-hosted runners, reusable workflow calls', code: yaml`
      on:
        pull_request:
        push:
      permissions:
        contents: read
      jobs:
        test:
          runs-on: ubuntu-latest
          steps:
            - run: make test
              env:
                TOKEN: \${{ secrets.TOKEN }}
        own:
          runs-on: [self-hosted, linux]
          permissions:
            contents: write
          steps:
            - run: ./release.sh \${{ secrets.TOKEN }}
        call:
          uses: ./.github/workflows/release.yml
          secrets: inherit
    ` },
    { name: 'outsiders\' triggers at the regular level', persona: 'regular', code: yaml`
      on: issue_comment
      jobs:
        reply:
          runs-on: ubuntu-latest
          steps:
            - run: echo hi
    ` },
  ],
  invalid: [
    { name: 'a trigger outsiders can cause, for pedantic readers', persona: 'pedantic', code: yaml`
      on: pull_request_target
      jobs:
        label:
          runs-on: ubuntu-latest
          steps:
            - run: ./label.sh
        audit:
          runs-on: ubuntu-latest
          steps:
            - uses: step-security/harden-runner@${SHA}
              with:
                egress-policy: audit
        late:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@${SHA}
            - uses: step-security/harden-runner@${SHA}
              with:
                egress-policy: block
    `, findings: [
      { line: 3, column: 3, severity: 'medium', confidence: 'low', message: /`pull_request_target`.*no egress control/ },
      { line: 7, message: /only auditing/ },
      { line: 13, message: /only after earlier steps/ },
    ] },
    { name: 'secrets and a write token, for auditors', code: yaml`
      on: push
      permissions:
        contents: write
      jobs:
        release:
          runs-on: ubuntu-latest
          steps:
            - run: ./release.sh
              env:
                TOKEN: \${{ secrets.TOKEN }}
    `, findings: [{ line: 5, message: /secrets and a token that can write/ }] },
  ],
});
