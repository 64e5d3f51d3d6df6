/** Dockerfiles through the whole scan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ofRule, scanTree } from '../helpers/tree.js';

const D = 'sha256:' + '7'.repeat(64);

test('vulnerable Dockerfile: each rule at its place', async () => {
  const { findings } = await scanTree({
    Dockerfile: [
      'ARG BASE=golang:1.22',
      'FROM ${BASE} AS build',
      'ENV GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
      'RUN curl -fsSL https://get.example.com/install.sh | sh',
      'ADD https://example.com/tool.tar.gz /opt/',
      'RUN go build -o /app ./...',
      'FROM ubuntu',
      'COPY --from=build /app /app',
      'USER root',
      '',
    ].join('\n'),
  });
  const at = (rule: string) => ofRule(findings, rule).map((f) => `${f.span.line}:${f.span.column} ${f.severity}`);
  assert.deepEqual(at('unpinned-images'), ['2:6 low', '7:6 high']);
  assert.deepEqual(at('hardcoded-credentials'), ['3:18 high']);
  assert.deepEqual(at('unverified-script-exec'), ['4:5 high']);
  assert.deepEqual(at('unverified-download'), ['5:5 medium']);
  assert.deepEqual(at('run-as-root'), ['9:6 medium']);
});

test('hardened Dockerfile: silent (a FROM of an earlier stage is not an image)', async () => {
  const { findings } = await scanTree({
    Dockerfile: [
      `FROM golang:1.22@${D} AS build`,
      'RUN go build -o /app ./...',
      `ADD --checksum=sha256:${'1'.repeat(64)} https://example.com/tool.tar.gz /opt/`,
      'FROM build AS test',
      'RUN go test ./...',
      `FROM gcr.io/distroless/static@${D}`,
      'COPY --from=build /app /app',
      'USER 65532:65532',
      '',
    ].join('\n'),
  });
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.span.line}: ${f.message}`), []);
});

test('a final stage without USER is reported at its FROM with medium confidence', async () => {
  const { findings } = await scanTree({ Dockerfile: `FROM alpine@${D}\nRUN echo hi\n` });
  assert.deepEqual(ofRule(findings, 'run-as-root').map((f) => `${f.span.line}:${f.span.column} ${f.confidence}`), ['1:6 medium']);
});

test('dagger.json: module dependencies by tag or without a version; commit pins and local modules are silent', async () => {
  const { findings } = await scanTree({
    'dagger.json': JSON.stringify(
      {
        name: 'ci',
        engineVersion: 'v0.13.0',
        dependencies: [
          { name: 'golang', source: 'github.com/kpenfound/dagger-modules/golang@v0.2.0' },
          { name: 'wolfi', source: 'github.com/shykes/daggerverse/wolfi' },
          { name: 'pinned', source: 'github.com/org/mods/x@0123456789abcdef0123456789abcdef01234567' },
          { name: 'local', source: './modules/helper' },
        ],
      },
      null,
      2,
    ),
  });
  const f = ofRule(findings, 'unpinned-uses');
  assert.deepEqual(f.map((x) => `${x.span.line}:${x.span.column}`), ['7:17', '11:17']);
  assert.match(f[0]!.message, /Dagger module .* not pinned by commit/);
  assert.match(f[1]!.message, /no revision/);
});

test('Dagger module code: a token set with withEnvVariable is reported in its source file; withSecretVariable is silent', async () => {
  const { findings } = await scanTree({
    'ci/dagger.json': JSON.stringify({ name: 'ci', sdk: 'typescript', source: '.' }),
    'ci/src/index.ts': [
      'import { dag, Container, Secret, object, func } from "@dagger.io/dagger"',
      '@object()',
      'export class Ci {',
      '  @func()',
      '  publish(token: string, safe: Secret): Container {',
      '    return dag.container().from("node:20")',
      '      .withEnvVariable("NPM_TOKEN", token)',
      '      .withSecretVariable("GH_TOKEN", safe)',
      '      .withEnvVariable("NODE_ENV", "production")',
      '  }',
      '}',
      '',
    ].join('\n'),
  });
  const f = ofRule(findings, 'secret-as-plain-env');
  assert.deepEqual(f.map((x) => `${x.file}:${x.span.line}:${x.span.column}`), ['ci/src/index.ts:7:8']);
});

test('dagger.json without an engineVersion: low', async () => {
  const { findings } = await scanTree({ 'dagger.json': '{\n  "name": "ci"\n}\n' });
  assert.deepEqual(ofRule(findings, 'unpinned-uses').map((f) => `${f.span.line} ${f.severity}`), ['2 low']);
});
