/**
 * Applying and writing fixes: edits that meet at one offset, edits of one fix
 * that overlap, symlinked files, and files changed between scan and write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyConfig } from '../src/config/config.js';
import type { ScanOptions } from '../src/core/scan.js';
import { applyFixes, writeAtomic, type PlannedFix } from '../src/fix/apply.js';
import { fixPaths } from '../src/fix/run.js';
import { allRules } from '../src/rules/index.js';
import { writeTree } from './helpers/tree.js';
import fc from './helpers/fc.js';

const scanOpts = (cwd: string): ScanOptions => ({ rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test' });
const planned = (rule: string, edits: { offset: number; endOffset: number; replacement: string }[]): PlannedFix => ({ rule, line: 1, fix: { description: rule, safety: 'safe', edits } });

const tree = (files: Record<string, string>) => writeTree(files, 'pw-apply-');

test('an insertion where another fix replaces a range goes before the replacement, whichever fix comes first', () => {
  const replace = planned('a-rule', [{ offset: 2, endOffset: 4, replacement: 'XY' }]);
  const insert = planned('b-rule', [{ offset: 2, endOffset: 2, replacement: '+' }]);
  assert.equal(applyFixes('abcdef', [replace, insert]).text, 'ab+XYef');
  assert.equal(applyFixes('abcdef', [insert, replace]).text, 'ab+XYef');
  // At the end of a replaced range the insertion follows it.
  assert.equal(applyFixes('abcdef', [replace, planned('c-rule', [{ offset: 4, endOffset: 4, replacement: '+' }])]).text, 'abXY+ef');
});

test('a fix whose own edits overlap is skipped whole', () => {
  const out = applyFixes('abcdef', [planned('x', [{ offset: 1, endOffset: 4, replacement: 'Q' }, { offset: 2, endOffset: 5, replacement: 'R' }])]);
  assert.equal(out.text, 'abcdef');
  assert.deepEqual(out.skipped.map((s) => s.reason), ['its own edits overlap']);
});

/** The overlap checks as first written, every pair against every pair: what the one-pass checks must agree with. */
function referenceApply(text: string, fixes: PlannedFix[]): { applied: string[]; skipped: [string, string][] } {
  type Edit = PlannedFix['fix']['edits'][number];
  const overlaps = (a: Edit, b: Edit) => {
    if (a.offset === a.endOffset && b.offset === b.endOffset) return false;
    return (a.offset < b.endOffset && b.offset < a.endOffset) || (a.offset === a.endOffset && a.offset > b.offset && a.offset < b.endOffset) || (b.offset === b.endOffset && b.offset > a.offset && b.offset < a.endOffset);
  };
  const ordered = [...fixes].sort((a, b) => (a.fix.edits[0]?.offset ?? 0) - (b.fix.edits[0]?.offset ?? 0) || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  const taken: PlannedFix['fix']['edits'] = [];
  const out = { applied: [] as string[], skipped: [] as [string, string][] };
  for (const p of ordered) {
    const edits = p.fix.edits;
    if (edits.some((e) => e.offset < 0 || e.endOffset > text.length || e.endOffset < e.offset)) out.skipped.push([p.rule, 'edit outside the file']);
    else if (edits.some((e, i) => edits.some((f, j) => j > i && overlaps(e, f)))) out.skipped.push([p.rule, 'its own edits overlap']);
    else if (edits.some((e) => taken.some((t) => overlaps(e, t)))) out.skipped.push([p.rule, 'overlaps another fix at the same place']);
    else {
      taken.push(...edits);
      out.applied.push(p.rule);
    }
  }
  return out;
}

test('overlaps are found as checking every pair finds them, for any fixes', () => {
  const text = 'abcdefghijklmnopqrst';
  const edit = fc.tuple(fc.nat(20), fc.nat(4), fc.boolean()).map(([offset, length, insert]) => ({ offset: Math.min(offset, 20), endOffset: insert ? Math.min(offset, 20) : Math.min(offset + length, 20), replacement: 'X' }));
  const fixes = fc.array(fc.array(edit, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }).map((list) => list.map((edits, i) => planned(`r${String(i).padStart(2, '0')}`, edits)));
  fc.assert(
    fc.property(fixes, (list) => {
      const out = applyFixes(text, list);
      const ref = referenceApply(text, list);
      assert.deepEqual(out.applied.map((p) => p.rule), ref.applied);
      assert.deepEqual(out.skipped.map((s) => [s.planned.rule, s.reason]), ref.skipped);
    }),
    { numRuns: 3000 },
  );
});

test('permissions added above a workflow env that debug-logging removes: both land, nothing else moves', async () => {
  const text = 'on: push\nenv:\n  ACTIONS_STEP_DEBUG: true\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n';
  const dir = tree({ '.github/workflows/ci.yml': text });
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: true, rules: new Set(['excessive-permissions', 'debug-logging']) });
  assert.deepEqual(report.errors, []);
  const after = fs.readFileSync(path.join(dir, '.github/workflows/ci.yml'), 'utf8');
  assert.match(after, /^on: push\npermissions:\n  contents: read\n/);
  assert.doesNotMatch(after, /ACTIONS_STEP_DEBUG/);
  assert.match(after, /\njobs:\n  build:\n    runs-on: ubuntu-latest\n/);
  assert.doesNotMatch(after, /^v:/m);
});

test('a symlinked workflow: the link stays a link and its target is fixed', async () => {
  const text = 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n';
  const dir = tree({ 'shared/ci.yml': text });
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  fs.symlinkSync('../../shared/ci.yml', path.join(dir, '.github/workflows/ci.yml'));
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['excessive-permissions']) });
  assert.deepEqual(report.errors, []);
  assert.equal(report.changedFiles, 1);
  assert.ok(fs.lstatSync(path.join(dir, '.github/workflows/ci.yml')).isSymbolicLink());
  assert.match(fs.readFileSync(path.join(dir, 'shared/ci.yml'), 'utf8'), /^permissions:/m);
});

test('a file changed between the scan and the write is left as the user saved it', async () => {
  const dir = tree({ 'a.yml': 'old\n' });
  const file = path.join(dir, 'a.yml');
  fs.writeFileSync(file, 'saved by an editor\n');
  await assert.rejects(writeAtomic(file, 'fixed\n', { expected: 'old\n' }), (e: NodeJS.ErrnoException) => e.code === 'ECHANGED');
  assert.equal(fs.readFileSync(file, 'utf8'), 'saved by an editor\n');
  assert.deepEqual(fs.readdirSync(dir), ['a.yml'], 'no temporary file left');
  await writeAtomic(file, 'fixed\n', { expected: 'saved by an editor\n' });
  assert.equal(fs.readFileSync(file, 'utf8'), 'fixed\n');
});

test('a file that is not valid UTF-8 is not rewritten: its invalid bytes would be lost', async () => {
  const bytes = Buffer.concat([Buffer.from('on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
  const dir = tree({});
  fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  const file = path.join(dir, '.github/workflows/ci.yml');
  fs.writeFileSync(file, bytes);
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, rules: new Set(['excessive-permissions']) });
  assert.deepEqual(report.errors.map((e) => e.message), ['not valid UTF-8: writing the fix would replace its invalid bytes; not written']);
  assert.ok(fs.readFileSync(file).equals(bytes));
});
