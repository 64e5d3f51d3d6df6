/**
 * `fix` for unpinned-images: image names mapped to registries, digests taken
 * from a real registry on loopback (Debian's docker-registry) and from a fake
 * one that demands a bearer token, the lock file reused offline, and every
 * platform's image written as `name:tag@sha256:…` with variables left alone.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyConfig } from '../src/config/config.js';
import { ConfigError } from '../src/config/config.js';
import { imageLocation } from '../src/core/refs.js';
import { scanPaths, type ScanOptions } from '../src/core/scan.js';
import { IMAGES_LOCK } from '../src/fix/images.js';
import { lockRoot, lookupOptions } from '../src/fix/lookups.js';
import { parseChallenge } from '../src/fix/registry.js';
import { fixPaths } from '../src/fix/run.js';
import { main } from '../src/cli/main.js';
import { allRules } from '../src/rules/index.js';
import { formatResult } from '../src/report/index.js';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, registryBinary, sha256, startRegistry } from './helpers/registry.js';

/** Other rules' fixes (permissions…) are tested elsewhere; these tests look at image pins alone. */
const ONLY_IMAGES = new Set(['unpinned-images']);
const scanOpts = (cwd: string): ScanOptions => ({ rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test' });
const D = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-fix-images-'));
  made.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const writeLock = (dir: string, images: Record<string, string>) => {
  fs.mkdirSync(path.join(dir, '.pipewarden'), { recursive: true });
  fs.writeFileSync(path.join(dir, IMAGES_LOCK), JSON.stringify({ version: 1, images }));
};
/** Lookups that must not touch the network. */
const noNetwork: typeof fetch = async (input) => {
  throw new Error(`unexpected request to ${String(input)}`);
};

test('image names map to registries the way Docker resolves them', () => {
  assert.deepEqual(imageLocation('node'), { registry: 'docker.io', repository: 'library/node' });
  assert.deepEqual(imageLocation('bitnami/redis'), { registry: 'docker.io', repository: 'bitnami/redis' });
  assert.deepEqual(imageLocation('index.docker.io/library/node'), { registry: 'docker.io', repository: 'library/node' });
  assert.deepEqual(imageLocation('docker.io/node'), { registry: 'docker.io', repository: 'library/node' });
  assert.deepEqual(imageLocation('ghcr.io/org/tool'), { registry: 'ghcr.io', repository: 'org/tool' });
  assert.deepEqual(imageLocation('gcr.io/distroless/static'), { registry: 'gcr.io', repository: 'distroless/static' });
  assert.deepEqual(imageLocation('localhost/app'), { registry: 'localhost', repository: 'app' });
  assert.deepEqual(imageLocation('127.0.0.1:5000/team/app'), { registry: '127.0.0.1:5000', repository: 'team/app' });
  assert.equal(imageLocation('Upper/Case'), undefined);
  assert.equal(imageLocation('a//b'), undefined);
});

test('WWW-Authenticate challenges are parsed with quoted and bare values', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x \\"y\\"", charset=UTF-8'), { scheme: 'basic', params: { realm: 'x "y"', charset: 'UTF-8' } });
});

test('plain HTTP is allowed only for loopback registries', async () => {
  assert.deepEqual([...lookupOptions('.', false, { PIPEWARDEN_INSECURE_REGISTRIES: '127.0.0.1:5000, localhost:5001,[::1]:5002' }).insecureRegistries], ['127.0.0.1:5000', 'localhost:5001', '[::1]:5002']);
  assert.throws(() => lookupOptions('.', false, { PIPEWARDEN_INSECURE_REGISTRIES: '127.0.0.1:5000,registry.corp:5000' }), ConfigError);
  const dir = tree({ 'Dockerfile': 'FROM node:20\n' });
  const saved = process.env['PIPEWARDEN_INSECURE_REGISTRIES'];
  process.env['PIPEWARDEN_INSECURE_REGISTRIES'] = '10.0.0.5:5000';
  let stderr = '';
  try {
    const code = await main(['fix', dir, '--offline'], { stdout: { write: () => true } as never, stderr: { write: (s: string) => ((stderr += s), true) } as never });
    assert.equal(code, 2);
    assert.match(stderr, /PIPEWARDEN_INSECURE_REGISTRIES: plain HTTP is allowed only for registries on this machine/);
  } finally {
    if (saved === undefined) delete process.env['PIPEWARDEN_INSECURE_REGISTRIES'];
    else process.env['PIPEWARDEN_INSECURE_REGISTRIES'] = saved;
  }
});

test('reports show what a digest fix will look up; SARIF offers no edit it cannot know yet', async () => {
  const dir = tree({ 'Dockerfile': 'FROM node:20\n' });
  const result = await scanPaths([dir], scanOpts(dir));
  const json = JSON.parse(formatResult(result, 'json', { color: false })) as { findings: { rule: string; fix?: unknown }[] };
  assert.deepEqual(json.findings.find((f) => f.rule === 'unpinned-images')!.fix, {
    description: 'pin `node:20` to the digest its tag points to now',
    safety: 'safe',
    edits: [],
    lookup: { kind: 'image-digest', key: 'docker.io/library/node:20' },
  });
  const sarif = JSON.parse(formatResult(result, 'sarif', { color: false })) as { runs: { results: { ruleId: string; fixes?: unknown }[] }[] };
  assert.equal(sarif.runs[0]!.results.find((r) => r.ruleId === 'unpinned-images')!.fixes, undefined);
});

test('every platform: tags pinned from the lock file without network; variables, digests and ARG-built names untouched', async () => {
  const files: Record<string, string> = {
    '.github/workflows/ci.yml': [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    container: node:20',
      '    services:',
      '      db:',
      '        image: "postgres"',
      '      dyn:',
      '        image: ${{ matrix.image }}',
      '      pinned:',
      `        image: redis:7@${D(99)}`,
      '    steps:',
      '      - uses: docker://ghcr.io/org/tool:v1 # keep',
      '',
    ].join('\n'),
    '.gitlab-ci.yml': ['image: ruby:3.3', 'services:', '  - name: postgres:16', '    alias: db', 'build:', '  image: $CI_REGISTRY_IMAGE/builder:1', '  script: make', ''].join('\n'),
    '.tekton/task.yaml': [
      'apiVersion: tekton.dev/v1',
      'kind: Task',
      'metadata:',
      '  name: t',
      'spec:',
      '  params:',
      '    - name: img',
      '  steps:',
      '    - name: a',
      '      image: quay.io/org/builder:2.0',
      '      script: make',
      '    - name: b',
      '      image: $(params.img)',
      '      script: make',
      '',
    ].join('\n'),
    'argo.yaml': ['apiVersion: argoproj.io/v1alpha1', 'kind: Workflow', 'metadata:', '  generateName: w-', 'spec:', '  entrypoint: main', '  templates:', '    - name: main', '      container:', "        image: 'alpine:3.20'", '        command: [sh]', '    - name: t', '      container:', '        image: "{{inputs.parameters.img}}"', ''].join('\n'),
    'pod.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '    - name: c', '      image: gcr.io/distroless/static:nonroot', ''].join('\n'),
    'Jenkinsfile': ['pipeline {', "  agent { docker { image 'maven:3.9' } }", '  stages {', "    stage('b') {", '      steps {', '        script { docker.image("maven:${v}").inside { sh \'mvn\' } }', '      }', '    }', '  }', '}', ''].join('\n'),
    'Dockerfile': ['ARG V=20', 'FROM node:${V} AS a', 'FROM $BASE', 'FROM --platform=$BUILDPLATFORM golang:1.22 AS b', 'COPY --from=busybox:1.36 /bin/sh /sh', 'FROM a', ''].join('\n'),
  };
  const dir = tree(files);
  writeLock(dir, {
    'docker.io/library/node:20': D(1),
    'docker.io/library/postgres:latest': D(2),
    'ghcr.io/org/tool:v1': D(3),
    'docker.io/library/ruby:3.3': D(4),
    'docker.io/library/postgres:16': D(5),
    'quay.io/org/builder:2.0': D(6),
    'docker.io/library/alpine:3.20': D(7),
    'gcr.io/distroless/static:nonroot': D(8),
    'docker.io/library/maven:3.9': D(9),
    'docker.io/library/golang:1.22': D(10),
    'docker.io/library/busybox:1.36': D(11),
  });
  const lockBefore = read(dir, IMAGES_LOCK);
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['unpinned-images']), lookups: { ...lookupOptions(dir, false, {}), fetch: noNetwork } });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.skipped, []);
  assert.equal(report.applied, 11);
  const expected: Record<string, string> = {
    '.github/workflows/ci.yml': files['.github/workflows/ci.yml']!.replace('node:20', `node:20@${D(1)}`).replace('"postgres"', `"postgres:latest@${D(2)}"`).replace('tool:v1 #', `tool:v1@${D(3)} #`),
    '.gitlab-ci.yml': files['.gitlab-ci.yml']!.replace('ruby:3.3', `ruby:3.3@${D(4)}`).replace('postgres:16', `postgres:16@${D(5)}`),
    '.tekton/task.yaml': files['.tekton/task.yaml']!.replace('builder:2.0', `builder:2.0@${D(6)}`),
    'argo.yaml': files['argo.yaml']!.replace("'alpine:3.20'", `'alpine:3.20@${D(7)}'`),
    'pod.yaml': files['pod.yaml']!.replace('static:nonroot', `static:nonroot@${D(8)}`),
    'Jenkinsfile': files['Jenkinsfile']!.replace("'maven:3.9'", `'maven:3.9@${D(9)}'`),
    'Dockerfile': files['Dockerfile']!.replace('golang:1.22', `golang:1.22@${D(10)}`).replace('busybox:1.36', `busybox:1.36@${D(11)}`),
  };
  for (const [rel, text] of Object.entries(expected)) assert.equal(read(dir, rel), text, rel);
  assert.equal(read(dir, IMAGES_LOCK), lockBefore, 'nothing new learnt, lock file untouched');
  // Pinned now: the remaining unpinned-images findings are the ones no fix may touch.
  const after = await scanPaths([dir], scanOpts(dir));
  assert.deepEqual(
    after.findings.filter((f) => f.rule === 'unpinned-images').map((f) => `${f.file}:${f.span.line} ${f.fix ? 'fix' : 'no fix'}`),
    ['Dockerfile:2 no fix'],
  );
});

