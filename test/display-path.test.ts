/** How scanned files are named in reports: relative to the current folder where they lie below it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from './helpers/fc.js';
import { displayPath } from '../src/core/scan.js';

/** The definition: path.relative, the file's own path when far outside, '/' between segments. */
function reference(absPath: string, cwd: string): string {
  const rel = path.relative(cwd, absPath);
  const shown = rel === '' ? path.basename(absPath) : rel.startsWith('..') && path.isAbsolute(absPath) && rel.split(path.sep).filter((s) => s === '..').length > 3 ? absPath : rel;
  return shown.split(path.sep).join('/');
}

test('paths below, at, beside and far outside the current folder', () => {
  assert.equal(displayPath('/repo/.github/workflows/ci.yml', '/repo'), '.github/workflows/ci.yml');
  assert.equal(displayPath('/repo/..hidden.yml', '/repo'), '..hidden.yml');
  assert.equal(displayPath('/repo/a/../b.yml', '/repo'), 'b.yml');
  assert.equal(displayPath('/repo', '/repo'), 'repo');
  assert.equal(displayPath('/repository/x.yml', '/repo'), '../repository/x.yml');
  assert.equal(displayPath('/x.yml', '/'), 'x.yml');
  assert.equal(displayPath('/a/x.yml', '/repo/'), '../a/x.yml');
  assert.equal(displayPath('/a/x.yml', '/r/s/t/u'), '/a/x.yml');
});

test('property: the same name as path.relative gives, for any mix of segments', () => {
  const segment = fc.constantFrom('a', 'b', '.', '..', '', '.github', '..x', 'x..', 'w.yml');
  const abs = fc.array(segment, { maxLength: 6 }).map((s) => '/' + s.join('/'));
  fc.assert(fc.property(abs, abs, (file, cwd) => assert.equal(displayPath(file, cwd), reference(file, cwd))), { numRuns: 3000 });
});
