import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writePiecesToFile } from '../src/cli/write.js';

function folder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pw-write-'));
}

/** 200 KiB of report in pieces, then a failure: a formatter's bug midway. */
function* failingReport(): Generator<string> {
  for (let i = 0; i < 200; i++) yield 'x'.repeat(1024);
  throw new Error('formatter failed');
}

test('a report that fails midway leaves the file it replaces as it was, and nothing beside it', async () => {
  const dir = folder();
  const out = path.join(dir, 'report.sarif');
  fs.writeFileSync(out, 'the earlier report\n');
  await assert.rejects(writePiecesToFile(out, failingReport()), /formatter failed/);
  assert.equal(fs.readFileSync(out, 'utf8'), 'the earlier report\n');
  assert.deepEqual(fs.readdirSync(dir), ['report.sarif']);
  // With no earlier report, none appears.
  const fresh = path.join(dir, 'new.json');
  await assert.rejects(writePiecesToFile(fresh, failingReport()), /formatter failed/);
  assert.deepEqual(fs.readdirSync(dir), ['report.sarif']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a report replaces the file whole, keeping its mode; a link keeps pointing where it did', async () => {
  const dir = folder();
  const out = path.join(dir, 'report.json');
  fs.writeFileSync(out, 'x'.repeat(100_000));
  fs.chmodSync(out, 0o640);
  await writePiecesToFile(out, ['{"a":', '1}\n']);
  assert.equal(fs.readFileSync(out, 'utf8'), '{"a":1}\n');
  assert.equal(fs.statSync(out).mode & 0o777, 0o640);
  fs.mkdirSync(path.join(dir, 'real'));
  const real = path.join(dir, 'real', 'r.json');
  fs.writeFileSync(real, 'old');
  const link = path.join(dir, 'link.json');
  fs.symlinkSync(real, link);
  await writePiecesToFile(link, ['new']);
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.equal(fs.readFileSync(real, 'utf8'), 'new');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'real')), ['r.json']);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a report name near the file system\'s limit is written; a file with other hard links is rewritten for all its names', async () => {
  const dir = folder();
  const long = path.join(dir, `${'r'.repeat(245)}.json`);
  await writePiecesToFile(long, ['long']);
  assert.equal(fs.readFileSync(long, 'utf8'), 'long');
  const out = path.join(dir, 'r.json');
  fs.writeFileSync(out, 'old');
  fs.linkSync(out, path.join(dir, 'r2.json'));
  await writePiecesToFile(out, ['new']);
  assert.equal(fs.readFileSync(path.join(dir, 'r2.json'), 'utf8'), 'new');
  assert.equal(fs.statSync(out).nlink, 2);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a device or a pipe is written in place', { skip: process.platform === 'win32', timeout: 10_000 }, async () => {
  await writePiecesToFile('/dev/null', ['report']);
  // A FIFO read by another process: renaming over it would leave the reader waiting forever.
  const dir = folder();
  const fifo = path.join(dir, 'fifo');
  const made = (await import('node:child_process')).spawnSync('mkfifo', [fifo]);
  if (made.status === 0) {
    const reading = new Promise<string>((resolve, reject) => fs.readFile(fifo, 'utf8', (e, text) => (e ? reject(e) : resolve(text))));
    await writePiecesToFile(fifo, ['through ', 'the pipe']);
    assert.equal(await reading, 'through the pipe');
    assert.ok(fs.statSync(fifo).isFIFO());
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
