import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'secrets-inherit',
    title: 'Reusable workflow receives every secret',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        '`secrets: inherit` hands every secret of the calling repository (and its organisation) to the called workflow, whatever it needs. A compromised or careless reusable workflow can then leak credentials it was never meant to see.',
      bad: 'jobs:\n  release:\n    uses: org/shared/.github/workflows/release.yml@<sha>\n    secrets: inherit',
      good: 'jobs:\n  release:\n    uses: org/shared/.github/workflows/release.yml@<sha>\n    secrets:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}',
      remedy: 'Pass only the secrets the called workflow declares, one by one, under `secrets:`.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      if (!job.secretsInherit) continue;
      const target = job.uses?.raw ?? 'the called workflow';
      // A workflow in the same repository is reviewed with the caller; one elsewhere is someone else's code.
      const local = job.uses?.pin === 'local';
      report({ span: job.secretsInherit, message: `job \`${job.id.value}\` passes every secret to \`${target}\`${local ? ' (in this repository)' : ''}`, ...(local ? { severity: 'low' as const } : {}) });
    }
  },
});
