import unprotected from '../../src/rules/unprotected-deployment.js';
import trusted from '../../src/rules/use-trusted-publishing.js';
import cloud from '../../src/rules/long-lived-cloud-credentials.js';
import privileged from '../../src/rules/privileged-container.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(unprotected, {
  valid: [
    { name: 'a deploy job in a protected environment; a build job', code: yaml`
      on: push
      jobs:
        deploy:
          runs-on: ubuntu-latest
          environment: production
          steps:
            - run: kubectl apply -f k8s/
        build:
          runs-on: ubuntu-latest
          steps:
            - run: make
    ` },
  ],
  invalid: [
    { name: 'helm upgrade and npm publish with no environment', code: yaml`
      on: push
      jobs:
        ship:
          runs-on: ubuntu-latest
          steps:
            - run: helm upgrade --install app ./chart
        npm:
          runs-on: ubuntu-latest
          steps:
            - run: npm publish
    `, findings: [{ line: 3, column: 3, message: /deploys/ }, { line: 7, message: /publishes to npm/ }] },
  ],
});

ruleTester(trusted, {
  valid: [
    { name: 'PyPI trusted publishing and GitHub Packages with the job token', code: yaml`
      on: release
      jobs:
        pypi:
          runs-on: ubuntu-latest
          permissions:
            id-token: write
          steps:
            - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
        gpr:
          runs-on: ubuntu-latest
          steps:
            - run: npm publish
              env:
                NODE_AUTH_TOKEN: \${{ secrets.GITHUB_TOKEN }}
    ` },
  ],
  invalid: [
    { name: 'a PyPI token and an npm token', code: yaml`
      on: release
      jobs:
        pypi:
          runs-on: ubuntu-latest
          steps:
            - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc
              with:
                password: \${{ secrets.PYPI_TOKEN }}
        npm:
          runs-on: ubuntu-latest
          steps:
            - run: npm publish
              env:
                NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
    `, findings: [{ line: 6, column: 15, severity: 'low', message: /PyPI/ }, { line: 12, message: /npm/ }] },
  ],
});

ruleTester(cloud, {
  valid: [
    { name: 'AWS through an assumed role', code: yaml`
      on: push
      permissions:
        id-token: write
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
              with:
                role-to-assume: arn:aws:iam::123456789012:role/deploy
                aws-region: eu-west-1
    ` },
  ],
  invalid: [
    { name: 'static AWS keys and a GCP JSON key', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
              with:
                aws-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
                aws-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}
            - uses: google-github-actions/auth@6fc4af4b145ae7821d527454aa9bd537d1f2dc5f
              with:
                credentials_json: \${{ secrets.GCP_SA_KEY }}
    `, findings: [{ line: 9, column: 11, message: /AWS/ }, { line: 12, message: /Google Cloud/ }] },
  ],
});

ruleTester(privileged, {
  valid: [
    { name: 'plain containers and services', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          services:
            db:
              image: postgres
              options: --health-cmd pg_isready
          steps:
            - run: docker run --rm alpine echo hi
    ` },
  ],
  invalid: [
    { name: 'a privileged service and docker run with the socket', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          services:
            dind:
              image: docker:dind
              options: --privileged
          steps:
            - run: docker run -v /var/run/docker.sock:/var/run/docker.sock tool
    `, findings: [{ line: 8, column: 18, severity: 'high' }, { line: 10, confidence: 'medium', message: /socket/ }] },
  ],
});

import secretInterpolation from '../../src/rules/secret-interpolation.js';
import packages from '../../src/rules/unpinned-packages.js';

ruleTester(secretInterpolation, {
  valid: [{ name: 'the secret read from the environment', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: 'curl -H "Authorization: Bearer $TOKEN" https://api.example.com'
            env:
              TOKEN: \${{ secrets.API_TOKEN }}
  ` }],
  invalid: [{ name: 'a secret pasted into the script; the job token lower', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              curl -H "Authorization: Bearer \${{ secrets.API_TOKEN }}" https://api.example.com
              gh auth login --with-token <<< "\${{ secrets.GITHUB_TOKEN }}"
  `, findings: [{ line: 7, column: 42, severity: 'medium' }, { line: 8, severity: 'low' }] }],
});

ruleTester(packages, {
  valid: [{ name: 'pinned apt and apk packages', path: 'Dockerfile', persona: 'pedantic', code: 'FROM alpine@sha256:' + 'a'.repeat(64) + '\nRUN apk add --no-cache curl=8.5.0-r0\nRUN apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u1\n' }],
  invalid: [{ name: 'unpinned apt and apk packages', path: 'Dockerfile', persona: 'pedantic', code: 'FROM alpine@sha256:' + 'a'.repeat(64) + '\nRUN apk add --no-cache curl\nRUN apt-get install -y git\n', findings: [{ line: 2, message: /`curl` \(apk\)/ }, { line: 3, message: /`git` \(apt-get\)/ }] }],
});
