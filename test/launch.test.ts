import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCli, wrapModule } from '../src/cli/launch.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

test('launch: the code cache is used for the bundle it was made from, and never for other bytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-launch-'));
  // Each load gets its own file: V8 would otherwise answer a second compile of the same source
  // in this process from its in-memory cache, and never look at the cache file under test.
  let loads = 0;
  const load = (code: string, cache: Buffer | string | undefined) => {
    const bundle = path.join(dir, `cli${++loads}.cjs`);
    fs.writeFileSync(bundle, wrapModule(code));
    if (cache !== undefined) fs.writeFileSync(`${bundle}.cache`, cache);
    return loadCli(bundle, `${bundle}.cache`);
  };
  const code = 'exports.main = async (argv) => argv.length + 40;\n';

  const cold = load(code, undefined);
  assert.equal(cold.cacheUsed, false, 'no cache file yet');
  assert.equal(await cold.main(['a', 'b']), 42);
  const good = cold.createCache();

  const warm = load(code, good);
  assert.equal(warm.cacheUsed, true);
  assert.equal(await warm.main(['a', 'b']), 42);
  // The copy's memory was read over with V8's data: a cache made again from this load still holds the exact bytes.
  const copyEnd = good.indexOf('\n') + 1 + Buffer.byteLength(wrapModule(code));
  assert.deepEqual(warm.createCache().subarray(0, copyEnd), good.subarray(0, copyEnd));

  // Same length, other code: V8's own check (length and flags) would take the stale cache; the copy of the bytes does not.
  const changed = load('exports.main = async (argv) => argv.length + 50;\n', good);
  assert.equal(changed.cacheUsed, false);
  assert.equal(await changed.main(['a', 'b']), 52, 'the new code runs');

  // Damaged V8 data is refused (its checksum), not run: a flipped byte used to crash the process.
  const v8Start = copyEnd;
  for (let at = v8Start; at < good.length; at += 37) {
    const damaged = Buffer.from(good);
    damaged[at] = damaged[at]! ^ 0x5a;
    const hurt = load(code, damaged);
    assert.equal(hurt.cacheUsed, false, `byte ${at} of ${good.length} changed`);
    assert.equal(await hurt.main(['a']), 41);
  }

  // A cache made by another Node.js release is not offered to V8.
  assert.equal(load(code, Buffer.from(good.toString('latin1').replace(`node ${process.version} `, 'node v0.0.0 '), 'latin1')).cacheUsed, false);

  // The bundle grown by a byte after the cache was made: refused, though the cache's copy is a prefix of it.
  const grown = load(code + ' ', good);
  assert.equal(grown.cacheUsed, false);
  assert.equal(await grown.main(['a', 'b']), 42);

  // A bundle with non-ASCII text (the build escapes it, a hand-made one may not): its cache gives the same UTF-8 source.
  const accented = 'exports.main = async () => "été".length + 40;\n';
  const first = load(accented, undefined);
  const second = load(accented, first.createCache());
  assert.equal(second.cacheUsed, true);
  assert.equal(await second.main([]), 43);
  const utf8End = first.createCache().indexOf('\n') + 1 + Buffer.byteLength(wrapModule(accented));
  assert.deepEqual(second.createCache().subarray(0, utf8End), first.createCache().subarray(0, utf8End), 'the UTF-8 copy is kept as read');
  // A header that calls those bytes ASCII would have them read as Latin-1 (a different program): V8 refuses the
  // data, and the bundle is then compiled from the file as it is.
  const misdescribed = Buffer.from(first.createCache().toString('latin1').replace(/ utf8\n/, ' ascii\n'), 'latin1');
  const third = load(accented, misdescribed);
  assert.equal(third.cacheUsed, false);
  assert.equal(await third.main([]), 43);

  // A bundle written without its module function (an older build, a hand edit) is refused by name, not run half-way.
  const bare = path.join(dir, 'bare.cjs');
  fs.writeFileSync(bare, code);
  assert.throws(() => loadCli(bare), /is not a wrapped module/);

  const garbage = load(code, 'not a cache at all');
  assert.equal(garbage.cacheUsed, false);
  assert.equal(await garbage.main([]), 40);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('launch: the build leaves a code cache that V8 takes for the shipped bundle', () => {
  const bundle = path.join(repoRoot, 'dist/pipewarden.cjs');
  const cli = loadCli(bundle, `${bundle}.cache`);
  assert.equal(cli.cacheUsed, true, 'npm run build should write dist/pipewarden.cjs.cache with the flags every start sets');
  assert.equal(typeof cli.main, 'function');
  // The bundle runs as strict code, like the ES modules it is built from: the directive must come first in its function.
  assert.ok(fs.readFileSync(bundle, 'latin1').startsWith(wrapModule('"use strict";').slice(0, -3)));
});

test('launch: a --jobs worker takes the shipped code cache too, leaving the flags the main thread set', async () => {
  const bundle = path.join(repoRoot, 'dist/pipewarden.cjs');
  const launcher = path.join(repoRoot, 'dist/launch.cjs');
  assert.equal(loadCli(bundle, `${bundle}.cache`).cacheUsed, true);
  // What dist/scan-worker.cjs does first, on a worker thread of this process.
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(
    `const { loadCli } = require(${JSON.stringify(launcher)}); const cli = loadCli(${JSON.stringify(bundle)}, ${JSON.stringify(`${bundle}.cache`)}, { tuneV8: false });
     require('node:worker_threads').parentPort.postMessage({ cacheUsed: cli.cacheUsed, worker: typeof cli.exports.runScanWorker });`,
    { eval: true },
  );
  const reply = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  await worker.terminate();
  assert.deepEqual(reply, { cacheUsed: true, worker: 'function' });
});
