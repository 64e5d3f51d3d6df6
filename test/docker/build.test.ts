/** The Dockerfile model: stages as jobs, RUN as steps, and where the builder says things are. */
import { test } from 'node:test';
import { CORPUS, findCorpusFiles } from '../helpers/corpus.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from '../helpers/fc.js';
import { SourceFile } from '../../src/model/source.js';
import type { Span } from '../../src/model/source.js';
import type { Pipeline } from '../../src/model/pipeline.js';
import { buildDockerfile, dockerInfo, dockerStage, type DockerfileInfo } from '../../src/platforms/docker/build.js';

function build(text: string) {
  const file = new SourceFile('Dockerfile', text);
  return { ...buildDockerfile(file), file };
}

/** A pipeline and its side table, failing the test when there is none. */
function model(text: string): { p: Pipeline; info: DockerfileInfo; file: SourceFile; problems: { message: string; span: Span }[] } {
  const out = build(text);
  assert.ok(out.pipeline, `no pipeline; problems: ${out.problems.map((p) => p.message).join('; ')}`);
  const info = dockerInfo(out.pipeline);
  assert.ok(info);
  return { p: out.pipeline, info, file: out.file, problems: out.problems };
}

function at(s: Span): string {
  return `${s.line}:${s.column}-${s.endLine}:${s.endColumn}`;
}

function slice(file: SourceFile, s: Span): string {
  return file.text.slice(s.offset, s.endOffset);
}

const DIGEST = 'sha256:' + 'ab'.repeat(32);

test('multi-stage: a FROM naming an earlier stage is not an image', () => {
  const { p, info, problems } = model(`FROM golang:1.22 AS build
RUN go build -o /app .

FROM build AS test
RUN go test ./...

FROM gcr.io/distroless/static@${DIGEST}
COPY --from=build /app /app
`);
  assert.deepEqual(problems, []);
  assert.equal(p.platform, 'docker');
  assert.equal(p.kind, 'dockerfile');
  assert.deepEqual(p.jobs.map((j) => j.id.value), ['build', 'test', 'stage 2']);
  // `build` in FROM and in COPY --from is a stage: only the two real images are references.
  assert.deepEqual(p.references.map((r) => r.raw), ['golang:1.22', `gcr.io/distroless/static@${DIGEST}`]);
  assert.deepEqual(p.jobs[1]!.images, []);
  assert.equal(info.stages[1]!.fromStage, 0);
  assert.equal(info.stages[1]!.image, undefined);
  assert.deepEqual(p.jobs[1]!.needs.map((n) => n.value), ['build']);
  assert.deepEqual(p.jobs[2]!.needs.map((n) => n.value), ['build']);
  assert.equal(info.stages[2]!.copyFrom[0]!.stage, 0);
  assert.deepEqual(info.stages.map((s) => s.final), [false, false, true]);
  assert.equal(dockerStage(p, p.jobs[2]!), info.stages[2]);
  // Stage ids point at the name; a nameless stage at its FROM keyword.
  assert.equal(at(p.jobs[0]!.id.span), '1:21-1:26');
  assert.equal(at(p.jobs[2]!.id.span), '7:1-7:5');
  // A job spans its instructions, from FROM to its last one.
  assert.equal(at(p.jobs[0]!.span), '1:1-2:23');
  assert.equal(at(p.jobs[2]!.span), '7:1-8:28');
  // Stage names match case-insensitively, as BuildKit lower-cases them.
  const ci = model('FROM alpine:3.19 AS Base\nFROM base\n');
  assert.equal(ci.info.stages[1]!.fromStage, 0);
  assert.equal(ci.p.references.length, 1);
});