test('one lock file per repository: at the top of the git work tree whichever folder is fixed', () => {
  const dir = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'services/api/Dockerfile': 'FROM node:20\n' });
  assert.equal(lockRoot(path.join(dir, 'services/api')), dir);
  const outside = tree({ 'Dockerfile': 'FROM node:20\n' });
  assert.equal(lockRoot(outside), outside);
});

test('offline without a lock entry: the images that could not be resolved are listed and nothing changes', async () => {
  const wf = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: node:20\n    services:\n      db:\n        image: postgres:16\n    steps:\n      - run: make\n';
  const dir = tree({ '.github/workflows/ci.yml': wf });
  writeLock(dir, { 'docker.io/library/postgres:16': D(5) });
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: { ...lookupOptions(dir, true, {}), fetch: noNetwork } });
  assert.deepEqual(report.skipped.map((s) => `${s.file}:${s.line} ${s.reason}`), [`.github/workflows/ci.yml:5 could not resolve docker.io/library/node:20: not in ${IMAGES_LOCK}, and registries are asked only with --online`]);
  assert.equal(read(dir, '.github/workflows/ci.yml'), wf.replace('postgres:16', `postgres:16@${D(5)}`));
  // Without lookup options (a library caller that did not ask for them) nothing is fetched either.
  const none = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES });
  assert.match(none.skipped[0]!.reason, /lookups are off/);
});

