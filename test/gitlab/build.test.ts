/** The GitLab CI model: includes, extends, !reference, default:, inputs, pins, rules, and the real corpus. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from '../helpers/fc.js';
import { stringify } from 'yaml';
import { parseYaml } from '../../src/core/yaml.js';
import type { Job, Pipeline } from '../../src/model/pipeline.js';
import { SourceFile, type Span } from '../../src/model/source.js';
import {
  buildGitlab, fileOf, gitlabJobInfo, gitlabPipelineInfo, jobRunsFor, stepPhase, type GitlabBuildOutput, type LocalFile, type LocalReader,
} from '../../src/platforms/gitlab/build.js';
import { fsReader } from '../../src/platforms/gitlab/reader.js';

function dedent(s: string): string {
  const lines = s.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** An in-memory repository; `reads` records every path the builder asked for. */
function repo(files: Record<string, string>): LocalReader & { reads: string[] } {
  const reads: string[] = [];
  const parsed = new Map<string, LocalFile>();
  return {
    reads,
    read(p: string) {
      reads.push(p);
      const text = files[p];
      if (text === undefined) return { error: 'does not exist' };
      let f = parsed.get(p);
      if (!f) {
        const file = new SourceFile(p, dedent(text));
        const r = parseYaml(file);
        f = { file, docs: r.docs, problems: r.problems };
        parsed.set(p, f);
      }
      return f;
    },
    list: () => Object.keys(files),
  };
}

function load(files: Record<string, string>, root = '.gitlab-ci.yml'): GitlabBuildOutput & { reads: string[]; p: Pipeline } {
  const r = repo(files);
  const f = r.read(root) as LocalFile;
  r.reads.length = 0;
  const out = buildGitlab({ file: f.file, docs: f.docs, path: root }, r);
  return { ...out, reads: r.reads, p: out.pipeline! };
}

function job(p: Pipeline, id: string): Job {
  const j = p.jobs.find((x) => x.id.value === id);
  assert.ok(j, `job ${id} exists (have ${p.jobs.map((x) => x.id.value).join(', ')})`);
  return j;
}

const at = (s: Span) => `${s.line}:${s.column}`;
const where = (x: { span: Span }) => `${fileOf(x)?.path}:${at(x.span)}`;
const problemList = (o: GitlabBuildOutput) => o.problems.map((p) => `${p.file}:${at(p.span)} ${p.message}`);

test('local includes merge in order (later wins, hashes deep-merged, root last) and keep their files and lines', () => {
  const out = load({
    '.gitlab-ci.yml': `
      include:
        - local: ci/a.yml
        - ci/b.yml
      build:
        variables:
          FROM: root
    `,
    'ci/a.yml': `
      build:
        image: node:20
        variables:
          FROM: a
          A_ONLY: "yes"
        script:
          - echo from-a
    `,
    'ci/b.yml': `
      build:
        script:
          - echo from-b
      test:
        script: make test
    `,
  });
  assert.deepEqual(problemList(out), []);
  const p = out.p;
  assert.deepEqual(out.reads, ['ci/a.yml', 'ci/b.yml']);
  assert.deepEqual(p.jobs.map((j) => j.id.value), ['build', 'test']);
  const build = job(p, 'build');
  // The root's `build:` is merged last, so the job is located there.
  assert.equal(fileOf(build)?.path, '.gitlab-ci.yml');
  assert.equal(at(build.id.span), '4:1');
  // b.yml's script replaced a.yml's list; its line is in b.yml.
  assert.deepEqual(build.steps.map((s) => `${s.script!.text} @${where(s.script!)}`), ['echo from-b @ci/b.yml:3:7']);
  assert.equal(fileOf(build.steps[0]!)?.path, 'ci/b.yml');
  // Variables deep-merge: the root's FROM wins, a.yml's A_ONLY stays.
  assert.deepEqual(build.env.map((e) => `${e.name.value}=${e.value?.value} @${where(e.name)}`), ['FROM=root @.gitlab-ci.yml:6:5', 'A_ONLY=yes @ci/a.yml:5:5']);
  assert.deepEqual(build.images.map((i) => `${i.raw} @${where(i)}`), ['node:20 @ci/a.yml:2:10']);
  assert.equal(fileOf(job(p, 'test'))?.path, 'ci/b.yml');
  const info = gitlabPipelineInfo(p)!;
  assert.deepEqual(info.files.map((f) => f.path), ['.gitlab-ci.yml', 'ci/a.yml', 'ci/b.yml']);
  assert.deepEqual(info.includes.map((i) => `${i.kind} ${i.value.value} ${i.loaded.join(',')}`), ['local ci/a.yml ci/a.yml', 'local ci/b.yml ci/b.yml']);
});

