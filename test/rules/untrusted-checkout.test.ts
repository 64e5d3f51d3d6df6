import rule from '../../src/rules/untrusted-checkout.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'head checkout followed only by API calls (nothing from the tree runs), medium at most', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo nothing privileged here
    ` },
    { name: 'checkout of the base under pull_request_target', code: yaml`
      on: pull_request_target
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - run: npm test
    ` },
    { name: 'checkout of the head under pull_request (unprivileged)', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
              with:
                ref: \${{ github.event.pull_request.head.sha }}
            - run: npm test
    ` },
  ],
  invalid: [
    { name: 'pwn request: head checkout then npm install', code: yaml`
      on: pull_request_target
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
              with:
                ref: \${{ github.event.pull_request.head.sha }}
            - run: npm install
    `, findings: [{ line: 8, column: 16, severity: 'high', confidence: 'high' }] },
    { name: 'workflow_run head branch, nothing run afterwards, read-only token', code: yaml`
      on:
        workflow_run:
          workflows: [CI]
      permissions:
        contents: read
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
              with:
                ref: \${{ github.event.workflow_run.head_branch }}
    `, findings: [{ line: 12, severity: 'medium', confidence: 'medium' }] },
    { name: 'gh pr checkout in a comment-triggered job', code: yaml`
      on: issue_comment
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - run: gh pr checkout \${{ github.event.issue.number }}
            - run: make
    `, findings: [{ line: 7, column: 9, severity: 'high' }] },
    { name: 'a reusable workflow handed the pull request head', code: yaml`
      on: pull_request_target
      jobs:
        build:
          uses: ./.github/workflows/build.yml
          with:
            ref: \${{ github.event.pull_request.head.sha }}
    `, findings: [{ line: 6, column: 12, severity: 'high', confidence: 'medium' }] },
    { name: 'head checkout behind a protected environment: medium', code: yaml`
      on: pull_request_target
      jobs:
        a:
          runs-on: ubuntu-latest
          environment: external-prs
          steps:
            - uses: actions/checkout@v4
              with:
                ref: \${{ github.event.pull_request.head.sha }}
            - run: make test
    `, findings: [{ line: 9, severity: 'medium', confidence: 'medium', message: /gate/ }] },
    { name: 'hub pr checkout on a comment, then a script from the tree', code: yaml`
      on: issue_comment
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: hub pr checkout \${{ github.event.issue.number }}
            - run: python scripts/update_sha.py
    `, findings: [{ line: 6, severity: 'high' }] },
  ],
});
