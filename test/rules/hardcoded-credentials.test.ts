import rule from '../../src/rules/hardcoded-credentials.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'secret references, placeholders, names and test service passwords', code: yaml`
      on: push
      env:
        API_TOKEN: \${{ secrets.API_TOKEN }}
        PASSWORD_FILE: /run/secrets/pw
        SECRET_NAMES: API_TOKEN,DEPLOY_KEY
        AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
      jobs:
        a:
          runs-on: ubuntu-latest
          services:
            db:
              image: postgres
              env:
                POSTGRES_PASSWORD: s3cr3tPassw0rd
          steps:
            - run: echo ok
              env:
                TOKEN: \${TOKEN}
                DB_PASSWORD: postgres
    ` },
  ],
  invalid: [
    { name: 'a token format in env and a literal password', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          env:
            GH: ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ
          container:
            image: ghcr.io/org/img
            credentials:
              username: bot
              password: Zr9v3kQpL2xW8m
          steps:
            - run: curl https://admin:Hunter2Pass@registry.corp.net/api
    `, findings: [
      { line: 6, column: 11, endColumn: 51, severity: 'high', confidence: 'high' },
      { line: 11, column: 19, confidence: 'medium' },
      { line: 13, confidence: 'high', message: /password in URL/ },
    ] },
  ],
});
