import rule from '../../src/rules/debug-logging.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'switches off or absent', code: yaml`
      on: push
      env:
        ACTIONS_STEP_DEBUG: false
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
    ` },
  ],
  invalid: [
    { name: 'step debug at workflow level and runner debug on a step', code: yaml`
      on: push
      env:
        ACTIONS_STEP_DEBUG: true
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: make
              env:
                ACTIONS_RUNNER_DEBUG: "1"
    `, findings: [{ line: 3, column: 3, severity: 'medium' }, { line: 10, column: 11 }] },
  ],
});
