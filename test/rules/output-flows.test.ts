/** Outsiders' text followed through $GITHUB_OUTPUT, step outputs and job outputs; where an expression lands in the shell. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rule from '../../src/rules/template-injection.js';
import { findingsOf, ruleTester, yaml } from '../helpers/rule-tester.js';
import { ofRule, scanTree } from '../helpers/tree.js';

ruleTester(rule, {
  valid: [
    { name: 'an output written from a constant or a number is not raised', code: yaml`
      on: issue_comment
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: s
              run: |
                echo "mode=release" >> "$GITHUB_OUTPUT"
                echo "n=\${{ github.event.issue.number }}" >> "$GITHUB_OUTPUT"
            - run: echo "\${{ steps.s.outputs.mode }} \${{ steps.s.outputs.n }}"
    ` },
  ],
  invalid: [
    { name: 'a title written to a step output and expanded in a later step', code: yaml`
      on: issue_comment
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: title
              run: echo "value=\${{ github.event.issue.title }}" >> $GITHUB_OUTPUT
            - run: echo "\${{ steps.title.outputs.value }}"
    `, findings: [
      { line: 7, column: 26, severity: 'high' },
      { line: 8, column: 20, severity: 'high', confidence: 'high', message: /carries `github\.event\.issue\.title`/ },
    ] },
    { name: 'through env, a shell pipeline and a job output into another job', code: yaml`
      on: issue_comment
      jobs:
        parse:
          runs-on: ubuntu-latest
          outputs:
            branch: \${{ steps.extract.outputs.branch }}
          steps:
            - id: extract
              env:
                BODY: \${{ github.event.comment.body }}
              run: |
                first="$(printf '%s' "$BODY" | head -n1)"
                candidate=$(echo "$first" | awk '{print $2}')
                {
                  echo "branch=$candidate"
                } >> "$GITHUB_OUTPUT"
        use:
          needs: parse
          runs-on: ubuntu-latest
          steps:
            - run: git checkout \${{ needs.parse.outputs.branch }}
    `, findings: [{ line: 21, column: 27, severity: 'high', message: /needs\.parse\.outputs\.branch.*carries `github\.event\.comment\.body`/ }] },
    { name: 'the multi-line name<<EOF form', code: yaml`
      on: pull_request_target
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: s
              env:
                PR_BODY: \${{ github.event.pull_request.body }}
              run: |
                echo "notes<<EOF" >> "$GITHUB_OUTPUT"
                echo "$PR_BODY" >> "$GITHUB_OUTPUT"
                echo "EOF" >> "$GITHUB_OUTPUT"
            - run: echo "\${{ steps.s.outputs.notes }}"
    `, findings: [{ line: 13, column: 20, severity: 'high' }] },
    { name: 'an output computed by a program stays at the derived level', code: yaml`
      on: issue_comment
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - id: s
              run: echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"
            - run: echo "\${{ steps.s.outputs.sha }}"
    `, findings: [{ line: 8, severity: 'low', confidence: 'low' }] },
    { name: 'a single-line field in a comment or a quoted heredoc is pedantic; a body there is not', code: yaml`
      on: issues
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                # \${{ github.event.issue.title }}
                cat <<'EOF'
                \${{ github.event.issue.body }}
                EOF
                echo "\${{ github.event.issue.title }}"
    `, findings: [
      { line: 7, severity: 'low', confidence: 'low' },
      { line: 9, severity: 'high', confidence: 'medium', message: /here-document/ },
      { line: 11, severity: 'high', confidence: 'high' },
    ] },
  ],
});

test('the source and each hop are related locations, source first', () => {
  const [f] = findingsOf(rule, { name: 'x', code: yaml`
    on: issue_comment
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - id: s
            env:
              BODY: \${{ github.event.comment.body }}
            run: echo "b=$BODY" >> "$GITHUB_OUTPUT"
          - run: echo \${{ steps.s.outputs.b }}
  ` });
  assert.ok(f);
  assert.deepEqual(f.related?.map((r) => r.span.line), [8, 9]);
  assert.match(f.related![0]!.message, /`BODY` is set from `github\.event\.comment\.body`/);
});

test('a chain of 100 steps passing an output on keeps 64 hops: the first from the source, the newest at the sink', () => {
  // Step i writes step i-1's output into its own; the last step expands step 99's. Each step's line is 3 + 2i.
  const steps = Array.from({ length: 100 }, (_, i) => `      - id: s${i}\n        run: echo "o=\${{ ${i ? `steps.s${i - 1}.outputs.o` : 'github.event.comment.body'} }}" >> $GITHUB_OUTPUT\n`).join('');
  const code = `on: issue_comment\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}      - run: echo "\${{ steps.s99.outputs.o }}"\n`;
  const sink = findingsOf(rule, { name: 'x', code }).find((f) => f.span.line === 206);
  assert.ok(sink, 'the last step is reported');
  const lines = sink.related!.map((r) => r.span.line);
  assert.equal(lines.length, 64);
  // Hop k is written on step k's `run:` line (7 + 2k): 0…62, then 99.
  assert.deepEqual(lines, [...Array.from({ length: 63 }, (_, k) => 7 + 2 * k), 7 + 2 * 99]);
});

test('a step output passed into a local composite action is high at the sink in the action', async () => {
  const { findings } = await scanTree({
    '.github/actions/pick/action.yml': yaml`
      name: pick
      inputs:
        target:
          description: branch
      runs:
        using: composite
        steps:
          - shell: bash
            run: |
              IFS=',' read -ra BRANCHES <<< "\${{ inputs.target }}"
    `,
    '.github/workflows/commands.yml': yaml`
      on: issue_comment
      jobs:
        pick:
          runs-on: ubuntu-latest
          steps:
            - id: extract
              env:
                COMMENT_BODY: \${{ github.event.comment.body }}
              run: |
                candidate="$(printf '%s' "$COMMENT_BODY" | awk '{print $2}')"
                echo "branch=$candidate" >> "$GITHUB_OUTPUT"
            - uses: ./.github/actions/pick
              with:
                target: \${{ steps.extract.outputs.branch }}
    `,
  });
  const f = ofRule(findings, 'template-injection');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line} ${x.severity}`), ['.github/actions/pick/action.yml:10 high']);
  assert.deepEqual(f[0]!.related?.map((r) => r.span.line), [8, 11, 14]);
});

test('an outsider\'s text run as the command itself is more certain than one passed as an argument', () => {
  const found = findingsOf(rule, { name: 'x', code: yaml`
    on: push
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - run: |
              \${{ github.event.head_commit.message }} --version
              echo \${{ github.event.head_commit.message }}
              eval "\${{ github.event.head_commit.message }}"
  ` });
  assert.deepEqual(found.map((f) => `${f.span.line} ${f.severity} ${f.confidence}`), ['7 high high', '8 high medium', '9 high high']);
});

test('PowerShell, cmd and Python scripts are not read as shell', async () => {
  const { shellOf } = await import('../../src/shell/index.js');
  const base = { kind: 'run' as const, text: 'curl x | sh', span: { offset: 0, endOffset: 0, line: 1, column: 1, endLine: 1, endColumn: 1 }, expressions: [] };
  for (const shell of ['pwsh', 'powershell', 'cmd', 'python', 'javascript'] as const) assert.equal(shellOf({ ...base, shell }), undefined, shell);
  assert.ok(shellOf({ ...base, shell: 'bash' }));
  assert.ok(shellOf({ ...base, shell: 'unknown' }));
});

test('outputs of an action known to repeat the branch name carry it', () => {
  const found = findingsOf(rule, { name: 'x', code: yaml`
    on: pull_request_target
    jobs:
      a:
        runs-on: ubuntu-latest
        steps:
          - id: branch
            uses: tj-actions/branch-names@6871f53176ad61624f978536bbf089c574dc19a2
          - run: echo "\${{ steps.branch.outputs.current_branch }}"
  ` });
  assert.deepEqual(found.map((f) => `${f.span.line} ${f.severity} ${f.related?.[0]?.span.line}`), ['8 high 7']);
});
