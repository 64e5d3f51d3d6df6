import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCli } from '../src/cli/launch.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

test('launch: the code cache is used for the bundle it was made from, and never for other bytes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-launch-'));
  const bundle = path.join(dir, 'cli.cjs');
  const cache = path.join(dir, 'cli.cjs.cache');
  fs.writeFileSync(bundle, 'exports.main = async (argv) => argv.length + 40;\n');

  const cold = loadCli(bundle, cache);
  assert.equal(cold.cacheUsed, false, 'no cache file yet');
  assert.equal(await cold.main(['a', 'b']), 42);
  fs.writeFileSync(cache, cold.createCache());

  const warm = loadCli(bundle, cache);
  assert.equal(warm.cacheUsed, true);
  assert.equal(await warm.main(['a', 'b']), 42);

  // Same length, other code: V8's own check (length and flags) would take the stale cache; the copy of the bytes does not.
  fs.writeFileSync(bundle, 'exports.main = async (argv) => argv.length + 50;\n');
  const changed = loadCli(bundle, cache);
  assert.equal(changed.cacheUsed, false);
  assert.equal(await changed.main(['a', 'b']), 52, 'the new code runs');

  fs.writeFileSync(cache, 'not a cache at all');
  const garbage = loadCli(bundle, cache);
  assert.equal(garbage.cacheUsed, false);
  assert.equal(await garbage.main([]), 50);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('launch: the build leaves a code cache that V8 takes for the shipped bundle', () => {
  const bundle = path.join(repoRoot, 'dist/pipewarden.cjs');
  const cli = loadCli(bundle, `${bundle}.cache`);
  assert.equal(cli.cacheUsed, true, 'npm run build should write dist/pipewarden.cjs.cache with the flags every start sets');
  assert.equal(typeof cli.main, 'function');
});
