import defaultSa from '../../../src/rules/default-service-account.js';
import automount from '../../../src/rules/automount-token.js';
import trigger from '../../../src/rules/unverified-trigger.js';
import unsigned from '../../../src/rules/unsigned-artifacts.js';
import unpinnedUses from '../../../src/rules/unpinned-uses.js';
import hardcoded from '../../../src/rules/hardcoded-credentials.js';
import injection from '../../../src/rules/template-injection.js';
import { ruleTester, yaml } from '../../helpers/rule-tester.js';

const D = 'sha256:' + 'e'.repeat(64);

ruleTester(defaultSa, {
  valid: [
    { name: 'a run with its own service account; a Task (no pods of its own)', path: 'run.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        name: r
      spec:
        pipelineRef:
          name: p
        taskRunTemplate:
          serviceAccountName: build-sa
      ---
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: s
            image: alpine@${D}
    ` },
  ],
  invalid: [
    { name: 'a PipelineRun without one and an Argo Workflow naming default', path: 'run.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        name: r
      spec:
        pipelineRef:
          name: p
      ---
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        name: w
      spec:
        serviceAccountName: default
        templates: []
    `, findings: [{ line: 2, message: /names no service account/ }, { line: 14, message: /`default`/ }] },
  ],
});

ruleTester(automount, {
  valid: [
    { name: 'token switched off; a template that runs kubectl', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        name: w
      spec:
        automountServiceAccountToken: false
        templates:
          - name: main
            container:
              image: golang@${D}
      ---
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        name: w2
      spec:
        templates:
          - name: deploy
            container:
              image: bitnami/kubectl@${D}
              command: [kubectl, apply, -f, x.yaml]
    ` },
  ],
  invalid: [
    { name: 'a test template that gets the token', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        name: w
      spec:
        templates:
          - name: test
            container:
              image: golang@${D}
              command: [go, test, ./...]
    `, findings: [{ line: 2, column: 1, severity: 'low', message: /`test`/ }] },
  ],
});

ruleTester(trigger, {
  valid: [
    { name: 'Argo Events sources with their secrets; a CEL interceptor comparing a secret', path: 'es.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: EventSource
      metadata:
        name: es
      spec:
        gitlab:
          push:
            secretToken:
              name: gitlab
              key: token
        webhook:
          hook:
            endpoint: /hook
            authSecret:
              name: hook
              key: token
      ---
      apiVersion: triggers.tekton.dev/v1beta1
      kind: EventListener
      metadata:
        name: el
      spec:
        triggers:
          - name: signed
            interceptors:
              - ref:
                  name: cel
                params:
                  - name: filter
                    value: header.canonical('X-Token').compareSecret('token', 'hook-secret')
    ` },
    { name: 'a GitHub interceptor with secretRef', path: 'el.yaml', code: yaml`
      apiVersion: triggers.tekton.dev/v1beta1
      kind: EventListener
      metadata:
        name: el
      spec:
        triggers:
          - name: push
            interceptors:
              - ref:
                  name: github
                params:
                  - name: secretRef
                    value:
                      secretName: gh
                      secretKey: token
            bindings:
              - ref: b
            template:
              ref: t
    ` },
  ],
  invalid: [
    { name: 'no interceptor, and a GitLab interceptor without secretRef', path: 'el.yaml', code: yaml`
      apiVersion: triggers.tekton.dev/v1beta1
      kind: EventListener
      metadata:
        name: el
      spec:
        triggers:
          - name: open
            bindings:
              - ref: b
          - name: gitlab
            interceptors:
              - ref:
                  name: gitlab
                params:
                  - name: eventTypes
                    value: ["Push Hook"]
    `, findings: [{ line: 7, message: /no interceptor/ }, { line: 12, message: /gitlab interceptor without `secretRef`/ }] },
    { name: 'a CEL-only listener and a Trigger object without interceptors', path: 'el.yaml', code: yaml`
      apiVersion: triggers.tekton.dev/v1beta1
      kind: EventListener
      metadata:
        name: el
      spec:
        triggers:
          - name: filtered
            interceptors:
              - ref:
                  name: cel
                params:
                  - name: filter
                    value: header.match('X-GitHub-Event', 'push')
      ---
      apiVersion: triggers.tekton.dev/v1beta1
      kind: Trigger
      metadata:
        name: bare
      spec:
        bindings:
          - ref: b
        template:
          ref: t
    `, findings: [{ line: 7, message: /filter or transform/ }, { line: 16, message: /no interceptor/ }] },
    { name: 'an Argo Events webhook without authSecret', path: 'es.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: EventSource
      metadata:
        name: es
      spec:
        webhook:
          example:
            port: "12000"
            endpoint: /example
    `, findings: [{ line: 7, message: /webhook event source `example`/ }] },
  ],
});

