import type { Pipeline } from '../model/pipeline.js';
import { effectiveSecurity, podLayers, podVolumes, runningContainers, yamlOf } from '../platforms/kube/security.js';
import { gitlabJobInfo } from '../platforms/gitlab/build.js';
import { jenkinsJobInfo } from '../platforms/jenkins/build.js';
import { defineRule, type RuleContext } from './types.js';

/** Capabilities that amount to root on the node or an escape from the container. */
const DANGEROUS_CAPS = new Set(['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'DAC_READ_SEARCH', 'SYS_RAWIO', 'BPF', 'PERFMON']);

export default defineRule({
  meta: {
    id: 'privileged-container',
    title: 'Container with host-level privileges',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-7',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s'],
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
    if (pipeline.platform === 'gha' || pipeline.platform === 'gitlab' || pipeline.platform === 'jenkins') return checkCiJobs(pipeline, report);
    const y = yamlOf(pipeline);
    for (const job of pipeline.jobs) {
      for (const layer of podLayers(pipeline, job)) {
        for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
          const v = y.get(layer, key);
          if (y.scalar(v)?.value === true) report({ span: y.span(v), message: `\`${key}: true\` shares the node's ${key.slice(4).toLowerCase()} namespace with ${job.id.value}` });
        }
      }
      for (const vol of podVolumes(pipeline, job)) {
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
      // Sidecars run beside the steps with the same reach: check them as steps.
      for (const step of runningContainers(job)) {
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

const DOCKER_PRIVILEGED = /\b(docker|podman)\s+(run|create)\b[^\n]*\s--privileged\b/;
const SOCKET_MOUNT = /(-v|--volume)[ =]["']?\/var\/run\/docker\.sock|--mount[ =][^\n]*source=\/var\/run\/docker\.sock/;

/** CI jobs: Docker-in-Docker services (GitLab), privileged containers and the Docker socket in scripts and options. */
function checkCiJobs(pipeline: Pipeline, report: RuleContext['report']): void {
  const seenArgs = new Set<number>();
  for (const job of pipeline.jobs) {
    // Docker-in-Docker needs the daemon as a service; `image: docker:dind` alone is only the CLI.
    for (const svc of pipeline.platform === 'gitlab' ? (gitlabJobInfo(job)?.services ?? []) : []) {
      const img = svc.ref;
      if (/(^|\/)docker$/.test(img.name) && /dind/.test(img.version ?? '')) {
        report({ span: img.span, message: `job \`${job.id.value}\` runs Docker-in-Docker (\`${img.raw.trim()}\`), which needs a privileged runner: root on the runner host` });
      }
    }
    if (pipeline.platform === 'gha') {
      const y = yamlOf(pipeline);
      const nodes = [y.get(job.node, 'container'), ...y.pairs(y.get(job.node, 'services')).map((p) => y.deref(p.value))];
      for (const n of nodes) {
        const options = y.get(n, 'options');
        const text = y.str(options) ?? '';
        if (/--privileged\b/.test(text)) report({ span: y.span(options), message: `job \`${job.id.value}\` starts a container with \`--privileged\`` });
        if (/\/var\/run\/docker\.sock/.test(text) || y.items(y.get(n, 'volumes')).some((v) => /docker\.sock/.test(y.str(v) ?? ''))) {
          report({ span: y.span(options ?? n), message: `job \`${job.id.value}\` mounts the Docker socket into a container`, severity: 'critical' });
        }
      }
    }
    // Jenkins docker agents and `.inside('…')` pass these options to `docker run`; a top-level agent's reach every stage, report them once.
    for (const arg of pipeline.platform === 'jenkins' ? (jenkinsJobInfo.get(job)?.dockerArgs ?? []) : []) {
      if (seenArgs.has(arg.span.offset)) continue;
      seenArgs.add(arg.span.offset);
      if (/--privileged\b/.test(arg.value)) report({ span: arg.span, message: 'the agent container runs with `--privileged`' });
      if (/docker\.sock/.test(arg.value)) report({ span: arg.span, message: 'the agent container gets the Docker socket mounted', severity: 'critical' });
      if (/--(pid|network|net|ipc)[ =]host\b/.test(arg.value)) report({ span: arg.span, message: 'the agent container shares a host namespace' });
    }
    for (const step of job.steps) {
      const text = step.script?.kind === 'run' ? step.script.text : '';
      if (!text) continue;
      if (DOCKER_PRIVILEGED.test(text)) report({ span: step.script!.span, message: `a script in job \`${job.id.value}\` starts a container with \`--privileged\``, confidence: 'medium' });
      if (SOCKET_MOUNT.test(text)) report({ span: step.script!.span, message: `a script in job \`${job.id.value}\` mounts the Docker socket into a container`, confidence: 'medium' });
    }
  }
}
