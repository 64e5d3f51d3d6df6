import rule from '../../src/rules/superfluous-actions.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'the preinstalled tool, self-hosted runners and matrices', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: jq .version package.json
        b:
          runs-on: [self-hosted, linux]
          steps:
            - uses: dcarbone/install-jq-action@v3
        c:
          runs-on: \${{ matrix.os }}
          strategy:
            matrix:
              os: [ubuntu-latest]
          steps:
            - uses: dcarbone/install-jq-action@v3
        d:
          runs-on: macos-14
          steps:
            - uses: mikefarah/yq@v4
    ` },
    { name: 'the regular level', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: dcarbone/install-jq-action@v3
    ` },
  ],
  invalid: [
    { name: 'installers of jq, yq, curl and the AWS CLI', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-24.04
          steps:
            - uses: dcarbone/install-jq-action@v3
            - uses: mikefarah/yq@master
              with:
                cmd: yq .a x.yml
            - uses: wei/curl@v1
            - uses: unfor19/install-aws-cli-action@v1
            - uses: montudor/action-zip@v1
              with:
                args: zip out.zip index.js
    `, findings: [
      { line: 6, column: 15, severity: 'low', message: /jq/ },
      { line: 7, message: /yq/ },
      { line: 10, message: /curl/ },
      { line: 11, message: /AWS CLI/ },
      { line: 12, message: /zip/ },
    ] },
  ],
});
