import concurrency from '../../src/rules/concurrency-limits.js';
import anonymous from '../../src/rules/anonymous-definition.js';
import undocumented from '../../src/rules/undocumented-permissions.js';
import app from '../../src/rules/github-app.js';
import unsigned from '../../src/rules/unsigned-artifacts.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(concurrency, {
  valid: [{ name: 'a concurrency group', persona: 'pedantic', code: yaml`
    name: CI
    on: pull_request
    concurrency:
      group: ci-\${{ github.ref }}
      cancel-in-progress: true
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'none', persona: 'pedantic', code: yaml`
    name: CI
    on: pull_request
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  `, findings: [{ line: 2, column: 5, severity: 'low' }] }],
});

ruleTester(anonymous, {
  valid: [{ name: 'named', persona: 'pedantic', code: yaml`
    name: CI
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'no name', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  `, findings: [{ line: 1, severity: 'info' }] }],
});

ruleTester(undocumented, {
  valid: [{ name: 'commented write scopes', persona: 'pedantic', code: yaml`
    on: push
    permissions:
      contents: write  # push the release tag
      # comment the release
      pull-requests: write
      issues: read
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: make
  ` }],
  invalid: [{ name: 'a bare write scope', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        permissions:
          packages: write
        steps:
          - run: make
  `, findings: [{ line: 6, column: 7, severity: 'info' }] }],
});

ruleTester(app, {
  valid: [{ name: 'a token for named repositories', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/create-github-app-token@${SHA}
            with:
              app-id: \${{ vars.APP_ID }}
              private-key: \${{ secrets.APP_KEY }}
              owner: my-org
              repositories: this-repo
  ` }],
  invalid: [{ name: 'an owner-wide token kept alive', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/create-github-app-token@${SHA}
            with:
              app-id: \${{ vars.APP_ID }}
              private-key: \${{ secrets.APP_KEY }}
              owner: my-org
              skip-token-revoke: true
  `, findings: [{ line: 10, column: 11, severity: 'medium' }, { line: 11, message: /revoked/ }] }],
});

ruleTester(unsigned, {
  valid: [{ name: 'an image pushed and signed', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: docker push ghcr.io/org/app:1
          - uses: sigstore/cosign-installer@${SHA}
          - run: cosign sign --yes ghcr.io/org/app:1
  ` }],
  invalid: [{ name: 'an image pushed, never signed', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: docker/build-push-action@${SHA}
            with:
              push: true
              tags: ghcr.io/org/app:1
  `, findings: [{ line: 6, column: 15, severity: 'low' }] }],
});
