/** `pipewarden fix`: exact edits, atomic writes, idempotence, and the corpus proof. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyConfig } from '../src/config/config.js';
import { scanPaths, type ScanOptions } from '../src/core/scan.js';
import { parseYaml } from '../src/core/yaml.js';
import { applyFixes } from '../src/fix/apply.js';
import { unifiedDiff } from '../src/fix/diff.js';
import fc from './helpers/fc.js';
import { IMAGES_LOCK } from '../src/fix/images.js';
import { completeLookups, lookupOptions } from '../src/fix/lookups.js';
import { fixPaths } from '../src/fix/run.js';
import { pathOf } from '../src/fix/yaml-edits.js';
import type { YamlNode } from '../src/core/yaml.js';
import { isMap, isScalar, isSeq } from 'yaml';
import { SourceFile } from '../src/model/source.js';
import { allRules } from '../src/rules/index.js';
import type { PlannedFix } from '../src/fix/apply.js';
import { structureDifference } from './helpers/structure.js';

const scanOpts = (cwd: string): ScanOptions => ({ rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test' });

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-fix-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const WORKFLOW = [
  '# keep this comment',
  'on: issues',
  'permissions:',
  '  contents: read   # and this one',
  'jobs:',
  '  triage:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
  '      - name: Greet',
  '        run: |',
  '          echo "Title: ${{ github.event.issue.title }}"',
  "          echo 'Body: ${{ github.event.issue.body }}'",
  '',
].join('\n');

test('applyFixes: overlapping fixes are skipped whole, same-point insertions keep their order', () => {
  const r = applyFixes('abcdef', [
    { rule: 'a', line: 1, fix: { description: '', safety: 'safe', edits: [{ offset: 1, endOffset: 3, replacement: 'X' }] } },
    { rule: 'b', line: 1, fix: { description: '', safety: 'safe', edits: [{ offset: 2, endOffset: 4, replacement: 'Y' }, { offset: 5, endOffset: 5, replacement: '!' }] } },
    { rule: 'c', line: 1, fix: { description: '', safety: 'safe', edits: [{ offset: 6, endOffset: 6, replacement: '1' }] } },
    { rule: 'd', line: 1, fix: { description: '', safety: 'safe', edits: [{ offset: 6, endOffset: 6, replacement: '2' }] } },
  ]);
  assert.equal(r.text, 'aXdef12');
  assert.deepEqual(r.skipped.map((s) => s.planned.rule), ['b']);
});

test('unifiedDiff: hunks with context and line numbers', () => {
  const d = unifiedDiff('f.yml', 'a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
  assert.equal(d, '--- a/f.yml\n+++ b/f.yml\n@@ -1,5 +1,6 @@\n a\n-b\n+B\n c\n d\n+e\n \n');
});

/** Replays a unified diff over `before`; returns the text it makes and how many lines it changes. */
function replay(before: string, diff: string): { text: string; changed: number } {
  const old = before.split('\n');
  const out: string[] = [];
  let at = 0;
  let changed = 0;
  for (const line of diff.split('\n').slice(2, -1)) {
    const hunk = /^@@ -(\d+),\d+ \+\d+,\d+ @@$/.exec(line);
    if (hunk) {
      while (at < Number(hunk[1]) - 1) out.push(old[at++]!);
    } else if (line[0] === ' ') {
      assert.equal(old[at], line.slice(1));
      out.push(old[at++]!);
    } else if (line[0] === '-') {
      assert.equal(old[at], line.slice(1));
      at++;
      changed++;
    } else {
      assert.equal(line[0], '+');
      out.push(line.slice(1));
      changed++;
    }
  }
  while (at < old.length) out.push(old[at++]!);
  return { text: out.join('\n'), changed };
}

