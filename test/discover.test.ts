/**
 * File discovery: what is read, what is skipped, and that nothing on disk
 * (symlink loops, links out of the tree, FIFOs) can hang or widen a scan.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { discover } from '../src/core/discover.js';
import { scanFile, scanPaths, type ScanOptions } from '../src/core/scan.js';
import { allRules } from '../src/rules/index.js';
import { emptyConfig, type Config } from '../src/config/config.js';
import { compileGlob } from '../src/config/glob.js';

const WORKFLOW = 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  // realpath: on some systems the temp folder is itself behind a symlink.
  const d = fs.realpathSync(fs.mkdtempSync(os.tmpdir() + '/pw-'));
  made.push(d);
  return d;
}

function put(dir: string, rel: string, content: string | Buffer = WORKFLOW): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

function mkfifo(p: string): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  execFileSync('mkfifo', [p]);
  return p;
}

function options(dir: string, config: Config = emptyConfig()): ScanOptions {
  return {
    rules: allRules,
    config,
    persona: 'regular',
    minSeverity: 'info',
    minConfidence: 'low',
    cwd: dir,
    toolVersion: 'test',
    onInternalError: (file, err) => assert.fail(`internal error in ${file}: ${(err as Error).message}`),
  };
}

/** Runs `work`; if it has not settled after `ms`, unblocks any reader stuck on `fifo` and fails. */
async function withinOrUnblock<T>(work: Promise<T>, ms: number, fifo: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  const winner = await Promise.race([work, timeout]);
  clearTimeout(timer);
  if (winner === 'timeout') {
    // A reader blocked in open(2) on the FIFO is released by a writer opening it.
    try {
      fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
    } catch {
      /* no reader waiting */
    }
    await work.catch(() => undefined);
    assert.fail(`did not finish within ${ms} ms: the FIFO ${fifo} was opened and blocked`);
  }
  return winner as T;
}

test('.git, node_modules, .hg and .svn are not entered; only candidate names are kept', async () => {
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  put(dir, 'src/app.yaml', 'a: 1\n');
  put(dir, 'Dockerfile', 'FROM alpine\n');
  put(dir, 'README.md', '# hi\n');
  put(dir, 'src/main.ts', 'export {};\n');
  put(dir, '.git/hooks/x.yml');
  put(dir, '.git/config.yml');
  put(dir, 'node_modules/pkg/.github/workflows/ci.yml');
  put(dir, 'sub/node_modules/pkg/action.yml', 'runs:\n  using: composite\n  steps: []\n');
  put(dir, '.hg/x.yml');
  put(dir, '.svn/x.yml');
  const { candidates, notes } = await discover([dir]);
  // A folder's files come before its subfolders.
  assert.deepEqual(
    candidates.map((c) => c.relPath),
    ['Dockerfile', '.github/workflows/ci.yml', 'src/app.yaml'],
  );
  assert.ok(candidates.every((c) => !c.explicit && path.isAbsolute(c.absPath) && fs.statSync(c.absPath).isFile()));
  assert.deepEqual(notes, []);

  const result = await scanPaths([dir], options(dir));
  assert.deepEqual(result.files.map((f) => f.path).sort(), ['.github/workflows/ci.yml', 'Dockerfile', 'src/app.yaml']);
});

test('a symlink loop terminates and each real file is scanned once', { timeout: 20_000 }, async () => {
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  put(dir, 'sub/deeper/x.yml');
  fs.symlinkSync(dir, path.join(dir, 'a')); // dir/a -> dir
  fs.symlinkSync('..', path.join(dir, 'sub/up')); // dir/sub/up -> dir
  fs.symlinkSync('../..', path.join(dir, 'sub/deeper/top')); // -> dir
  fs.symlinkSync('deeper', path.join(dir, 'sub/again')); // -> dir/sub/deeper, also reached directly
  fs.symlinkSync('l2', path.join(dir, 'l1')); // l1 -> l2 -> l1: ELOOP
  fs.symlinkSync('l1', path.join(dir, 'l2'));
  const { candidates, notes } = await discover([dir]);
  const real = candidates.map((c) => fs.realpathSync(c.absPath));
  assert.equal(new Set(real).size, real.length, `a file was found twice: ${JSON.stringify(candidates.map((c) => c.relPath))}`);
  assert.deepEqual(real.sort(), [path.join(dir, '.github/workflows/ci.yml'), path.join(dir, 'sub/deeper/x.yml')].sort());
  assert.deepEqual(
    notes.map((n) => [path.basename(n.path), n.reason]).sort(),
    [
      ['l1', 'broken or looping symlink; not followed'],
      ['l2', 'broken or looping symlink; not followed'],
    ],
  );

  const result = await scanPaths([dir], options(dir));
  const scanned = result.files.filter((f) => f.status !== 'skipped').map((f) => f.path);
  assert.equal(scanned.length, 2, JSON.stringify(result.files));
  assert.equal(result.findings.filter((f) => f.rule === 'template-injection').length, 2, 'each workflow checked once');
});

