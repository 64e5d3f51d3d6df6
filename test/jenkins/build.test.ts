/** The Jenkins model: what the builder extracts from Jenkinsfiles, and where it says things are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SourceFile } from '../../src/model/source.js';
import type { Pipeline, Step } from '../../src/model/pipeline.js';
import type { Span } from '../../src/model/source.js';
import {
  boundCredentials, buildJenkins, credentialEnv, groovyPaths, isCredentialEnv, jenkinsJobInfo, jenkinsPipelineInfo, jenkinsStepInfo,
  secretVariablesFor,
} from '../../src/platforms/jenkins/build.js';

function build(text: string, path = 'Jenkinsfile') {
  const file = new SourceFile(path, text);
  return { ...buildJenkins(file), file };
}

function at(s: Span): string {
  return `${s.line}:${s.column}-${s.endLine}:${s.endColumn}`;
}

function steps(p: Pipeline): Step[] {
  return p.jobs.flatMap((j) => j.steps);
}

const DECLARATIVE = `@Library('shared@1.2.0') _
pipeline {
  agent {
    docker {
      image 'node:18-alpine'
      args '--privileged -v /var/run/docker.sock:/var/run/docker.sock'
      registryCredentialsId 'dockerhub'
    }
  }
  parameters {
    string(name: 'BRANCH', defaultValue: 'main', description: 'branch to build')
    booleanParam(name: 'DRY_RUN', defaultValue: true)
    choice(name: 'TARGET', choices: ['dev', 'prod'])
    password(name: 'PW', defaultValue: '')
    text(name: 'NOTES')
  }
  environment {
    DEPLOY_KEY = credentials('deploy-key')
    MODE = "fast-\${params.TARGET}"
  }
  stages {
    stage('Build') {
      steps {
        withCredentials([string(credentialsId: 'tok', variable: 'TOKEN'),
                         usernamePassword(credentialsId: 'up', usernameVariable: 'U', passwordVariable: 'P')]) {
          sh "git checkout \${params.BRANCH}"
          sh 'curl -H "Authorization: $TOKEN" https://example.com'
          sh(script: "echo $TOKEN", returnStdout: true)
        }
        sh 'make'
      }
    }
    stage('Deploy') {
      when { branch 'main' }
      input { message 'Ship it?'; submitter 'admins' }
      steps { sh "deploy \${env.BRANCH_NAME}" }
    }
  }
}
`;

test('a declarative pipeline: docker agent, credentials, parameters, stages and shell steps', () => {
  const { pipeline, problems, kind, file } = build(DECLARATIVE);
  assert.deepEqual(problems, []);
  assert.equal(kind, 'declarative');
  const p = pipeline!;
  assert.equal(p.platform, 'jenkins');
  assert.equal(p.kind, 'declarative');

  // Agent: image reference, docker args, registry credentials.
  const agent = jenkinsPipelineInfo.get(p)!.agent!;
  assert.equal(agent.kind, 'docker');
  assert.equal(agent.args?.value, '--privileged -v /var/run/docker.sock:/var/run/docker.sock');
  assert.equal(agent.registryCredentialsId?.value, 'dockerhub');
  assert.deepEqual(p.references.map((r) => [r.kind, r.name, r.version, r.pin, at(r.span)]), [
    ['library', 'shared', '1.2.0', 'tag', '1:10-1:24'],
    ['image', 'node', '18-alpine', 'tag', '5:13-5:29'],
  ]);

  // Parameters become inputs with types.
  assert.deepEqual([...p.inputs.values()].map((i) => [i.name.value, i.type]), [
    ['BRANCH', 'string'], ['DRY_RUN', 'boolean'], ['TARGET', 'choice'], ['PW', 'password'], ['NOTES', 'text'],
  ]);

  // Environment: which values are credentials().
  assert.deepEqual(p.env.map((e) => [e.name.value, isCredentialEnv(e), e.value?.value ?? null]), [
    ['DEPLOY_KEY', true, null],
    ['MODE', false, 'fast-${params.TARGET}'],
  ]);
  assert.equal(credentialEnv.get(p.env[0]!)!.id?.value, 'deploy-key');
  assert.equal(p.env[1]!.value!.expressions[0]!.path, 'params.TARGET');

  // Stages are jobs; both run in the pipeline's container.
  assert.deepEqual(p.jobs.map((j) => [j.id.value, at(j.id.span), j.images.map((i) => i.raw)]), [
    ['Build', '22:11-22:18', ['node:18-alpine']],
    ['Deploy', '33:11-33:19', ['node:18-alpine']],
  ]);
  const build0 = jenkinsJobInfo.get(p.jobs[0]!)!;
  assert.deepEqual(build0.dockerArgs.map((a) => a.value), ['--privileged -v /var/run/docker.sock:/var/run/docker.sock']);
  const deploy = jenkinsJobInfo.get(p.jobs[1]!)!;
  assert.deepEqual(deploy.when.map((w) => [w.kind, w.value?.value]), [['branch', 'main']]);
  assert.deepEqual(deploy.approvals.map((a) => [a.kind, a.message?.value, a.submitter?.value]), [['directive', 'Ship it?', 'admins']]);
  assert.deepEqual(build0.approvals, []);

  // Shell steps: GString interpolations are expressions at their exact place; single quotes have none.
  const sh = steps(p);
  assert.deepEqual(sh.map((s) => [s.script?.shell, s.script?.text, s.script?.expressions.map((e) => [e.raw, e.path, at(e.span), e.syntax, e.ast])]), [
    ['sh', 'git checkout ${params.BRANCH}', [['params.BRANCH', 'params.BRANCH', '26:28-26:44', 'groovy', null]]],
    ['sh', 'curl -H "Authorization: $TOKEN" https://example.com', []],
    ['sh', 'echo $TOKEN', [['TOKEN', 'TOKEN', '28:28-28:34', 'groovy', null]]],
    ['sh', 'make', []],
    ['sh', 'deploy ${env.BRANCH_NAME}', [['env.BRANCH_NAME', 'env.BRANCH_NAME', '36:26-36:44', 'groovy', null]]],
  ]);
  const e0 = sh[0]!.script!.expressions[0]!;
  assert.equal(file.text.slice(e0.span.offset, e0.span.endOffset), '${params.BRANCH}');
  // The script span is the string literal, quotes included.
  assert.equal(at(sh[0]!.script!.span), '26:14-26:45');
  assert.equal(at(sh[2]!.script!.span), '28:22-28:35');

  // withCredentials binds variables for the steps inside only.
  assert.deepEqual(sh.map((s) => [...(boundCredentials.get(s) ?? [])]), [['TOKEN', 'U', 'P'], ['TOKEN', 'U', 'P'], ['TOKEN', 'U', 'P'], [], []]);
  assert.deepEqual([...secretVariablesFor(p, sh[3]!)].sort(), ['DEPLOY_KEY', 'DEPLOY_KEY_PSW', 'DEPLOY_KEY_USR']);
  assert.equal(jenkinsStepInfo.get(sh[0]!)!.job, p.jobs[0]);

  // Every interpolation in the file, in source order, shared with the scripts.
  assert.deepEqual(p.expressions.map((e) => e.path), ['params.TARGET', 'params.BRANCH', 'TOKEN', 'env.BRANCH_NAME']);
  assert.ok(p.expressions.includes(e0));
});

test('@Library, library and libraries { lib } refs with their pin states', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const { pipeline, problems } = build(`@Library('pinned@${sha}') _
@Library(['tagged@v2.1', 'bare']) import foo.Bar
@Library(value = 'branchy@main', changelog = false) _
library "dyn@\${params.LIB}"
library identifier: 'ident@release-1', retriever: modernSCM([$class: 'GitSCMSource', remote: 'x'])
pipeline {
  agent any
  libraries { lib('declared@1.0') }
  stages { stage('a') { steps { echo 'x' } } }
}
`);
  assert.deepEqual(problems, []);
  const libs = pipeline!.references.filter((r) => r.kind === 'library');
  assert.deepEqual(libs.map((r) => [r.name, r.version ?? null, r.pin, r.span.line]), [
    ['pinned', sha, 'hash', 1],
    ['tagged', 'v2.1', 'tag', 2],
    ['bare', null, 'unpinned', 2],
    ['branchy', 'main', 'tag', 3],
    ['dyn', '${params.LIB}', 'dynamic', 4],
    ['ident', 'release-1', 'tag', 5],
    ['declared', '1.0', 'tag', 8],
  ]);
  assert.deepEqual(jenkinsPipelineInfo.get(pipeline!)!.libraries.map((l) => l.name), ['pinned', 'tagged', 'bare', 'branchy', 'dyn', 'ident', 'declared']);
  assert.equal(at(libs[0]!.span), `1:10-1:${10 + sha.length + 9}`);
});

const SCRIPTED = `#!groovy
properties([parameters([string(name: 'REF', defaultValue: 'main')]), pipelineTriggers([cron('H 2 * * *')])])
node('linux && docker') {
    stage('Checkout') {
        checkout scm
    }
    stage('Test') {
        docker.image('maven:3.9@sha256:${'a'.repeat(64)}').pull()
        docker.image("python:\${params.PY}").inside('-v /var/run/docker.sock:/var/run/docker.sock') {
            sh "pytest -k \${params.REF}"
        }
    }
    stage 'Old'
    sh 'echo old ' + env.BUILD_ID
    parallel linux: {
        sh 'make linux'
    }, windows: {
        bat "build.cmd $REF"
    }, failFast: true
    withEnv(["PATH+X=/opt/bin", "MODE=\${params.MODE}"]) {
        input message: 'Go?', submitter: 'ops'
        powershell 'Write-Host hi'
    }
}
def helper() {
    pwsh 'helper'
}
`;

test('a scripted pipeline: stages as pseudo-jobs, docker.image().inside, parallel branches, old-style stages', () => {
  const { pipeline, problems, kind } = build(SCRIPTED);
  assert.deepEqual(problems, []);
  assert.equal(kind, 'scripted');
  const p = pipeline!;
  assert.equal(p.kind, 'scripted');
  assert.deepEqual([...p.inputs.values()].map((i) => [i.name.value, i.type]), [['REF', 'string']]);
  assert.deepEqual(p.triggers.map((t) => [t.event, t.actor]), [['cron', 'system']]);
  assert.deepEqual(p.jobs.map((j) => [j.id.value, jenkinsJobInfo.get(j)!.origin]), [
    ['(outside stages)', 'outside-stages'],
    ['Checkout', 'stage'],
    ['Test', 'stage'],
    ['Old', 'stage'],
    ['Old / linux', 'branch'],
    ['Old / windows', 'branch'],
    ['helper()', 'method'],
  ]);
  const byId = new Map(p.jobs.map((j) => [j.id.value, j]));
  const testJob = byId.get('Test')!;
  assert.deepEqual(testJob.images.map((i) => [i.name, i.pin]), [['maven', 'digest'], ['python:${params.PY}', 'dynamic']]);
  assert.deepEqual(jenkinsJobInfo.get(testJob)!.dockerArgs.map((a) => a.value), ['-v /var/run/docker.sock:/var/run/docker.sock']);
  assert.equal(jenkinsJobInfo.get(testJob)!.effectiveAgent?.label?.value, 'linux && docker');
  assert.equal(testJob.runner?.labels[0]?.value, 'linux && docker');

  // `'echo old ' + env.BUILD_ID`: the Groovy value joined into the script is an expression.
  const old = byId.get('Old')!;
  const concat = old.steps[0]!.script!;
  assert.equal(concat.text, 'echo old ${env.BUILD_ID}');
  assert.deepEqual(concat.expressions.map((e) => [e.raw, e.path, at(e.span)]), [['env.BUILD_ID', 'env.BUILD_ID', '14:22-14:34']]);
  assert.ok(p.expressions.includes(concat.expressions[0]!));

  assert.deepEqual(old.steps.map((s) => [jenkinsStepInfo.get(s)!.name, s.script?.shell ?? null, s.env.map((e) => e.name.value)]), [
    ['sh', 'sh', []],
    ['input', null, ['PATH+X', 'MODE']],
    ['powershell', 'powershell', ['PATH+X', 'MODE']],
  ]);
  assert.deepEqual(jenkinsJobInfo.get(old)!.approvals.map((a) => [a.kind, a.message?.value, a.submitter?.value]), [['step', 'Go?', 'ops']]);
  assert.equal(old.steps[1]!.with.get('submitter')?.value.value, 'ops');
  const win = byId.get('Old / windows')!;
  assert.equal(jenkinsJobInfo.get(win)!.parallel, true);
  assert.deepEqual(win.steps[0]!.script!.expressions.map((e) => [e.raw, at(e.span)]), [['REF', '18:24-18:28']]);
  assert.equal(byId.get('helper()')!.steps[0]!.script!.shell, 'pwsh');
});

test('kubernetes, dockerfile and per-stage agents; nested and parallel stages flatten with " / "', () => {
  const { pipeline, problems } = build(`pipeline {
  agent none
  stages {
    stage('K8s') {
      agent {
        kubernetes {
          inheritFrom 'base'
          yaml '''
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: tools
    image: "alpine:3.19"
  - name: kaniko
    image: gcr.io/kaniko-project/executor:latest
'''
        }
      }
      steps { container('kaniko') { sh 'build' } }
    }
    stage('Group') {
      environment { OUTER = 'o' }
      parallel {
        stage('A') { agent { dockerfile { filename 'ci/Dockerfile'; args '-u root' } } steps { sh 'a' } }
        stage('B') {
          stages {
            stage('B1') { agent { label 'windows' } environment { TOK = credentials('t') } steps { bat 'b1' } }
          }
        }
      }
    }
  }
  post { always { sh 'cleanup' } }
}`);
  assert.deepEqual(problems, []);
  const p = pipeline!;
  assert.deepEqual(p.jobs.map((j) => j.id.value), ['K8s', 'Group / A', 'Group / B / B1', 'post']);
  const k8s = p.jobs[0]!;
  assert.deepEqual(k8s.images.map((i) => [i.raw, i.pin, at(i.span)]), [
    ['alpine:3.19', 'tag', '14:13-14:24'],
    ['gcr.io/kaniko-project/executor:latest', 'unpinned', '16:12-16:49'],
  ]);
  const kinfo = jenkinsJobInfo.get(k8s)!;
  assert.equal(kinfo.agent?.kind, 'kubernetes');
  assert.equal(kinfo.agent?.inheritFrom?.value, 'base');
  assert.equal(k8s.steps[0]!.script!.text, 'build');
  const a = jenkinsJobInfo.get(p.jobs[1]!)!;
  assert.equal(a.agent?.kind, 'dockerfile');
  assert.equal(a.agent?.dockerfile?.value, 'ci/Dockerfile');
  assert.deepEqual(a.dockerArgs.map((x) => x.value), ['-u root']);
  assert.equal(a.parallel, true);
  const b1 = p.jobs[2]!;
  assert.deepEqual(b1.env.map((e) => [e.name.value, isCredentialEnv(e)]), [['OUTER', false], ['TOK', true]]);
  assert.equal(b1.runner?.labels[0]?.value, 'windows');
  assert.deepEqual(jenkinsJobInfo.get(b1)!.parents, ['Group', 'B']);
  assert.equal(jenkinsJobInfo.get(p.jobs[3]!)!.origin, 'post');
});

test('interpolation paths: subscripts, method calls and several values', () => {
  const { pipeline } = build(`node {
  sh "a \${params['X'].trim()} \${env.A ?: params.B} \${foo()} $ref.name"
}`);
  const ex = pipeline!.jobs[0]!.steps[0]!.script!.expressions;
  assert.deepEqual(ex.map((e) => [e.raw, e.path ?? null, groovyPaths.get(e)]), [
    ["params['X'].trim()", 'params.X', ['params.X']],
    ['env.A ?: params.B', 'env.A', ['env.A', 'params.B']],
    ['foo()', null, []],
    ['ref.name', 'ref.name', ['ref.name']],
  ]);
});

test('files that are not pipelines, and declarative shape problems with locations', () => {
  const lib = build('class Util implements Serializable {\n  static String up(String s) { s.toUpperCase() }\n}\n', 'src/Util.groovy');
  assert.equal(lib.kind, 'not-pipeline');
  assert.equal(lib.pipeline, null);
  assert.deepEqual(lib.problems, []);

  const bad = build(`pipeline {
  stages {
    stage('empty') { }
    stage(name) { steps { echo 'x' } }
  }
}
`);
  assert.equal(bad.kind, 'declarative');
  assert.deepEqual(bad.problems.map((p) => [p.message, at(p.span)]), [
    ['a declarative pipeline needs an `agent` section', '1:1-1:9'],
    ['stage `empty` has no `steps`, `stages`, `parallel` or `matrix`', '3:5-3:10'],
    ['a stage needs a name: `stage(\'name\') { … }`', '4:5-4:10'],
  ]);

  const broken = build("pipeline {\n  agent any\n  stages {\n    stage('x') {\n      steps { sh 'unterminated }\n    }\n  }\n}\n");
  assert.ok(broken.pipeline, 'what can be read is still modelled');
  assert.ok(broken.problems.some((p) => /unterminated string/.test(p.message) && at(p.span) === '5:18-5:19'), JSON.stringify(broken.problems));
});
