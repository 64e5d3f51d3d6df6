import execution from '../../src/rules/dependabot-execution.js';
import cooldown from '../../src/rules/dependabot-cooldown.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const path = '.github/dependabot.yml';

ruleTester(execution, {
  valid: [{ name: 'the default (deny)', path, code: yaml`
    version: 2
    updates:
      - package-ecosystem: pip
        directory: /
        schedule:
          interval: weekly
        cooldown:
          default-days: 7
  ` }],
  invalid: [{ name: 'allow', path, code: yaml`
    version: 2
    updates:
      - package-ecosystem: pip
        directory: /
        schedule:
          interval: weekly
        insecure-external-code-execution: allow
  `, findings: [{ line: 7, column: 5, severity: 'high' }] }],
});

ruleTester(cooldown, {
  valid: [{ name: 'a week of cooldown', path, code: yaml`
    version: 2
    updates:
      - package-ecosystem: npm
        directory: /
        schedule:
          interval: daily
        cooldown:
          default-days: 7
  ` }],
  invalid: [{ name: 'no cooldown', path, code: yaml`
    version: 2
    updates:
      - package-ecosystem: npm
        directory: /
        schedule:
          interval: daily
  `, findings: [{ line: 3, column: 24, severity: 'medium', message: /npm \// }] }],
});
