import rule from '../../src/rules/secrets-inherit.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'secrets passed one by one', code: yaml`
      on: push
      jobs:
        a:
          uses: org/repo/.github/workflows/x.yml@v1
          secrets:
            TOKEN: \${{ secrets.TOKEN }}
    ` },
  ],
  invalid: [
    { name: 'secrets: inherit', code: yaml`
      on: push
      jobs:
        a:
          uses: org/repo/.github/workflows/x.yml@v1
          secrets: inherit
    `, findings: [{ line: 5, column: 5, severity: 'medium' }] },
    { name: 'secrets: inherit to a workflow of the same repository: low', code: yaml`
      on: push
      jobs:
        a:
          uses: ./.github/workflows/x.yml
          secrets: inherit
    `, findings: [{ line: 5, severity: 'low' }] },
  ],
});
