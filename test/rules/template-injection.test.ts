import rule from '../../src/rules/template-injection.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    {
      name: 'the value passed through env',
      code: yaml`
        on: pull_request_target
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - env:
                  TITLE: \${{ github.event.pull_request.title }}
                run: echo "$TITLE"
      `,
    },
    {
      name: 'contexts an outsider cannot shape (number, sha, login)',
      code: yaml`
        on: pull_request_target
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo \${{ github.event.number }} \${{ github.event.pull_request.head.sha }}
                  echo \${{ github.actor }}
      `,
    },
    {
      name: 'a boolean function of the tainted value',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo \${{ contains(github.event.issue.title, 'bug') }}
      `,
    },
    {
      name: 'toJSON in github-script (a JavaScript string literal)',
      code: yaml`
        on: issue_comment
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea
                with:
                  script: const body = \${{ toJSON(github.event.comment.body) }}
      `,
    },
    {
      name: 'a pull request field under a trigger that has no pull request',
      code: yaml`
        on: schedule
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo "\${{ github.event.pull_request.title }}"
      `,
    },
    {
      name: 'a typed workflow_dispatch input',
      code: yaml`
        on:
          workflow_dispatch:
            inputs:
              dry-run:
                type: boolean
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: ./release.sh --dry-run=\${{ inputs.dry-run }}
      `,
    },
    {
      name: 'the left side of && (only a falsy value comes through)',
      code: yaml`
        on: pull_request_target
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo \${{ github.event.pull_request.title && 'yes' }}
      `,
    },
    {
      name: 'env.X set to a literal in the workflow',
      persona: 'pedantic',
      code: yaml`
        on: push
        env:
          BUILD_DIR: out
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: make -C \${{ env.BUILD_DIR }}
      `,
    },
    {
      name: 'a variable from env given to eval, sh -c and python only by name, escaped, or measured',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  TITLE: \${{ github.event.issue.title }}
                run: |
                  sh -c 'echo "$TITLE"'
                  python -c 'import os; print(os.environ["TITLE"])'
                  eval "echo $(printf '%q' "$TITLE")"
                  eval "n=\${#TITLE}"
                  echo "$TITLE" | tee title.txt
                  echo "$TITLE" | bash script.sh
                  node scripts/deploy.js -e "$TITLE"
                  python -m pytest -c "$TITLE"
                  bash ./build.sh -c "$TITLE"
                  docker run --rm -e TITLE alpine sh -c 'echo "$TITLE"'
                  ssh deploy@host 'echo "$TITLE"'
      `,
    },
    {
      name: 'a variable only measured, tested, filtered or quoted by the shell, or passed by name to su, find, xargs and flock',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  TITLE: \${{ github.event.issue.title }}
                run: |
                  eval "n=\${#TITLE} \${TITLE:+set} \${TITLE//[^a-z]/} \${TITLE//[^[:alnum:]]/-} \${!TITLE}"
                  SET="\${TITLE:+yes}"; LEN="\${#TITLE}"; SLUG="\${TITLE//[^a-zA-Z0-9._-]/}"
                  eval "make $SET $LEN $SLUG"
                  su runner -c 'echo "$TITLE"'
                  find . -exec echo "$TITLE" \\;
                  xargs -I{} echo "$TITLE"
                  flock /tmp/lock echo "$TITLE"
                  runuser -u bob -- echo "$TITLE"
                  Q=$(printf '%q' "$TITLE"); eval "echo $Q"
                  printf -v R '%q %q' "$TITLE" "$TITLE"; eval "echo $R"
      `,
    },
    {
      name: 'a constant variable given to eval',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  MODE: fast
                run: eval "make $MODE"
      `,
    },
  ],
  invalid: [
    {
      name: 'a value moved into env, then run as code by eval, bash -c, a pipe into sh, python -c, node -e and here-documents',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            env:
              BODY: \${{ github.event.issue.body }}
            steps:
              - env:
                  TITLE: \${{ github.event.issue.title }}
                run: |
                  eval "echo $TITLE"
                  bash -c "echo \${TITLE}"
                  echo "$BODY" | sh
                  python3 -c "print('$TITLE')"
                  COPY="$TITLE"
                  node -e "console.log('$COPY')"
                  python3 - <<EOF
                  print("$TITLE")
                  EOF
                  bash <<< "echo $TITLE"
                  echo "print('$TITLE')" | python3
                  cat <<'EOF' | sh
                  echo "$TITLE"
                  EOF
                  docker exec app bash -c "echo $TITLE"
                  ssh -i key deploy@host "echo $TITLE"
                  kubectl exec pod -- sh -c "echo $TITLE"
      `,
      findings: [
        { line: 11, column: 22, endColumn: 28, severity: 'high', confidence: 'high', message: /`\$TITLE` carries `github\.event\.issue\.title` and is expanded into code that `eval` runs/ },
        { line: 12, column: 25, severity: 'high', message: /`bash -c` runs/ },
        { line: 13, column: 17, severity: 'high', message: /github\.event\.issue\.body.*`\| sh` runs/ },
        { line: 14, column: 30, severity: 'high', message: /Python code that `python3 -c` runs/ },
        { line: 16, column: 33, severity: 'high', message: /JavaScript code that `node -e` runs/ },
        // A here-document or a pipe feeding an interpreter its program; a quoted here-document passes the name only.
        { line: 18, column: 18, severity: 'high', message: /Python code that `python3 <<` runs/ },
        { line: 20, column: 26, severity: 'high', message: /`bash <<<` runs/ },
        { line: 21, column: 24, severity: 'high', message: /Python code that `\| python3` runs/ },
        // Inside a container, a pod or on another host, through the shell there.
        { line: 25, column: 41, severity: 'high', message: /`docker … bash -c` runs/ },
        { line: 26, column: 40, severity: 'high', message: /`ssh` runs/ },
        { line: 27, column: 43, severity: 'high', message: /`kubectl … sh -c` runs/ },
      ],
    },
    {
      name: 'a variable with a default, and commands that hand a script or a command on: su, runuser, flock, xargs, find -exec',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  TITLE: \${{ github.event.issue.title }}
                  MODE: fast
                run: |
                  eval "\${TITLE:-}"
                  eval "\${MODE:-$TITLE} \${TITLE#v}"
                  su runner -c "echo $TITLE"
                  su -lc "$TITLE" runner
                  su --command="echo $TITLE"
                  runuser -u bob -- sh -c "$TITLE"
                  flock -n /tmp/lock -c "$TITLE"
                  echo x | xargs -I {} sh -c "echo {} $TITLE"
                  find . -name '*.md' -exec bash -c "echo $TITLE" \\;
                  A="\${TITLE:-none}"; B="\${TITLE/[^a-z]/}"; C="v\${MODE:+$TITLE}"
                  eval "$A $B $C"
                  Q="\${TITLE@Q}"; R="\${TITLE//[^0-9A-z]/}"; S=\${TITLE//\\[^a-z]/}
                  eval "echo \\"$Q\\" $R $S"
                  printf -v P 'make %s' "$TITLE"; eval "$P"
      `,
      findings: [
        { line: 10, column: 17, endColumn: 27, severity: 'high', message: /`\$\{TITLE:-\}` carries `github\.event\.issue\.title` and is expanded into code that `eval` runs/ },
        { line: 11, column: 25, endColumn: 31, severity: 'high', message: /`eval` runs/ },
        { line: 11, column: 33, endColumn: 43, severity: 'high', message: /`\$\{TITLE#v\}`.*`eval` runs/ },
        { line: 12, column: 30, severity: 'high', message: /`su -c` runs/ },
        { line: 13, column: 19, severity: 'high', message: /`su -lc` runs/ },
        { line: 14, column: 30, severity: 'high', message: /`su --command` runs/ },
        { line: 15, column: 36, severity: 'high', message: /`runuser … sh -c` runs/ },
        { line: 16, column: 34, severity: 'high', message: /`flock -c` runs/ },
        { line: 17, column: 47, severity: 'high', message: /`xargs … sh -c` runs/ },
        { line: 18, column: 51, severity: 'high', message: /`find … bash -c` runs/ },
        // Copied with a default, with one character replaced (not a filter), and through an alternate value.
        { line: 20, column: 17, severity: 'high', message: /`\$A` carries `github\.event\.issue\.title`/ },
        { line: 20, column: 20, severity: 'high', message: /`\$B` carries/ },
        { line: 20, column: 23, severity: 'high', message: /`\$C` carries/ },
        // Quotes that @Q adds are text inside double quotes; A-z spans `; an escaped [ is no bracket.
        { line: 22, column: 24, severity: 'high', message: /`\$Q` carries/ },
        { line: 22, column: 29, severity: 'high', message: /`\$R` carries/ },
        { line: 22, column: 32, severity: 'high', message: /`\$S` carries/ },
        // printf -v writes its output into a variable: with %s the value is still code.
        { line: 23, column: 49, severity: 'high', message: /`\$P` carries `github\.event\.issue\.title`/ },
      ],
    },
    {
      name: "GitHub's own bash options before -c, and one expansion that reaches two runners, reported once",
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  TITLE: \${{ github.event.issue.title }}
                run: |
                  bash --noprofile --norc -eo pipefail -c "echo $TITLE"
                  bash -c "echo $TITLE | sh"
      `,
      findings: [
        { line: 9, column: 57, severity: 'high', message: /`bash -c` runs/ },
        { line: 10, column: 25, severity: 'high' },
      ],
    },
    {
      name: 'a caller-supplied input moved into env and run by eval in a reusable workflow: medium',
      code: yaml`
        on:
          workflow_call:
            inputs:
              command:
                type: string
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - env:
                  CMD: \${{ inputs.command }}
                run: eval "$CMD"
      `,
      findings: [{ line: 12, column: 20, severity: 'medium', confidence: 'low', message: /inputs\.command/ }],
    },
    {
      name: 'a pull request title in a block scalar under pull_request_target',
      code: yaml`
        on: pull_request_target
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "hello"
                  echo "Title: \${{ github.event.pull_request.title }}"
      `,
      findings: [{ line: 8, column: 24, endColumn: 62, severity: 'high', confidence: 'high', message: /github\.event\.pull_request\.title/ }],
    },
    {
      name: 'github.head_ref and a comment body in github-script',
      code: yaml`
        on: [pull_request_target, issue_comment]
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: git push origin \${{ github.head_ref }}
              - uses: actions/github-script@v7
                with:
                  script: |
                    console.log("\${{ github.event.comment.body }}")
      `,
      findings: [
        { line: 6, column: 30, severity: 'high' },
        { line: 10, column: 26, severity: 'high' },
      ],
    },
    {
      name: 'the tainted operand of || and format()',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo \${{ github.event.issue.body || 'none' }} \${{ format('{0}', github.event.issue.title) }}
      `,
      findings: [
        { line: 6, column: 19, severity: 'high' },
        { line: 6, column: 60, severity: 'high' },
      ],
    },
    {
      name: 'a pull request title under pull_request (no secrets): low',
      code: yaml`
        on: pull_request
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo "\${{ github.event.pull_request.title }}"
      `,
      findings: [{ line: 6, severity: 'low', confidence: 'medium' }],
    },
    {
      name: 'a commit message under push',
      code: yaml`
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo "\${{ github.event.head_commit.message }}"
      `,
      findings: [{ line: 6, severity: 'high', confidence: 'medium' }],
    },
    {
      name: 'a composite action input (caller-supplied)',
      path: 'action.yml',
      code: yaml`
        name: x
        inputs:
          version:
            description: v
        runs:
          using: composite
          steps:
            - run: echo \${{ inputs.version }}
              shell: bash
      `,
      findings: [{ line: 8, severity: 'medium', confidence: 'low' }],
    },
    {
      name: 'an event field inside a composite action (the caller decides the event)',
      path: 'action.yml',
      code: yaml`
        runs:
          using: composite
          steps:
            - run: echo "\${{ github.event.pull_request.head.ref }}"
              shell: bash
      `,
      findings: [{ line: 4, severity: 'medium', confidence: 'low' }],
    },
    {
      name: 'a step output (derived) shows only to pedantic users',
      persona: 'pedantic',
      code: yaml`
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - id: s
                run: echo x
              - run: echo \${{ steps.s.outputs.value }}
      `,
      findings: [{ line: 8, severity: 'low', confidence: 'low' }],
    },
    {
      name: 'a known code input of another action (appleboy/ssh-action script)',
      code: yaml`
        on: issues
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - uses: appleboy/ssh-action@029f5b4aeeeb58fdfe1410a5d17f967dacf36262
                with:
                  script: echo \${{ github.event.issue.title }}
      `,
      findings: [{ line: 8, column: 24, severity: 'high' }],
    },
  ],
});