test('CLI: fix --offline pins from the lock file and lists the images it could not resolve', async () => {
  const dir = tree({ 'Dockerfile': 'FROM node:20\nFROM ghcr.io/org/base:1\n' });
  writeLock(dir, { 'docker.io/library/node:20': D(1) });
  let stderr = '';
  const io = { stdout: { write: () => true } as never, stderr: { write: (s: string) => ((stderr += s), true) } as never };
  assert.equal(await main(['fix', dir, '--offline', '--rules', 'unpinned-images'], io), 0);
  assert.equal(read(dir, 'Dockerfile'), `FROM node:20@${D(1)}\nFROM ghcr.io/org/base:1\n`);
  assert.match(stderr, /^skipped .*Dockerfile:2 unpinned-images: could not resolve ghcr\.io\/org\/base:1: not in \.pipewarden\/images\.lock\.json, and registries are asked only with --online$/m);
  assert.match(stderr, /^applied 1 fix in 1 file, 1 skipped$/m);
});

test('a broken lock file is reported, not overwritten', async () => {
  const dir = tree({ 'Dockerfile': 'FROM node:20\n' });
  fs.mkdirSync(path.join(dir, '.pipewarden'));
  fs.writeFileSync(path.join(dir, IMAGES_LOCK), '{ not json');
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: { ...lookupOptions(dir, false, {}), fetch: noNetwork } });
  assert.deepEqual(report.errors.map((e) => e.message), ['not valid JSON; fix or delete it']);
  assert.equal(read(dir, IMAGES_LOCK), '{ not json');
  assert.equal(read(dir, 'Dockerfile'), 'FROM node:20\n');
});

