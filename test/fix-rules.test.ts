/**
 * Structural fixes: least token permissions, Tekton/Argo substitutions moved
 * to env, hardened security contexts, debug and insecure-command switches
 * removed. Exact bytes after the fix, the dry-run diff, CRLF and comments
 * kept, and a second run that changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyConfig } from '../src/config/config.js';
import { scanPaths, type ScanOptions } from '../src/core/scan.js';
import { fixPaths, type FixReport } from '../src/fix/run.js';
import { allRules } from '../src/rules/index.js';
import { jobNeeds } from '../src/platforms/github/token-scopes.js';
import { buildWorkflow } from '../src/platforms/github/build.js';
import { parseYaml } from '../src/core/yaml.js';
import { SourceFile } from '../src/model/source.js';
import { structureDifference } from './helpers/structure.js';

const scanOpts = (cwd: string): ScanOptions => ({ rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test' });

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-fixr-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Fix one file with only the given rules' fixes; returns the new text, the reports of both runs and the dry-run diff. */
async function fixOne(rel: string, text: string, rules: string[], unsafe = false): Promise<{ text: string; dry: FixReport; first: FixReport; second: FixReport }> {
  const dir = tree({ [rel]: text });
  const opts = { rules: new Set(rules), unsafe };
  const dry = await fixPaths([dir], scanOpts(dir), { ...opts, dryRun: true });
  assert.equal(fs.readFileSync(path.join(dir, rel), 'utf8'), text, 'dry run writes nothing');
  const first = await fixPaths([dir], scanOpts(dir), { ...opts, dryRun: false });
  assert.deepEqual(first.errors, []);
  const after = fs.readFileSync(path.join(dir, rel), 'utf8');
  const second = await fixPaths([dir], scanOpts(dir), { ...opts, dryRun: false });
  assert.equal(second.applied, 0, 'second run applies nothing');
  assert.equal(fs.readFileSync(path.join(dir, rel), 'utf8'), after, 'second run changes nothing');
  fs.rmSync(dir, { recursive: true, force: true });
  return { text: after, dry, first, second };
}

const lines = (...l: string[]) => l.join('\n') + '\n';

// ---------------------------------------------------------------- excessive-permissions

const RELEASE = lines(
  'name: release',
  'on:',
  '  push:',
  "    tags: ['v*']",
  '  # manual runs too',
  '  workflow_dispatch:',
  '',
  'jobs:',
  '  test:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - run: make test',
  '  release:',
  '    needs: test',
  '    runs-on: ubuntu-latest   # big runner',
  '    steps:',
  '      - uses: actions/checkout@v4',
  '      - uses: softprops/action-gh-release@v2',
  '      - run: gh pr comment 1 --body "released"',
  '        env:',
  '          GH_TOKEN: ${{ github.token }}',
);

test('excessive-permissions: contents: read after the on: block, and per job the scopes its steps need, with why', async () => {
  const r = await fixOne('.github/workflows/r.yml', RELEASE, ['excessive-permissions']);
  assert.equal(
    r.text,
    lines(
      'name: release',
      'on:',
      '  push:',
      "    tags: ['v*']",
      '  # manual runs too',
      '  workflow_dispatch:',
      '',
      'permissions:',
      '  contents: read',
      '',
      'jobs:',
      '  test:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: make test',
      '  release:',
      '    needs: test',
      '    runs-on: ubuntu-latest   # big runner',
      '    permissions:',
      '      contents: write  # softprops/action-gh-release',
      '      pull-requests: write  # gh pr comment',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: softprops/action-gh-release@v2',
      '      - run: gh pr comment 1 --body "released"',
      '        env:',
      '          GH_TOKEN: ${{ github.token }}',
    ),
  );
  assert.equal(r.first.applied, 1, 'the fix offered by both jobs is applied once');
  assert.equal(
    r.dry.output,
    [
      '--- a/.github/workflows/r.yml',
      '+++ b/.github/workflows/r.yml',
      '@@ -5,6 +5,9 @@',
      '   # manual runs too',
      '   workflow_dispatch:',
      ' ',
      '+permissions:',
      '+  contents: read',
      '+',
      ' jobs:',
      '   test:',
      '     runs-on: ubuntu-latest',
      '@@ -14,6 +17,9 @@',
      '   release:',
      '     needs: test',
      '     runs-on: ubuntu-latest   # big runner',
      '+    permissions:',
      '+      contents: write  # softprops/action-gh-release',
      '+      pull-requests: write  # gh pr comment',
      '     steps:',
      '       - uses: actions/checkout@v4',
      '       - uses: softprops/action-gh-release@v2',
      '',
    ].join('\n'),
  );
});