test('global ARGs in FROM: a default is substituted, no default is dynamic', () => {
  const { p, info } = model(`ARG BASE=node:20.11-alpine
ARG TAG
ARG REGISTRY=ghcr.io/acme
ARG IMG=\${REGISTRY}/tool:1.2@${DIGEST}
FROM \${BASE} AS a
FROM alpine:$TAG AS b
FROM $IMG AS c
FROM --platform=$BUILDPLATFORM golang:\${GO:-1.22} AS d
FROM \${BASE:-ubuntu} AS e
`);
  const [a, b, c, d, e] = info.stages;
  assert.equal(a!.resolvedFrom, 'node:20.11-alpine');
  assert.equal(a!.image!.pin, 'tag');
  assert.equal(a!.image!.name, 'node');
  assert.equal(a!.image!.version, '20.11-alpine');
  // The reference stays as written, where it is written.
  assert.equal(a!.image!.raw, '${BASE}');
  assert.equal(at(a!.image!.span), '5:6-5:13');
  assert.equal(a!.fromArgs[0]!.arg, info.globalArgs[0]);
  assert.equal(b!.image!.pin, 'dynamic');
  assert.equal(c!.resolvedFrom, `ghcr.io/acme/tool:1.2@${DIGEST}`);
  assert.equal(c!.image!.pin, 'digest');
  assert.equal(c!.image!.name, 'ghcr.io/acme/tool');
  // An undeclared ARG can be set at build time: dynamic; --platform is only recorded.
  assert.equal(d!.image!.pin, 'dynamic');
  assert.equal(d!.platform?.value, '$BUILDPLATFORM');
  assert.equal(e!.image!.pin, 'tag');
  assert.deepEqual(p.references.map((r) => r.pin), ['tag', 'dynamic', 'digest', 'dynamic', 'tag']);
  // Global ARG defaults with exact value spans; an ARG without default has a null value.
  assert.deepEqual(info.globalArgs.map((g) => [g.name.value, g.value?.value ?? null]), [
    ['BASE', 'node:20.11-alpine'], ['TAG', null], ['REGISTRY', 'ghcr.io/acme'], ['IMG', `\${REGISTRY}/tool:1.2@${DIGEST}`],
  ]);
  assert.equal(at(info.globalArgs[0]!.value!.span), '1:10-1:27');
  assert.equal(at(info.globalArgs[1]!.name.span), '2:5-2:8');
  // A later declaration without a default makes the value unknown again.
  const redeclared = model('ARG V=3.19\nARG V\nFROM alpine:$V\n');
  assert.equal(redeclared.p.references[0]!.pin, 'dynamic');
  // A global ARG naming a stage makes FROM a stage.
  const staged = model('ARG FROM_STAGE=builder\nFROM alpine:3 AS builder\nFROM ${FROM_STAGE}\n');
  assert.equal(staged.info.stages[1]!.fromStage, 0);
  assert.equal(staged.p.references.length, 1);
});

test('digest pins, tags, latest and scratch', () => {
  const { p, info } = model(`FROM alpine:3.19@${DIGEST} AS pinned
FROM registry.example.com:5000/team/app AS untagged
FROM ubuntu:latest AS latest
FROM scratch
COPY --from=pinned /bin/sh /bin/sh
`);
  const pins = p.references.map((r) => [r.name, r.version ?? null, r.pin]);
  assert.deepEqual(pins, [
    ['alpine', '3.19', 'digest'],
    ['registry.example.com:5000/team/app', null, 'unpinned'],
    ['ubuntu', 'latest', 'unpinned'],
  ]);
  assert.equal(p.references[0]!.digest, DIGEST);
  assert.equal(info.stages[3]!.scratch, true);
  assert.equal(info.stages[3]!.image, undefined);
  assert.deepEqual(p.jobs[3]!.images, []);
  assert.equal(info.stages[0]!.scratch, false);
});

test('COPY --from an external image is an image reference; a stage name or index is not', () => {
  const { p, info } = model(`FROM alpine:3.19 AS one
FROM debian:12
COPY --from=one /a /a
COPY --from=0 /b /b
COPY --chown=1000 --from=nginx:1.25 /etc/nginx /etc/nginx
COPY --from=ghcr.io/acme/tools@${DIGEST} /bin/tool /bin/tool
RUN --mount=type=bind,from=busybox:1.36,target=/bb ls /bb
RUN --mount=type=cache,target=/root/.cache,from=one ls
`);
  const s = info.stages[1]!;
  assert.deepEqual(s.copyFrom.map((c) => [c.via, c.value.value, c.stage ?? null, c.image?.pin ?? null]), [
    ['copy', 'one', 0, null],
    ['copy', '0', 0, null],
    ['copy', 'nginx:1.25', null, 'tag'],
    ['copy', `ghcr.io/acme/tools@${DIGEST}`, null, 'digest'],
    ['mount', 'busybox:1.36', null, 'tag'],
    ['mount', 'one', 0, null],
  ]);
  assert.deepEqual(p.jobs[1]!.images.map((r) => r.raw), ['debian:12', 'nginx:1.25', `ghcr.io/acme/tools@${DIGEST}`, 'busybox:1.36']);
  const nginx = p.jobs[1]!.images[1]!;
  assert.equal(at(nginx.span), '5:26-5:36');
  assert.equal(at(s.copyFrom[4]!.value.span), '7:28-7:40');
  assert.equal(p.references.length, 5);
});

