/** How scanned files are named in reports: relative to the current folder where they lie below it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from './helpers/fc.js';
import { displayPath, pathBelow } from '../src/core/scan.js';

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

test('property: on Windows too, a path named by its rest below the folder is what path.relative says, or is left to it', () => {
  const segment = fc.constantFrom('a', 'B', '.', '..', '', 'x.yml', 'a:b', 'CON');
  const root = fc.constantFrom('C:\\', 'c:\\', 'D:\\', '\\\\srv\\share\\', 'C:/');
  const sep = fc.constantFrom('\\', '/');
  const segments = fc.array(segment, { maxLength: 4 });
  // A folder, and a file usually below it (written with either separator), sometimes anywhere.
  // Folders mostly as Windows writes them (normalized), sometimes not.
  const folder = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('C:\\', 'D:\\', '\\\\srv\\share\\'), fc.array(fc.constantFrom('a', 'B', 'x.yml', 'CON'), { maxLength: 3 })).map(([r, d]) => r + d.join('\\')) },
    { weight: 1, arbitrary: fc.tuple(root, segments, sep).map(([r, d, s1]) => r + d.join(s1)) },
  );
  const pair = fc.tuple(folder, segments, sep, fc.boolean(), root, segments).map(([cwd, rest, s2, inside, r2, other]) => {
    return { cwd, file: inside ? cwd + s2 + rest.join(s2) : r2 + other.join('\\') };
  });
  let below = 0;
  fc.assert(
    fc.property(pair, ({ file, cwd }) => {
      const rest = pathBelow(file, cwd, path.win32);
      if (rest === undefined) return;
      below++;
      assert.equal(rest, path.win32.relative(cwd, file));
    }),
    { numRuns: 5000 },
  );
  // Not a test that passes by never answering: many pairs lie below their folder.
  assert.ok(below > 100, `${below} paths below their folder`);
  assert.equal(pathBelow('C:\\repo\\.github\\w.yml', 'C:\\repo', path.win32), '.github\\w.yml');
  assert.equal(pathBelow('C:\\repo\\a/b.yml', 'C:\\repo', path.win32), undefined);
});
