/** Runs the real binary, as a user or a CI job would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = path.join(repoRoot, 'bin/pipewarden.js');
const example = path.join(repoRoot, 'examples/vulnerable-repo');

function run(args: string[], cwd = repoRoot, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-cli-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const VULNERABLE = 'on: issues\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
const CLEAN = 'on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n';

test('--version and --help', () => {
  const v = run(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = run(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /pipewarden scan/);
});

test('usage errors exit 2 with a message and no stack trace', () => {
  for (const args of [['frobnicate'], ['scan', '--format', 'xml', '.'], ['scan', '/no/such/path'], ['scan', '--min-severity', 'huge', '.'], ['scan', '--bogus'], ['explain', 'no-such-rule']]) {
    const r = run(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code} ${r.stderr}`);
    assert.match(r.stderr, /^pipewarden: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('text output of the shipped example: findings, code frame, summary, exit 1', () => {
  const r = run(['scan', example]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /examples\/vulnerable-repo\/\.github\/workflows\/pr-triage\.yml:19:24 high .*template-injection/);
  assert.match(r.stdout, /\n\s+19 \|\s+echo "Title: \$\{\{ github\.event\.pull_request\.title \}\}"\n\s+\|\s+\^{38}\n/);
  assert.match(r.stdout, /\d+ findings \(.*high.*\) in 2 files scanned/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when not a TTY');
  assert.doesNotMatch(r.stdout, /ci\.yml/, 'the hardened workflow has no findings');
});

test('exit 0 when nothing reaches the thresholds, 1 when something does', () => {
  const dir = tempRepo({ '.github/workflows/ok.yml': CLEAN, '.github/workflows/bad.yml': VULNERABLE });
  assert.equal(run(['scan', path.join(dir, '.github/workflows/ok.yml')], dir).code, 0);
  assert.equal(run(['scan', '.'], dir).code, 1);
  assert.equal(run(['scan', '.', '--min-severity', 'critical'], dir).code, 0);
  assert.equal(run(['scan', '.', '--min-confidence', 'high'], dir).code, 1);
});

test('json output: findings with 1-based positions and every file accounted for', () => {
  const dir = tempRepo({ '.github/workflows/bad.yml': VULNERABLE, 'Dockerfile': 'FROM alpine\n', 'config/app.yml': 'name: x\n' });
  const r = run(['scan', '.', '--format', 'json'], dir);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.version, 1);
  const f = doc.findings.find((x: { rule: string }) => x.rule === 'template-injection');
  assert.deepEqual([f.file, f.line, f.column, f.severity, f.owasp], ['.github/workflows/bad.yml', 8, 20, 'high', 'CICD-SEC-4']);
  const files = Object.fromEntries(doc.files.map((x: { path: string; status: string }) => [x.path, x.status]));
  assert.deepEqual(files, { '.github/workflows/bad.yml': 'scanned', Dockerfile: 'scanned', 'config/app.yml': 'not-pipeline' });
});

test('sarif and github formats', () => {
  const dir = tempRepo({ '.github/workflows/bad.yml': VULNERABLE });
  const s = run(['scan', '.', '--format', 'sarif'], dir);
  const sarif = JSON.parse(s.stdout);
  assert.equal(sarif.version, '2.1.0');
  const result = sarif.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'template-injection');
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, '.github/workflows/bad.yml');
  assert.equal(result.locations[0].physicalLocation.region.startLine, 8);
  const g = run(['scan', '.', '--format', 'github'], dir);
  assert.match(g.stdout, /^::error file=\.github\/workflows\/bad\.yml,line=8,col=20,endLine=8,endColumn=51,title=template-injection::/m);
});

test('--output writes the report to a file', () => {
  const dir = tempRepo({ '.github/workflows/bad.yml': VULNERABLE });
  const r = run(['scan', '.', '--format', 'json', '--output', 'report.json'], dir);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).findings.length > 0, true);
  // A folder where the report should go: one line that says so, exit 2, no stack trace.
  fs.mkdirSync(path.join(dir, 'out'));
  const blocked = run(['scan', '.', '--output', 'out'], dir);
  assert.equal(blocked.code, 2);
  assert.equal(blocked.stderr, 'pipewarden: cannot write out: EISDIR\n');
});

test('config: disable a rule, change a severity, ignore a path', () => {
  const dir = tempRepo({
    '.github/workflows/bad.yml': VULNERABLE,
    'vendor/.github/workflows/x.yml': VULNERABLE,
    '.pipewarden.yml': 'rules:\n  template-injection:\n    severity: low\n  unpinned-uses: off\nignore:\n  - vendor/\n',
  });
  const doc = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  const ti = doc.findings.filter((x: { rule: string }) => x.rule === 'template-injection');
  assert.equal(ti.length, 1);
  assert.equal(ti[0].severity, 'low');
  assert.equal(doc.files.some((x: { path: string }) => x.path.startsWith('vendor/')), false);
});

test('a bad config names the file, line and key, and exits 2', () => {
  const dir = tempRepo({ '.github/workflows/bad.yml': VULNERABLE, '.pipewarden.yml': 'rules:\n  template-injection:\n    severity: huge\n' });
  const r = run(['scan', '.'], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.pipewarden\.yml:3:5: .*severity/);
  const unknown = tempRepo({ '.pipewarden.yml': 'rulez: {}\n' });
  const u = run(['scan', '.'], unknown);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /\.pipewarden\.yml:1:1: unknown key `rulez`/);
  const missing = run(['scan', '.', '--config', 'nope.yml'], unknown);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yml: cannot read config/);
});

test('rule options are validated; the engine\'s own rules can be switched off', () => {
  const typo = tempRepo({ '.pipewarden.yml': 'rules:\n  unpinned-uses:\n    options:\n      policies:\n        actions/*: hash-pinn\n' });
  const r = run(['scan', '.'], typo);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.pipewarden\.yml:3:5: `rules\.unpinned-uses\.options`: policy for `actions\/\*` must be hash-pin, ref-pin or any/);
  const deny = tempRepo({ '.pipewarden.yml': 'rules:\n  forbidden-uses:\n    options:\n      deny: actions/checkout\n' });
  assert.equal(run(['scan', '.'], deny).code, 2);
  const broken = tempRepo({ '.github/workflows/x.yml': 'on: push\njobs: [\n', '.pipewarden.yml': 'rules:\n  parse-error: off\n' });
  const b = run(['scan', '.', '--format', 'json'], broken);
  assert.equal(b.code, 0);
  assert.deepEqual(JSON.parse(b.stdout).findings, []);
});

test('inline ignores need a reason', () => {
  const withReason = VULNERABLE.replace('      - run:', '      # pipewarden: ignore[template-injection] the title is validated by the labeler first\n      - run:');
  const noReason = VULNERABLE.replace('      - run:', '      # pipewarden: ignore[template-injection]\n      - run:');
  const dir = tempRepo({ '.github/workflows/a.yml': withReason, '.github/workflows/b.yml': noReason });
  const doc = JSON.parse(run(['scan', '.', '--format', 'json'], dir).stdout);
  const rules = (file: string) => doc.findings.filter((x: { file: string }) => x.file === file).map((x: { rule: string }) => x.rule).sort();
  assert.deepEqual(rules('.github/workflows/a.yml'), []);
  assert.deepEqual(rules('.github/workflows/b.yml'), ['invalid-ignore', 'template-injection']);
  assert.equal(doc.summary.suppressed, 1);
});

test('rules and explain', () => {
  const list = run(['rules']);
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^template-injection\s+high/m);
  const ex = run(['explain', 'artipacked']);
  assert.equal(ex.code, 0);
  assert.match(ex.stdout, /persist-credentials: false/);
  assert.match(ex.stdout, /CICD-SEC-6/);
});

test('fix asks no registry without --online: an image missing from the lock file is skipped with that reason', () => {
  const dir = tempRepo({ '.github/workflows/a.yml': 'on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    container: node:20\n    steps:\n      - run: echo hi\n' });
  const r = run(['fix', dir, '--dry-run', '--rules', 'unpinned-images']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /could not resolve docker\.io\/library\/node:20: not in \.pipewarden\/images\.lock\.json, and registries are asked only with --online/);
  assert.doesNotMatch(r.stderr, /cannot reach|ENOTFOUND|fetch failed/);
});

test('scan and fix given a dangling symlink answer plainly, not with an internal error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-dangling-'));
  fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'link.yml'));
  for (const args of [['scan', 'link.yml'], ['fix', 'link.yml', '--dry-run']]) {
    const r = run(args, dir);
    assert.doesNotMatch(r.stderr, /internal error/, `${args[0]}: ${r.stderr}`);
    assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--jobs 2 through the binary (workers started from dist/scan-worker.cjs): the report is the one thread\'s', () => {
  // Enough files for a worker (64 each), with findings, a clean file and a Kubernetes-style one for the main thread.
  const files: Record<string, string> = { 'k8s/task.yaml': 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - image: alpine\n      script: echo "$(params.x)"\n' };
  for (let i = 0; i < 150; i++) files[`.github/workflows/w${String(i).padStart(3, '0')}.yml`] = i % 3 === 0 ? CLEAN : VULNERABLE;
  const dir = tempRepo(files);
  const one = run(['scan', dir, '--format', 'json', '--jobs', '1']);
  const two = run(['scan', dir, '--format', 'json', '--jobs', '2']);
  assert.equal(two.stderr, '');
  assert.equal(one.code, 1);
  assert.equal(two.code, 1);
  assert.ok((JSON.parse(two.stdout) as { findings: unknown[] }).findings.length >= 100);
  assert.equal(two.stdout, one.stdout);
});

test('a report written to a file (where the binary leaves without waiting for the event loop) is whole, with its exit code', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 150; i++) files[`.github/workflows/w${String(i).padStart(3, '0')}.yml`] = i % 3 === 0 ? CLEAN : VULNERABLE;
  const dir = tempRepo(files);
  const toFile = (args: string[], cwd: string) => {
    const out = path.join(os.tmpdir(), `pw-out-${process.pid}-${args.join('_').replace(/\W/g, '')}`);
    const fd = fs.openSync(out, 'w');
    try {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { code: r.status, stderr: r.stderr, stdout: fs.readFileSync(out, 'utf8') };
    } finally {
      fs.closeSync(fd);
      fs.rmSync(out, { force: true });
    }
  };
  for (const jobs of ['1', '2']) {
    const args = ['scan', '.', '--format', 'sarif', '--jobs', jobs];
    const piped = run(args, dir);
    assert.equal(piped.code, 1);
    assert.ok(piped.stdout.length > 100_000, 'a report of some size');
    const written = toFile(args, dir);
    assert.equal(written.stderr, '');
    assert.equal(written.code, 1, `--jobs ${jobs}`);
    assert.equal(written.stdout, piped.stdout, `--jobs ${jobs}`);
  }
  const clean = tempRepo({ '.github/workflows/ok.yml': CLEAN });
  const passed = toFile(['scan', '.'], clean);
  assert.equal(passed.code, 0);
  assert.equal(passed.stdout, run(['scan', '.'], clean).stdout);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(clean, { recursive: true, force: true });
});

test('the bench child (an ES module bundle) scans with --jobs 2 and reads the floor', () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 150; i++) files[`.github/workflows/w${String(i).padStart(3, '0')}.yml`] = i % 3 === 0 ? CLEAN : VULNERABLE;
  const dir = tempRepo(files);
  const child = path.join(repoRoot, 'dist/bench-child.js');
  for (const [mode, jobs] of [['scan', '2'], ['floor', '1']] as const) {
    const r = spawnSync(process.execPath, [child, mode, dir, jobs], { encoding: 'utf8' });
    assert.equal(r.stderr, '', `${mode} --jobs ${jobs}`);
    assert.equal(r.status, 0);
    const figures = JSON.parse(r.stdout) as { files: number; findings: number };
    assert.equal(figures.files, 150);
    if (mode === 'scan') assert.ok(figures.findings >= 100);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the early way out is taken when output went to a file, not while a pipe still holds output, and never hides a failed write', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 150; i++) files[`.github/workflows/w${String(i).padStart(3, '0')}.yml`] = VULNERABLE;
  const dir = tempRepo(files);
  // Runs in the binary's process: says so if the event loop ran dry (the usual way out).
  const hook = path.join(dir, 'drained.cjs');
  fs.writeFileSync(hook, "process.on('beforeExit', () => require('node:fs').writeSync(2, 'drained\\n'));\n");
  const env = { ...process.env, NO_COLOR: '1', NODE_OPTIONS: `--require ${JSON.stringify(hook)}` };
  const out = path.join(dir, 'out.sarif');
  const fd = fs.openSync(out, 'w');
  const toFile = spawnSync(process.execPath, [bin, 'scan', '.github', '--format', 'sarif'], { cwd: dir, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', env });
  fs.closeSync(fd);
  assert.equal(toFile.status, 1);
  assert.equal(toFile.stderr, '', 'left at once');
  const report = fs.readFileSync(out, 'utf8');
  assert.ok(report.length > 100_000, 'more than a pipe buffer holds');

  // A reader that waits: the report cannot all be written at once, so the process drains the pipe first.
  const child = (await import('node:child_process')).spawn(process.execPath, [bin, 'scan', '.github', '--format', 'sarif'], { cwd: dir, env });
  child.stdout.pause();
  await new Promise((r) => setTimeout(r, 400));
  let piped = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (piped += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.resume();
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 1);
  assert.equal(piped, report);
  assert.equal(stderr, 'drained\n');

  // A full disk: the failed write is reported and fails the run (it exited 0 when the early way out first came).
  if (process.platform === 'linux' && fs.existsSync('/dev/full')) {
    const clean = tempRepo({ '.github/workflows/ok.yml': CLEAN });
    const full = fs.openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [bin, 'scan', '.'], { cwd: clean, stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
    fs.closeSync(full);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'pipewarden: cannot write output: ENOSPC\n');
    fs.rmSync(clean, { recursive: true, force: true });
  }
  // A file size limit cuts a write to --output short (here the only 64 KiB chunk): the next write says why, and the run fails (it used to end
  // with a report cut off mid-JSON and exit 1, as if complete). The report that was there stays whole, and nothing else is left behind.
  if (process.platform === 'linux' && fs.existsSync('/bin/bash')) {
    const steps = Array.from({ length: 30 }, (_, i) => `      - uses: actions/checkout@v${i}\n`).join('');
    const many = tempRepo({ '.github/workflows/many.yml': `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}` });
    const out = path.join(many, 'report.json');
    fs.writeFileSync(out, '{"earlier": "report"}\n');
    const r = spawnSync('/bin/bash', ['-c', 'ulimit -f 16; exec "$0" "$@"', process.execPath, bin, 'scan', '.', '--format', 'json', '--output', out], { cwd: many, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /EFBIG/);
    assert.equal(fs.readFileSync(out, 'utf8'), '{"earlier": "report"}\n');
    assert.deepEqual(fs.readdirSync(many).sort(), ['.github', 'report.json']);
    fs.rmSync(many, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