test('RUN with continuations: joined text and the exact span of the arguments', () => {
  const { p, file } = model(`FROM debian:12
RUN apt-get update && \\
    # a comment inside the command is dropped
    apt-get install -y \\
\tcurl=7.88.1-10 \\

    && rm -rf /var/lib/apt/lists/*
RUN  echo one   
`);
  const [s1, s2] = p.jobs[0]!.steps;
  assert.equal(s1!.script!.kind, 'run');
  assert.equal(s1!.script!.shell, 'sh');
  assert.equal(s1!.script!.text, 'apt-get update &&     apt-get install -y \tcurl=7.88.1-10     && rm -rf /var/lib/apt/lists/*');
  assert.equal(at(s1!.script!.span), '2:5-7:35');
  assert.ok(slice(file, s1!.script!.span).startsWith('apt-get update && \\\n'));
  assert.ok(slice(file, s1!.script!.span).endsWith('/var/lib/apt/lists/*'));
  // The step is the whole instruction; its anchor the keyword.
  assert.equal(at(s1!.span), '2:1-7:35');
  assert.equal(at(s1!.anchor), '2:1-2:4');
  // Blanks around the arguments are not part of them.
  assert.equal(s2!.script!.text, 'echo one');
  assert.equal(at(s2!.script!.span), '8:6-8:14');
  assert.deepEqual(p.jobs[0]!.steps.map((s) => s.index), [0, 1]);
  // RUN flags are not part of the command; they are kept beside the step.
  const m = model('FROM alpine:3\nRUN --mount=type=secret,id=npm --network=none npm ci\n');
  const run = m.info.stages[0]!.runs[0]!;
  assert.equal(run.step.script!.text, 'npm ci');
  assert.equal(at(run.step.script!.span), '2:47-2:53');
  assert.deepEqual(run.flags.map((f) => [f.name, f.value?.value]), [['mount', 'type=secret,id=npm'], ['network', 'none']]);
  assert.equal(at(run.flags[1]!.value!.span), '2:42-2:46');
});

test('RUN exec form takes the -c string; other exec forms are the joined argv', () => {
  const { info } = model(`FROM alpine:3
RUN ["/bin/bash", "-c", "set -o pipefail && curl -fsSL https://x.example/i.sh | sh"]
RUN [ "apk", "add", \\
      "git" ]
RUN [not json
`);
  const [a, b, c] = info.stages[0]!.runs;
  assert.equal(a!.form, 'exec');
  assert.equal(a!.step.script!.shell, 'bash');
  assert.equal(a!.step.script!.text, 'set -o pipefail && curl -fsSL https://x.example/i.sh | sh');
  assert.equal(at(a!.step.script!.span), '2:5-2:85');
  assert.equal(b!.form, 'exec');
  assert.equal(b!.step.script!.text, 'apk add git');
  assert.equal(b!.step.script!.shell, 'unknown');
  assert.equal(at(b!.step.script!.span), '3:5-4:14');
  // Not JSON: BuildKit runs it with the shell.
  assert.equal(c!.form, 'shell');
  assert.equal(c!.step.script!.text, '[not json');
});

