import tools from '../../src/rules/unpinned-tools.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const SHA = '11bd71901bbe5b1630ceea73d27597364c9af683';

ruleTester(tools, {
  valid: [
    { name: 'exact versions, fixed defaults and toolchains', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: aquasecurity/setup-trivy@${SHA}
              with:
                version: v0.58.1
            - uses: sigstore/cosign-installer@${SHA}
            - uses: aquasecurity/trivy-action@${SHA}
            - uses: hashicorp/setup-terraform@${SHA}
              with:
                terraform_version: \${{ env.TF_VERSION }}
            - uses: actions/setup-node@${SHA}
            - uses: github/codeql-action/init@${SHA}
              with:
                tools: latest
            - uses: gitleaks/gitleaks-action@${SHA}
              env:
                GITLEAKS_VERSION: 8.21.2
    ` },
    { name: 'a floating default, at the regular level', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: azure/setup-helm@${SHA}
            - uses: golangci/golangci-lint-action@${SHA}
              with:
                version: latest
    ` },
  ],
  invalid: [
    { name: 'latest on security tools', persona: 'regular', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: aquasecurity/trivy-action@${SHA}
              with:
                version: latest
            - uses: sigstore/cosign-installer@${SHA}
              with:
                cosign-release: 'latest'
            - uses: anchore/scan-action@${SHA}
              with:
                grype-version: latest
            - uses: gitleaks/gitleaks-action@${SHA}
              env:
                GITLEAKS_VERSION: latest
    `, findings: [
      { line: 8, column: 20, severity: 'low', message: /Trivy.*version: latest/ },
      { line: 11, column: 27, message: /cosign/ },
      { line: 14, message: /Grype/ },
      { line: 17, message: /gitleaks/ },
    ] },
    { name: 'floating defaults and latest build tools, for pedantic readers', persona: 'pedantic', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: hashicorp/setup-terraform@${SHA}
            - uses: Azure/setup-kubectl@${SHA}
              with:
                version: ''
            - uses: golangci/golangci-lint-action@${SHA}
              with:
                version: latest
            - uses: aquasecurity/setup-trivy@${SHA}
    `, findings: [
      { line: 6, column: 15, message: /Terraform.*terraform_version/ },
      { line: 7, message: /kubectl/ },
      { line: 12, message: /golangci-lint/ },
      { line: 13, message: /Trivy.*`version` is not set/ },
    ] },
  ],
});