test('unifiedDiff: any two texts get hunks that turn one into the other with the fewest lines changed', () => {
  const lcs = (a: string[], b: string[]): number => {
    const row = new Array<number>(b.length + 1).fill(0);
    for (const x of a) {
      let diag = 0;
      for (let j = 1; j <= b.length; j++) {
        const up = row[j]!;
        row[j] = x === b[j - 1] ? diag + 1 : Math.max(row[j]!, row[j - 1]!);
        diag = up;
      }
    }
    return row[b.length]!;
  };
  const lines = fc.array(fc.constantFrom('a', 'b', 'c', '  - run: x'), { maxLength: 40 });
  fc.assert(
    fc.property(lines, lines, (a, b) => {
      const before = a.join('\n');
      const after = b.join('\n');
      const diff = unifiedDiff('f', before, after, 1);
      if (before === after) return assert.equal(diff, '');
      const { text, changed } = replay(before, diff);
      assert.equal(text, after);
      const n = before.split('\n').length;
      const m = after.split('\n').length;
      assert.equal(changed, n + m - 2 * lcs(before.split('\n'), after.split('\n')));
    }),
    { numRuns: 400 },
  );
});

test('unifiedDiff: given the edits that made the new text, the hunks still turn the old text into it', () => {
  const text = fc.array(fc.constantFrom('a', 'b', '', '  - run: x'), { minLength: 1, maxLength: 30 }).map((l) => l.join('\n'));
  const replacement = fc.array(fc.constantFrom('a', 'b', '\n', 'x: y\n', ''), { maxLength: 3 }).map((r) => r.join(''));
  const input = text.chain((before) =>
    fc.tuple(fc.constant(before), fc.array(fc.tuple(fc.nat(before.length), fc.nat(6), replacement), { maxLength: 6 })),
  );
  fc.assert(
    fc.property(input, ([before, raw]) => {
      // Non-overlapping edits, applied from the end.
      const edits: { offset: number; endOffset: number; replacement: string }[] = [];
      for (const [at, length, replacement] of raw.sort((x, y) => x[0] - y[0])) {
        const offset = Math.max(at, edits.length > 0 ? edits[edits.length - 1]!.endOffset : 0);
        if (offset > before.length) break;
        edits.push({ offset, endOffset: Math.min(before.length, offset + length), replacement });
      }
      let after = before;
      for (const e of [...edits].reverse()) after = after.slice(0, e.offset) + e.replacement + after.slice(e.endOffset);
      const diff = unifiedDiff('f', before, after, 1, edits);
      if (before === after) return assert.equal(diff, '');
      assert.equal(replay(before, diff).text, after);
    }),
    { numRuns: 1000 },
  );
});

test('fix: moves expressions into env with the right quoting, keeps comments, re-scan is clean, second run changes nothing', async () => {
  const dir = tree({ '.github/workflows/t.yml': WORKFLOW });
  const first = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false });
  assert.deepEqual(first.errors, []);
  const text = fs.readFileSync(path.join(dir, '.github/workflows/t.yml'), 'utf8');
  assert.equal(
    text,
    [
      '# keep this comment',
      'on: issues',
      'permissions:',
      '  contents: read   # and this one',
      'jobs:',
      '  triage:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      '        with:',
      '          persist-credentials: false',
      '      - name: Greet',
      '        env:',
      '          ISSUE_TITLE: ${{ github.event.issue.title }}',
      '          ISSUE_BODY: ${{ github.event.issue.body }}',
      '        run: |',
      '          echo "Title: ${ISSUE_TITLE}"',
      `          echo 'Body: '"\${ISSUE_BODY}"''`,
      '',
    ].join('\n'),
  );
  const rescan = await scanPaths([dir], scanOpts(dir));
  assert.deepEqual(rescan.findings.filter((f) => f.rule === 'template-injection' || f.rule === 'artipacked'), []);
  const second = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false });
  assert.equal(second.applied, 0);
  assert.equal(fs.readFileSync(path.join(dir, '.github/workflows/t.yml'), 'utf8'), text);
});

test('fix keeps CRLF line endings and a BOM; --dry-run writes nothing', async () => {
  const crlf = '\uFEFF' + WORKFLOW.replace(/\n/g, '\r\n');
  const dir = tree({ '.github/workflows/t.yml': crlf });
  const dry = await fixPaths([dir], scanOpts(dir), { dryRun: true, unsafe: false });
  assert.match(dry.output, /^\+ {10}persist-credentials: false$/m);
  assert.equal(fs.readFileSync(path.join(dir, '.github/workflows/t.yml'), 'utf8'), crlf);
  await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false });
  const after = fs.readFileSync(path.join(dir, '.github/workflows/t.yml'), 'utf8');
  assert.ok(after.startsWith('\uFEFF# keep this comment\r\n'));
  assert.equal(after.replace(/\r\n/g, '').includes('\n'), false, 'every line ending stays CRLF');
  assert.match(after, /persist-credentials: false\r\n/);
});

