import type { Step } from '../model/pipeline.js';
import { input } from '../platforms/github/steps.js';
import { actionKey } from '../platforms/github/uses.js';
import { defineRule } from './types.js';

interface ToolSetup {
  tool: string;
  /** The `with:` input (or, for `env`, the step variable) that selects the tool's version. */
  input: string;
  via?: 'env';
  /** Scanners, signers and SBOM generators: their output is trusted as evidence. */
  security: boolean;
  /** Without the input the action installs the newest release (documented default `latest`). */
  floatsByDefault: boolean;
}

/**
 * Setup actions whose tool version is chosen by an input, by lower-case
 * `owner/repo[/path]`. Only actions whose default is documented are listed:
 * where the action ships a fixed default (trivy-action, cosign-installer,
 * sbom-action, scan-action, gitleaks-action), only an explicit `latest` floats.
 * Language toolchains (setup-node, setup-python …) are not tools in this sense,
 * and codeql-action's `tools: latest` is an alias of the bundle linked to the
 * action's own version, so it does not float.
 */
const TOOL_SETUPS: Record<string, ToolSetup> = {
  'aquasecurity/trivy-action': { tool: 'Trivy', input: 'version', security: true, floatsByDefault: false },
  'aquasecurity/setup-trivy': { tool: 'Trivy', input: 'version', security: true, floatsByDefault: true },
  'sigstore/cosign-installer': { tool: 'cosign', input: 'cosign-release', security: true, floatsByDefault: false },
  'anchore/sbom-action': { tool: 'Syft', input: 'syft-version', security: true, floatsByDefault: false },
  'anchore/sbom-action/download-syft': { tool: 'Syft', input: 'syft-version', security: true, floatsByDefault: false },
  'anchore/scan-action': { tool: 'Grype', input: 'grype-version', security: true, floatsByDefault: false },
  'gitleaks/gitleaks-action': { tool: 'gitleaks', input: 'GITLEAKS_VERSION', via: 'env', security: true, floatsByDefault: false },
  'zizmorcore/zizmor-action': { tool: 'zizmor', input: 'version', security: true, floatsByDefault: true },
  'snyk/actions/setup': { tool: 'the Snyk CLI', input: 'snyk-version', security: true, floatsByDefault: true },
  'hashicorp/setup-terraform': { tool: 'Terraform', input: 'terraform_version', security: false, floatsByDefault: true },
  'terraform-linters/setup-tflint': { tool: 'TFLint', input: 'tflint_version', security: false, floatsByDefault: true },
  'azure/setup-helm': { tool: 'Helm', input: 'version', security: false, floatsByDefault: true },
  'azure/setup-kubectl': { tool: 'kubectl', input: 'version', security: false, floatsByDefault: true },
  'golangci/golangci-lint-action': { tool: 'golangci-lint', input: 'version', security: false, floatsByDefault: true },
  // Defaults to `latest`, and from v6 to `~> v2`, which still takes every new v2 release.
  'goreleaser/goreleaser-action': { tool: 'GoReleaser', input: 'version', security: false, floatsByDefault: true },
  'fluxcd/flux2/action': { tool: 'the Flux CLI', input: 'version', security: false, floatsByDefault: true },
};

function setupOf(step: Step): { key: string; setup: ToolSetup } | undefined {
  const key = actionKey(step.uses);
  if (!key) return undefined;
  const full = step.uses?.path ? `${key}/${step.uses.path.toLowerCase().replace(/\/+$/, '')}` : key;
  const setup = TOOL_SETUPS[full];
  return setup ? { key: full, setup } : undefined;
}

const FLOATING = /^\s*(latest|\*|x)\s*$/i;

export default defineRule({
  meta: {
    id: 'unpinned-tools',
    title: 'Build or security tool installed at its newest release',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "Setup actions such as `aquasecurity/setup-trivy`, `sigstore/cosign-installer`, `hashicorp/setup-terraform` or `azure/setup-helm` download the tool at run time. With `latest` (or, for actions whose documented default floats, with no version at all) each run executes whatever was released last: an unreviewed or compromised release of a scanner or signer runs with the job's secrets at once, and results change between runs of the same commit. Pinning the action does not pin the tool. An explicit `latest` on a security tool (scanners, signers, SBOM generators) is reported at the regular level; a missing version where the default floats, and `latest` on other build tools, for pedantic readers. Listed actions: trivy-action and setup-trivy (`version`), cosign-installer (`cosign-release`), sbom-action (`syft-version`), scan-action (`grype-version`), gitleaks-action (`GITLEAKS_VERSION` env), zizmor-action (`version`), snyk/actions/setup (`snyk-version`), setup-terraform (`terraform_version`), setup-tflint (`tflint_version`), setup-helm and setup-kubectl (`version`), golangci-lint-action (`version`), goreleaser-action (`version`), flux2/action (`version`).",
      bad: '- uses: aquasecurity/setup-trivy@ff1b8b060f23b650436d419b5e13f67f5d4c3087 # v0.2.2\n  with:\n    version: latest',
      good: '- uses: aquasecurity/setup-trivy@ff1b8b060f23b650436d419b5e13f67f5d4c3087 # v0.2.2\n  with:\n    version: v0.58.1',
      remedy: 'Set the version input to an exact release (`v0.58.1`, `1.9.8`) and let a dependency updater raise it.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const found = setupOf(step);
        if (!found) continue;
        const { setup } = found;
        const value = setup.via === 'env' ? step.env.find((e) => e.name.value === setup.input)?.value ?? undefined : input(step, setup.input)?.value;
        if (value && value.expressions.length > 0) continue;
        if (value && FLOATING.test(value.value)) {
          report({
            span: value.span,
            message: `${setup.tool} is installed at its newest release (\`${setup.input}: ${value.value.trim()}\`)`,
            ...(setup.security ? {} : { persona: 'pedantic' as const }),
          });
        } else if ((!value || value.value.trim() === '') && setup.floatsByDefault) {
          report({
            span: step.uses!.span,
            message: `${setup.tool} is installed at its newest release: \`${setup.input}\` is not set, and the action then takes the latest one`,
            persona: 'pedantic',
          });
        }
      }
    }
  },
});