test('excessive-permissions: CRLF and four-space indentation are kept', async () => {
  const src = lines(
    'on:',
    '    push:',
    'jobs:',
    '    release:',
    '        runs-on: ubuntu-latest',
    '        steps:',
    '            -   uses: softprops/action-gh-release@v2',
  ).replace(/\n/g, '\r\n');
  const r = await fixOne('.github/workflows/r.yml', src, ['excessive-permissions']);
  assert.equal(
    r.text,
    lines(
      'on:',
      '    push:',
      'permissions:',
      '    contents: read',
      'jobs:',
      '    release:',
      '        runs-on: ubuntu-latest',
      '        permissions:',
      '            contents: write  # softprops/action-gh-release',
      '        steps:',
      '            -   uses: softprops/action-gh-release@v2',
    ).replace(/\n/g, '\r\n'),
  );
});

test('excessive-permissions: a job handing the token to an unknown action makes the fix unsafe, with a note where to look', async () => {
  const wf = lines(
    'on: push',
    'jobs:',
    '  label:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: someone/do-things@v1',
    '        with:',
    '          token: ${{ secrets.GITHUB_TOKEN }}',
  );
  const safe = await fixOne('.github/workflows/l.yml', wf, ['excessive-permissions']);
  assert.equal(safe.text, wf);
  assert.match(safe.first.skipped[0]!.reason, /unsafe/);
  const unsafe = await fixOne('.github/workflows/l.yml', wf, ['excessive-permissions'], true);
  assert.equal(
    unsafe.text,
    lines(
      'on: push',
      'permissions:',
      '  contents: read',
      'jobs:',
      '  label:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '      # pipewarden could not tell what these need: `someone/do-things`, which is handed the job token',
      '    steps:',
      '      - uses: someone/do-things@v1',
      '        with:',
      '          token: ${{ secrets.GITHUB_TOKEN }}',
    ),
  );
});

test('excessive-permissions: job write-all becomes what its steps need; the comment stays on the key line', async () => {
  const wf = lines(
    'on: push',
    'permissions: {}',
    'jobs:',
    '  publish:',
    '    runs-on: ubuntu-latest',
    '    permissions: write-all  # lazy',
    '    steps:',
    '      - uses: docker/login-action@v3',
    '        with:',
    '          registry: ghcr.io',
    '          password: ${{ secrets.GITHUB_TOKEN }}',
    '      - uses: actions/attest-build-provenance@v2',
  );
  const r = await fixOne('.github/workflows/p.yml', wf, ['excessive-permissions']);
  assert.equal(
    r.text,
    wf.replace(
      '    permissions: write-all  # lazy\n',
      '    permissions:  # lazy\n      contents: read\n      attestations: write  # actions/attest-build-provenance\n      id-token: write  # actions/attest-build-provenance\n      packages: write  # docker/login-action\n',
    ),
  );
});

test('excessive-permissions: workflow-level writes move to the jobs that need them; an unknown job keeps the old grant', async () => {
  const wf = lines(
    'on: push',
    'permissions:',
    '  contents: write   # releases',
    '  issues: write',
    'jobs:',
    '  lint:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: make lint',
    '  notes:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: gh issue comment 1 --body hi',
    '        env:',
    '          GH_TOKEN: ${{ github.token }}',
    '  mystery:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: ./release.sh',
    '        env:',
    '          GITHUB_TOKEN: ${{ github.token }}',
  );
  const r = await fixOne('.github/workflows/w.yml', wf, ['excessive-permissions']);
  assert.equal(
    r.text,
    lines(
      'on: push',
      'permissions:',
      '  contents: read   # releases',
      '  issues: read',
      'jobs:',
      '  lint:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: make lint',
      '  notes:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '      issues: write  # gh issue comment',
      '    steps:',
      '      - run: gh issue comment 1 --body hi',
      '        env:',
      '          GH_TOKEN: ${{ github.token }}',
      '  mystery:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: write  # kept: pipewarden could not tell what this job needs',
      '      issues: write  # kept: pipewarden could not tell what this job needs',
      '    steps:',
      '      - run: ./release.sh',
      '        env:',
      '          GITHUB_TOKEN: ${{ github.token }}',
    ),
  );
});

