import { publishes } from '../core/commands.js';
import { actionKey } from '../platforms/github/uses.js';
import { defineRule } from './types.js';

/** Steps that produce provenance or an SBOM. */
const PROVENANCE_ACTION = /^(actions\/attest(-build-provenance|-sbom)?|slsa-framework\/slsa-github-generator|anchore\/sbom-action|aquasecurity\/trivy-action)$/i;
const PROVENANCE_COMMAND = /--provenance\b|--sbom\b|\bsyft\b|\bcosign\s+attest\b|\bgh\s+attestation\b|\bcyclonedx\b/;

export default defineRule({
  meta: {
    id: 'missing-provenance',
    title: 'Release without provenance or SBOM',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-9',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'Build provenance (SLSA attestations) and an SBOM let consumers check where an artifact was built, from which commit, and what is in it. A release job that publishes packages or images without either gives them nothing to verify against a tampered build.',
      bad: '- run: npm publish',
      good: '- run: npm publish --provenance\n# or\n- uses: actions/attest-build-provenance@<sha>\n  with:\n    subject-path: dist/*',
      remedy: 'Generate provenance (`actions/attest-build-provenance`, `npm publish --provenance`, `docker buildx --provenance`) and an SBOM for what the job publishes.',
    },
  },
  check({ pipeline, report }) {
    const attests = pipeline.jobs.some((j) =>
      j.steps.some((s) => PROVENANCE_ACTION.test(actionKey(s.uses) ?? '') || PROVENANCE_COMMAND.test(s.script?.text ?? '') || [...s.with.keys()].some((k) => /^(provenance|sbom|attestations)$/i.test(k))),
    );
    if (attests) return;
    for (const job of pipeline.jobs) {
      // PyPI's trusted publishing action attests by itself; deploys are not artifacts.
      const out = publishes(job).filter((p) => p.ecosystem !== 'deploy' && !(p.ecosystem === 'pypi' && p.step.uses));
      if (out.length === 0) continue;
      report({ span: out[0]!.step.anchor, message: `job \`${job.id.value}\` publishes (${[...new Set(out.map((p) => p.ecosystem))].join(', ')}) without build provenance or an SBOM` });
    }
  },
});