ruleTester(unsigned, {
  valid: [
    { name: 'Chains with signers and storage', path: 'chains.yaml', code: yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: chains-config
      data:
        artifacts.taskrun.signer: x509
        artifacts.oci.storage: oci
    ` },
  ],
  invalid: [
    { name: 'Chains with the signer off', path: 'chains.yaml', code: yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: chains-config
      data:
        artifacts.oci.signer: none
    `, findings: [{ line: 6, severity: 'low' }] },
  ],
});

ruleTester(unpinnedUses, {
  valid: [
    { name: 'a bundle by digest and a git resolver at a commit', path: 'p.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Pipeline
      metadata:
        name: p
      spec:
        tasks:
          - name: a
            taskRef:
              resolver: bundles
              params:
                - name: bundle
                  value: ghcr.io/org/tasks@${D}
          - name: b
            taskRef:
              resolver: git
              params:
                - name: url
                  value: https://github.com/org/tasks
                - name: revision
                  value: 0123456789abcdef0123456789abcdef01234567
    ` },
  ],
  invalid: [
    { name: 'a bundle by tag, a git resolver at main, a hub task without a version', path: 'p.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Pipeline
      metadata:
        name: p
      spec:
        tasks:
          - name: a
            taskRef:
              resolver: bundles
              params:
                - name: bundle
                  value: ghcr.io/org/tasks:v1
          - name: b
            taskRef:
              resolver: git
              params:
                - name: revision
                  value: main
          - name: c
            taskRef:
              resolver: hub
              params:
                - name: name
                  value: git-clone
    `, findings: [{ line: 12, message: /bundle/ }, { line: 18, message: /not pinned by commit/ }, { line: 21, message: /no revision/ }] },
  ],
});

ruleTester(hardcoded, {
  valid: [
    { name: 'env from a secret', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: s
            image: alpine@${D}
            env:
              - name: API_TOKEN
                valueFrom:
                  secretKeyRef:
                    name: api
                    key: token
    ` },
  ],
  invalid: [
    { name: 'a literal password in a Kubernetes env entry', path: 'task.yaml', code: yaml`
      apiVersion: tekton.dev/v1
      kind: Task
      metadata:
        name: t
      spec:
        steps:
          - name: s
            image: alpine@${D}
            env:
              - name: DB_PASSWORD
                value: Zr9v3kQpL2xW8m
    `, findings: [{ line: 11, column: 18, confidence: 'medium' }] },
  ],
});

ruleTester(injection, {
  valid: [
    { name: 'an Argo parameter with an enum, and a parameter passed as an argument (not a script)', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata:
        name: w
      spec:
        arguments:
          parameters:
            - name: mode
              enum: [fast, slow]
        templates:
          - name: main
            inputs:
              parameters:
                - name: msg
            script:
              image: alpine@${D}
              command: [sh]
              source: echo {{workflow.parameters.mode}}
          - name: arg
            container:
              image: alpine@${D}
              command: [echo]
              args: ["{{inputs.parameters.msg}}"]
    ` },
  ],
  invalid: [
    { name: 'an Argo input parameter in a script source and in sh -c', path: 'wf.yaml', code: yaml`
      apiVersion: argoproj.io/v1alpha1
      kind: WorkflowTemplate
      metadata:
        name: w
      spec:
        templates:
          - name: main
            script:
              image: python@${D}
              command: [python]
              source: |
                print("{{inputs.parameters.message}}")
          - name: shell
            container:
              image: alpine@${D}
              command: [sh, -c]
              args: ["echo {{ workflow.parameters.name }}"]
    `, findings: [
      { line: 12, column: 18, severity: 'medium', confidence: 'low' },
      { line: 17, column: 22, severity: 'medium' },
    ] },
  ],
});