test('here-documents: RUN <<EOF is the script; other commands keep the line and the document', () => {
  const { p, info, file, problems } = model(`FROM alpine:3
RUN <<EOF
set -e
curl -fsSL https://get.example.com | sh
EOF
RUN python3 - <<'PY' && echo done
print("hi")
PY
RUN <<-EOT
\techo chomped
\tEOT
COPY <<CONF /etc/app.conf
RUN this is file content, not an instruction
CONF
RUN <<EOF
#!/usr/bin/env python3
print(1)
EOF
`);
  assert.deepEqual(problems, []);
  const runs = info.stages[0]!.runs;
  assert.equal(runs.length, 4);
  assert.equal(runs[0]!.form, 'heredoc');
  assert.equal(runs[0]!.step.script!.text, 'set -e\ncurl -fsSL https://get.example.com | sh\n');
  assert.equal(runs[0]!.step.script!.shell, 'sh');
  // The span runs from `<<EOF` through the terminator line.
  assert.equal(at(runs[0]!.step.script!.span), '2:5-5:4');
  assert.equal(slice(file, runs[0]!.step.script!.span), '<<EOF\nset -e\ncurl -fsSL https://get.example.com | sh\nEOF');
  assert.equal(runs[1]!.step.script!.text, `python3 - <<'PY' && echo done\nprint("hi")\nPY`);
  assert.equal(at(runs[1]!.step.span), '6:1-8:3');
  assert.equal(runs[2]!.step.script!.text, 'echo chomped\n');
  assert.equal(at(runs[2]!.step.script!.span), '9:5-11:5');
  // A shebang picks the interpreter.
  assert.equal(runs[3]!.step.script!.shell, 'python');
  // The COPY document's lines are not instructions.
  assert.deepEqual(info.instructions.map((i) => i.keyword), ['FROM', 'RUN', 'RUN', 'RUN', 'COPY', 'RUN']);
  assert.equal(p.jobs[0]!.steps.length, 4);
});

test('SHELL changes the shell of the RUNs after it, and stages built on the stage inherit it', () => {
  const { info } = model(`FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win
RUN echo before
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Get-ChildItem
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo bash
FROM win AS child
RUN echo inherited
FROM alpine:3
RUN echo fresh
SHELL /bin/bash -c
`);
  const shells = info.stages.flatMap((s) => s.runs.map((r) => r.step.script!.shell));
  assert.deepEqual(shells, ['sh', 'powershell', 'bash', 'bash', 'sh']);
  assert.deepEqual(info.stages[0]!.shell.argv, ['/bin/bash', '-o', 'pipefail', '-c']);
  assert.equal(info.stages[2]!.shell.kind, 'sh');
  const bad = build('FROM alpine:3\nSHELL /bin/bash -c\n');
  assert.deepEqual(bad.problems.map((p) => [p.message.split(' ')[0], at(p.span)]), [['SHELL', '2:7-2:19']]);
});

