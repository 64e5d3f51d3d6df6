import { runningContainers, effectiveSecurity } from '../platforms/kube/security.js';
import { securityContextFix } from '../fix/security-context.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'missing-security-context',
    title: 'Step without the hardened security context',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo', 'k8s'],
    fixable: true,
    docs: {
      description:
        'Pipeline steps run third-party images and code from pull requests. Without `runAsNonRoot`, `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]` and `readOnlyRootFilesystem`, a compromised step runs as root with the default capabilities, can escalate through setuid binaries and can rewrite its own image, which makes container escapes and tampering with build outputs much easier. Settings in a Tekton `stepTemplate` or a pod-level security context count.',
      bad: 'steps:\n  - name: build\n    image: golang@sha256:<digest>\n    script: go build ./...',
      good: 'stepTemplate:\n  securityContext:\n    runAsNonRoot: true\n    allowPrivilegeEscalation: false\n    readOnlyRootFilesystem: true\n    capabilities:\n      drop: ["ALL"]\nsteps:\n  - name: build\n    image: golang@sha256:<digest>\n    script: go build ./...',
      remedy: 'Set the hardened security context once (Tekton `stepTemplate.securityContext`, the pod security context for `runAsNonRoot`) and give writable paths an `emptyDir` volume.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of runningContainers(job)) {
        if (!step.container) continue;
        const sec = effectiveSecurity(pipeline, job, step);
        if (sec.privileged) continue; // privileged-container says it more strongly
        const missing: string[] = [];
        if (sec.runAsNonRoot !== true && !(sec.runAsUser !== undefined && sec.runAsUser > 0)) missing.push('runAsNonRoot: true');
        if (sec.allowPrivilegeEscalation !== false) missing.push('allowPrivilegeEscalation: false');
        if (!sec.dropsAll) missing.push('capabilities.drop: [ALL]');
        if (sec.readOnlyRootFilesystem !== true) missing.push('readOnlyRootFilesystem: true');
        if (missing.length === 0) continue;
        const who = step.container.name?.value ?? job.id.value;
        const fix = securityContextFix(pipeline, job, step);
        report({
          ...(fix ? { fix } : {}),
          span: step.anchor,
          message: `${step.container.role} \`${who}\` lacks ${missing.join(', ')}`,
          // Only the read-only root missing is hardening, not a gap an attacker uses directly.
          severity: missing.length === 1 && missing[0] === 'readOnlyRootFilesystem: true' ? 'low' : 'medium',
          confidence: sec.patched ? 'low' : 'high',
        });
      }
    }
  },
});
