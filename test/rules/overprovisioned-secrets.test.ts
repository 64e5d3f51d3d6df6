import rule from '../../src/rules/overprovisioned-secrets.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'named secrets, also by literal index', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: ./deploy
              env:
                A: \${{ secrets.A }}
                B: \${{ secrets['B'] }}
    ` },
  ],
  invalid: [
    { name: 'toJSON(secrets) and a computed key', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: ./deploy
              env:
                ALL: \${{ toJSON(secrets) }}
                ONE: \${{ secrets[matrix.name] }}
    `, findings: [{ line: 8, column: 16, severity: 'medium' }, { line: 9, column: 16 }] },
  ],
});