function needsOf(yaml: string): { scopes: Record<string, string>; unknown: string[] } {
  const file = new SourceFile('.github/workflows/x.yml', yaml);
  const { docs } = parseYaml(file);
  const p = buildWorkflow(docs[0]!).pipeline!;
  const n = jobNeeds(p, p.jobs[0]!);
  return { scopes: Object.fromEntries([...n.scopes].map(([s, v]) => [s, v.level])), unknown: n.unknown };
}

test('token needs: gh commands, github-script calls, OIDC only when asked for, another token, gh api unknown', () => {
  const job = (steps: string) => `on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n${steps}`;
  assert.deepEqual(needsOf(job('      - run: |\n          gh release create v1\n          gh pr view 3\n        env:\n          GH_TOKEN: ${{ github.token }}\n')), { scopes: { contents: 'write', 'pull-requests': 'read' }, unknown: [] });
  assert.deepEqual(needsOf(job('      - uses: actions/github-script@v7\n        with:\n          script: |\n            await github.rest.issues.createComment({})\n            await github.rest.pulls.get({})\n')), { scopes: { issues: 'write', 'pull-requests': 'read' }, unknown: [] });
  assert.equal(needsOf(job('      - uses: actions/github-script@v7\n        with:\n          script: await github.graphql("q")\n')).unknown.length, 1);
  assert.deepEqual(needsOf(job('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::1:role/x\n')).scopes, { 'id-token': 'write' });
  assert.deepEqual(needsOf(job('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${{ secrets.K }}\n')).scopes, {});
  assert.deepEqual(needsOf(job('      - uses: peter-evans/create-pull-request@v7\n        with:\n          token: ${{ secrets.BOT_PAT }}\n')).scopes, {});
  assert.deepEqual(needsOf(job('      - uses: github/codeql-action/upload-sarif@v3\n')).scopes, { 'security-events': 'write' });
  assert.deepEqual(needsOf(job('      - uses: actions/deploy-pages@v4\n')).scopes, { pages: 'write', 'id-token': 'write' });
  assert.deepEqual(needsOf(job('      - run: gh api -X POST repos/o/r/dispatches\n        env:\n          GH_TOKEN: ${{ github.token }}\n')).unknown, ['`gh api` in step 1 of job `a`']);
  assert.deepEqual(needsOf(job('      - uses: someone/auto-release@v1\n')).unknown, ['`someone/auto-release`, which may use the job token by default']);
  assert.deepEqual(needsOf(job('      - uses: someone/setup-tool@v1\n      - run: make\n')), { scopes: {}, unknown: [] });
});

// ---------------------------------------------------------------- template-injection (Tekton, Argo)

const TASK = lines(
  'apiVersion: tekton.dev/v1',
  'kind: Task',
  'metadata:',
  '  name: greet',
  'spec:',
  '  params:',
  '    - name: who',
  '    - name: git-url',
  '  steps:',
  '    - name: greet',
  '      image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
  '      env:',
  '        - name: HOME',
  '          value: /tmp',
  '      script: |',
  '        #!/bin/sh',
  '        echo "Hello $(params.who)!"   # greet',
  "        echo 'from $(params.git-url)'",
  '        URL=$(params.git-url)',
  '        cat <<EOF',
  '        who: $(params.who)',
  '        EOF',
);

test('template-injection (Tekton): env entries and the variable quoted as the script had it', async () => {
  const r = await fixOne('task.yaml', TASK, ['template-injection']);
  assert.equal(
    r.text,
    lines(
      'apiVersion: tekton.dev/v1',
      'kind: Task',
      'metadata:',
      '  name: greet',
      'spec:',
      '  params:',
      '    - name: who',
      '    - name: git-url',
      '  steps:',
      '    - name: greet',
      '      image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      '      env:',
      '        - name: HOME',
      '          value: /tmp',
      '        - name: PARAM_WHO',
      '          value: $(params.who)',
      '        - name: PARAM_GIT_URL',
      '          value: $(params.git-url)',
      '      script: |',
      '        #!/bin/sh',
      '        echo "Hello $PARAM_WHO!"   # greet',
      `        echo 'from '"$PARAM_GIT_URL"''`,
      '        URL="$PARAM_GIT_URL"',
      '        cat <<EOF',
      '        who: ${PARAM_WHO}',
      '        EOF',
    ),
  );
  const crlf = await fixOne('task.yaml', TASK.replace(/\n/g, '\r\n'), ['template-injection']);
  assert.equal(crlf.text, r.text.replace(/\n/g, '\r\n'));
});