test('an unsafe fix waits for --unsafe: checkout credentials when a later step pushes', async () => {
  const wf = 'on: push\npermissions:\n  contents: write\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - run: git push origin HEAD:refs/heads/x\n';
  const dir = tree({ '.github/workflows/t.yml': wf });
  const safe = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false });
  assert.equal(safe.applied, 0);
  assert.match(safe.skipped[0]!.reason, /unsafe/);
  const unsafe = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: true });
  assert.equal(unsafe.applied, 1);
});

test('a write that fails leaves that file fully old and the others fully new', async () => {
  const dir = tree({ '.github/workflows/a.yml': WORKFLOW, '.github/workflows/b.yml': WORKFLOW });
  const report = await fixPaths([dir], scanOpts(dir), {
    dryRun: false,
    unsafe: false,
    write: async (abs, text) => {
      if (abs.endsWith('b.yml')) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      fs.writeFileSync(abs, text);
    },
  });
  assert.deepEqual(report.errors.map((e) => [path.basename(e.file), e.message]), [['b.yml', 'not written: ENOSPC']]);
  assert.equal(fs.readFileSync(path.join(dir, '.github/workflows/b.yml'), 'utf8'), WORKFLOW);
  assert.notEqual(fs.readFileSync(path.join(dir, '.github/workflows/a.yml'), 'utf8'), WORKFLOW);
});

