import type { Str } from '../model/pipeline.js';
import { gitlabJobInfo } from '../platforms/gitlab/build.js';
import { defineRule } from './types.js';

/** Names of static cloud credentials, and the cloud they belong to. */
const STATIC_KEYS: { re: RegExp; cloud: string }[] = [
  { re: /AWS_SECRET_ACCESS_KEY|aws-secret-access-key/i, cloud: 'AWS' },
  { re: /GOOGLE_APPLICATION_CREDENTIALS|GCP_SA_KEY|GCLOUD_SERVICE_KEY|credentials_json|service_account_key/i, cloud: 'Google Cloud' },
  { re: /AZURE_CLIENT_SECRET|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|clientSecret/i, cloud: 'Azure' },
];

export default defineRule({
  meta: {
    id: 'long-lived-cloud-credentials',
    title: 'Static cloud keys where OIDC federation is available',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-6',
    platforms: ['gha', 'gitlab'],
    fixable: false,
    docs: {
      description:
        'AWS access keys, Google service-account JSON keys and Azure client secrets stored as CI secrets live until someone rotates them, and work from anywhere. GitHub Actions (`id-token: write`) and GitLab (`id_tokens:`) can exchange a short-lived OIDC token for cloud credentials scoped to the repository, branch or environment instead.',
      bad: '- uses: aws-actions/configure-aws-credentials@<sha>\n  with:\n    aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}\n    aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}',
      good: 'permissions:\n  id-token: write\nsteps:\n  - uses: aws-actions/configure-aws-credentials@<sha>\n    with:\n      role-to-assume: arn:aws:iam::123456789012:role/deploy',
      remedy: 'Set up the cloud\'s OIDC trust for this repository (AWS IAM role, GCP Workload Identity Federation, Azure federated credential), request the token (`id-token: write` / `id_tokens:`), and delete the static key.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      // GitLab jobs that request an OIDC token are already federating.
      if (pipeline.platform === 'gitlab' && (gitlabJobInfo(job)?.idTokens.length ?? 0) > 0) continue;
      const candidates: { at: Str; text: string }[] = [];
      for (const e of [...job.env, ...job.steps.flatMap((s) => s.env)]) if (e.value) candidates.push({ at: e.name, text: `${e.name.value}=${e.value.value}` });
      for (const s of job.steps) {
        for (const [name, v] of s.with) candidates.push({ at: v.key, text: `${name}=${v.value.value}` });
        if (pipeline.platform === 'gitlab' && s.script) candidates.push({ at: { value: s.script.text, span: s.script.span }, text: s.script.text });
      }
      const seen = new Set<string>();
      for (const c of candidates) {
        // Only values that come from the secret store or CI variables: the key itself, not a literal (hardcoded-credentials covers those).
        const hit = STATIC_KEYS.find((k) => k.re.test(c.text) && /secrets\.|\$\{?[A-Z_]/.test(c.text));
        if (!hit || seen.has(hit.cloud)) continue;
        seen.add(hit.cloud);
        report({ span: c.at.span, message: `job \`${job.id.value}\` authenticates to ${hit.cloud} with a stored static key; use OIDC federation instead` });
      }
    }
  },
});
