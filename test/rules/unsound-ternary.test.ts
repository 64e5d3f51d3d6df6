import ternary from '../../src/rules/unsound-ternary.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(ternary, {
  valid: [
    { name: 'a non-empty literal in the middle', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: \${{ github.event_name == 'push' && 'ubuntu-24.04' || 'ubuntu-22.04' }}
          steps:
            - run: echo \${{ github.ref == 'refs/heads/main' && 1 || 0 }} \${{ inputs.x && true || false }}
    ` },
    { name: 'values that are always set, format() with text and toJSON', persona: 'pedantic', code: yaml`
      on: pull_request
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo "\${{ github.event_name == 'push' && github.sha || 'none' }}"
            - run: echo "\${{ always() && format('v{0}', inputs.v) || 'x' }} \${{ success() && toJSON(matrix) || '{}' }}"
            - run: echo "\${{ github.event_name == 'push' && (inputs.a || 'default') || 'y' }}"
    ` },
    { name: 'a plain || default and a plain && guard', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          if: github.repository == 'o/r' && github.event_name == 'push'
          steps:
            - run: echo "\${{ inputs.tag || 'latest' }}"
    ` },
    { name: 'boolean logic in conditions and with a test on the right', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/') || github.event_name == 'workflow_dispatch'
          steps:
            - run: echo
              if: \${{ github.event_name == 'push' && secrets.TOKEN || inputs.force }}
          continue-on-error: \${{ matrix.os == 'windows' && matrix.experimental || !matrix.required }}
    ` },
    { name: 'a condition that tests b, and an empty fallback', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: \${{ (inputs.runner != '' && inputs.runner) || 'ubuntu-latest' }}
          steps:
            - run: echo "\${{ inputs.plan != '' && fromJSON(inputs.plan).tag || inputs.ref }}"
            - run: echo "\${{ github.event_name == 'push' && inputs.tag || '' }}"
    ` },
    { name: 'a value that may be empty, at the regular level', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo "\${{ github.event_name == 'push' && secrets.PUSH_TOKEN || secrets.OTHER }}"
    ` },
  ],
  invalid: [
    { name: 'an empty string in the middle', persona: 'regular', code: yaml`
      on: workflow_dispatch
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: ./release.sh \${{ inputs.dry-run && '' || '--publish' }}
    `, findings: [{ line: 6, column: 27, severity: 'low', confidence: 'high', message: /always falsy.*'--publish'/ }] },
    { name: 'false and 0 literals, and fromJSON of false', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          continue-on-error: \${{ matrix.experimental && false || true }}
          timeout-minutes: \${{ github.event_name == 'push' && 0 || 30 }}
          steps:
            - run: echo
              if: \${{ github.ref == 'x' && fromJSON('false') || github.event_name == 'push' }}
    `, findings: [{ line: 5, confidence: 'high' }, { line: 6, confidence: 'high' }, { line: 9, confidence: 'high' }] },
    { name: 'a boolean input and a comparison in the middle', persona: 'regular', code: yaml`
      on:
        workflow_dispatch:
          inputs:
            Publish:
              type: boolean
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: echo \${{ github.ref == 'refs/heads/main' && inputs.publish || true }}
            - run: echo \${{ github.event_name == 'push' && (github.ref == 'refs/heads/main') || 'other' }}
    `, findings: [{ line: 10, confidence: 'medium', message: /can be false/ }, { line: 11, message: /can be false/ }] },
    { name: 'a secret that may be unset, for pedantic readers', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: ./deploy.sh
              env:
                TOKEN: \${{ github.event_name == 'push' && secrets.PUSH_TOKEN || secrets.OTHER }}
                MODE: \${{ github.event_name == 'push' && (inputs.mode || '') || 'full' }}
    `, findings: [{ line: 8, column: 18, confidence: 'low', message: /empty when unset/ }, { line: 9, confidence: 'low', message: /empty when unset/ }] },
  ],
});