test('problems in included files carry that file and the exact place', () => {
  const out = load({
    '.gitlab-ci.yml': `
      include: /ci/jobs.yml
      ok:
        script: [make]
    `,
    'ci/jobs.yml': `
      bad: [1, 2]
      lines:
        script:
          - echo a: b
      missing:
        extends: .nowhere
        script: x
    `,
  });
  assert.deepEqual(problemList(out), [
    'ci/jobs.yml:6:12 `extends`: no job or template `.nowhere`',
    'ci/jobs.yml:1:6 job `bad` must be a mapping',
    'ci/jobs.yml:4:7 each line of `script` must be a string (quote lines that contain `: `)',
  ]);
});

test('wildcard local includes: `*` stays in one folder, `**` spans folders', () => {
  const files = {
    'ci/x.yml': 'x:\n  script: [x]\n',
    'ci/y.yml': 'y:\n  script: [y]\n',
    'ci/sub/z.yml': 'z:\n  script: [z]\n',
    'other.yml': 'o:\n  script: [o]\n',
  };
  const one = load({ ...files, '.gitlab-ci.yml': "include: 'ci/*.yml'\n" });
  assert.deepEqual(problemList(one), []);
  assert.deepEqual(one.p.jobs.map((j) => j.id.value), ['x', 'y']);
  const deep = load({ ...files, '.gitlab-ci.yml': "include:\n  local: '/ci/**.yml'\n" });
  assert.deepEqual(deep.p.jobs.map((j) => j.id.value).sort(), ['x', 'y', 'z']);
  const none = load({ ...files, '.gitlab-ci.yml': "include: 'nope/*.yml'\nj:\n  script: [j]\n" });
  assert.deepEqual(problemList(none), ['.gitlab-ci.yml:1:10 local include `nope/*.yml` matches no file']);
});

test('include cycles are refused at the include that closes them', () => {
  const out = load({
    '.gitlab-ci.yml': 'include: ci/a.yml\nroot:\n  script: [r]\n',
    'ci/a.yml': 'include:\n  - local: ci/b.yml\na:\n  script: [a]\n',
    'ci/b.yml': 'include:\n  - local: ci/a.yml\n  - local: .gitlab-ci.yml\nb:\n  script: [b]\n',
  });
  assert.deepEqual(problemList(out), [
    'ci/b.yml:2:12 include cycle: ci/a.yml → ci/b.yml → ci/a.yml',
    'ci/b.yml:3:12 include cycle: .gitlab-ci.yml → ci/a.yml → ci/b.yml → .gitlab-ci.yml',
  ]);
  assert.deepEqual(out.p.jobs.map((j) => j.id.value), ['b', 'a', 'root']);
});

test('includes that leave the repository are refused without reading them', () => {
  const out = load({
    '.gitlab-ci.yml': dedent(`
      include:
        - ../outside.yml
        - local: /ci/../../etc/passwd.yml
        - local: 'C:\\ci\\x.yml'
        - local: ci/../inside.yml
      j:
        script: [j]
    `),
    'inside.yml': 'i:\n  script: [i]\n',
  });
  assert.deepEqual(problemList(out), [
    '.gitlab-ci.yml:2:5 local include `../outside.yml` leaves the repository',
    '.gitlab-ci.yml:3:12 local include `/ci/../../etc/passwd.yml` leaves the repository',
    '.gitlab-ci.yml:4:12 local include `C:\\ci\\x.yml` points outside the repository',
  ]);
  assert.deepEqual(out.reads, ['inside.yml']);
  assert.deepEqual(out.p.jobs.map((j) => j.id.value), ['i', 'j']);
});

