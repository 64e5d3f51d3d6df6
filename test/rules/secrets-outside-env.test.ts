import rule from '../../src/rules/secrets-outside-env.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'secrets in a job with an environment, GITHUB_TOKEN, reusable workflow calls', code: yaml`
      on: push
      jobs:
        deploy:
          runs-on: ubuntu-latest
          environment: production
          steps:
            - run: ./deploy.sh
              env:
                TOKEN: \${{ secrets.DEPLOY_TOKEN }}
        label:
          runs-on: ubuntu-latest
          steps:
            - run: gh pr edit --add-label x
              env:
                GH_TOKEN: \${{ secrets.GITHUB_TOKEN }}
        call:
          uses: ./.github/workflows/release.yml
          secrets:
            token: \${{ secrets.RELEASE_TOKEN }}
    ` },
    { name: 'a composite action', path: 'action.yml', code: yaml`
      name: x
      runs:
        using: composite
        steps:
          - run: echo \${{ secrets.X }}
            shell: bash
    ` },
    { name: 'the regular level', persona: 'regular', code: yaml`
      on: push
      jobs:
        publish:
          runs-on: ubuntu-latest
          steps:
            - run: ./publish.sh
              env:
                TOKEN: \${{ secrets.NPM_TOKEN }}
    ` },
  ],
  invalid: [
    { name: 'secrets in jobs without an environment', code: yaml`
      on: push
      jobs:
        publish:
          runs-on: ubuntu-latest
          env:
            A: \${{ secrets.npm_token }}
          steps:
            - run: ./publish.sh
              env:
                TOKEN: \${{ secrets.NPM_TOKEN }}
                OTHER: \${{ secrets[matrix.name] }}
        deploy:
          runs-on: ubuntu-latest
          environment: prod
          steps:
            - run: echo
        notify:
          runs-on: ubuntu-latest
          steps:
            - uses: slackapi/slack-github-action@v2
              with:
                webhook: \${{ secrets.SLACK_WEBHOOK }}
    `, findings: [
      { line: 6, column: 10, severity: 'low', message: /job `publish` reads secrets `NPM_TOKEN`, `secrets\[…\]`/ },
      { line: 22, message: /job `notify` reads secret `SLACK_WEBHOOK`/ },
    ] },
  ],
});
