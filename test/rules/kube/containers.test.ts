import privileged from '../../../src/rules/privileged-container.js';
import missingSc from '../../../src/rules/missing-security-context.js';
import runAsRoot from '../../../src/rules/run-as-root.js';
import limits from '../../../src/rules/missing-resource-limits.js';
import { ruleTester, yaml } from '../../helpers/rule-tester.js';

const D = 'sha256:' + 'd'.repeat(64);

ruleTester(privileged, {
  valid: [
    { name: 'a hardened Tekton step', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: build
            image: kaniko@${D}
            securityContext:
              runAsNonRoot: true
              allowPrivilegeEscalation: false
              readOnlyRootFilesystem: true
              capabilities:
                drop: ["ALL"]
    ` },
  ],
  invalid: [
    { name: 'privileged step, added SYS_ADMIN, escalation, docker socket, host network (Argo)', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        generateName: dind-
      spec:
        entrypoint: main
        templates:
          - name: main
            hostNetwork: true
            volumes:
              - name: sock
                hostPath:
                  path: /var/run/docker.sock
            container:
              image: docker@${D}
              securityContext:
                privileged: true
                capabilities:
                  add: ["SYS_ADMIN"]
          - name: other
            container:
              image: alpine@${D}
              securityContext:
                allowPrivilegeEscalation: true
    `, findings: [
      { line: 9, message: /hostNetwork/ },
      { line: 13, severity: 'critical', message: /runtime socket/ },
      { line: 15, message: /SYS_ADMIN/ },
      { line: 17, message: /privileged/ },
      { line: 24, severity: 'medium', message: /escalation/ },
    ] },
  ],
});

ruleTester(missingSc, {
  valid: [
    { name: 'a step hardened through stepTemplate and the pod template', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        stepTemplate:
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
        steps:
          - name: build
            image: golang@${D}
            script: go build ./...
    ` },
  ],
  invalid: [
    { name: 'a bare step and a partly hardened one', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: build
            image: golang@${D}
          - name: test
            image: golang@${D}
            securityContext:
              runAsNonRoot: true
              allowPrivilegeEscalation: false
              capabilities:
                drop: ["ALL"]
    `, findings: [
      { line: 7, column: 13, severity: 'medium', message: /`build` lacks runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities\.drop: \[ALL\], readOnlyRootFilesystem: true/ },
      { line: 9, severity: 'low', message: /`test` lacks readOnlyRootFilesystem: true$/ },
    ] },
  ],
});

ruleTester(runAsRoot, {
  valid: [
    { name: 'a non-root user', path: 'pod.yaml', code: yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        securityContext:
          runAsUser: 1000
        containers:
          - name: c
            image: alpine@${D}
    ` },
  ],
  invalid: [
    { name: 'runAsUser: 0 on a Tekton step', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: build
            image: kaniko@${D}
            securityContext:
              runAsUser: 0
    `, findings: [{ line: 10, column: 20, severity: 'medium' }] },
  ],
});

ruleTester(limits, {
  valid: [
    { name: 'limits in stepTemplate (Tekton v1 computeResources)', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        stepTemplate:
          computeResources:
            limits:
              cpu: "1"
              memory: 1Gi
        steps:
          - name: build
            image: golang@${D}
    ` },
  ],
  invalid: [
    { name: 'an Argo template with only a memory limit', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: WorkflowTemplate
      metadata:
        name: w
      spec:
        templates:
          - name: main
            container:
              name: main
              image: golang@${D}
              resources:
                limits:
                  memory: 1Gi
    `, findings: [{ line: 9, severity: 'low', message: /no cpu limit/ }] },
  ],
});
