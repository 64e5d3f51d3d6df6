import typosquat from '../../src/rules/typosquat-uses.js';
import forbidden from '../../src/rules/forbidden-uses.js';
import obfuscation from '../../src/rules/obfuscation.js';
import packages from '../../src/rules/unpinned-packages.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(typosquat, {
  valid: [{ name: 'the real names', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@${SHA}
          - uses: actions/setup-node@${SHA}
          - uses: my-org/checkout-helper@${SHA}
  ` }],
  invalid: [{ name: 'a transposition and a missing letter', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/chekcout@${SHA}
          - uses: action/checkout@${SHA}
  `, findings: [{ line: 6, column: 15, message: /actions\/checkout/ }, { line: 7, message: /actions\/checkout/ }] }],
});

ruleTester(forbidden, {
  valid: [
    { name: 'no lists configured', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: random-user/deploy@${SHA}
    ` },
    { name: 'only allowed owners', options: { allow: ['actions/*', 'my-org/*'] }, code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: actions/checkout@${SHA}
            - uses: my-org/deploy@${SHA}
    ` },
  ],
  invalid: [{ name: 'outside the allow-list and on the deny-list', options: { allow: ['actions/*', 'docker.io/library/*', 'node'], deny: ['actions/labeler'] }, code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        container: ghcr.io/someone/tool:1
        steps:
          - uses: random-user/deploy@${SHA}
          - uses: actions/labeler@${SHA}
  `, findings: [{ line: 5, message: /not on the allow-list/ }, { line: 7, message: /not on the allow-list/ }, { line: 8, message: /deny-list/ }] }],
});

ruleTester(obfuscation, {
  valid: [{ name: 'plain references and real expressions', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@${SHA}
          - uses: github/codeql-action/init@${SHA}
          - run: echo \${{ github.sha }}
  ` }],
  invalid: [{ name: 'a dotted path and a constant expression', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout/./@${SHA}
          - run: \${{ 'cu' }}rl https://example.com
  `, findings: [{ line: 6, column: 15, severity: 'low' }, { line: 7, column: 14 }] }],
});

ruleTester(packages, {
  valid: [{ name: 'pinned versions, requirement files, locked installs', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              pip install black==24.8.0 -c constraints.txt
              pip install -r requirements.txt
              npm install -g pnpm@9.12.0
              go install golang.org/x/tools/cmd/goimports@v0.26.0
              cargo install --locked cargo-deny
  ` }],
  invalid: [{ name: 'pip and go @latest', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              pip install black ruff
              go install golang.org/x/tools/cmd/goimports@latest
  `, findings: [{ line: 6, severity: 'low', message: /`black` \(pip\), `ruff` \(pip\), `golang.org\/x\/tools\/cmd\/goimports@latest` \(go install\)/ }] },
  { name: 'read from the command structure: option values, wrappers, continuations, python -m pip', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: pip install --index-url https://download.example/whl torch==2.4.0
          - run: echo "pip install black is the way"
          - run: pip install "\${{ matrix.pkg }}" "$PKG"
          - run: |
              \${CONDA_RUN} python3 -m pip install \\
                delocate
          - run: sudo -E npm install --global --registry https://r.example pnpm
  `, findings: [{ line: 9, message: /^`delocate` \(pip\) installed/ }, { line: 12, message: /^`pnpm` \(npm -g\) installed/ }] }],
});

// The shell parse is skipped for scripts that name no installer (see mayContainWord): names split by quoting
// still count, scripts in other shells are read line by line as before, and a script with no installer stays silent.
ruleTester(packages, {
  valid: [{ name: 'no installer named: npm ci and make', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              make build
              ./gradlew test
  ` }],
  invalid: [{ name: 'an installer split by quotes, and pip in a PowerShell step', persona: 'pedantic', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: n'p'm i -g pnpm
          - run: pip install black
            shell: pwsh
  `, findings: [{ line: 6, message: /^`pnpm` \(npm -g\) installed/ }, { line: 7, message: /^`black` \(pip\) installed/ }] }],
});