test('the disk reader refuses links out of the repository', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-gitlab-'));
  try {
    const repoDir = path.join(dir, 'repo');
    fs.mkdirSync(path.join(repoDir, 'ci'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'secret.yml'), 'leak:\n  script: [x]\n');
    fs.writeFileSync(path.join(repoDir, 'ci', 'ok.yml'), 'ok:\n  script: [x]\n');
    fs.symlinkSync(path.join(dir, 'secret.yml'), path.join(repoDir, 'ci', 'link.yml'));
    const reader = fsReader(repoDir);
    assert.deepEqual(reader.read('ci/link.yml'), { error: 'is a link to a file outside the repository' });
    assert.deepEqual(reader.read('../secret.yml'), { error: 'leaves the repository' });
    const ok = reader.read('ci/ok.yml');
    assert.ok('file' in ok && ok.file.path === 'ci/ok.yml' && ok.docs.length === 1);
    assert.deepEqual(reader.list!(), ['ci/link.yml', 'ci/ok.yml']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('extends: multi-level, later parents win, own keys win; cycles and missing parents are problems', () => {
  const out = load({
    '.gitlab-ci.yml': `
      .base:
        image: alpine:3.19
        before_script:
          - echo base-before
        variables:
          A: base
      .mid:
        extends: .base
        variables:
          B: mid
        script:
          - echo mid
      .other:
        variables:
          A: other
      job:
        extends: [.mid, .other]
        variables:
          C: own
      .x:
        extends: .y
      .y:
        extends: .x
      loop:
        extends: .x
        script: [l]
    `,
  });
  assert.deepEqual(problemList(out), ['.gitlab-ci.yml:23:12 `extends` cycle: .x → .y → .x']);
  const j = job(out.p, 'job');
  assert.deepEqual(j.images.map((i) => i.raw), ['alpine:3.19']);
  assert.deepEqual(j.env.map((e) => `${e.name.value}=${e.value?.value}@${e.name.span.line}`), ['A=other@15', 'B=mid@10', 'C=own@19']);
  assert.deepEqual(j.steps.map((s) => `${stepPhase(s)}:${s.script!.text}@${s.span.line}`), ['before_script:echo base-before@4', 'script:echo mid@12']);
  assert.deepEqual(gitlabJobInfo(j)!.extends.map((e) => e.value), ['.mid', '.other']);
  assert.equal(out.p.jobs.some((x) => x.id.value.startsWith('.')), false);
});

test("extends: a chain deeper than GitLab's 11 levels is a problem whichever order its keys are written in", () => {
  // .t0 ← .t1 ← … ← .t12 ← job: twelve templates above .t0, so the job stands 13 levels deep.
  const templates = Array.from({ length: 13 }, (_, i) => `.t${i}:\n${i ? `  extends: .t${i - 1}\n` : '  image: alpine:3.19\n'}  variables:\n    V${i}: x\n`).join('');
  const job = 'job:\n  extends: .t12\n  script: [echo]\n';
  // Each template takes 4 lines; `.t11`'s `extends` is the one that makes a 12th level.
  const tooDeep = (line: number) => `.gitlab-ci.yml:${line}:12 \`extends\` is nested more than 11 levels deep`;
  const templatesFirst = load({ '.gitlab-ci.yml': templates + job });
  assert.deepEqual(problemList(templatesFirst), [tooDeep(2 + 4 * 11)]);
  const jobFirst = load({ '.gitlab-ci.yml': job + templates });
  // Walked from the job, the walk itself stops 11 levels down, at `.t3`; the templates met afterwards stop at `.t11`.
  assert.deepEqual(problemList(jobFirst), [tooDeep(3 + 2 + 4 * 3), tooDeep(3 + 2 + 4 * 11)]);
});

test('extends: a job extending 8,000 templates at once takes every template\'s variables in order, the later template winning', { timeout: 60_000 }, () => {
  const n = 8_000;
  const templates = Array.from({ length: n }, (_, i) => `.t${i}:\n  image: alpine:${i}\n  variables:\n    V${i}: x\n    LAST: t${i}\n`).join('');
  const out = load({ '.gitlab-ci.yml': `${templates}job:\n  extends: [${Array.from({ length: n }, (_, i) => `.t${i}`).join(', ')}]\n  variables:\n    OWN: y\n  script: [echo]\n` });
  assert.deepEqual(problemList(out), []);
  const j = job(out.p, 'job');
  assert.deepEqual(j.images.map((i) => i.raw), [`alpine:${n - 1}`]);
  const env = j.env.map((e) => `${e.name.value}=${e.value?.value}`);
  assert.equal(env.length, n + 2);
  // Keys keep the place where they first appeared; values come from the last template that sets them.
  assert.deepEqual([env[0], env[1], env[2], env[n], env[n + 1]], ['V0=x', `LAST=t${n - 1}`, 'V1=x', `V${n - 1}=x`, 'OWN=y']);
  // Merged one template after another, the growing result was copied each time: 8,000 took 2.8 s.
});

test('!reference resolves to the referenced node, keeps its location, and refuses cycles', () => {
  const out = load({
    '.gitlab-ci.yml': `
      include: ci/common.yml
      job:
        variables:
          TOKEN_URL: !reference [.setup, variables, URL]
        script:
          - !reference [.setup, script]
          - echo own
      self:
        script:
          - !reference [self, script]
      dangling:
        script:
          - !reference [.setup, nothing]
    `,
    'ci/common.yml': `
      .setup:
        variables:
          URL: https://example.com
        script:
          - echo one
          - !reference [.deeper, script]
      .deeper:
        script: [echo two]
    `,
  });
  assert.deepEqual(problemList(out), [
    '.gitlab-ci.yml:10:7 `!reference [self, script]` refers to itself',
    '.gitlab-ci.yml:13:7 `!reference [.setup, nothing]`: no key `nothing`',
  ]);
  const j = job(out.p, 'job');
  assert.deepEqual(j.steps.map((s) => `${s.script!.text} @${where(s.script!)}`), ['echo one @ci/common.yml:5:7', 'echo two @ci/common.yml:8:12', 'echo own @.gitlab-ci.yml:7:7']);
  assert.deepEqual(j.env.map((e) => `${e.name.value}=${e.value?.value} @${where(e.value!)}`), ['TOKEN_URL=https://example.com @ci/common.yml:3:10']);
});

test('default: (and the deprecated top-level form) fills keys a job lacks; inherit limits it', () => {
  const out = load({
    '.gitlab-ci.yml': `
      image: ruby:3
      default:
        image: node:20
        before_script: [npm ci]
        tags: [saas-linux-small-amd64]
        cache:
          key: deps
          paths: [node_modules/]
          policy: pull
      plain:
        script: [npm test]
      own:
        image: python:3.12
        inherit:
          default: [tags]
        script: [pytest]
      none:
        inherit:
          default: false
        tags: [my-runner]
        script: [x]
    `,
  });
  assert.deepEqual(problemList(out), []);
  const plain = job(out.p, 'plain');
  assert.deepEqual(plain.images.map((i) => i.raw), ['node:20']);
  assert.deepEqual(plain.steps.map((s) => `${stepPhase(s)}:${s.script!.text}`), ['before_script:npm ci', 'script:npm test']);
  assert.deepEqual(plain.runner && [plain.runner.labels.map((l) => l.value), plain.runner.selfHosted], [['saas-linux-small-amd64'], 'no']);
  assert.deepEqual(gitlabJobInfo(plain)!.caches.map((c) => [c.key?.value, c.paths.map((p) => p.value), c.policy?.value]), [['deps', ['node_modules/'], 'pull']]);
  const own = job(out.p, 'own');
  assert.deepEqual(own.images.map((i) => i.raw), ['python:3.12']);
  assert.deepEqual(own.steps.map((s) => s.script!.text), ['pytest']);
  assert.equal(own.runner?.selfHosted, 'no');
  assert.deepEqual(gitlabJobInfo(own)!.caches, []);
  const none = job(out.p, 'none');
  assert.deepEqual(none.images, []);
  assert.deepEqual(none.runner && [none.runner.labels.map((l) => l.value), none.runner.selfHosted], [['my-runner'], 'unknown']);
  // The default image is one reference, shared by the jobs that use it.
  assert.deepEqual(out.p.references.map((r) => r.raw), ['ruby:3', 'node:20', 'python:3.12']);
  assert.equal(plain.images[0], out.p.references[1]);
});

test('spec: inputs are declared, and $[[ inputs.x ]] in a script block gets exact spans', () => {
  const text = dedent(`
    spec:
      inputs:
        target:
          default: prod
          options: [prod, staging]
        count:
          type: number
    ---
    deploy:
      stage: $[[ inputs.target ]]
      script: |
        echo "deploying $[[ inputs.target ]]"
        ./run --n=$[[ inputs.count | expand_vars ]] --t=$[[inputs.target]]
  `);
  const out = load({ '.gitlab-ci.yml': text });
  assert.deepEqual(problemList(out), []);
  const p = out.p;
  assert.deepEqual([...p.inputs.values()].map((i) => `${i.name.value}:${i.type}@${at(i.name.span)}`), ['target:string@3:5', 'count:number@6:5']);
  const declared = gitlabPipelineInfo(p)!.inputs;
  assert.deepEqual(declared.map((i) => [i.name.value, i.default?.value ?? null, i.options?.map((o) => o.value) ?? null]), [['target', 'prod', ['prod', 'staging']], ['count', null, null]]);
  const script = job(p, 'deploy').steps[0]!.script!;
  assert.equal(script.shell, 'sh');
  const shown = script.expressions.map((e) => `${e.path} ${e.span.line}:${e.span.column}-${e.span.endLine}:${e.span.endColumn} ${JSON.stringify(e.raw)}`);
  assert.deepEqual(shown, [
    'inputs.target 12:21-12:41 " inputs.target "',
    'inputs.count 13:15-13:48 " inputs.count | expand_vars "',
    'inputs.target 13:53-13:71 "inputs.target"',
  ]);
  for (const e of script.expressions) {
    assert.equal(e.syntax, 'gitlab');
    assert.equal(e.ast, null);
    assert.equal(text.slice(e.span.offset, e.span.endOffset), `$[[${e.raw}]]`);
  }
  // Every expression of the file, the one in `stage:` included, in source order; the script's are the same objects.
  assert.deepEqual(p.expressions.map((e) => e.span.line), [10, 12, 13, 13]);
  assert.equal(p.expressions[1], script.expressions[0]);
});

test('images and services: string and mapping forms, and their pin states', () => {
  const digest = 'a'.repeat(64);
  const out = load({
    '.gitlab-ci.yml': `
      job:
        image:
          name: node:20@sha256:${digest}
          entrypoint: [""]
        services:
          - postgres
          - name: redis:7
            alias: cache
            command: ["redis-server", "--save", ""]
          - docker:latest
          - $CI_REGISTRY/tools/helper:1
        script: [x]
    `,
  });
  assert.deepEqual(problemList(out), []);
  const j = job(out.p, 'job');
  assert.deepEqual(j.images.map((i) => `${i.name} ${i.pin} ${at(i.span)}`), [
    'node digest 3:11',
    'postgres unpinned 6:7',
    'redis tag 7:13',
    'docker unpinned 10:7',
    '$CI_REGISTRY/tools/helper:1 dynamic 11:7',
  ]);
  const svc = gitlabJobInfo(j)!.services;
  assert.deepEqual(svc.map((s) => [s.ref.raw, s.alias?.value ?? null, s.command.map((c) => c.value)]), [
    ['postgres', null, []],
    ['redis:7', 'cache', ['redis-server', '--save', '']],
    ['docker:latest', null, []],
    ['$CI_REGISTRY/tools/helper:1', null, []],
  ]);
  assert.deepEqual(out.p.references.map((r) => r.kind), ['image', 'image', 'image', 'image', 'image']);
});

test('external includes become include references with pin states', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const out = load({
    '.gitlab-ci.yml': `
      include:
        - https://example.com/ci.yml
        - remote: https://example.com/pinned.yml
          integrity: sha256-L7KXLcGxUGnX/zb9zZ9h3JWqqyTCJt7ODWeXoUqCBeY=
        - project: group/sub/tools
          ref: ${sha}
          file: /templates/build.yml
        - project: group/tools
          ref: v1.2.0
          file: [a.yml, b.yml]
        - project: group/tools
          file: a.yml
        - project: $CI_PROJECT_PATH
          file: a.yml
        - template: Jobs/SAST.gitlab-ci.yml
        - component: gitlab.com/org/proj/lint@${sha}
        - component: gitlab.com/org/proj/lint@~latest
        - component: gitlab.com/org/proj/lint
        - component: gitlab.com/org/proj/lint@1.2.3
        - component: gitlab.com/org/proj/lint@1
        - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/lint@$CI_COMMIT_SHA
      job:
        script: [x]
    `,
  });
  assert.deepEqual(problemList(out), []);
  assert.deepEqual(out.p.references.map((r) => `${r.kind} ${r.name} ${r.version ?? '-'} ${r.pin} ${r.span.line}`), [
    'include https://example.com/ci.yml - unpinned 2',
    'include https://example.com/pinned.yml - digest 3',
    `include group/sub/tools ${sha} hash 5`,
    'include group/tools v1.2.0 tag 8',
    'include group/tools - unpinned 11',
    'include $CI_PROJECT_PATH - local 13',
    'include Jobs/SAST.gitlab-ci.yml - tag 15',
    `include gitlab.com/org/proj/lint ${sha} hash 16`,
    'include gitlab.com/org/proj/lint ~latest unpinned 17',
    'include gitlab.com/org/proj/lint - unpinned 18',
    'include gitlab.com/org/proj/lint 1.2.3 tag 19',
    'include gitlab.com/org/proj/lint 1 tag 20',
    'include $CI_SERVER_FQDN/$CI_PROJECT_PATH/lint $CI_COMMIT_SHA local 21',
  ]);
  const sub = out.p.references[2]!;
  assert.deepEqual([sub.owner, sub.repo, sub.path], ['group/sub', 'tools', '/templates/build.yml']);
  assert.equal(out.p.references[1]!.digest, 'sha256-L7KXLcGxUGnX/zb9zZ9h3JWqqyTCJt7ODWeXoUqCBeY=');
  assert.equal(gitlabPipelineInfo(out.p)!.opaqueIncludes, true);
});

test('unknown include forms and bad shapes are problems with exact locations', () => {
  const out = load({
    '.gitlab-ci.yml': `
      include:
        - file: x.yml
        - local: a.yml
          remote: https://x
          bogus: 1
        - [nested]
      job:
        script:
          key: value
      other: just text
      empty:
    `,
    'a.yml': 'a:\n  script: [a]\n',
  });
  assert.deepEqual(problemList(out), [
    '.gitlab-ci.yml:2:5 unknown include form: expected `local`, `remote`, `project`, `template` or `component`',
    '.gitlab-ci.yml:5:5 unknown key `bogus` in include',
    '.gitlab-ci.yml:3:5 an include takes one of `local`, `remote`, not several',
    '.gitlab-ci.yml:6:5 an include must be a path, a URL or a mapping (local, remote, project, template or component)',
    '.gitlab-ci.yml:9:5 `script` of job `job` must be a string or a list of strings',
    '.gitlab-ci.yml:10:8 job `other` must be a mapping',
    '.gitlab-ci.yml:11:1 job `empty` must be a mapping',
  ]);
});

test('workflow rules and job rules decide merge request and default-branch runs, and the triggers', () => {
  const out = load({
    '.gitlab-ci.yml': `
      workflow:
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
          - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      mr-only:
        rules:
          - if: '$CI_PIPELINE_SOURCE == "merge_request_event"'
        script: [x]
      main-only:
        rules:
          - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
            when: manual
        script: [x]
      plain:
        script: [x]
      legacy-mr:
        only: [merge_requests]
        script: [x]
      named-branch:
        only: [main]
        script: [x]
      not-for-mr:
        rules:
          - if: $CI_MERGE_REQUEST_IID
            when: never
          - when: always
        script: [x]
      label:
        rules:
          - if: $CI_MERGE_REQUEST_LABELS =~ /deploy/
        script: [x]
    `,
  });
  assert.deepEqual(problemList(out), []);
  const runs = Object.fromEntries(out.p.jobs.map((j) => [j.id.value, jobRunsFor(j)]));
  assert.deepEqual(runs, {
    'mr-only': { mergeRequests: true, defaultBranch: false },
    'main-only': { mergeRequests: false, defaultBranch: true },
    plain: { mergeRequests: false, defaultBranch: true },
    'legacy-mr': { mergeRequests: true, defaultBranch: false },
    'named-branch': { mergeRequests: 'unknown', defaultBranch: 'unknown' },
    'not-for-mr': { mergeRequests: false, defaultBranch: true },
    label: { mergeRequests: 'unknown', defaultBranch: false },
  });
  assert.deepEqual(out.p.triggers.map((t) => `${t.event} ${t.actor} ${t.privileged} ${t.span.line}`), [
    'merge_request_event external false 3',
    'push collaborator true 4',
  ]);
  assert.equal(out.p.platform, 'gitlab');
  assert.equal(out.p.kind, 'pipeline');
});

test('without merge request rules there is no merge request trigger; a workflow can switch pushes off', () => {
  const plain = load({ '.gitlab-ci.yml': 'build:\n  script: [make]\n' });
  assert.deepEqual(plain.p.triggers.map((t) => `${t.event} ${t.span.line}`), ['push 1']);
  const mrOnly = load({
    '.gitlab-ci.yml': dedent(`
      include:
        - template: Workflows/MergeRequest-Pipelines.gitlab-ci.yml
      workflow:
        rules:
          - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      test:
        rules:
          - when: always
        script: [make]
    `),
  });
  assert.deepEqual(mrOnly.p.triggers.map((t) => `${t.event} ${t.span.line}`), ['merge_request_event 5']);
  assert.deepEqual(jobRunsFor(mrOnly.p.jobs[0]!), { mergeRequests: true, defaultBranch: false });
  // The known workflow template alone lets merge request pipelines run, but only jobs with rules for them do.
  const tmpl = load({
    '.gitlab-ci.yml': 'include:\n  - template: Workflows/MergeRequest-Pipelines.gitlab-ci.yml\nt:\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n  script: [x]\n',
  });
  assert.deepEqual(tmpl.p.triggers.map((t) => `${t.event} ${t.span.line}`), ['merge_request_event 5']);
  assert.equal(gitlabPipelineInfo(tmpl.p)!.opaqueIncludes, false);
});

test('job details: environment, id_tokens, secrets, needs, variables with value/description', () => {
  const out = load({
    '.gitlab-ci.yml': `
      variables:
        GLOBAL: g
        DESCRIBED:
          value: "v1"
          description: a value
      deploy:
        environment:
          name: production
          action: start
        id_tokens:
          VAULT_ID_TOKEN:
            aud: https://vault.example.com
        secrets:
          DB_PASSWORD:
            vault: production/db/password@ops
        needs: [build, { job: test, artifacts: false }]
        script: [./deploy]
      review:
        environment: review/$CI_COMMIT_REF_SLUG
        script: [x]
    `,
  });
  assert.deepEqual(problemList(out), []);
  assert.deepEqual(out.p.env.map((e) => `${e.name.value}=${e.value?.value}`), ['GLOBAL=g', 'DESCRIBED=v1']);
  const d = job(out.p, 'deploy');
  const info = gitlabJobInfo(d)!;
  assert.equal(d.environment?.name.value, 'production');
  assert.equal(info.environmentAction?.value, 'start');
  assert.deepEqual(info.idTokens.map((t) => [t.name.value, t.aud.map((a) => a.value)]), [['VAULT_ID_TOKEN', ['https://vault.example.com']]]);
  assert.deepEqual(info.secrets.map((s) => [s.name.value, s.provider]), [['DB_PASSWORD', 'vault']]);
  assert.deepEqual(d.needs.map((n) => n.value), ['build', 'test']);
  assert.equal(job(out.p, 'review').environment?.name.value, 'review/$CI_COMMIT_REF_SLUG');
});

test('hostile input: alias bombs and deep nesting become problems, not exceptions', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const out = load({ '.gitlab-ci.yml': bomb.join('\n') + '\n' });
  assert.equal(out.pipeline, null);
  assert.match(problemList(out).join('\n'), /too large to expand/);
});

test('random GitLab-shaped configurations never make the builder throw', () => {
  const word = fc.constantFrom(
    'include', 'local', 'remote', 'project', 'file', 'ref', 'template', 'component', 'integrity', 'extends', 'script', 'before_script',
    'image', 'services', 'name', 'alias', 'variables', 'value', 'rules', 'if', 'when', 'only', 'except', 'refs', 'default', 'workflow', 'spec',
    'inputs', 'tags', 'cache', 'key', 'paths', 'needs', 'environment', 'trigger', 'id_tokens', 'secrets', 'inherit', 'job', '.hidden', 'a.yml',
    'ci/*.yml', '../x.yml', '$[[ inputs.x ]]', 'never', 'false', '$CI_PIPELINE_SOURCE == "merge_request_event"', '0',
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, word, fc.constant(null), fc.constant('!reference [job, script]'), fc.constant('!reference [.hidden]'), fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(word, tie('v'), { maxKeys: 5 })),
  })).v;
  const doc = fc.dictionary(word, value, { maxKeys: 8 });
  const toYaml = (v: unknown) => stringify(v).replace(/["']?(!reference \[[^\]"']*\])["']?/g, '$1');
  fc.assert(
    fc.property(doc, doc, doc, fc.boolean(), (root, a, b, header) => {
      const files = { '.gitlab-ci.yml': (header ? 'spec:\n  inputs:\n    x:\n---\n' : '') + toYaml(root), 'a.yml': toYaml(a), 'ci/b.yml': toYaml(b) };
      const out = load(files);
      for (const p of out.problems) assert.ok(p.span.line >= 1 && typeof p.message === 'string' && !/internal error/.test(p.message), p.message);
      if (out.pipeline) for (const j of out.pipeline.jobs) assert.ok(fileOf(j), 'every job has a file');
    }),
    { numRuns: 400 },
  );
});

