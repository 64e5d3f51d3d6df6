/** GitLab CI through the whole scan: rules fire in the root and in included files, at the exact place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';
import { yaml } from '../helpers/rule-tester.js';

const D = 'sha256:' + 'a'.repeat(64);

test('vulnerable GitLab pipeline: each rule at its line, including in an included file', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      include:
        - local: ci/build.yml
        - remote: https://example.com/ci/template.yml
        - project: other/group
          ref: main
          file: /ci.yml
      variables:
        CI_DEBUG_TRACE: "true"
        DEPLOY_TOKEN: glpat-abcdefghijklmnopqrst
      test:
        image: node:latest
        script:
          - curl -sSL https://get.example.com | sh
    `,
    'ci/build.yml': yaml`
      spec:
        inputs:
          target:
            default: all
      ---
      build:
        image: golang:1.22
        script:
          - make $[[ inputs.target ]]
    `,
  });
  const at = (rule: string) => ofRule(findings, rule).map((f) => `${f.file}:${f.span.line}:${f.span.column} ${f.severity}`);
  assert.deepEqual(at('unpinned-uses'), ['.gitlab-ci.yml:3:13 high', '.gitlab-ci.yml:4:14 high']);
  assert.deepEqual(at('debug-logging'), ['.gitlab-ci.yml:8:3 medium']);
  assert.deepEqual(at('hardcoded-credentials'), ['.gitlab-ci.yml:9:17 high']);
  assert.deepEqual(at('unpinned-images'), ['.gitlab-ci.yml:11:10 high', 'ci/build.yml:7:10 low']);
  assert.deepEqual(at('unverified-script-exec'), ['.gitlab-ci.yml:13:7 high']);
  assert.deepEqual(at('template-injection'), ['ci/build.yml:9:12 medium']);
});

test('hardened GitLab pipeline: silent', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      include:
        - local: ci/build.yml
          inputs:
            target: all
        - remote: https://example.com/ci/template.yml
          integrity: sha256-L1SGsBSSsUGT/VMO+GbgsW8wHhkTu0cclmlnrUZovCc=
        - project: other/group
          ref: 0123456789abcdef0123456789abcdef01234567
          file: /ci.yml
      variables:
        DEPLOY_TOKEN: $VAULT_DEPLOY_TOKEN
      test:
        image: node:20@${D}
        script:
          - curl -sSLo install.sh https://get.example.com
          - echo "abc  install.sh" | sha256sum -c -
          - sh install.sh
    `,
    'ci/build.yml': yaml`
      spec:
        inputs:
          target:
            options: [all, lib, cli]
      ---
      build:
        image: golang:1.22@${D}
        script:
          - make $[[ inputs.target ]]
    `,
  });
  const serious = findings.filter((f) => f.rule !== 'parse-error');
  assert.deepEqual(serious.map((f) => `${f.rule} ${f.file}:${f.span.line} ${f.message}`), []);
});

test('cache-poisoning: a release job sharing an unprotected cache; protected caches are silent', async () => {
  const pipeline = (unprotect: boolean) => yaml`
    release:
      stage: deploy
      script:
        - npm publish
      cache:
        key: shared
        paths: [node_modules/]
        unprotect: ${unprotect}
  `;
  const bad = await scanTree({ '.gitlab-ci.yml': pipeline(true) });
  assert.deepEqual(ofRule(bad.findings, 'cache-poisoning').map((f) => `${f.span.line} ${f.severity}`), ['6 high']);
  const good = await scanTree({ '.gitlab-ci.yml': pipeline(false) });
  assert.deepEqual(ofRule(good.findings, 'cache-poisoning'), []);
});

test('a credential in an included file is found there; a template extended by three jobs is reported once', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      include:
        - local: ci/build.yml
      a:
        extends: .tmpl
      b:
        extends: .tmpl
      c:
        extends: .tmpl
    `,
    'ci/build.yml': yaml`
      variables:
        API_TOKEN: ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ
      .tmpl:
        script:
          - curl -fsSL https://get.example.com | sh
    `,
  });
  assert.deepEqual(ofRule(findings, 'hardcoded-credentials').map((f) => `${f.file}:${f.span.line}`), ['ci/build.yml:2']);
  assert.deepEqual(ofRule(findings, 'unverified-script-exec').map((f) => `${f.file}:${f.span.line}`), ['ci/build.yml:5']);
});

test('GitLab: a DinD service is privileged; a deploy job in merge request pipelines is high; cloud keys without id_tokens', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      build:
        image: docker:27
        services:
          - docker:27-dind
        script:
          - docker build .
      deploy:
        environment: production
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
        script:
          - aws s3 sync ./site s3://bucket --region eu-west-1
          - echo "$AWS_SECRET_ACCESS_KEY" > /dev/null
    `,
  });
  assert.deepEqual(ofRule(findings, 'privileged-container').map((f) => `${f.span.line} ${f.severity}`), ['4 high']);
  assert.deepEqual(ofRule(findings, 'unprotected-deployment').map((f) => `${f.span.line} ${f.severity}`), ['8 high']);
  assert.equal(ofRule(findings, 'long-lived-cloud-credentials').length, 1);
});

test('GitLab: twine upload with a stored token is a trusted-publishing candidate; with id_tokens the cloud key rule is quiet', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      publish:
        environment: pypi
        script:
          - twine upload --password "$PYPI_TOKEN" dist/*
      deploy:
        environment: production
        id_tokens:
          AWS_TOKEN:
            aud: sts.amazonaws.com
        script:
          - echo "$AWS_SECRET_ACCESS_KEY" > /dev/null
    `,
  });
  assert.deepEqual(ofRule(findings, 'use-trusted-publishing').map((f) => f.span.line), [4]);
  assert.deepEqual(ofRule(findings, 'long-lived-cloud-credentials'), []);
});

test('GitLab self-hosted-runner: tagged runners in merge request pipelines (low confidence); hosted tags silent', async () => {
  const { findings } = await scanTree({
    '.gitlab-ci.yml': yaml`
      workflow:
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      test:
        tags: [docker, linux-large]
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
        script:
          - make test
      hosted:
        tags: [saas-linux-small-amd64]
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
        script:
          - make lint
    `,
  });
  assert.deepEqual(ofRule(findings, 'self-hosted-runner').map((f) => `${f.span.line} ${f.severity} ${f.confidence}`), ['5 medium low']);
});