test('a symlink to a file in the tree is read once, under whichever name comes first', async () => {
  const dir = tmp();
  put(dir, 'b-real.yml', 'x: 1\n');
  fs.symlinkSync('b-real.yml', path.join(dir, 'a-link.yml'));
  const { candidates } = await discover([dir]);
  assert.deepEqual(candidates.map((c) => c.relPath), ['a-link.yml']);
});

test('a symlink leading outside the scanned folder is not followed, and is noted', async () => {
  const outside = tmp();
  put(outside, 'secret-wf.yml');
  put(outside, 'tree/.github/workflows/other.yml');
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  fs.symlinkSync(path.join(outside, 'secret-wf.yml'), path.join(dir, '.github/workflows/linked.yml'));
  fs.symlinkSync(path.join(outside, 'tree'), path.join(dir, 'vendored'));
  fs.symlinkSync('/nonexistent/pw-target', path.join(dir, 'dangling.yml'));
  const { candidates, notes } = await discover([dir]);
  assert.deepEqual(candidates.map((c) => c.relPath), ['.github/workflows/ci.yml']);
  assert.deepEqual(
    notes.map((n) => [path.relative(dir, n.path), n.reason]).sort(),
    [
      ['.github/workflows/linked.yml', 'symlink leads outside the scanned folder; not followed'],
      ['dangling.yml', 'broken or looping symlink; not followed'],
      ['vendored', 'symlink leads outside the scanned folder; not followed'],
    ],
  );

  const result = await scanPaths([dir], options(dir));
  const linked = result.files.find((f) => f.path === '.github/workflows/linked.yml');
  assert.deepEqual(linked, { path: '.github/workflows/linked.yml', status: 'skipped', reason: 'symlink leads outside the scanned folder; not followed' });
  assert.ok(!result.files.some((f) => f.path.includes('other.yml')));
  assert.equal(result.findings.filter((f) => f.rule === 'template-injection').length, 1);
});

test('a FIFO inside a folder is never opened, and is noted when it has a pipeline name', { timeout: 20_000 }, async () => {
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  const fifo = mkfifo(path.join(dir, '.github/workflows/fifo.yml'));
  mkfifo(path.join(dir, 'pipe-not-yaml'));
  fs.symlinkSync('fifo.yml', path.join(dir, '.github/workflows/to-fifo.yml'));
  const { candidates, notes } = await withinOrUnblock(discover([dir]), 5000, fifo);
  assert.deepEqual(candidates.map((c) => c.relPath), ['.github/workflows/ci.yml']);
  assert.deepEqual(
    notes.map((n) => [path.relative(dir, n.path), n.reason]).sort(),
    [
      ['.github/workflows/fifo.yml', 'not a regular file (FIFO, socket or device); not opened'],
      ['.github/workflows/to-fifo.yml', 'not a regular file (FIFO, socket or device); not opened'],
    ],
  );
  const result = await withinOrUnblock(scanPaths([dir], options(dir)), 5000, fifo);
  assert.deepEqual(result.files.find((f) => f.path === '.github/workflows/fifo.yml')?.status, 'skipped');
  assert.equal(result.files.find((f) => f.path === '.github/workflows/ci.yml')?.status, 'scanned');
});

test('a FIFO named explicitly is never opened', { timeout: 20_000 }, async () => {
  const dir = tmp();
  const fifo = mkfifo(path.join(dir, '.github/workflows/x.yml'));
  const { candidates, notes } = await withinOrUnblock(discover([fifo]), 5000, fifo);
  assert.deepEqual(candidates, []);
  assert.deepEqual(notes, [{ path: fifo, reason: 'not a regular file or folder (FIFO, socket or device); not opened' }]);
  const result = await withinOrUnblock(scanPaths([fifo], options(dir)), 5000, fifo);
  assert.deepEqual(result.files, [{ path: '.github/workflows/x.yml', status: 'skipped', reason: 'not a regular file or folder (FIFO, socket or device); not opened' }]);
  // scanFile on its own (a file that became a FIFO after discovery) must not block in open(2) either.
  const direct = await withinOrUnblock(scanFile(fifo, '.github/workflows/x.yml', '.github/workflows/x.yml', options(dir)), 5000, fifo);
  assert.equal(direct.record.status, 'skipped');
  assert.match(direct.record.reason ?? '', /not a regular file/);
});