const CORPUS = '/work/shared/corpus';

function corpusFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) corpusFiles(p, out);
    else if (e.isFile() && (e.name === '.gitlab-ci.yml' || e.name.endsWith('.gitlab-ci.yml'))) out.push(p);
  }
  return out;
}

test('every GitLab file of the corpus loads without throwing', { skip: !fs.existsSync(CORPUS) && 'corpus not present' }, () => {
  const files = corpusFiles(CORPUS);
  assert.ok(files.length >= 200, `found ${files.length} GitLab files`);
  let jobs = 0;
  const missing: string[] = [];
  for (const f of files) {
    const file = new SourceFile(path.relative(CORPUS, f), fs.readFileSync(f, 'utf8'), f);
    const { docs } = parseYaml(file);
    const out = buildGitlab({ file, docs, path: path.basename(f) }, fsReader(path.dirname(f)));
    for (const p of out.problems) {
      assert.ok(p.span.line >= 1 && p.file.length > 0, `${f}: problem without a place: ${p.message}`);
      if (/does not exist/.test(p.message)) missing.push(path.relative(CORPUS, f));
    }
    if (out.pipeline) jobs += out.pipeline.jobs.length;
  }
  assert.ok(jobs > 300, `only ${jobs} jobs modelled`);
  // The test cases that include files that are not there.
  assert.ok(missing.some((m) => m.endsWith('include-invalid-local/.gitlab-ci.yml')), missing.join('\n'));
  // A case that needs includes, !reference across files, and nesting.
  const dir = path.join(CORPUS, 'repos/firecow__gitlab-ci-local/tests/test-cases/reference');
  const file = new SourceFile('.gitlab-ci.yml', fs.readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8'));
  const out = buildGitlab({ file, docs: parseYaml(file).docs }, fsReader(dir));
  assert.deepEqual(problemList(out), []);
  const t = job(out.pipeline!, 'test-job');
  assert.deepEqual(t.steps.map((s) => `${fileOf(s)?.path}:${s.span.line}`), ['.gitlab-ci-base.yml:16', '.gitlab-ci-base.yml:12', '.gitlab-ci-base.yml:7', '.gitlab-ci.yml:13', '.gitlab-ci.yml:10']);
});
