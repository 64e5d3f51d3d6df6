import rule from '../../src/rules/unpinned-images.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

const DIGEST = 'sha256:' + 'a'.repeat(64);

ruleTester(rule, {
  valid: [
    { name: 'digests everywhere and a computed image', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          container:
            image: node:20@${DIGEST}
          services:
            db:
              image: postgres@${DIGEST}
          steps:
            - uses: docker://alpine@${DIGEST}
        b:
          runs-on: ubuntu-latest
          container: \${{ matrix.image }}
          steps:
            - run: make
    ` },
    { name: 'ko builds and pins ko:// images itself', path: 'config/controller.yaml', code: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: controller
      spec:
        template:
          spec:
            containers:
              - name: controller
                image: ko://github.com/org/project/cmd/controller
    ` },
  ],
  invalid: [
    { name: 'latest, no tag, a tag and a registry port', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          container: node:latest
          services:
            db:
              image: postgres
            cache:
              image: registry.local:5000/redis:7
          steps:
            - uses: docker://alpine:3.20
    `, findings: [
      { line: 5, column: 16, severity: 'high' },
      { line: 8, severity: 'high' },
      { line: 10, severity: 'low', message: /tag `7`/ },
      { line: 12, severity: 'low' },
    ] },
    { name: 'a Deployment with a tag', path: 'config/controller.yaml', code: yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: controller
      spec:
        template:
          spec:
            containers:
              - name: controller
                image: ghcr.io/org/controller:v1
    `, findings: [{ line: 10, severity: 'low' }] },
    { name: 'a docker action image', path: 'action.yml', code: yaml`
      runs:
        using: docker
        image: docker://ghcr.io/org/tool:v1
    `, findings: [{ line: 3, severity: 'low' }] },
  ],
});