const REQUIRE_REGISTRY = process.env['PIPEWARDEN_REQUIRE_REGISTRY'] === '1';
const registryBin = registryBinary();
const registrySkip = registryBin || REQUIRE_REGISTRY ? false : 'docker-registry is not installed (apt-get install docker-registry); CI sets PIPEWARDEN_REQUIRE_REGISTRY=1 to make this test mandatory';

test('a real registry on loopback: OCI and Docker manifests by their digest, a multi-arch tag by its index digest, lock file written and reused offline', { skip: registrySkip, timeout: 60_000 }, async () => {
  assert.ok(registryBin, 'PIPEWARDEN_REQUIRE_REGISTRY=1 but docker-registry is not on PATH');
  const reg = await startRegistry(registryBin);
  try {
    const app = await reg.image('team/app', '1.0');
    const legacy = await reg.image('team/legacy', '3', { mediaType: DOCKER_MANIFEST });
    const amd64 = await reg.image('team/multi', 'amd64', { arch: 'amd64' });
    const arm64 = await reg.image('team/multi', 'arm64', { arch: 'arm64' });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd64.digest, size: Buffer.byteLength(amd64.body), platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: OCI_MANIFEST, digest: arm64.digest, size: Buffer.byteLength(arm64.body), platform: { architecture: 'arm64', os: 'linux' } },
      ],
    });
    const multi = await reg.manifest('team/multi', '2.0', OCI_INDEX, index);
    assert.equal(multi, sha256(index));
    assert.notEqual(multi, amd64.digest);

    const h = reg.host;
    const files = {
      '.github/workflows/ci.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: ${h}/team/app:1.0\n    services:\n      db:\n        image: ${h}/team/legacy:3\n    steps:\n      - uses: docker://${h}/team/multi:2.0\n      - uses: docker://${h}/team/missing:9\n`,
      'Dockerfile': `FROM ${h}/team/multi:2.0 AS build\nFROM ${h}/team/app:1.0\nCOPY --from=build /x /x\n`,
      '.gitlab-ci.yml': `build:\n  image: ${h}/team/app:1.0\n  script: make\n`,
    };
    const dir = tree(files);
    const env = { PIPEWARDEN_INSECURE_REGISTRIES: h, HOME: dir };
    const dry = await fixPaths([dir], scanOpts(dir), { dryRun: true, unsafe: false, rules: new Set(['unpinned-images']), lookups: lookupOptions(dir, false, env) });
    assert.match(dry.output, new RegExp(`^\\+FROM ${h}/team/multi:2\\.0@${multi} AS build$`, 'm'));
    assert.equal(fs.existsSync(path.join(dir, IMAGES_LOCK)), false, 'a dry run writes no lock file');
    assert.equal(read(dir, 'Dockerfile'), files['Dockerfile']);
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['unpinned-images']), lookups: lookupOptions(dir, false, env) });
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.skipped.map((s) => `${s.file}:${s.line} ${s.reason}`), [`.github/workflows/ci.yml:11 could not resolve ${h}/team/missing:9: team/missing:9 not found on ${h}`]);
    const fixedWorkflow = files['.github/workflows/ci.yml']
      .replace('team/app:1.0', `team/app:1.0@${app.digest}`)
      .replace('team/legacy:3', `team/legacy:3@${legacy.digest}`)
      .replace('team/multi:2.0', `team/multi:2.0@${multi}`);
    assert.equal(read(dir, '.github/workflows/ci.yml'), fixedWorkflow);
    assert.equal(read(dir, 'Dockerfile'), `FROM ${h}/team/multi:2.0@${multi} AS build\nFROM ${h}/team/app:1.0@${app.digest}\nCOPY --from=build /x /x\n`);
    assert.equal(read(dir, '.gitlab-ci.yml'), `build:\n  image: ${h}/team/app:1.0@${app.digest}\n  script: make\n`);
    const lock = JSON.parse(read(dir, IMAGES_LOCK)) as { version: number; images: Record<string, string> };
    assert.deepEqual(lock, { version: 1, images: { [`${h}/team/app:1.0`]: app.digest, [`${h}/team/legacy:3`]: legacy.digest, [`${h}/team/multi:2.0`]: multi } });

    // The committed lock file pins a fresh checkout of the same files with no network at all.
    const copy = tree(files);
    fs.mkdirSync(path.join(copy, '.pipewarden'));
    fs.copyFileSync(path.join(dir, IMAGES_LOCK), path.join(copy, IMAGES_LOCK));
    const offline = await fixPaths([copy], scanOpts(copy), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: { ...lookupOptions(copy, true, env), fetch: noNetwork } });
    assert.equal(offline.applied, 6);
    assert.equal(read(copy, '.github/workflows/ci.yml'), fixedWorkflow);

    // A tag moved after the lock was written: the lock file still decides, so fixes are reproducible.
    await reg.image('team/app', '1.0', { arch: 'riscv64' });
    const third = tree({ 'Dockerfile': `FROM ${h}/team/app:1.0\n` });
    fs.mkdirSync(path.join(third, '.pipewarden'));
    fs.copyFileSync(path.join(dir, IMAGES_LOCK), path.join(third, IMAGES_LOCK));
    await fixPaths([third], scanOpts(third), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(third, false, env) });
    assert.equal(read(third, 'Dockerfile'), `FROM ${h}/team/app:1.0@${app.digest}\n`);

    // Without the loopback opt-in the registry is spoken to over HTTPS, which it does not serve.
    const strict = tree({ 'Dockerfile': `FROM ${h}/team/app:1.0\n` });
    const refused = await fixPaths([strict], scanOpts(strict), { dryRun: true, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(strict, false, { HOME: strict }) });
    assert.match(refused.skipped[0]!.reason, new RegExp(`cannot reach ${h.replace(/\./g, '\\.')}`));
  } finally {
    await reg.stop();
  }
});