test('ENV in both forms, with exact name and value spans', () => {
  const { p, file } = model(`FROM alpine:3
ENV A=1 B="two words" C='single' \\
    D=\${A}/x E=
ENV LEGACY some value with spaces
ENV API_TOKEN ghp_0123456789abcdefghijklmnopqrstuvwxyzAB
`);
  const env = p.jobs[0]!.env;
  assert.deepEqual(env.map((e) => [e.name.value, e.value?.value]), [
    ['A', '1'], ['B', 'two words'], ['C', 'single'], ['D', '${A}/x'], ['E', ''],
    ['LEGACY', 'some value with spaces'], ['API_TOKEN', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'],
  ]);
  assert.equal(at(env[0]!.name.span), '2:5-2:6');
  assert.equal(at(env[0]!.value!.span), '2:7-2:8');
  assert.equal(slice(file, env[1]!.value!.span), '"two words"');
  assert.equal(at(env[3]!.value!.span), '3:7-3:13');
  assert.equal(at(env[4]!.value!.span), '3:16-3:16');
  assert.equal(at(env[5]!.value!.span), '4:12-4:34');
  assert.equal(slice(file, env[6]!.value!.span), 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB');
  assert.deepEqual(env.map((e) => e.value!.expressions.length), [0, 0, 0, 0, 0, 0, 0]);
  // Stage ARGs go to the side table with their spans.
  const m = model('FROM alpine:3\nARG NPM_TOKEN=abc123 VERSION\n');
  assert.deepEqual(m.info.stages[0]!.args.map((a) => [a.name.value, a.value?.value ?? null]), [['NPM_TOKEN', 'abc123'], ['VERSION', null]]);
  assert.equal(at(m.info.stages[0]!.args[0]!.value!.span), '2:15-2:21');
  assert.deepEqual(m.p.jobs[0]!.env, []);
});

test('USER: the last one in a stage wins; root, 0 and 0:0 are root; the final stage is marked', () => {
  const { info } = model(`FROM alpine:3 AS a
USER app
USER root
FROM alpine:3 AS b
USER 0:0
FROM alpine:3 AS c
USER 0
FROM a AS d
FROM alpine:3 AS e
USER 65532:65532
FROM e AS f
FROM alpine:3 AS g
USER \${UID}
FROM alpine:3 AS final
RUN id
`);
  const s = info.stages;
  assert.deepEqual(s.map((x) => x.user?.root ?? null), [true, true, true, null, false, null, false, null]);
  assert.equal(s[0]!.user!.value.value, 'root');
  assert.equal(at(s[0]!.user!.value.span), '3:6-3:10');
  assert.equal(s[1]!.user!.value.value, '0:0');
  // USER carries over into stages built on a stage.
  assert.equal(s[3]!.effectiveUser, s[0]!.user);
  assert.equal(s[5]!.effectiveUser?.value.value, '65532:65532');
  assert.equal(s[5]!.effectiveUser?.root, false);
  assert.equal(s[6]!.user!.dynamic, true);
  assert.deepEqual(s.map((x) => x.final), [false, false, false, false, false, false, false, true]);
  assert.equal(s[7]!.effectiveUser, undefined);
});

test('ADD of a URL is recorded with and without --checksum; local sources are not', () => {
  const { info, file } = model(`FROM alpine:3
ADD https://example.com/tool.tar.gz /opt/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/other.tar.gz /opt/
ADD https://github.com/moby/buildkit.git#v0.14.0 /src
ADD ./local.tar.gz /opt/
ADD ["http://example.com/a b", "/x"]
`);
  const adds = info.stages[0]!.adds;
  assert.deepEqual(adds.map((a) => [a.kind, a.url.value, a.checksum?.value ?? null]), [
    ['http', 'https://example.com/tool.tar.gz', null],
    ['http', 'https://example.com/other.tar.gz', 'sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d'],
    ['git', 'https://github.com/moby/buildkit.git#v0.14.0', null],
    ['http', 'http://example.com/a b', null],
  ]);
  assert.equal(at(adds[0]!.url.span), '2:5-2:36');
  assert.equal(at(adds[1]!.checksum!.span), '3:16-3:87');
  assert.equal(slice(file, adds[1]!.url.span), 'https://example.com/other.tar.gz');
  assert.equal(slice(file, adds[3]!.url.span), 'http://example.com/a b');
  assert.equal(adds[0]!.instruction.keyword, 'ADD');
});

test('CRLF line ends and a byte-order mark keep locations exact', () => {
  const text = '\ufeffFROM alpine:3.19 AS base\r\nRUN apk add \\\r\n    curl\r\nENV K=v\r\nUSER root\r\n';
  const { p, info, file } = model(text);
  assert.equal(file.hadBom, true);
  assert.equal(at(p.references[0]!.span), '1:6-1:17');
  assert.equal(slice(file, p.references[0]!.span), 'alpine:3.19');
  const script = p.jobs[0]!.steps[0]!.script!;
  assert.equal(script.text, 'apk add     curl');
  assert.equal(at(script.span), '2:5-3:9');
  assert.equal(at(p.jobs[0]!.env[0]!.value!.span), '4:7-4:8');
  assert.equal(at(info.stages[0]!.user!.value.span), '5:6-5:10');
  // Here-document content is read with plain line breaks.
  const h = model('FROM alpine:3\r\nRUN <<EOF\r\necho a\r\nEOF\r\nRUN echo b\r\n');
  assert.equal(h.p.jobs[0]!.steps[0]!.script!.text, 'echo a\n');
  assert.equal(at(h.p.jobs[0]!.steps[0]!.script!.span), '2:5-4:4');
  assert.equal(at(h.p.jobs[0]!.steps[1]!.script!.span), '5:5-5:11');
});

test('the escape directive: backtick continues lines and backslash is literal', () => {
  const { p, info, file, problems } = model(`# escape=\`
# syntax=docker/dockerfile:1
FROM mcr.microsoft.com/windows/nanoserver:ltsc2022
ENV DIR=C:\\tools\\bin
RUN dir C:\\ \`
    && echo done
COPY . C:\\app\\
`);
  assert.deepEqual(problems, []);
  assert.equal(info.escape, '`');
  assert.deepEqual(info.directives.map((d) => [d.name, d.value.value]), [['escape', '`'], ['syntax', 'docker/dockerfile:1']]);
  assert.equal(at(info.directives[0]!.value.span), '1:10-1:11');
  assert.equal(p.jobs[0]!.env[0]!.value!.value, 'C:\\tools\\bin');
  const script = p.jobs[0]!.steps[0]!.script!;
  assert.equal(script.text, 'dir C:\\     && echo done');
  assert.equal(at(script.span), '5:5-6:17');
  assert.ok(slice(file, script.span).includes('`\n'));
  // A directive after a blank line or an instruction is a plain comment.
  const late = model('FROM alpine:3\n# escape=`\nRUN a `\n');
  assert.equal(late.info.escape, '\\');
  assert.deepEqual(late.info.directives, []);
  const bad = build('# escape=x\nFROM alpine:3\n');
  assert.deepEqual(bad.problems.map((x) => at(x.span)), ['1:10-1:11']);
});

test('problems come with exact locations and never stop the model', () => {
  const problems = (text: string) => build(text).problems.map((x) => `${at(x.span)} ${x.message}`);
  assert.deepEqual(problems(''), ['1:1-1:1 empty Dockerfile']);
  assert.deepEqual(problems('\n  \n'), ['1:1-1:1 empty Dockerfile']);
  assert.deepEqual(problems('# only\n# comments\n'), ['1:1-1:1 the Dockerfile has no instructions, only comments']);
  assert.deepEqual(problems('RUN echo hi\nCMD ["x"]\n'), ['1:1-1:4 no FROM instruction: a Dockerfile must start a build stage with `FROM image`']);
  assert.equal(build('RUN echo hi\n').pipeline, null);
  assert.deepEqual(problems('ARG A=1\nRUN echo early\nFROM alpine:3\n'), ['2:1-2:4 `RUN` before the first FROM: only ARG may come before FROM']);
  assert.deepEqual(problems('FROM alpine:3\nRUN apk add curl\n    git\nFROOM x\n'), [
    '3:5-3:8 unknown instruction `git` (is a `\\` missing at the end of the line before?)',
    '4:1-4:6 unknown instruction `FROOM`',
  ]);
  assert.deepEqual(problems('FROM alpine:3\nRUN <<EOF\necho never ends\n'), ['2:5-2:10 unterminated here-document: no line `EOF` before the end of the file']);
  assert.deepEqual(problems('FROM alpine:3 AS a b\n'), ['1:6-1:21 FROM takes an image and optionally `AS name`']);
  assert.deepEqual(problems('FROM alpine:3 AS x\nFROM alpine:3 AS X\n'), ['2:18-2:19 duplicate stage name `X`']);
  assert.deepEqual(problems('FROM alpine:3\nENV A=1 B\n'), ['2:9-2:10 `B` in ENV must be written `name=value`']);
  // The model is still built around problems.
  const out = build('FROM alpine:3\nBOGUS x\nRUN <<EOF\necho a\n');
  assert.ok(out.pipeline);
  assert.equal(out.pipeline.jobs[0]!.steps[0]!.script!.text, 'echo a\n');
  assert.equal(at(out.pipeline.jobs[0]!.steps[0]!.script!.span), '3:5-4:7');
  // Lower-case instructions are valid.
  assert.deepEqual(problems('from alpine:3\nrun echo\n'), []);
});

test('hostile input: no throw, spans inside the file and ordered', () => {
  const piece = fc.constantFrom(
    'FROM ', 'RUN ', 'ENV ', 'ARG ', 'COPY ', 'ADD ', 'USER ', 'SHELL ', 'ONBUILD ', 'AS ', '--from=', '--platform=', '<<', '<<-', 'EOF',
    '\\', '`', '\n', '\r\n', '\r', ' ', '\t', '#', '# escape=`\n', '"', "'", '=', '$', '${', '}', '[', ']', '"sh"', ',', 'alpine:3', 'x', '0', 'root',
    '\ufeff', 'é', '😀',
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
      const text = parts.join('');
      const file = new SourceFile('Dockerfile', text);
      const out = buildDockerfile(file);
      const check = (s: Span) => {
        assert.ok(s.offset >= 0 && s.offset <= s.endOffset && s.endOffset <= file.text.length, `bad span ${JSON.stringify(s)} in ${JSON.stringify(text)}`);
      };
      for (const p of out.problems) check(p.span);
      if (!out.pipeline) return;
      for (const r of out.pipeline.references) check(r.span);
      for (const j of out.pipeline.jobs) {
        check(j.span);
        check(j.id.span);
        for (const e of j.env) check(e.value?.span ?? e.name.span);
        for (const s of j.steps) {
          check(s.span);
          check(s.script!.span);
        }
      }
    }),
    { numRuns: 2000 },
  );
  // Large inputs stay linear.
  const big = 'FROM alpine:3\nRUN ' + 'echo x && \\\n'.repeat(50_000) + 'true\n' + 'ENV ' + 'A=1 '.repeat(50_000) + '\n';
  const started = Date.now();
  const out = buildDockerfile(new SourceFile('Dockerfile', big));
  assert.equal(out.pipeline!.jobs[0]!.env.length, 50_000);
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
});