test('template-injection (Tekton): unquoted words are unsafe to quote; python, quoted heredocs and flow scalars get no fix', async () => {
  const split = TASK.replace('echo "Hello $(params.who)!"', 'go test $(params.who)');
  const safe = await fixOne('task.yaml', split, ['template-injection']);
  assert.equal(safe.text, split);
  const unsafe = await fixOne('task.yaml', split, ['template-injection'], true);
  assert.match(unsafe.text, /go test "\$PARAM_WHO"/);
  for (const variant of [TASK.replace('#!/bin/sh', '#!/usr/bin/env python3'), TASK.replace('cat <<EOF', "cat <<'EOF'")]) {
    const r = await fixOne('task.yaml', variant, ['template-injection'], true);
    assert.equal(r.text, variant);
    assert.equal(r.first.applied, 0);
  }
});

const WORKFLOW = lines(
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Workflow',
  'metadata:',
  '  generateName: hello-',
  'spec:',
  '  entrypoint: main',
  '  arguments:',
  '    parameters:',
  '      - name: msg',
  '  templates:',
  '    - name: main',
  '      inputs:',
  '        parameters:',
  '          - name: msg',
  '      script:',
  '        image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
  '        command: [sh]',
  '        source: |',
  '          echo "{{inputs.parameters.msg}}"',
  "          echo '{{workflow.parameters.msg}}'",
  '    - name: args',
  '      container:',
  '        image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
  '        command: [sh, -c]',
  '        args: ["echo {{inputs.parameters.msg}}"]',
);

test('template-injection (Argo): script source gets env with quoted values; a flow-quoted sh -c argument gets no fix', async () => {
  const r = await fixOne('wf.yaml', WORKFLOW, ['template-injection'], true);
  assert.equal(
    r.text,
    WORKFLOW.replace(
      '        command: [sh]\n        source: |\n          echo "{{inputs.parameters.msg}}"\n          echo \'{{workflow.parameters.msg}}\'\n',
      '        command: [sh]\n        env:\n          - name: MSG\n            value: "{{inputs.parameters.msg}}"\n          - name: MSG_2\n            value: "{{workflow.parameters.msg}}"\n        source: |\n          echo "$MSG"\n          echo "$MSG_2"\n',
    ),
  );
  assert.equal(r.first.applied, 1);
});

test('template-injection (Tekton): env names for parameters differing only in case skip names in use and reuse a value\'s name', async () => {
  const task = lines(
    'apiVersion: tekton.dev/v1',
    'kind: Task',
    'metadata:',
    '  name: t',
    'spec:',
    '  params: [{name: msg}, {name: Msg}, {name: MSG}]',
    '  steps:',
    '    - name: s',
    '      image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    '      env:',
    '        - name: PARAM_MSG_2',
    '          value: other',
    '      script: |',
    '        echo "$(params.msg)" $PARAM_MSG_3',
    '        echo "$(params.Msg)"',
    '        echo "$(params.msg)"',
    '        echo "$(params.MSG)"',
  );
  const r = await fixOne('task.yaml', task, ['template-injection'], true);
  assert.equal(
    r.text,
    task.replace(
      '          value: other\n      script: |\n        echo "$(params.msg)" $PARAM_MSG_3\n        echo "$(params.Msg)"\n        echo "$(params.msg)"\n        echo "$(params.MSG)"\n',
      '          value: other\n        - name: PARAM_MSG\n          value: $(params.msg)\n        - name: PARAM_MSG_4\n          value: $(params.Msg)\n        - name: PARAM_MSG_5\n          value: $(params.MSG)\n' +
        '      script: |\n        echo "$PARAM_MSG" $PARAM_MSG_3\n        echo "$PARAM_MSG_4"\n        echo "$PARAM_MSG"\n        echo "$PARAM_MSG_5"\n',
    ),
  );
});

test('excessive-permissions: a job after a merge key in `jobs:` is still found and fixed', async () => {
  const wf = lines(
    'name: ci',
    'on: [push]',
    'permissions: {contents: read}',
    'x-defs: &defs',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    steps: [{run: echo a}]',
    'jobs:',
    '  <<: *defs',
    '  b:',
    '    runs-on: ubuntu-latest',
    '    permissions: write-all',
    '    steps: [{run: echo hi}]',
  );
  const r = await fixOne('.github/workflows/ci.yml', wf, ['excessive-permissions'], true);
  assert.equal(r.first.applied, 1);
  assert.ok(!r.text.includes('write-all'), r.text);
});