test('a file named explicitly is always considered, whatever its name or place', async () => {
  const dir = tmp();
  const txt = put(dir, 'pipeline.txt');
  const noext = put(dir, 'ci-workflow');
  const notes = put(dir, 'notes.txt', 'just some words\n');
  const png = put(dir, 'logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
  const inSkipped = put(dir, 'node_modules/pkg/.github/workflows/ci.yml');
  const d = await discover([txt, noext, notes, png, inSkipped]);
  assert.deepEqual(d.candidates.map((c) => [path.basename(c.absPath), c.explicit]), [
    ['pipeline.txt', true],
    ['ci-workflow', true],
    ['notes.txt', true],
    ['logo.png', true],
    ['ci.yml', true],
  ]);

  const result = await scanPaths([txt, noext, notes, png, inSkipped], options(dir));
  const status = Object.fromEntries(result.files.map((f) => [f.path, [f.status, f.platform ?? null, f.kind ?? null]]));
  assert.deepEqual(status, {
    // Unknown extensions are classified by content when named explicitly: these are GitHub workflows.
    'pipeline.txt': ['scanned', 'gha', 'workflow'],
    'ci-workflow': ['scanned', 'gha', 'workflow'],
    'notes.txt': ['not-pipeline', null, null],
    'logo.png': ['skipped', null, null],
    'node_modules/pkg/.github/workflows/ci.yml': ['scanned', 'gha', 'workflow'],
  });
  assert.match(result.files.find((f) => f.path === 'logo.png')!.reason ?? '', /binary/);
  const ti = result.findings.filter((f) => f.rule === 'template-injection');
  assert.deepEqual(ti.map((f) => [f.file, f.span.line, f.span.column]).sort(), [
    ['ci-workflow', 7, 19],
    ['node_modules/pkg/.github/workflows/ci.yml', 7, 19],
    ['pipeline.txt', 7, 19],
  ]);
});

test('the same file named twice, or inside a folder also named, is scanned once', async () => {
  const dir = tmp();
  const wf = put(dir, '.github/workflows/ci.yml');
  const result = await scanPaths([dir, wf, dir, path.join(dir, '.github')], options(dir));
  assert.deepEqual(result.files.map((f) => f.path), ['.github/workflows/ci.yml']);
  assert.equal(result.findings.filter((f) => f.rule === 'template-injection').length, 1);
});

test('a path that does not exist is noted, not thrown', async () => {
  const dir = tmp();
  const missing = path.join(dir, 'nope');
  const { candidates, notes } = await discover([missing]);
  assert.deepEqual(candidates, []);
  assert.deepEqual(notes, [{ path: missing, reason: 'cannot read: ENOENT' }]);
});

test('isIgnored: folders are asked with a trailing slash and pruned; files by path', async () => {
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  put(dir, '.github/workflows/generated.yml');
  put(dir, 'vendor/lib/.github/workflows/ci.yml');
  put(dir, 'app/deploy.yml', 'a: 1\n');
  mkfifo(path.join(dir, 'vendor/pipe.yml'));
  const asked: string[] = [];
  const { candidates, notes } = await discover([dir], {
    isIgnored: (rel) => {
      asked.push(rel);
      return rel === 'vendor/' || rel.endsWith('generated.yml');
    },
  });
  assert.deepEqual(candidates.map((c) => c.relPath), ['.github/workflows/ci.yml', 'app/deploy.yml']);
  assert.deepEqual(notes, [], 'an ignored folder is not entered, so its FIFO is not even noted');
  assert.ok(asked.includes('vendor/') && asked.includes('.github/') && asked.includes('.github/workflows/'));
  assert.ok(asked.includes('.github/workflows/generated.yml') && asked.includes('app/deploy.yml'));
  assert.ok(!asked.some((a) => a.startsWith('vendor/lib')), 'nothing below an ignored folder is looked at');
});

test('ignorePaths from the config: globs for folders and files', async () => {
  const dir = tmp();
  put(dir, '.github/workflows/ci.yml');
  put(dir, '.github/workflows/release.generated.yml');
  put(dir, 'vendor/lib/.github/workflows/ci.yml');
  put(dir, 'deep/er/vendor/.github/workflows/ci.yml');
  const config = emptyConfig();
  config.ignorePaths = [compileGlob('vendor/'), compileGlob('**/*.generated.yml')];
  const result = await scanPaths([dir], options(dir, config));
  assert.deepEqual(result.files.map((f) => f.path), ['.github/workflows/ci.yml']);
});
