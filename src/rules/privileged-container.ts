import type { Step } from '../model/pipeline.js';
import { effectiveSecurity, podLayers, yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

/** Capabilities that amount to root on the node or an escape from the container. */
const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'PERFMON']);

export default defineRule({
  meta: {
    id: 'privileged-container',
    title: 'Container with host-level privileges',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['tekton', 'argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'A privileged container, one with dangerous added capabilities, a host path or the Docker socket mounted, or the host network or PID namespace, can take over the node it runs on: every other pipeline\'s secrets and workloads on that node are then in reach. Pipeline steps run code from pull requests and third-party images, so they are the last place for it.',
      bad: 'steps:\n  - name: build\n    image: docker@sha256:<digest>\n    securityContext:\n      privileged: true',
      good: 'steps:\n  - name: build\n    image: gcr.io/kaniko-project/executor@sha256:<digest>\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: ["ALL"]',
      remedy: 'Build images without a daemon (kaniko, buildah rootless, BuildKit rootless); drop the privileged flag, host namespaces, host paths and added capabilities.',
    },
  },
  check({ pipeline, report }) {
    const y = yamlOf(pipeline);
    for (const job of pipeline.jobs) {
      for (const layer of podLayers(pipeline, job)) {
        for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
          const v = y.get(layer, key);
          if (y.scalar(v)?.value === true) report({ span: y.span(v), message: `\`${key}: true\` shares the node's ${key.slice(4).toLowerCase()} namespace with ${job.id.value}` });
        }
        for (const vol of y.items(y.get(layer, 'volumes'))) {
          const host = y.get(vol, 'hostPath');
          if (!host) continue;
          const path = y.str(y.get(host, 'path')) ?? '';
          report({
            span: y.span(host),
            message: /docker\.sock|containerd\.sock|crio\.sock/.test(path)
              ? `the container runtime socket \`${path}\` is mounted: full control of the node`
              : `host path \`${path}\` is mounted into the pod`,
            severity: /docker\.sock|containerd\.sock|crio\.sock|^\/$|^\/etc|^\/var\/run|^\/proc|^\/root/.test(path) ? 'critical' : 'high',
          });
        }
      }
      // Sidecars run beside the steps with the same reach: check them as steps.
      const sidecars: Step[] = (job.containers ?? [])
        .filter((c) => c.role === 'sidecar')
        .map((c) => ({ index: -1, span: job.span, anchor: c.name?.span ?? job.span, with: new Map(), env: [], container: c, node: c.node }));
      for (const step of [...job.steps, ...sidecars]) {
        const sec = effectiveSecurity(pipeline, job, step);
        const who = step.container?.name?.value ?? step.name?.value ?? job.id.value;
        if (sec.privileged && sec.where.privileged) report({ span: y.span(sec.where.privileged), message: `container \`${who}\` is privileged: root on the node` });
        const bad = sec.added.filter((c) => DANGEROUS_CAPS.has(c.replace(/^CAP_/, '')));
        if (bad.length > 0) report({ span: step.anchor, message: `container \`${who}\` adds capabilities ${bad.join(', ')}` });
        if (sec.allowPrivilegeEscalation === true && !sec.privileged && sec.where.allowPrivilegeEscalation) {
          report({ span: y.span(sec.where.allowPrivilegeEscalation), message: `container \`${who}\` allows privilege escalation`, severity: 'medium' });
        }
        for (const m of y.items(y.get(step.container?.node ?? step.node, 'volumeMounts'))) {
          const mountPath = y.str(y.get(m, 'mountPath')) ?? '';
          if (/docker\.sock$|containerd\.sock$/.test(mountPath)) report({ span: y.span(m), message: `container \`${who}\` mounts the container runtime socket at \`${mountPath}\``, severity: 'critical' });
        }
      }
    }
  },
});
