import rule from '../../src/rules/cache-poisoning.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(rule, {
  valid: [
    { name: 'a cache in a test job; a release without cache', code: yaml`
      on: [push, release]
      jobs:
        test:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/setup-node@${SHA}
              with:
                node-version: 20
            - run: npm test
        publish:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/setup-go@${SHA}
              with:
                cache: false
            - run: goreleaser release
    ` },
  ],
  invalid: [
    { name: 'npm publish after setup-node with cache; setup-go caches by default', code: yaml`
      on: push
      jobs:
        publish:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/setup-node@${SHA}
              with:
                cache: npm
            - uses: actions/setup-go@${SHA}
            - run: npm publish
    `, findings: [{ line: 6, column: 15, severity: 'high' }, { line: 9, column: 15 }] },
  ],
});