// ---------------------------------------------------------------- missing-security-context

test('missing-security-context (Tekton): several steps get it once in a new stepTemplate; a sidecar gets its own; explicit values stay', async () => {
  const task = lines(
    'apiVersion: tekton.dev/v1',
    'kind: Task',
    'metadata:',
    '  name: build',
    'spec:',
    '  steps:',
    '    - name: a',
    '      image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    '      script: echo a',
    '    - name: b',
    '      image: golang@sha256:0000000000000000000000000000000000000000000000000000000000000000  # pinned',
    '      securityContext:',
    '        allowPrivilegeEscalation: true',
    '      script: echo b',
    '  sidecars:',
    '    - name: db',
    '      image: postgres@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    '      securityContext:',
    '        runAsUser: 999',
    '        capabilities:',
    '          add: [CHOWN]',
  );
  const safe = await fixOne('task.yaml', task, ['missing-security-context']);
  assert.equal(safe.text, task, 'runAsNonRoot and friends are unsafe');
  const r = await fixOne('task.yaml', task, ['missing-security-context'], true);
  assert.equal(
    r.text,
    lines(
      'apiVersion: tekton.dev/v1',
      'kind: Task',
      'metadata:',
      '  name: build',
      'spec:',
      '  stepTemplate:',
      '    securityContext:',
      '      runAsNonRoot: true',
      '      allowPrivilegeEscalation: false',
      '      capabilities:',
      '        drop: ["ALL"]',
      '      seccompProfile:',
      '        type: RuntimeDefault',
      '      readOnlyRootFilesystem: true',
      '  steps:',
      '    - name: a',
      '      image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      '      script: echo a',
      '    - name: b',
      '      image: golang@sha256:0000000000000000000000000000000000000000000000000000000000000000  # pinned',
      '      securityContext:',
      '        allowPrivilegeEscalation: true',
      '      script: echo b',
      '  sidecars:',
      '    - name: db',
      '      image: postgres@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      '      securityContext:',
      '        runAsUser: 999',
      '        capabilities:',
      '          add: [CHOWN]',
      '        allowPrivilegeEscalation: false',
      '        seccompProfile:',
      '          type: RuntimeDefault',
      '        readOnlyRootFilesystem: true',
    ),
  );
  // The user's `allowPrivilegeEscalation: true` on step b is still reported, and no fix touches it.
  const dir = tree({ 'task.yaml': r.text });
  const rescan = await scanPaths([dir], scanOpts(dir));
  const left = rescan.findings.filter((f) => f.rule === 'missing-security-context');
  assert.deepEqual(left.map((f) => [f.span.line, f.message, !!f.fix]), [[19, 'step `b` lacks allowPrivilegeEscalation: false', false], [25, 'sidecar `db` lacks capabilities.drop: [ALL]', false]]);
});

test('missing-security-context (Argo): merged into an existing securityContext; only allowPrivilegeEscalation and seccomp missing is safe', async () => {
  const wf = lines(
    'apiVersion: argoproj.io/v1alpha1',
    'kind: WorkflowTemplate',
    'metadata:',
    '  name: t',
    'spec:',
    '  templates:',
    '    - name: main',
    '      container:',
    '        image: alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000',
    '        securityContext:',
    '          runAsNonRoot: true',
    '          readOnlyRootFilesystem: true',
    '          capabilities:',
    '            drop: [ALL]',
    '        command: [make]',
  );
  const r = await fixOne('wf.yaml', wf, ['missing-security-context']);
  assert.equal(r.text, wf.replace('            drop: [ALL]\n', '            drop: [ALL]\n          allowPrivilegeEscalation: false\n          seccompProfile:\n            type: RuntimeDefault\n'));
});

// ---------------------------------------------------------------- debug-logging, insecure-commands

