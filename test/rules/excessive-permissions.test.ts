import rule from '../../src/rules/excessive-permissions.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'read-only workflow permissions', code: yaml`
      on: push
      permissions:
        contents: read
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
        b:
          runs-on: ubuntu-latest
          permissions:
            contents: write
          steps:
            - run: make release
    ` },
    { name: 'a reusable workflow (bounded by its caller)', code: yaml`
      on: workflow_call
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
    ` },
    { name: 'a composite action', path: 'action.yml', code: yaml`
      runs:
        using: composite
        steps:
          - run: make
            shell: bash
    ` },
  ],
  invalid: [
    { name: 'no permissions anywhere', code: yaml`
      on: push
      jobs:
        build:
          runs-on: ubuntu-latest
          steps:
            - run: make
    `, findings: [{ line: 3, column: 3, severity: 'medium', message: /build/ }] },
    { name: 'write-all at workflow and job level', code: yaml`
      on: push
      permissions: write-all
      jobs:
        a:
          runs-on: ubuntu-latest
          permissions: write-all
          steps:
            - run: make
    `, findings: [{ line: 2, severity: 'high' }, { line: 6, severity: 'high' }] },
    { name: 'workflow-level writes inherited by several jobs', code: yaml`
      on: push
      permissions:
        contents: write
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
        b:
          runs-on: ubuntu-latest
          steps:
            - run: make test
    `, findings: [{ line: 2, severity: 'medium', message: /contents/ }] },
    { name: 'no permissions on a fork-only trigger: low', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
    `, findings: [{ line: 3, severity: 'low' }] },
  ],
});
