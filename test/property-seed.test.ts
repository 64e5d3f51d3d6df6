/** Property tests draw their inputs through one fast-check setup, which a fixed seed makes repeatable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
}

test('no test imports fast-check except through helpers/fc', () => {
  const direct = testFiles(here).filter((f) => !f.endsWith(path.join('helpers', 'fc.js')) && /from ['"]fast-check['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(direct, []);
});

test('PIPEWARDEN_FC_SEED makes the drawn inputs the same from run to run, and a bad one is refused', () => {
  const draw = `import fc from ${JSON.stringify(path.join(here, 'helpers', 'fc.js'))}; console.log(JSON.stringify(fc.sample(fc.string(), 5)));`;
  const run = (seed: string) => spawnSync(process.execPath, ['--input-type=module', '-e', draw], { encoding: 'utf8', env: { ...process.env, PIPEWARDEN_FC_SEED: seed } });
  const a = run('42');
  const b = run('42');
  const c = run('43');
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.notEqual(a.stdout, c.stdout);
  const bad = run('forty-two');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /PIPEWARDEN_FC_SEED must be an integer/);
});