test('debug-logging and insecure-commands: the switch line goes, neighbours stay; an emptied env goes too; unsafe', async () => {
  const wf = lines(
    'on: push',
    'permissions:',
    '  contents: read',
    'env:',
    '  ACTIONS_STEP_DEBUG: true   # temporary',
    '  KEEP: "1"',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    env:',
    '      ACTIONS_ALLOW_UNSECURE_COMMANDS: true',
    '    steps:',
    '      - run: echo hi',
  );
  const safe = await fixOne('.github/workflows/d.yml', wf, ['debug-logging', 'insecure-commands']);
  assert.equal(safe.text, wf);
  assert.equal(safe.first.skipped.length, 2);
  const r = await fixOne('.github/workflows/d.yml', wf.replace(/\n/g, '\r\n'), ['debug-logging', 'insecure-commands'], true);
  assert.equal(r.text, lines('on: push', 'permissions:', '  contents: read', 'env:', '  KEEP: "1"', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: echo hi').replace(/\n/g, '\r\n'));
});

// ---------------------------------------------------------------- the structural check itself

test('structureDifference catches a fix that damages a key it does not declare', () => {
  const before = 'a:\n  b: 1\n  c: 2\n---\nx: 1\n';
  const honest = { description: 'b', safety: 'safe' as const, edits: [{ offset: 8, endOffset: 9, replacement: '5' }], targets: [['a', 'b']] };
  assert.equal(structureDifference(before, 'a:\n  b: 5\n  c: 2\n---\nx: 1\n', [honest]), undefined);
  assert.match(structureDifference(before, 'a:\n  b: 5\n  c: 3\n---\nx: 1\n', [honest]) ?? '', /document 0 differs/);
  assert.match(structureDifference(before, 'a:\n  b: 5\n  c: 2\n---\nx: 2\n', [honest]) ?? '', /document 1 differs/);
  assert.match(structureDifference(before, 'a:\n  b: 5\n  c: 2\n', [honest]) ?? '', /document count/);
  assert.match(structureDifference(before, before, [{ ...honest, targets: undefined }]) ?? '', /without targets/);
  // A key created by the fix with its new parent: the empty parent does not count as damage.
  assert.equal(structureDifference('s:\n  u: 1\n', 's:\n  u: 1\n  with:\n    p: false\n', [{ ...honest, edits: [{ offset: 9, endOffset: 9, replacement: '' }], targets: [['s', 'with', 'p']] }]), undefined);
});

test('excessive-permissions: the job token is followed into a local composite action through its inputs', async () => {
  const dir = tree({
    '.github/workflows/w.yml': lines('on: pull_request_target', 'jobs:', '  c:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: ./.github/actions/say', '        with:', '          token: ${{ github.token }}'),
    '.github/actions/say/action.yml': lines('name: say', 'inputs:', '  token: {}', 'runs:', '  using: composite', '  steps:', '    - run: gh pr comment 1 --body hi', '      shell: bash', '      env:', '        GH_TOKEN: ${{ inputs.token }}'),
  });
  await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['excessive-permissions']) });
  const text = fs.readFileSync(path.join(dir, '.github/workflows/w.yml'), 'utf8');
  assert.equal(text, lines('on: pull_request_target', 'permissions:', '  contents: read', 'jobs:', '  c:', '    runs-on: ubuntu-latest', '    permissions:', '      contents: read', '      pull-requests: write  # gh pr comment', '    steps:', '      - uses: ./.github/actions/say', '        with:', '          token: ${{ github.token }}'));
});

test('excessive-permissions: workflow-level write-all becomes contents: read; jobs get what they need, an unknown job keeps write-all', async () => {
  const wf = lines(
    'on: push',
    'permissions: write-all',
    'jobs:',
    '  docs:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/deploy-pages@v4',
    '  other:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: someone/thing@v1',
    '        with:',
    '          token: ${{ github.token }}',
  );
  const r = await fixOne('.github/workflows/a.yml', wf, ['excessive-permissions']);
  assert.equal(
    r.text,
    lines(
      'on: push',
      'permissions:',
      '  contents: read',
      'jobs:',
      '  docs:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '      id-token: write  # actions/deploy-pages',
      '      pages: write  # actions/deploy-pages',
      '    steps:',
      '      - uses: actions/deploy-pages@v4',
      '  other:',
      '    runs-on: ubuntu-latest',
      '    permissions: write-all  # kept: pipewarden could not tell what this job needs',
      '    steps:',
      '      - uses: someone/thing@v1',
      '        with:',
      '          token: ${{ github.token }}',
    ),
  );
  // The kept write-all is reported again on its own, with a fix that waits for --unsafe.
  assert.equal(r.second.skipped.filter((s) => s.rule === 'excessive-permissions').length, 1);
});
