import { publishes } from '../core/commands.js';
import { input } from '../platforms/github/steps.js';
import { actionKey } from '../platforms/github/uses.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unsigned-artifacts',
    title: 'Build outputs are not signed',
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-9',
    platforms: ['gha', 'tekton'],
    fixable: false,
    docs: {
      description:
        'Tekton Chains signs TaskRun results and images only when a signer and a storage backend are configured. With the signer set to `none` (or no storage), nothing downstream can tell an image built by this pipeline from one pushed by an attacker with registry credentials.',
      bad: 'kind: ConfigMap\nmetadata:\n  name: chains-config\ndata:\n  artifacts.oci.signer: none',
      good: 'kind: ConfigMap\nmetadata:\n  name: chains-config\ndata:\n  artifacts.taskrun.format: slsa/v1\n  artifacts.taskrun.storage: oci\n  artifacts.taskrun.signer: x509\n  artifacts.oci.storage: oci\n  artifacts.oci.signer: x509',
      remedy: 'Configure a signer (x509 keys, KMS or keyless Sigstore) and a storage backend for both `artifacts.taskrun` and `artifacts.oci` in `chains-config`, and verify signatures at deploy time.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.platform === 'gha') {
      // Signing anywhere in the workflow counts: it is often a later job.
      const signs = pipeline.jobs.some((j) =>
        j.steps.some((s) => /^(sigstore\/cosign-installer|actions\/attest(-build-provenance)?|slsa-framework\/)/i.test(actionKey(s.uses) ?? '') || /\bcosign\s+(sign|attest)\b|\bnotation\s+sign\b/.test(s.script?.text ?? '')),
      );
      if (signs) return;
      for (const job of pipeline.jobs) {
        const push = publishes(job).find((p) => p.ecosystem === 'image');
        if (push && !(push.step.uses && !/^\s*true\s*$/i.test(input(push.step, 'push')?.value.value ?? ''))) {
          report({ span: push.step.anchor, message: `job \`${job.id.value}\` pushes an image and nothing in the workflow signs or attests it` });
        }
      }
      return;
    }
    const kube = pipeline.kube;
    if (!kube || kube.kind !== 'ConfigMap' || kube.name?.value !== 'chains-config') return;
    const y = yamlOf(pipeline);
    const data = y.get(kube.objectNode, 'data');
    for (const artifact of ['taskrun', 'oci']) {
      for (const [setting, label] of [['signer', 'signing backend'], ['signing-backend', 'signing backend'], ['storage', 'storage']] as const) {
        const pair = y.pair(data, `artifacts.${artifact}.${setting}`);
        const v = pair ? (y.str(pair.value) ?? '').trim() : undefined;
        if (v !== undefined && (v === '' || v === 'none')) {
          report({ span: y.pairSpan(pair!), message: `Tekton Chains has no ${label} for ${artifact} artifacts (\`${v || 'empty'}\`): results are not signed or not stored` });
        }
      }
    }
  },
});