test('corpus proof: every safe fix applied to a copy of the workflows still parses, fixed findings are gone, a second run changes nothing', { timeout: 300_000 }, async () => {
  const corpus = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
  if (!fs.existsSync(corpus)) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-fix-corpus-'));
  fs.cpSync(corpus, dir, { recursive: true });
  const before = await scanPaths([dir], scanOpts(dir));
  // Image digests come from a lock file (made-up digests; the registry side is tested in fix-images.test.ts).
  const images = new Map<string, string>();
  for (const f of before.findings) if (f.fix?.lookup) images.set(f.fix.lookup.key, `sha256:${images.size.toString(16).padStart(64, '0')}`);
  fs.mkdirSync(path.join(dir, '.pipewarden'));
  fs.writeFileSync(path.join(dir, IMAGES_LOCK), JSON.stringify({ version: 1, images: Object.fromEntries(images) }));
  const lookups = lookupOptions(dir, true, {});
  // Plan with the same digests `fix` will find; a digest changes exactly the image's scalar.
  const looked = await completeLookups(before.findings.filter((f) => f.fix?.lookup).map((f) => f.fix!), lookups, false);
  assert.deepEqual([...looked.unresolved.values()], []);
  for (const f of before.findings) {
    if (!f.fix?.lookup || !/\.ya?ml$/i.test(f.file)) continue;
    const source = before.sources.get(f.file) as SourceFile;
    const at = f.fix.edits[0]!.offset;
    const doc = parseYaml(source).docs.find((d) => d.contents?.range && d.contents.range[0] <= at && at <= d.contents.range[2]);
    const scalar = doc && scalarAt(doc.contents, at);
    const target = doc && scalar && pathOf(doc.contents, scalar);
    if (target) f.fix.targets = [target];
  }
  const fixable = before.findings.filter((f) => f.fix && f.fix.safety === 'safe');
  // The fixes `fix` will apply to each file, planned the same way, to know which paths each file may change.
  const planned = new Map<string, PlannedFix[]>();
  for (const f of fixable) {
    const list = planned.get(f.file) ?? [];
    if (!list.some((p) => JSON.stringify(p.fix.edits) === JSON.stringify(f.fix!.edits))) list.push({ fix: f.fix!, rule: f.rule, line: f.span.line });
    planned.set(f.file, list);
  }
  const report = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, lookups });
  assert.deepEqual(report.skipped.filter((s) => s.rule === 'unpinned-images'), []);
  assert.deepEqual(report.errors, []);
  assert.ok(report.changedFiles > 100, `changed ${report.changedFiles} files`);
  const damaged: string[] = [];
  const byRule = new Map<string, number>();
  for (const [f, fixes] of planned) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, '');
    if (!/\.ya?ml$/i.test(f)) {
      // Dockerfiles and Jenkinsfiles: written as planned; their parsers are checked on the re-scan below.
      assert.equal(text, applyFixes((before.sources.get(f) as SourceFile).text, fixes).text, `${f}: written as planned`);
      continue;
    }
    const original = (before.sources.get(f) as SourceFile).text;
    const fatal = (t: string) => parseYaml(new SourceFile(f, t)).problems.filter((p) => p.fatal).length;
    const brokenBefore = fatal(original);
    // A file YAML already rejects (images are still pinned in it) must not get worse; the others must still parse.
    assert.ok(fatal(text) <= brokenBefore, `${f} parses as well as before`);
    const expected = applyFixes(original, fixes);
    assert.equal(text, expected.text, `${f}: written as planned`);
    for (const a of expected.applied) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    if (brokenBefore > 0) continue;
    // Parsed structure: equal to the original everywhere except at the paths the applied fixes name.
    const diff = structureDifference(original, text, expected.applied.map((a) => a.fix));
    if (diff) damaged.push(`${f}: ${diff}`);
  }
  // Unsafe fixes too, applied in memory only (with the safe ones, as `fix --unsafe` would): same checks.
  const all = new Map<string, PlannedFix[]>();
  for (const f of before.findings.filter((x) => x.fix)) {
    const list = all.get(f.file) ?? [];
    if (!list.some((p) => JSON.stringify(p.fix.edits) === JSON.stringify(f.fix!.edits))) list.push({ fix: f.fix!, rule: f.rule, line: f.span.line });
    all.set(f.file, list);
  }
  for (const [f, fixes] of all) {
    if (!fixes.some((p) => p.fix.safety === 'unsafe') || !/\.ya?ml$/i.test(f)) continue;
    const source = before.sources.get(f) as SourceFile;
    const out = applyFixes(source.text, fixes);
    for (const a of out.applied) if (a.fix.safety === 'unsafe') byRule.set(`${a.rule} (unsafe)`, (byRule.get(`${a.rule} (unsafe)`) ?? 0) + 1);
    const fatalBefore = parseYaml(source).problems.filter((p) => p.fatal).length;
    const fatalAfter = parseYaml(new SourceFile(f, out.text)).problems.filter((p) => p.fatal).length;
    if (fatalAfter > fatalBefore) damaged.push(`${f}: no longer parses with --unsafe`);
    const diff = structureDifference(source.text, out.text, out.applied.map((a) => a.fix));
    if (diff) damaged.push(`${f} (--unsafe): ${diff}`);
  }
  assert.deepEqual(damaged, []);
  // Each kind of safe fix is exercised by the corpus, so the structural check covers it.
  for (const rule of ['artipacked', 'template-injection', 'excessive-permissions', 'unpinned-images', 'missing-security-context (unsafe)', 'excessive-permissions (unsafe)', 'template-injection (unsafe)']) assert.ok((byRule.get(rule) ?? 0) > 0, `${rule} fixes applied: ${byRule.get(rule) ?? 0}`);
  const after = await scanPaths([dir], scanOpts(dir));
  // Dockerfiles and Jenkinsfiles too: their own parsers complain no more than before.
  // (Lines left out: inserted lines move later complaints down.)
  const parseErrors = (r: typeof before) => r.findings.filter((f) => f.rule === 'parse-error').map((f) => `${f.file} ${f.message}`).sort();
  assert.deepEqual(parseErrors(after), parseErrors(before));
  const remaining = after.findings.filter((f) => f.fix && f.fix.safety === 'safe');
  assert.deepEqual(remaining.map((f) => `${f.file}:${f.span.line} ${f.rule}`), []);
  const second = await fixPaths([dir], scanOpts(dir), { dryRun: false, unsafe: false, lookups });
  assert.equal(second.applied, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The innermost scalar whose text holds `offset` (an image reference a digest is added to). */
function scalarAt(node: unknown, offset: number): YamlNode | undefined {
  if (isScalar(node)) return node.range && node.range[0] <= offset && offset <= node.range[1] ? (node as YamlNode) : undefined;
  if (isMap(node)) for (const p of node.items) { const hit = scalarAt(p.value, offset); if (hit) return hit; }
  if (isSeq(node)) for (const it of node.items) { const hit = scalarAt(it, offset); if (hit) return hit; }
  return undefined;
}
