import rule from '../../src/rules/self-hosted-runner.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'hosted runners on pull requests', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: ubuntu-24.04
          steps:
            - run: make
        b:
          runs-on: [windows-latest]
          steps:
            - run: make
        c:
          runs-on: \${{ matrix.os }}
          strategy:
            matrix:
              os: [ubuntu-latest, macos-14]
              include:
                - os: windows-2022
          steps:
            - run: make
    ` },
    { name: 'self-hosted only on push, regular persona', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: [self-hosted, linux]
          steps:
            - run: make
    ` },
  ],
  invalid: [
    { name: 'self-hosted on pull requests', persona: 'regular', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: [self-hosted, linux]
          steps:
            - run: make
    `, findings: [{ line: 4, column: 14, severity: 'high' }] },
    { name: 'self-hosted and custom labels for auditors', persona: 'auditor', code: yaml`
      on: push
      jobs:
        a:
          runs-on: self-hosted
          steps:
            - run: make
        b:
          runs-on: gpu-box
          steps:
            - run: make
    `, findings: [{ line: 4, severity: 'low', confidence: 'high' }, { line: 8, severity: 'low', confidence: 'low' }] },
    { name: 'a matrix with a self-hosted entry, and GitHub\'s self-hosted OS/arch labels, on pull requests', persona: 'regular', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: \${{ matrix.runner }}
          strategy:
            matrix:
              runner: [ubuntu-latest, [self-hosted, gpu]]
          steps:
            - run: make
        b:
          runs-on: [Linux, ARM64]
          steps:
            - run: make
        c:
          runs-on: linux.2xlarge
          steps:
            - run: make
    `, findings: [{ line: 4, severity: 'high' }, { line: 11, severity: 'high' }, { line: 15, severity: 'medium', confidence: 'low' }] },
  ],
});
