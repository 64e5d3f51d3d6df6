import rule from '../../src/rules/dangerous-triggers.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'pull_request', code: yaml`
      on: [pull_request, push]
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
    ` },
  ],
  invalid: [
    { name: 'pull_request_target in a mapping', code: yaml`
      on:
        push:
        pull_request_target:
          types: [opened]
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/download-artifact@v4
            - run: echo \${{ secrets.X }}
    `, findings: [{ line: 3, column: 3, severity: 'medium' }] },
    { name: 'pull_request_target that never touches pull request content: low', code: yaml`
      on: pull_request_target
      jobs:
        label:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/labeler@v5
              with:
                repo-token: \${{ secrets.GITHUB_TOKEN }}
    `, findings: [{ line: 1, severity: 'low', message: /does not check out/ }] },
    { name: 'workflow_run with a read-only token and no secrets: low', code: yaml`
      on:
        workflow_run:
          workflows: [CI]
          types: [completed]
      permissions:
        contents: read
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo done
    `, findings: [{ line: 2, severity: 'low' }] },
  ],
});
