import known from '../../src/rules/known-vulnerable-actions.js';
import archived from '../../src/rules/archived-uses.js';
import provenance from '../../src/rules/missing-provenance.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(known, {
  valid: [{ name: 'patched versions, by tag and by SHA with its comment', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: tj-actions/changed-files@v46.0.1
          - uses: tj-actions/changed-files@${SHA} # v47.0.0
          - uses: tj-actions/changed-files@${SHA} # ratchet:tj-actions/changed-files@v46.0.1
          - uses: actions/download-artifact@v4.1.8
          - uses: actions/download-artifact@v4
          - uses: actions/download-artifact@v3
  ` }],
  invalid: [{ name: 'an exact affected version, a SHA pinned to one, and a major-only tag', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: tj-actions/changed-files@v45.0.7
          - uses: actions/download-artifact@${SHA} # v4.1.2
          - uses: tj-actions/changed-files@v40
          - uses: tj-actions/changed-files@${SHA} # ratchet:tj-actions/changed-files@v45.0.7
          - uses: actions/download-artifact@${SHA} # actions/download-artifact@v4.1.2
  `, findings: [
    { line: 6, column: 15, severity: 'high', confidence: 'high', message: /GHSA-mrrh-fwg8-r2c3/ },
    { line: 7, confidence: 'high', message: /GHSA-cxww-7g56-2vh6/ },
    { line: 8, confidence: 'medium', message: /GHSA-mrrh-fwg8-r2c3/ },
    { line: 8, confidence: 'medium', message: /GHSA-mcph-m25j-8j63/ },
    { line: 9, confidence: 'high', message: /GHSA-mrrh-fwg8-r2c3/ },
    { line: 10, confidence: 'high', message: /GHSA-cxww-7g56-2vh6/ },
  ] }],
});

ruleTester(archived, {
  valid: [{ name: 'maintained replacements', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: dtolnay/rust-toolchain@${SHA}
          - uses: ruby/setup-ruby@${SHA}
  ` }],
  invalid: [{ name: 'archived actions', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions-rs/toolchain@v1
          - uses: actions/create-release@v1
  `, findings: [{ line: 6, column: 15, severity: 'medium', message: /rust-toolchain/ }, { line: 7, message: /gh release create/ }] }],
});

ruleTester(provenance, {
  valid: [{ name: 'npm publish --provenance; an image with an attestation step', code: yaml`
    on: release
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: npm publish --provenance
  ` }],
  invalid: [{ name: 'npm publish and docker push without provenance', code: yaml`
    on: release
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: npm publish
      b:
        runs-on: ubuntu-latest
        steps:
          - run: docker push ghcr.io/org/app:1
  `, findings: [{ line: 6, severity: 'low', message: /npm/ }, { line: 10, message: /image/ }] }],
});