test('the corpus builds: every Dockerfile without throwing, almost all without problems', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, (t) => {
  const files = findCorpusFiles((name) => /^(dockerfile|containerfile)|\.dockerfile$/i.test(name)).sort();
  assert.ok(files.length >= 250, `found ${files.length} files`);
  const withProblems: string[] = [];
  let stages = 0;
  let runs = 0;
  let images = 0;
  let stageBases = 0;
  let finalRoot = 0;
  let finalNoUser = 0;
  const pins: Record<string, number> = {};
  for (const path of files) {
    const file = new SourceFile(path, readFileSync(path, 'utf8'));
    const out = buildDockerfile(file);
    if (out.problems.length) withProblems.push(`${path}: ${out.problems.length} problems, first ${at(out.problems[0]!.span)} ${out.problems[0]!.message}`);
    if (!out.pipeline) continue;
    const info = dockerInfo(out.pipeline)!;
    stages += info.stages.length;
    for (const s of info.stages) {
      if (s.fromStage !== undefined) stageBases++;
      for (const r of s.runs) {
        runs++;
        const sc = r.step.script!;
        // The script's span is the command as written: no blanks around it, and its first word is there.
        const written = file.text.slice(sc.span.offset, sc.span.endOffset);
        assert.ok(!/^\s|\s$/.test(written), `${path}:${sc.span.line}`);
        if (r.form === 'shell') assert.ok(written.startsWith(sc.text.split(/\s/)[0]!), `${path}:${sc.span.line}`);
      }
      for (const e of s.job.env) assert.ok(e.value === null || e.value.span.offset >= e.name.span.endOffset, `${path}:${e.name.span.line}`);
    }
    for (const r of out.pipeline.references) {
      images++;
      pins[r.pin] = (pins[r.pin] ?? 0) + 1;
      assert.equal(file.text.slice(r.span.offset, r.span.endOffset), r.raw, `${path}:${r.span.line}`);
    }
    const last = info.stages[info.stages.length - 1]!;
    if (!last.effectiveUser) finalNoUser++;
    else if (last.effectiveUser.root) finalRoot++;
  }
  t.diagnostic(`${files.length} files, ${withProblems.length} with problems; ${stages} stages (${stageBases} on an earlier stage), ${runs} RUN steps`);
  t.diagnostic(`${images} images: ${Object.entries(pins).map(([k, v]) => `${v} ${k}`).join(', ')}; final stage without USER ${finalNoUser}, as root ${finalRoot}`);
  for (const w of withProblems) t.diagnostic(w);
  assert.ok(withProblems.length <= files.length * 0.02, `with problems: ${withProblems.length}`);
  assert.ok(stages >= files.length, `stages: ${stages}`);
  assert.ok(runs >= 500, `runs: ${runs}`);
  assert.ok((pins.digest ?? 0) > 0 && (pins.tag ?? 0) > 0 && (pins.unpinned ?? 0) > 0 && (pins.dynamic ?? 0) > 0, JSON.stringify(pins));
});
