/**
 * Online checks, advisory updates and pin fixes end to end through the CLI,
 * against a loopback fake of the GitHub API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { emptyConfig } from '../src/config/config.js';
import type { ScanOptions } from '../src/core/scan.js';
import { parseYaml } from '../src/core/yaml.js';
import { fixPaths } from '../src/fix/run.js';
import { SourceFile } from '../src/model/source.js';
import { collectGithubUses } from '../src/online/collect.js';
import { pinKey } from '../src/online/external.js';
import { allRules } from '../src/rules/index.js';
import { CORPUS, findCorpusFiles } from './helpers/corpus.js';
import { runCli } from './helpers/cli.js';
import { parseRange, toActionAdvisories } from '../src/online/advisories.js';
import { ResponseCache } from '../src/online/cache.js';
import { LIMITS } from '../src/online/facts.js';
import { GitHubClient, GitHubError, nextLink } from '../src/online/github.js';
import { mostPreciseTag, type PinEntry } from '../src/online/pins.js';
import { startFakeGithub, type FakeRepo } from './helpers/fake-github.js';

const sha = (prefix: string) => prefix.padEnd(40, '0');
const V090 = sha('09');
const V100 = sha('100');
const V110 = sha('110');
const UNTAGGED = sha('dd');
const MAIN = sha('ee');
const RELEASE = sha('ef');
const FORK = sha('ff');
const K421 = sha('421');
const K422 = sha('422');
const SETUP = sha('5e');

const REPOS: Record<string, FakeRepo> = {
  'acme/tool': {
    defaultBranch: 'main',
    tags: { 'v0.9.0': V090, 'v1.0.0': V100, 'v1.1.0': V110, v1: V110 },
    branches: { main: MAIN, release: RELEASE },
    history: { main: [V090, V100, V110, UNTAGGED], release: [V090], 'v1.1.0': [V090, V100], v1: [V090, V100], 'v1.0.0': [V090] },
    forkCommits: [FORK],
  },
  'acme/confused': { defaultBranch: 'main', tags: { v1: V100 }, branches: { main: MAIN, v1: RELEASE }, history: {} },
  'acme/checkout': {
    defaultBranch: 'main',
    tags: { 'v4.2.1': K421, 'v4.2.2': K422, 'v4.2': K422, v4: K422 },
    annotated: { v4: sha('a4') },
    branches: { main: MAIN, develop: RELEASE },
    history: {},
  },
  'acme/setup': { defaultBranch: 'main', tags: { 'v2.0.0': SETUP, v2: SETUP }, branches: { main: SETUP }, history: {} },
};

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-online-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cache-'));
}

const cli = runCli;

const ONLINE_WORKFLOW = [
  'on: push',
  'permissions: {}',
  'jobs:',
  '  a:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: acme/confused@v1',
  `      - uses: acme/tool@${FORK}`,
  `      - uses: acme/tool@${UNTAGGED}`,
  `      - uses: acme/tool@${V100} # v1.1.0`,
  `      - uses: acme/tool@${V110} # v1.1.0`,
  `      - uses: acme/tool@${V100} # v1`,
  '      - uses: acme/tool@v1.1.0',
  `      - uses: acme/gone@${V100} # v1.0.0`,
  `      - uses: acme/tool@${MAIN}`,
  `      - uses: acme/tool@${V090} # 0.9.0`,
  `      - uses: acme/tool@${V090} # v7.0.0`,
  '',
].join('\n');

const ONLINE_RULES = ['ref-confusion', 'impostor-commit', 'stale-action-refs', 'ref-version-mismatch'];

function onlineFindings(stdout: string): string[] {
  const report = JSON.parse(stdout) as { findings: { rule: string; line: number; column: number; severity: string; confidence: string }[] };
  return report.findings.filter((f) => ONLINE_RULES.includes(f.rule)).map((f) => `${f.line}:${f.column} ${f.rule} ${f.severity}/${f.confidence}`);
}

test('offline by default: no request reaches the API without --online, even with a token and an API URL set', async () => {
  const gh = await startFakeGithub(REPOS);
  try {
    const dir = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW });
    const scan = await cli(['scan', dir, '--format', 'json', '--persona', 'auditor', '--cache-dir', tempDir()], { token: 't', api: gh.url });
    assert.equal(scan.code, 1);
    assert.deepEqual(onlineFindings(scan.stdout), []);
    const fix = await cli(['fix', dir, '--dry-run', '--github-api', gh.url], { token: 't' });
    assert.match(fix.stderr, /could not pin \S+ci\.yml:13 acme\/tool@v1\.1\.0: not in the lock file; run `pipewarden fix --online`/);
    assert.deepEqual(gh.requests, []);
  } finally {
    await gh.close();
  }
});

test('scan --online: ref-confusion, impostor-commit, stale-action-refs and ref-version-mismatch at their lines; hardened forms silent', async () => {
  const gh = await startFakeGithub(REPOS, { token: 'secret-token' });
  try {
    const dir = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW });
    const r = await cli(['scan', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--format', 'json', '--persona', 'pedantic'], { token: 'secret-token' });
    assert.equal(r.stderr, '');
    assert.deepEqual(onlineFindings(r.stdout), [
      '7:15 ref-confusion high/high',
      '8:15 impostor-commit high/high',
      '9:15 stale-action-refs low/high',
      '10:68 ref-version-mismatch medium/high',
      '15:15 stale-action-refs low/high',
      '17:68 ref-version-mismatch low/medium',
    ]);
    // Tags came in pages of two: the listing followed the Link header to the end.
    assert.ok(gh.requests.includes('/repos/acme/tool/tags?per_page=100&page=2'));
    assert.ok(gh.requests.some((q) => q.startsWith('/repos/acme/tool/compare/main...ff')));
    assert.ok(gh.auth.every((a) => a === 'Bearer secret-token'));
    // The regular persona does not see stale pins.
    const regular = await cli(['scan', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--format', 'json'], { token: 'secret-token' });
    assert.ok(!onlineFindings(regular.stdout).some((f) => f.includes('stale-action-refs')));
  } finally {
    await gh.close();
  }
});

test('scan --online: answers are cached on disk and reused when the API is down; a cold cache with the API down warns once', async () => {
  const gh = await startFakeGithub(REPOS);
  const cache = tempDir();
  const dir = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW });
  const args = (c: string) => ['scan', dir, '--online', '--github-api', gh.url, '--cache-dir', c, '--format', 'json', '--persona', 'pedantic'];
  const first = await cli(args(cache), { token: 't' });
  const asked = gh.requests.length;
  assert.ok(asked > 0);
  assert.ok(fs.readdirSync(cache).length > 0);
  assert.ok(fs.readdirSync(cache).every((f) => /^[0-9a-f]{64}\.json$/.test(f)), 'no temporary files left behind');
  for (const f of fs.readdirSync(cache)) assert.ok(!fs.readFileSync(path.join(cache, f), 'utf8').includes('Bearer'));
  await gh.close();
  const again = await cli(args(cache), { token: 't' });
  assert.equal(again.stderr, '');
  assert.deepEqual(onlineFindings(again.stdout), onlineFindings(first.stdout));
  const cold = await cli(args(tempDir()), { token: 't' });
  assert.equal(cold.code, 1);
  assert.deepEqual(onlineFindings(cold.stdout), []);
  assert.equal(cold.stderr.trim().split('\n').length, 1);
  assert.match(cold.stderr, /online checks incomplete: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
});

test('scan --online without a token, or when rate-limited: one clear warning, no crash, no online findings', async () => {
  const gh = await startFakeGithub(REPOS);
  try {
    const dir = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW });
    const none = await cli(['scan', dir, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--format', 'json']);
    assert.match(none.stderr, /^pipewarden: --online needs a GitHub token in GH_TOKEN or GITHUB_TOKEN; online checks skipped\n$/);
    assert.deepEqual(gh.requests, []);
    // With every online rule switched off, --online has nothing to ask.
    const off = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW, '.pipewarden.yml': 'rules:\n  ref-confusion: off\n  impostor-commit: off\n  stale-action-refs: off\n  ref-version-mismatch: off\n' });
    const quiet = await cli(['scan', off, '--online', '--github-api', gh.url, '--cache-dir', tempDir(), '--format', 'json'], { token: 't' });
    assert.equal(quiet.stderr, '');
    assert.deepEqual(gh.requests, []);
    gh.mode.rateLimited = true;
    const limited = await cli(['scan', dir, '--online', '--cache-dir', tempDir(), '--format', 'json'], { token: 't', api: gh.url });
    assert.deepEqual(onlineFindings(limited.stdout), []);
    assert.equal(limited.stderr.trim().split('\n').length, 1);
    assert.match(limited.stderr, /rate limit reached .* until \d\d:\d\d UTC/);
    // One refused request stops the client: no flood of failing requests.
    assert.equal(gh.requests.length <= 4, true, `requests after the rate limit: ${gh.requests.length}`);
    const bad = await cli(['scan', dir, '--online', '--github-api', 'ftp://x']);
    assert.equal(bad.code, 2);
  } finally {
    await gh.close();
  }
});

test('advisories update: paginated API → dated snapshot that the scan prefers over the built-in one', async () => {
  const advisories = [
    { ghsa_id: 'GHSA-aaaa-bbbb-cccc', cve_id: 'CVE-2026-0001', summary: 'token leak in logs', severity: 'high', vulnerabilities: [{ package: { ecosystem: 'actions', name: 'acme/Setup' }, vulnerable_version_range: '>= 2.0.0, < 2.0.5', first_patched_version: '2.0.5' }] },
    { ghsa_id: 'GHSA-withdrawn', summary: 'x', severity: 'low', withdrawn_at: '2026-01-01T00:00:00Z', vulnerabilities: [{ package: { ecosystem: 'actions', name: 'acme/setup' }, vulnerable_version_range: '< 9' }] },
    { ghsa_id: 'GHSA-odd', summary: 'odd range', severity: 'low', vulnerabilities: [{ package: { ecosystem: 'actions', name: 'acme/other' }, vulnerable_version_range: '> 1.0' }] },
  ];
  const gh = await startFakeGithub({}, { advisories, token: 't' });
  try {
    const dir = tree({ '.github/workflows/ci.yml': 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/setup@v2.0.1\n' });
    const out = path.join(dir, '.pipewarden', 'advisories.json');
    const noToken = await cli(['advisories', 'update', '--output', out, '--github-api', gh.url]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /needs a GitHub token/);
    const before = await cli(['scan', dir, '--format', 'json']);
    assert.ok(!before.stdout.includes('known-vulnerable-actions'));
    const r = await cli(['advisories', 'update', '--output', out, '--github-api', gh.url], { token: 't' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 1 advisory \(\d{4}-\d\d-\d\d\)/);
    assert.match(r.stderr, /1 affected range could not be represented/);
    assert.deepEqual(gh.requests, ['/advisories?ecosystem=actions&per_page=100', '/advisories?ecosystem=actions&per_page=100&page=2']);
    const snap = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.deepEqual(snap.advisories, [{ id: 'GHSA-aaaa-bbbb-cccc', action: 'acme/setup', severity: 'high', summary: 'token leak in logs', cve: 'CVE-2026-0001', introduced: '2.0.0', fixed: '2.0.5' }]);
    const after = await cli(['scan', dir, '--format', 'json']);
    const known = (JSON.parse(after.stdout).findings as { rule: string; line: number; message: string }[]).filter((f) => f.rule === 'known-vulnerable-actions');
    assert.deepEqual(known.map((f) => f.line), [7]);
    assert.match(known[0]!.message, /GHSA-aaaa-bbbb-cccc/);
    // The refreshed snapshot replaces the built-in one (whose tj-actions entries it lacks).
    const tj = tree({ '.github/workflows/ci.yml': 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v45.0.7\n' });
    const builtIn = await cli(['scan', tj, '--format', 'json']);
    assert.ok(builtIn.stdout.includes('GHSA-mrrh-fwg8-r2c3'));
    const replaced = await cli(['scan', tj, '--format', 'json', '--advisories', out]);
    assert.ok(!replaced.stdout.includes('GHSA-mrrh-fwg8-r2c3'));
    // An old snapshot is not preferred; a broken named one is a usage error.
    fs.writeFileSync(out, JSON.stringify({ ...snap, date: '2020-01-01' }));
    const old = await cli(['scan', dir, '--format', 'json']);
    assert.match(old.stderr, /older than the advisories built into pipewarden/);
    fs.writeFileSync(out, '{');
    assert.equal((await cli(['scan', dir, '--advisories', out])).code, 2);
  } finally {
    await gh.close();
  }
});

const FIX_WORKFLOW = [
  'on: push',
  'permissions: {}',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: acme/checkout@v4   # the checkout',
  '      - uses: "acme/setup@v2"',
  '      - uses: acme/checkout@v4.2.1',
  '      - uses: acme/missing@v1',
  '      - {uses: acme/setup@v2}',
  '      - uses: acme/checkout@develop',
  '  reuse:',
  '    uses: acme/setup/.github/workflows/build.yml@v2.0.0',
  '',
].join('\n');

test('fix --online: tags become SHAs with the most precise tag in a comment; dry run, lock file, offline reuse, unresolved references', async () => {
  const gh = await startFakeGithub(REPOS);
  const dir = tree({ '.github/workflows/ci.yml': FIX_WORKFLOW });
  const file = path.join(dir, '.github/workflows/ci.yml');
  const lock = path.join(dir, '.pipewarden', 'pins.lock.json');
  const cache = tempDir();
  try {
    const dry = await cli(['fix', dir, '--dry-run', '--online', '--github-api', gh.url, '--cache-dir', cache, '--rules', 'unpinned-uses'], { token: 't' });
    assert.equal(dry.code, 1);
    assert.equal(fs.readFileSync(file, 'utf8'), FIX_WORKFLOW);
    assert.ok(!fs.existsSync(lock), 'a dry run writes no lock file');
    assert.ok(dry.stdout.includes('\n-      - uses: acme/checkout@v4   # the checkout\n'), dry.stdout);
    assert.ok(dry.stdout.includes(`\n+      - uses: acme/checkout@${K422} # v4.2.2   # the checkout\n`), dry.stdout);
    assert.match(dry.stderr, /could not pin \S+ci\.yml:10 acme\/missing@v1: no tag or branch `v1` in acme\/missing/);
    assert.match(dry.stderr, /skipped \S+ci\.yml:12 unpinned-uses: unsafe/);

    const applied = await cli(['fix', dir, '--online', '--github-api', gh.url, '--cache-dir', cache, '--rules', 'unpinned-uses'], { token: 't' });
    assert.equal(applied.code, 1);
    assert.equal(
      fs.readFileSync(file, 'utf8'),
      [
        'on: push',
        'permissions: {}',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        `      - uses: acme/checkout@${K422} # v4.2.2   # the checkout`,
        `      - uses: "acme/setup@${SETUP}" # v2.0.0`,
        `      - uses: acme/checkout@${K421} # v4.2.1`,
        '      - uses: acme/missing@v1',
        '      - {uses: acme/setup@v2}',
        '      - uses: acme/checkout@develop',
        '  reuse:',
        `    uses: acme/setup/.github/workflows/build.yml@${SETUP} # v2.0.0`,
        '',
      ].join('\n'),
    );
    const locked = JSON.parse(fs.readFileSync(lock, 'utf8'));
    assert.deepEqual(Object.keys(locked), ['acme/checkout@develop', 'acme/checkout@v4', 'acme/checkout@v4.2.1', 'acme/setup@v2', 'acme/setup@v2.0.0']);
    assert.deepEqual({ ...locked['acme/checkout@v4'], resolvedAt: 'x' }, { sha: K422, version: 'v4.2.2', kind: 'tag', resolvedAt: 'x' });
    assert.equal(locked['acme/checkout@develop'].kind, 'branch');
    await gh.close();

    // The lock answers without the network: the server is gone.
    const next = tree({ '.github/workflows/ci.yml': 'on: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: acme/checkout@v4\r\n      - uses: acme/checkout@develop\r\n' });
    const again = await cli(['fix', next, '--unsafe', '--lock', lock, '--rules', 'unpinned-uses']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(fs.readFileSync(path.join(next, '.github/workflows/ci.yml'), 'utf8'), `on: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n    steps:\r\n      - uses: acme/checkout@${K422} # v4.2.2\r\n      - uses: acme/checkout@${RELEASE} # develop\r\n`);
    // A second run has nothing left to do.
    const idle = await cli(['fix', next, '--unsafe', '--lock', lock, '--rules', 'unpinned-uses']);
    assert.equal(idle.code, 0);
    assert.match(idle.stderr, /applied 0 fixes/);
    fs.writeFileSync(lock, '{"acme/x@v1": {"sha": "nope"}}');
    assert.equal((await cli(['fix', next, '--lock', lock])).code, 2);
  } finally {
    await gh.close().catch(() => undefined);
  }
});

test('scan --online against a GitHub Enterprise API root: impostor found with medium confidence when not every tag could be compared', async () => {
  const gh = await startFakeGithub(REPOS);
  const saved = LIMITS.comparedTags;
  LIMITS.comparedTags = 1;
  try {
    const dir = tree({ '.github/workflows/ci.yml': ONLINE_WORKFLOW });
    const r = await cli(['scan', dir, '--online', '--github-api', `${gh.url}/api/v3`, '--cache-dir', tempDir(), '--format', 'json'], { token: 't' });
    assert.equal(r.stderr, '');
    assert.ok(onlineFindings(r.stdout).includes('8:15 impostor-commit high/medium'), r.stdout);
    assert.ok(gh.requests.every((q) => q.startsWith('/api/v3/')));
    assert.ok(gh.requests.includes('/api/v3/repos/acme/tool/tags?per_page=100&page=2'));
  } finally {
    LIMITS.comparedTags = saved;
    await gh.close();
  }
});

test('client: a server that does not answer times out with a clear error and stops the client', async () => {
  const http = await import('node:http');
  let hits = 0;
  const server = http.createServer(() => {
    hits++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new GitHubClient({ apiBase: `http://127.0.0.1:${(server.address() as { port: number }).port}`, timeoutMs: 150 });
    await assert.rejects(client.json('/repos/a/b'), (e: unknown) => e instanceof GitHubError && e.kind === 'timeout' && /did not answer within/.test(e.message));
    await assert.rejects(client.json('/repos/a/c'), (e: unknown) => e instanceof GitHubError && e.kind === 'timeout');
    assert.equal(hits, 1);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('helpers: Link headers, version ranges, precise tags, cache freshness and ETag revalidation', async () => {
  assert.equal(nextLink('<https://api.github.com/x?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"'), 'https://api.github.com/x?page=2');
  assert.equal(nextLink('<https://api.github.com/x?page=1>; rel="prev"'), undefined);
  assert.deepEqual(parseRange('>= 4.0.0, < 4.1.3'), { introduced: '4.0.0', fixed: '4.1.3' });
  assert.deepEqual(parseRange('<= 45.0.7'), { lastAffected: '45.0.7' });
  assert.deepEqual(parseRange('= 1.2.0'), { introduced: '1.2.0', lastAffected: '1.2.0' });
  assert.equal(parseRange('> 1.0'), undefined);
  assert.equal(parseRange('>= 1.0.0-beta'), undefined);
  assert.deepEqual(toActionAdvisories({ ghsa_id: 'G', summary: 's', severity: 'moderate', vulnerabilities: [{ package: { ecosystem: 'actions', name: 'a/b' }, vulnerable_version_range: '< 3', first_patched_version: { identifier: '3.0.0' } }] }).advisories, [{ id: 'G', action: 'a/b', severity: 'medium', summary: 's', fixed: '3' }]);
  assert.equal(mostPreciseTag('v4', ['v4', 'v4.2', 'v4.2.2', 'latest']), 'v4.2.2');
  assert.equal(mostPreciseTag('v4', ['v5.0.0']), 'v4');

  let now = 1_000_000;
  const dir = tempDir();
  const cache = new ResponseCache(dir, 1000, () => now);
  await cache.put({ url: 'u', status: 200, body: [1], etag: '"e"' });
  assert.equal((await cache.get('u'))?.fresh, true);
  now += 2000;
  assert.equal((await cache.get('u'))?.fresh, false);
  fs.writeFileSync(path.join(dir, fs.readdirSync(dir)[0]!), '{not json');
  assert.equal(await cache.get('u'), undefined);

  // A stale entry is revalidated with If-None-Match; 304 keeps the cached body.
  const http = await import('node:http');
  const seen: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers['if-none-match'] as string | undefined);
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { etag: '"v1"', 'content-type': 'application/json' }).end('{"n":1}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const stale = new ResponseCache(tempDir(), 0);
    assert.deepEqual(await new GitHubClient({ apiBase: base, cache: stale }).json('/x'), { n: 1 });
    assert.deepEqual(await new GitHubClient({ apiBase: base, cache: stale }).json('/x'), { n: 1 });
    assert.deepEqual(seen, [undefined, '"v1"']);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('corpus proof: pin fixes over every workflow of the corpus change only the ref and add the comment; files still parse; a second run changes nothing', { timeout: 300_000 }, async () => {
  if (!fs.existsSync(CORPUS)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-pin-corpus-'));
  // A third of the workflows (every third by path) keeps the test quick on a shared machine.
  const workflows = findCorpusFiles((n) => /\.ya?ml$/.test(n)).filter((f) => path.relative(CORPUS, f).split(path.sep).join('/').includes('.github/workflows/'));
  for (const f of workflows.sort().filter((_, i) => i % 3 === 0)) {
    const rel = path.relative(CORPUS, f);
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(f, path.join(dir, rel));
  }
  const opts: ScanOptions = { rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: dir, toolVersion: 'test' };
  const { uses } = await collectGithubUses([dir], opts);
  const pins = new Map<string, PinEntry>();
  for (const u of uses) if (u.pin === 'tag') pins.set(pinKey(u.owner, u.repo, u.ref), { sha: createHash('sha1').update(u.key + u.ref).digest('hex'), version: `${u.ref}-pinned`, kind: 'tag', resolvedAt: '' });
  const withPins = { ...opts, external: { pins } };
  const before = new Map(uses.map((u) => [u.file, fs.readFileSync(path.join(dir, u.file), 'utf8')]));
  const report = await fixPaths([dir], withPins, { dryRun: false, unsafe: false, rules: new Set(['unpinned-uses']) });
  assert.deepEqual(report.errors, []);
  assert.ok(report.applied > 300, `applied ${report.applied}`);
  for (const [file, old] of before) {
    const now = fs.readFileSync(path.join(dir, file), 'utf8');
    assert.equal(parseYaml(new SourceFile(file, now)).problems.filter((p) => p.fatal).length, parseYaml(new SourceFile(file, old)).problems.filter((p) => p.fatal).length, file);
    const oldLines = old.split('\n');
    const newLines = now.split('\n');
    assert.equal(newLines.length, oldLines.length, file);
    newLines.forEach((line, i) => {
      if (line === oldLines[i]) return;
      // Undo the fix on the line: the ref back in place of the SHA, the added comment out.
      const m = /@([0-9a-f]{40})(["']?) # (\S+)-pinned/.exec(line);
      assert.ok(m, `${file}:${i + 1}: ${line}`);
      assert.equal(line.replace(m[0], `@${m[3]}${m[2]}`), oldLines[i], `${file}:${i + 1}`);
    });
  }
  // Nothing left to pin: every tag reference was fixed in the first run.
  const again = await fixPaths([dir], withPins, { dryRun: true, unsafe: false, rules: new Set(['unpinned-uses']) });
  assert.equal(again.applied, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});