/** A registry that demands a bearer token from its token service, as Docker Hub and GHCR do. */
async function tokenRegistry(opts: { digestHeader: boolean; realm?: (port: number) => string }) {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
  const requests: { method: string; url: string; auth?: string; body?: string }[] = [];
  const server = http.createServer(async (req, res) => {
    const entry: (typeof requests)[number] = { method: req.method!, url: req.url!, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) };
    requests.push(entry);
    const port = (server.address() as AddressInfo).port;
    if (req.method === 'POST' && req.url === '/token') {
      // OAuth2 refresh-token grant, as `docker login` leaves with an identity token.
      let body = '';
      for await (const chunk of req) body += chunk;
      entry.body = body;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: new URLSearchParams(body).get('refresh_token') === 'refresh-me' ? 'tok-123' : 'wrong' }));
      return;
    }
    if (req.url!.startsWith('/token?')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token: 'tok-123', expires_in: 300 }));
      return;
    }
    if (req.url === '/v2/team/app/manifests/1.0') {
      if (req.headers.authorization !== 'Bearer tok-123') {
        const realm = opts.realm ? opts.realm(port) : `http://127.0.0.1:${port}/token`;
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="fake-registry",scope="repository:team/app:pull"`, 'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': OCI_INDEX, 'Content-Length': Buffer.byteLength(manifest), ...(opts.digestHeader ? { 'Docker-Content-Digest': sha256(manifest) } : {}) });
      res.end(req.method === 'HEAD' ? undefined : manifest);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, requests, digest: sha256(manifest), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('anonymous bearer-token flow: 401 with a challenge, token fetched for the scope, request retried with it', async () => {
  const fake = await tokenRegistry({ digestHeader: true });
  try {
    const dir = tree({ 'Dockerfile': `FROM ${fake.host}/team/app:1.0\n` });
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(dir, false, { PIPEWARDEN_INSECURE_REGISTRIES: fake.host, HOME: dir }) });
    assert.deepEqual(report.skipped, []);
    assert.equal(read(dir, 'Dockerfile'), `FROM ${fake.host}/team/app:1.0@${fake.digest}\n`);
    assert.deepEqual(fake.requests, [
      { method: 'HEAD', url: '/v2/team/app/manifests/1.0' },
      { method: 'GET', url: '/token?service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull' },
      { method: 'HEAD', url: '/v2/team/app/manifests/1.0', auth: 'Bearer tok-123' },
    ]);
  } finally {
    await fake.close();
  }
});

test('credentials from the Docker config go to the token service; no digest header means the manifest is fetched and hashed', async () => {
  const fake = await tokenRegistry({ digestHeader: false });
  try {
    const dir = tree({ 'Dockerfile': `FROM ${fake.host}/team/app:1.0\n` });
    const dockerConfig = path.join(dir, 'docker');
    fs.mkdirSync(dockerConfig);
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [`http://${fake.host}`]: { auth: Buffer.from('robot:s3cret').toString('base64') } } }));
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(dir, false, { PIPEWARDEN_INSECURE_REGISTRIES: fake.host, DOCKER_CONFIG: dockerConfig }) });
    assert.deepEqual(report.skipped, []);
    assert.equal(read(dir, 'Dockerfile'), `FROM ${fake.host}/team/app:1.0@${fake.digest}\n`);
    assert.equal(fake.requests[1]!.auth, `Basic ${Buffer.from('robot:s3cret').toString('base64')}`);
    assert.deepEqual(fake.requests.slice(2).map((r) => `${r.method} ${r.auth}`), ['HEAD Bearer tok-123', 'GET Bearer tok-123']);
  } finally {
    await fake.close();
  }
});

