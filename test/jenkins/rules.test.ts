/** Jenkinsfiles through the whole scan: each rule at its place, and silence on the hardened form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';

const D = 'sha256:' + 'b'.repeat(64);

const VULNERABLE = `@Library('shared-lib@master') _
pipeline {
  agent {
    docker {
      image 'maven:3.9'
      args '--privileged -v /var/run/docker.sock:/var/run/docker.sock'
    }
  }
  parameters {
    string(name: 'TARGET', defaultValue: 'all')
  }
  environment {
    API = credentials('api-token')
    DB_PASSWORD = 'Zr9v3kQpL2xW8m'
  }
  stages {
    stage('Build') {
      steps {
        sh "make \${params.TARGET} BRANCH=\${env.BRANCH_NAME}"
        sh "curl -H 'Authorization: \${API}' https://api.example.com"
        sh 'curl -fsSL https://get.example.com | sh'
      }
    }
    stage('Deploy') {
      steps {
        withCredentials([string(credentialsId: 'kube', variable: 'KUBE_TOKEN')]) {
          sh "kubectl --token=\${KUBE_TOKEN} apply -f k8s/"
        }
      }
    }
  }
}
`;

test('vulnerable Jenkinsfile: every rule at its line and column', async () => {
  const { findings } = await scanTree({ Jenkinsfile: VULNERABLE });
  const at = (rule: string) => ofRule(findings, rule).map((f) => `${f.span.line}:${f.span.column} ${f.severity}`);
  assert.deepEqual(at('unpinned-uses'), ['1:10 high']);
  assert.deepEqual(at('unpinned-images'), ['5:13 low']);
  assert.deepEqual(at('privileged-container').map((x) => x.split(' ')[0]), ['6:12', '6:12']);
  assert.deepEqual(at('hardcoded-credentials'), ['14:19 high']);
  assert.deepEqual(at('template-injection'), ['19:18 medium', '19:42 high']);
  assert.deepEqual(at('secret-interpolation'), ['20:37 medium', '27:31 medium']);
  assert.deepEqual(at('unverified-script-exec'), ['21:13 high']);
  assert.deepEqual(at('unprotected-deployment'), ['24:11 medium']);
});

test('hardened Jenkinsfile: silent', async () => {
  const { findings } = await scanTree({
    Jenkinsfile: `@Library('shared-lib@0123456789abcdef0123456789abcdef01234567') _
pipeline {
  agent {
    docker {
      image 'maven:3.9@${D}'
      args '--cap-drop=ALL --network=isolated'
    }
  }
  parameters {
    choice(name: 'TARGET', choices: ['all', 'lib'])
  }
  environment {
    API = credentials('api-token')
  }
  stages {
    stage('Build') {
      steps {
        sh "make \${params.TARGET}"
        sh 'curl -H "Authorization: $API" https://api.example.com'
      }
    }
    stage('Deploy') {
      input {
        message 'Deploy to production?'
      }
      steps {
        withCredentials([string(credentialsId: 'kube', variable: 'KUBE_TOKEN')]) {
          sh 'kubectl --token="$KUBE_TOKEN" apply -f k8s/'
        }
      }
    }
  }
}
`,
  });
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.span.line}: ${f.message}`), []);
});
