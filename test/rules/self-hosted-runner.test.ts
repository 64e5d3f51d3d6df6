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
  ],
});