test('an identity token from the Docker config is exchanged at the token service (refresh-token grant)', async () => {
  const fake = await tokenRegistry({ digestHeader: true });
  try {
    const dir = tree({ 'Dockerfile': `FROM ${fake.host}/team/app:1.0\n` });
    const dockerConfig = path.join(dir, 'docker');
    fs.mkdirSync(dockerConfig);
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [fake.host]: { auth: '', identitytoken: 'refresh-me' } } }));
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(dir, false, { PIPEWARDEN_INSECURE_REGISTRIES: fake.host, DOCKER_CONFIG: dockerConfig }) });
    assert.deepEqual(report.skipped, []);
    assert.equal(read(dir, 'Dockerfile'), `FROM ${fake.host}/team/app:1.0@${fake.digest}\n`);
    const form = new URLSearchParams(fake.requests[1]!.body);
    assert.deepEqual([fake.requests[1]!.method, form.get('grant_type'), form.get('refresh_token'), form.get('service'), form.get('scope')], ['POST', 'refresh_token', 'refresh-me', 'fake-registry', 'repository:team/app:pull']);
  } finally {
    await fake.close();
  }
});

test('a token service over plain HTTP off this machine is refused before any request; credential helpers are named, not run', async () => {
  const fake = await tokenRegistry({ digestHeader: true, realm: () => 'http://auth.example.test/token' });
  try {
    const dir = tree({ 'Dockerfile': `FROM ${fake.host}/team/app:1.0\n` });
    const dockerConfig = path.join(dir, 'docker');
    fs.mkdirSync(dockerConfig);
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [fake.host]: { auth: Buffer.from('robot:s3cret').toString('base64') } } }));
    const lookups = lookupOptions(dir, false, { PIPEWARDEN_INSECURE_REGISTRIES: fake.host, DOCKER_CONFIG: dockerConfig });
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: ONLY_IMAGES, lookups });
    assert.match(report.skipped[0]!.reason, /named a token service over plain HTTP \(auth\.example\.test\); refused/);
    assert.equal(fake.requests.length, 1);
    assert.equal(read(dir, 'Dockerfile'), `FROM ${fake.host}/team/app:1.0\n`);
  } finally {
    await fake.close();
  }
  const denied = http.createServer((_req, res) => {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' });
    res.end();
  });
  await new Promise<void>((resolve) => denied.listen(0, '127.0.0.1', resolve));
  try {
    const host = `127.0.0.1:${(denied.address() as AddressInfo).port}`;
    const dir = tree({ 'Dockerfile': `FROM ${host}/team/app:1.0\n` });
    const dockerConfig = path.join(dir, 'docker');
    fs.mkdirSync(dockerConfig);
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ credsStore: 'desktop' }));
    const report = await fixPaths([dir], scanOpts(dir), { dryRun: true, unsafe: false, rules: ONLY_IMAGES, lookups: lookupOptions(dir, false, { PIPEWARDEN_INSECURE_REGISTRIES: host, DOCKER_CONFIG: dockerConfig }) });
    assert.match(report.skipped[0]!.reason, /refused access to team\/app \(HTTP 401\); its credentials are kept by the credential helper `docker-credential-desktop`, which pipewarden does not run/);
  } finally {
    await new Promise<void>((resolve) => denied.close(() => resolve()));
  }
});
