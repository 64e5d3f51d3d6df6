import rule from '../../src/rules/artipacked.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'persist-credentials: false', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
              with:
                persist-credentials: false
            - uses: actions/upload-artifact@v4
              with:
                path: .
    ` },
  ],
  invalid: [
    { name: 'default checkout', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - run: make
    `, findings: [{ line: 6, column: 15, severity: 'medium' }] },
    { name: 'default checkout with a read-only token: low', code: yaml`
      on: push
      permissions:
        contents: read
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
    `, findings: [{ line: 8, column: 15, severity: 'low' }] },
    { name: 'checkout then upload of the whole tree', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
              with:
                persist-credentials: true
            - uses: actions/upload-artifact@v4
              with:
                path: ./
                include-hidden-files: true
    `, findings: [{ line: 8, column: 32, severity: 'high', message: /uploads the working tree/ }] },
    { name: 'checkout then an upload that leaves hidden files out (v4.4+ default): medium', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - uses: actions/upload-artifact@v4.6.0
              with:
                path: .
    `, findings: [{ line: 6, severity: 'medium', confidence: 'medium' }] },
    { name: 'checkout then an upload with an old upload-artifact: high', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@v4
            - uses: actions/upload-artifact@v3
              with:
                path: .
    `, findings: [{ line: 6, severity: 'high' }] },
  ],
});
