/**
 * Hostile input: malformed, mistyped, huge, deep, binary or oddly encoded
 * files must never crash or hang a scan. Each becomes a `parse-error`
 * finding at a sensible place or a skip note, and the rest is still checked.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from './helpers/fc.js';
import { scanPaths, scanSource, type ScanOptions } from '../src/core/scan.js';
import { allRules } from '../src/rules/index.js';
import { emptyConfig } from '../src/config/config.js';
import { SourceFile } from '../src/model/source.js';
import type { Finding } from '../src/model/finding.js';
import type { FileRecord, ScanResult } from '../src/model/result.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const WF = '.github/workflows/x.yml';
const MiB = 1024 * 1024;

/** A valid job whose only step injects an issue title into a shell script. */
const GOOD_JOB = '  good:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n';
const TITLE = '${{ github.event.issue.title }}';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(os.tmpdir() + '/pw-');
  made.push(d);
  return d;
}

function put(dir: string, rel: string, content: string | Buffer): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** Internal errors (a rule or builder that threw): a bug even when the scan survives it. */
const internalErrors: string[] = [];

function options(dir: string, extra: Partial<ScanOptions> = {}): ScanOptions {
  return {
    rules: allRules,
    config: emptyConfig(),
    persona: 'regular',
    minSeverity: 'info',
    minConfidence: 'low',
    cwd: dir,
    toolVersion: 'test',
    onInternalError: (file, err) => {
      internalErrors.push(`${file}: ${(err as Error).stack ?? String(err)}`);
    },
    ...extra,
  };
}

function assertNoInternalErrors(): void {
  const errs = internalErrors.splice(0);
  assert.deepEqual(errs, [], 'no internal errors');
}

interface Scanned {
  result: ScanResult;
  record: FileRecord;
  findings: Finding[];
  parseErrors: Finding[];
  ms: number;
}

/** Writes one file under a fresh folder, scans the folder, and returns what became of the file. */
async function scanOne(content: string | Buffer, rel = WF, extra: Partial<ScanOptions> = {}): Promise<Scanned> {
  const dir = tmp();
  put(dir, rel, content);
  const t0 = Date.now();
  const result = await scanPaths([dir], options(dir, extra));
  const ms = Date.now() - t0;
  assertNoInternalErrors();
  const record = result.files.find((f) => f.path === rel);
  assert.ok(record, `${rel} is missing from result.files: ${JSON.stringify(result.files)}`);
  assert.equal(result.files.length, 1, JSON.stringify(result.files));
  assert.equal(record.reason?.includes('failed') ?? false, false, `no rule failed: ${record.reason}`);
  const findings = result.findings.filter((f) => f.file === rel);
  for (const f of findings) assert.doesNotMatch(f.message, /\n\s+at /, 'no stack trace in a message');
  return { result, record, findings, parseErrors: findings.filter((f) => f.rule === 'parse-error'), ms };
}

/** 1-based line and column of the n-th occurrence of `needle` in `text` (counted independently of the scanner). */
function loc(text: string, needle: string, nth = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `test input lacks occurrence ${nth} of ${needle}`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - (before.lastIndexOf('\n') + 1) + 1 };
}

function at(f: Finding): { line: number; column: number } {
  return { line: f.span.line, column: f.span.column };
}

/** The good job's template-injection finding must still be there, at its exact place. */
function assertGoodJobChecked(s: Scanned, text: string): void {
  const ti = s.findings.filter((f) => f.rule === 'template-injection');
  assert.equal(ti.length, 1, `template-injection in the valid job: ${JSON.stringify(s.findings.map((f) => [f.rule, f.message]))}`);
  assert.deepEqual(at(ti[0]!), loc(text, TITLE));
}

// ---------------------------------------------------------------- malformed YAML

test('unclosed double quote: one parse-error at the opening quote, not at the end of the file', async () => {
  const text = 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "echo hi\n      - run: echo more\n';
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.equal(s.parseErrors.length, 1, JSON.stringify(s.parseErrors));
  assert.match(s.parseErrors[0]!.message, /closing "quote/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 6, column: 14 });
  assert.equal(s.findings.length, 1, 'a fatal YAML error stops the analysis of the file');
});

test('unclosed single quote at the top', async () => {
  const s = await scanOne("name: 'oops\non: issues\njobs: {}\n");
  assert.equal(s.parseErrors.length, 1);
  assert.match(s.parseErrors[0]!.message, /closing 'quote/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 1, column: 7 });
});

test('unclosed flow sequence and flow mapping: parse-error at the bracket', async () => {
  const seq = await scanOne('on: issues\njobs:\n  a:\n    runs-on: [ubuntu-latest\n    steps:\n      - run: echo\n');
  assert.equal(seq.parseErrors.length, 1, JSON.stringify(seq.parseErrors));
  assert.match(seq.parseErrors[0]!.message, /Flow sequence .*end with a \]/);
  assert.deepEqual(at(seq.parseErrors[0]!), { line: 4, column: 14 });

  const map = await scanOne('on: issues\njobs:\n  a:\n    env: {A: 1\n    runs-on: x\n');
  assert.ok(map.parseErrors.length >= 1);
  assert.match(map.parseErrors[0]!.message, /Flow map .*end with a \}/);
  assert.deepEqual(at(map.parseErrors[0]!), { line: 4, column: 10 });
});

test('bad indentation: parse-error on the misindented line', async () => {
  const s = await scanOne('on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n   steps:\n      - run: echo\n');
  assert.equal(s.record.status, 'scanned');
  assert.ok(s.parseErrors.length >= 1);
  assert.equal(s.parseErrors[0]!.span.line, 5);
  assert.match(s.parseErrors[0]!.message, /^invalid YAML: /);
});

test('a document that is a list or a scalar: "must be a mapping" at line 1', async () => {
  for (const text of ['- a\n- b\n', 'hello\n', '42\n']) {
    const s = await scanOne(text);
    assert.equal(s.record.status, 'scanned');
    assert.equal(s.parseErrors.length, 1, text);
    assert.match(s.parseErrors[0]!.message, /workflow must be a mapping/);
    assert.deepEqual(at(s.parseErrors[0]!), { line: 1, column: 1 });
  }
});

// ---------------------------------------------------------------- wrong types

test('`jobs: 3`: parse-error at the 3', async () => {
  const s = await scanOne('on: issues\njobs: 3\n');
  assert.equal(s.parseErrors.length, 1);
  assert.match(s.parseErrors[0]!.message, /`jobs` must be a mapping/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 2, column: 7 });
});

const wrongTypes: { name: string; bad: string; needle: string; message: RegExp }[] = [
  { name: '`steps: "x"`', bad: '  bad:\n    runs-on: ubuntu-latest\n    steps: "x"\n', needle: '"x"', message: /`steps` must be a list/ },
  { name: 'a step that is a string', bad: '  bad:\n    runs-on: ubuntu-latest\n    steps:\n      - "echo hi"\n', needle: '"echo hi"', message: /each step must be a mapping/ },
  { name: '`env: [a]`', bad: '  bad:\n    runs-on: ubuntu-latest\n    env: [a]\n    steps:\n      - run: echo\n', needle: '[a]', message: /`env` must be a mapping/ },
  { name: '`permissions: banana`', bad: '  bad:\n    runs-on: ubuntu-latest\n    permissions: banana\n    steps:\n      - run: echo\n', needle: 'banana', message: /permissions value `banana`/ },
  { name: 'a job that is a list', bad: '  bad: [1, 2]\n', needle: '[1, 2]', message: /job `bad` must be a mapping/ },
  { name: '`run: [x]`', bad: '  bad:\n    runs-on: ubuntu-latest\n    steps:\n      - run: [x]\n', needle: '[x]', message: /`run` must be a string/ },
];

for (const c of wrongTypes) {
  test(`wrong type, ${c.name}: parse-error at the node; the other job is still checked`, async () => {
    const text = `on: issues\njobs:\n${c.bad}${GOOD_JOB}`;
    const s = await scanOne(text);
    assert.equal(s.record.status, 'scanned');
    const pe = s.parseErrors.filter((f) => c.message.test(f.message));
    assert.equal(pe.length, 1, JSON.stringify(s.parseErrors.map((f) => f.message)));
    assert.deepEqual(at(pe[0]!), loc(text, c.needle));
    assertGoodJobChecked(s, text);
  });
}

test('wrong type in the `on` list: parse-error at the item; the workflow is still checked', async () => {
  const text = `on:\n  - issues\n  - [push]\njobs:\n${GOOD_JOB}`;
  const s = await scanOne(text);
  assert.equal(s.parseErrors.length, 1);
  assert.match(s.parseErrors[0]!.message, /must be an event name/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 3, column: 5 });
  assertGoodJobChecked(s, text);
});

test('`on: 5`: a number is not an event name', async () => {
  const text = `on: 5\njobs:\n${GOOD_JOB}`;
  const s = await scanOne(text);
  const pe = s.parseErrors.filter((f) => /on/.test(f.message));
  assert.equal(pe.length, 1, JSON.stringify(s.parseErrors));
  assert.deepEqual(at(pe[0]!), { line: 1, column: 5 });
});

test('`on: 5` does not stop the jobs from being checked', async () => {
  const text = `on: 5\njobs:\n${GOOD_JOB.replace('permissions: {}\n    ', '')}`;
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  const perms = s.findings.filter((f) => f.rule === 'excessive-permissions');
  assert.equal(perms.length, 1);
  assert.deepEqual(at(perms[0]!), { line: 3, column: 3 });
});

test('complex keys, null keys, odd tags: no crash', async () => {
  const text = 'on: !!binary aGVsbG8=\njobs:\n  ? [a, b]\n  : {runs-on: x, steps: [{run: echo}]}\n  null: 1\n  1: {steps: [run: 1]}\nenv: !!omap [a: 1]\nname: !custom x\n';
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.ok(s.parseErrors.length >= 1);
});

// ---------------------------------------------------------------- duplicate keys

test('duplicate key: parse-error on the duplicate, the first is used', async () => {
  const text = 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    runs-on: self-hosted\n    steps:\n      - run: echo\n';
  const s = await scanOne(text);
  assert.equal(s.parseErrors.length, 1);
  assert.match(s.parseErrors[0]!.message, /unique/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 5, column: 5 });
  // Non-fatal: the file is still analysed (the job's missing permissions are reported).
  assert.ok(s.findings.some((f) => f.rule === 'excessive-permissions'));
});

test('duplicate job id: parse-error on the second one; the first job is still checked', async () => {
  const text = `on: issues\njobs:\n${GOOD_JOB}  good:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`;
  const s = await scanOne(text);
  assert.equal(s.parseErrors.length, 1);
  assert.deepEqual(at(s.parseErrors[0]!), loc(text, 'good:', 1));
  assertGoodJobChecked(s, text);
});

// ---------------------------------------------------------------- alias bombs

/** "Billion laughs": each level is a list of nine aliases to the level below. */
function laughs(levels: number, indent: string): string {
  let s = `${indent}l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
  for (let i = 1; i <= levels; i++) s += `${indent}l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
  return s;
}

test('alias bomb under jobs: returns with parse-errors', { timeout: 30_000 }, async () => {
  const text = `on: issues\njobs:\n${laughs(10, '  ')}  j: *l10\n`;
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.ok(s.parseErrors.length >= 1);
  // Every list posing as a job is rejected; `j: *l10` resolves to the anchored list, whose line carries the error.
  assert.ok(s.parseErrors.every((f) => /job `(l\d+|j)` must be a mapping/.test(f.message)), JSON.stringify(s.parseErrors.map((f) => f.message)));
  assert.ok(s.parseErrors.some((f) => f.span.line === loc(text, 'l10: &l10').line));
  assert.ok(s.parseErrors.some((f) => f.span.line === loc(text, 'l0: &l0').line));
});

test('alias bomb under an unrelated key: returns, and the jobs are still checked', { timeout: 30_000 }, async () => {
  const text = `on: issues\nx-bomb:\n${laughs(10, '  ')}jobs:\n${GOOD_JOB}`;
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.equal(s.parseErrors.length, 0);
  assertGoodJobChecked(s, text);
});

test('alias bomb read through an unmodelled key (`run-name`): stopped by the alias budget', { timeout: 30_000 }, async () => {
  const s = await scanOne(`on: issues\nx-bomb:\n${laughs(10, '  ')}run-name: *l10\njobs:\n${GOOD_JOB}`);
  assert.equal(s.record.status, 'scanned');
  assert.equal(s.parseErrors.length, 1);
  assert.match(s.parseErrors[0]!.message, /aliases expand too far/);
  assert.deepEqual(at(s.parseErrors[0]!), { line: 1, column: 1 });
});

test('mapping bombs pulled into a job hit the alias budget; merge-key bombs are read once per mapping', { timeout: 30_000 }, async () => {
  let maps = 'x:\n  m0: &m0 {a: 1}\n';
  for (let i = 1; i <= 12; i++) maps += `  m${i}: &m${i} {${Array.from({ length: 9 }, (_, j) => `k${j}: *m${i - 1}`).join(', ')}}\n`;
  const inJob = await scanOne(`on: issues\n${maps}jobs:\n  j:\n    runs-on: ubuntu-latest\n    strategy: *m12\n    steps:\n      - run: echo\n`);
  assert.ok(inJob.parseErrors.some((f) => /aliases expand too far/.test(f.message)), JSON.stringify(inJob.parseErrors));

  let merges = 'x:\n  m0: &m0 {a: 1}\n';
  for (let i = 1; i <= 12; i++) merges += `  m${i}: &m${i}\n    <<: [${Array(9).fill(`*m${i - 1}`).join(', ')}]\n`;
  const root = `on: issues\n${merges}<<: *m12\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n`;
  // Merges are resolved once per mapping, so a merge-key bomb costs 12 × 9 lookups, not 9^12: it is simply read.
  const started = Date.now();
  const wf = await scanOne(root);
  assert.equal(wf.record.status, 'scanned');
  assert.ok(Date.now() - started < 5000);
  // Outside the workflow folder the file is classified by content, which reads the root's merge keys.
  const other = await scanOne(root, 'ci/pipeline.yml');
  assert.equal(other.record.status, 'scanned', JSON.stringify(other.record));
});

test('a large workflow of steps merging one anchor is not mistaken for an alias bomb', async () => {
  const steps = Array.from({ length: 1200 }, (_, i) => (i === 0 ? '      - &s0\n        run: echo 0\n' : `      - <<: *s0\n        name: s${i}\n`)).join('');
  const s = await scanOne(`on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`);
  assert.deepEqual(s.parseErrors, []);
});

// ---------------------------------------------------------------- size

test('a 5 MB single line is scanned', { timeout: 60_000 }, async () => {
  const text = `on: issues\njobs:\n${GOOD_JOB}      - run: echo ${'x'.repeat(5 * MiB)}\n`;
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.equal(s.parseErrors.length, 0);
  assertGoodJobChecked(s, text);
});

test('a 1.7 MB line with 50,000 expressions: every one located, in linear time', { timeout: 60_000 }, async () => {
  const n = 50_000;
  const text = `on: issues\njobs:\n${GOOD_JOB}      - run: ${`x ${TITLE} `.repeat(n)}\n`;
  const s = await scanOne(text);
  const ti = s.findings.filter((f) => f.rule === 'template-injection');
  assert.equal(ti.length, n + 1);
  const last = ti[ti.length - 1]!;
  const lineStart = text.lastIndexOf('\n', text.length - 2) + 1;
  assert.deepEqual(at(last), { line: 8, column: text.lastIndexOf(TITLE) - lineStart + 1 });
  // Was quadratic: about 90 s for this input (minutes for a 5 MB line); now well under a second.
  assert.ok(s.ms < 15_000, `took ${s.ms} ms`);
});

test('a 40,000-line script with a download-and-run site on each line: every site at its own line, in linear time', { timeout: 120_000 }, async () => {
  const n = 40_000;
  const lines = Array.from({ length: n }, (_, i) => `          curl -sSL https://example.com/${i % 7}.sh | bash\n`);
  const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${lines.join('')}`;
  const s = await scanOne(text);
  const sites = s.findings.filter((f) => f.rule === 'unverified-script-exec');
  assert.equal(sites.length, n);
  sites.forEach((f, i) => assert.deepEqual(at(f), { line: 7 + i, column: 11 }, `site ${i}`));
  // Each site was searched for from the script's start, counting the same command on earlier lines: this took 56 s; now under 1 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('8,000 download-and-run sites on one quoted line: every site at its own column, in linear time', { timeout: 120_000 }, async () => {
  const n = 8_000;
  const site = (i: number) => `curl -sSL https://example.com/${i % 7}.sh | bash; `;
  const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "${Array.from({ length: n }, (_, i) => site(i)).join('')}"\n`;
  const s = await scanOne(text);
  const sites = s.findings.filter((f) => f.rule === 'unverified-script-exec');
  assert.equal(sites.length, n);
  let column = '      - run: "'.length + 1;
  sites.forEach((f, i) => {
    assert.deepEqual(at(f), { line: 6, column }, `site ${i}`);
    column += site(i).length;
  });
  // Each finding runs to the end of the line, and was searched for from the script's start: over 8 minutes; now well under a second.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a variable built up from the same expression on 20,000 lines, then run: one finding at the eval, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const text = `on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${'          X="$X ${{ github.event.pull_request.title }}"\n'.repeat(n)}          eval "$X"\n`;
  const s = await scanOne(text);
  const ti = s.findings.filter((f) => f.rule === 'template-injection');
  assert.equal(ti.length, n + 1);
  const evaluated = ti.filter((f) => f.message.startsWith("`$X` carries `github.event.pull_request.title`"));
  assert.equal(evaluated.length, 1);
  assert.deepEqual(at(evaluated[0]!), { line: 7 + n, column: 17 });
  assert.equal(evaluated[0]!.severity, 'high');
  // Each line's copy of the value was kept and compared with all the others: 2,000 lines took 14 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a step writing 8,000 outputs from fixed values and one from a title: only the output from the title is found, in linear time', { timeout: 120_000 }, async () => {
  const n = 8_000;
  const writes = Array.from({ length: n }, (_, i) => `          echo "o${i}=\${{ github.sha }}" >> $GITHUB_OUTPUT\n`);
  writes.splice(n / 2, 0, '          echo "t=${{ github.event.pull_request.title }}" >> $GITHUB_OUTPUT\n');
  const text = `on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - id: s\n        run: |\n${writes.join('')}      - run: echo \${{ steps.s.outputs.o1 }} \${{ steps.s.outputs.t }}\n`;
  const s = await scanOne(text);
  const used = s.findings.filter((f) => f.rule === 'template-injection' && f.span.line === 9 + n);
  assert.deepEqual(used.map((f) => [f.message.slice(0, 60), f.severity, f.related?.[0]?.span.line]), [['`steps.s.outputs.t` carries `github.event.pull_request.title', 'high', 8 + n / 2]]);
  // Each fixed write read the whole script again for its expressions: 8,000 took 8.8 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('20,000 different expressions in one script: each located at its line, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const text = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n      - run: |\n${Array.from({ length: n }, (_, i) => `          echo \${{ secrets.S${i} }}\n`).join('')}`;
  const s = await scanOne(text);
  const pasted = s.findings.filter((f) => f.rule === 'secret-interpolation');
  assert.equal(pasted.length, n);
  pasted.forEach((f, i) => assert.deepEqual([f.span.line, f.span.column, f.span.endColumn], [8 + i, 16, 16 + `\${{ secrets.S${i} }}`.length], `expression ${i}`));
  // Each new expression was searched for from the script's start: 16,000 took 2.6 s, and this about 4 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a Tekton script using 8,000 parameters whose names differ only in case: each substitution found and fixed under its own name, in linear time', { timeout: 120_000 }, async () => {
  const n = 8_000;
  const variant = (i: number) => [...'abcdefghijklmnop'].map((c, k) => ((i >> k) & 1 ? c.toUpperCase() : c)).join('');
  const text = `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - image: alpine\n      script: |\n${Array.from({ length: n }, (_, i) => `        echo "$(params.${variant(i)})"\n`).join('')}`;
  const s = await scanOne(text, 'task.yaml');
  const ti = s.findings.filter((f) => f.rule === 'template-injection');
  assert.equal(ti.length, n);
  ti.forEach((f, i) => assert.deepEqual([f.span.line, f.span.column], [8 + i, 15], `substitution ${i}`));
  const added = ti[0]!.fix!.edits.flatMap((e) => [...e.replacement.matchAll(/- name: (\w+)/g)].map((m) => m[1]));
  assert.equal(added.length, n);
  assert.deepEqual([added[0], added[1], added[n - 1]], ['PARAM_ABCDEFGHIJKLMNOP', 'PARAM_ABCDEFGHIJKLMNOP_2', `PARAM_ABCDEFGHIJKLMNOP_${n}`]);
  // Each name was found by walking every earlier one, and each expression searched for from the start: 7.3 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a GitLab file with 20,000 remote includes and GitLab templates between them: each remote one reported at its line, no template', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const lines = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? `  - template: Jobs/T${i}.gitlab-ci.yml\n` : `  - remote: https://example.com/${i}.yml\n`));
  const s = await scanOne(`include:\n${lines.join('')}job:\n  image: alpine@sha256:${'0'.repeat(64)}\n  script: [echo]\n`, '.gitlab-ci.yml');
  const unpinned = s.findings.filter((f) => f.rule === 'unpinned-uses');
  assert.equal(unpinned.length, n - n / 1000);
  assert.deepEqual(unpinned.slice(0, 2).map((f) => f.span.line), [3, 4]);
  assert.equal(unpinned[unpinned.length - 1]!.span.line, n + 1);
  // Each include asked the whole include list whether it was a template: 16,000 took 6 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('4,000 jobs with no permissions, each needing a write scope: one fix for all, given once, in linear time', { timeout: 120_000 }, async () => {
  const n = 4_000;
  const jobs = Array.from({ length: n }, (_, i) => `  j${i}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gh release create v${i}\n`).join('');
  const s = await scanOne(`on: push\njobs:\n${jobs}`);
  const perms = s.findings.filter((f) => f.rule === 'excessive-permissions');
  assert.equal(perms.length, n);
  const fixed = perms.filter((f) => f.fix);
  assert.equal(fixed.length, 1);
  assert.equal(fixed[0], perms[0]);
  // The workflow's `permissions:` and a grant in every job that releases.
  assert.equal(fixed[0]!.fix!.edits.length, n + 1);
  // Every finding carried the whole fix (and made it anew): the JSON report of 4,000 jobs was 2.9 GB, and took 26 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('20,000 findings each under its own inline ignore: all suppressed, the unignored one reported, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const steps = Array.from({ length: n }, (_, i) => `      # pipewarden: ignore[unpinned-uses] vendored fork\n      - uses: some-org/a${i}@v1\n`).join('');
  const text = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}      - uses: some-org/last@v1\n`;
  const s = await scanOne(text);
  const unpinned = s.findings.filter((f) => f.rule === 'unpinned-uses');
  assert.deepEqual(unpinned.map((f) => f.span.line), [7 + 2 * n]);
  assert.equal(s.result.suppressed, n);
  // Each finding read the file's every ignore: 32,000 took 3.9 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a job of 8,000 checkouts, each after a git push, and an upload of the tree at the end: each judged, in linear time', { timeout: 120_000 }, async () => {
  const n = 8_000;
  const steps = Array.from({ length: n }, (_, i) => `      - run: git push origin HEAD:b${i}\n      - uses: actions/checkout@v4\n`).join('');
  const s = await scanOne(`on: push\npermissions: {contents: write}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${steps}      - uses: actions/upload-artifact@v3\n        with: {path: .}\n`);
  const kept = s.findings.filter((f) => f.rule === 'artipacked');
  assert.equal(kept.length, n);
  // Every checkout is followed by the upload of the tree; each fix is unsafe for the pushes after it, but the last one's.
  assert.ok(kept.every((f) => f.severity === 'high' && f.message.endsWith(`step ${2 * n + 1} uploads the working tree with it`)));
  assert.deepEqual(kept.map((f) => f.fix?.safety).filter((x, i) => i >= n - 2), ['unsafe', 'safe']);
  assert.ok(kept.slice(0, -1).every((f) => f.fix?.safety === 'unsafe'));
  // Each checkout read every later step, twice: 8,000 took 2.6 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a Dockerfile heredoc of 20,000 download-and-run lines: each site at its line, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const lines = Array.from({ length: n }, (_, i) => `curl -sSL https://example.com/${i % 7}.sh | sh\n`).join('');
  const s = await scanOne(`# syntax=docker/dockerfile:1\nFROM alpine:3.19\nRUN <<EOF\n${lines}EOF\n`, 'Dockerfile');
  const sites = s.findings.filter((f) => f.rule === 'unverified-script-exec');
  assert.equal(sites.length, n);
  sites.forEach((f, i) => assert.deepEqual(at(f), { line: 4 + i, column: 1 }, `site ${i}`));
  // Each site was searched for from the heredoc's start: 32,000 took 5.3 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a GitLab file declaring 8,000 inputs, each pasted into a script: the free-text ones reported, in linear time', { timeout: 120_000 }, async () => {
  const n = 8_000;
  const inputs = Array.from({ length: n }, (_, i) => (i % 2 ? `    i${i}: {type: boolean, default: false}\n` : `    i${i}: {default: x}\n`)).join('');
  const uses = Array.from({ length: n }, (_, i) => `    - echo $[[ inputs.i${i} ]]\n`).join('');
  const s = await scanOne(`spec:\n  inputs:\n${inputs}---\njob:\n  image: alpine@sha256:${'0'.repeat(64)}\n  script:\n${uses}`, '.gitlab-ci.yml');
  const pasted = s.findings.filter((f) => f.rule === 'template-injection');
  assert.equal(pasted.length, n / 2);
  assert.deepEqual(pasted.slice(0, 2).map((f) => f.message.slice(0, 22)), ['`inputs.i0` is pasted ', '`inputs.i2` is pasted ']);
  // Each expression searched the input list for its name: 32,000 took 3.9 s.
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('a 20 MB file is skipped with a reason under the default 16 MiB limit', async () => {
  const text = `on: issues\njobs:\n${GOOD_JOB}` + '#'.repeat(20 * MiB) + '\n';
  const s = await scanOne(text);
  assert.equal(s.record.status, 'skipped');
  assert.match(s.record.reason ?? '', /larger than 16 MiB/);
  assert.equal(s.findings.length, 0);
});

test('a fractional --max-file-size is shown as given, not rounded to 0', async () => {
  const s = await scanOne(`on: issues\njobs:\n${GOOD_JOB}${'#'.repeat(200_000)}\n`, WF, { maxFileBytes: Math.round(0.1 * MiB) });
  assert.equal(s.record.status, 'skipped');
  assert.match(s.record.reason ?? '', /larger than 0\.1 MiB/);
});

// ---------------------------------------------------------------- depth

test('10,000 levels of `[`: parse-error, no stack overflow message', async () => {
  for (const text of [`on: issues\njobs: ${'['.repeat(10_000)}\n`, `on: issues\njobs: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`]) {
    const s = await scanOne(text);
    assert.equal(s.record.status, 'scanned');
    assert.ok(s.parseErrors.length >= 1);
    assert.ok(s.parseErrors.some((f) => /nested too deeply/.test(f.message)), JSON.stringify(s.parseErrors.map((f) => f.message)));
    for (const f of s.parseErrors) {
      assert.doesNotMatch(f.message, /call stack|RangeError/i);
      assert.equal(f.span.line, 2);
    }
  }
});

test('5,000 levels of nested block mappings: parse-error, no stack overflow message', { timeout: 60_000 }, async () => {
  let text = 'on: issues\njobs:\n';
  for (let i = 0; i < 5000; i++) text += `${' '.repeat(2 + i)}k${i}:\n`;
  text += `${' '.repeat(5002)}v\n`;
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  assert.ok(s.parseErrors.some((f) => /nested too deeply/.test(f.message)));
  for (const f of s.parseErrors) {
    assert.doesNotMatch(f.message, /call stack|RangeError/i);
    assert.ok(f.span.line >= 3 && f.span.line <= 5003, `line ${f.span.line} is inside the nesting`);
  }
});

// ---------------------------------------------------------------- encodings

test('binary content (NUL bytes) is skipped as binary', async () => {
  const s = await scanOne(Buffer.from([0x6f, 0x6e, 0x3a, 0x20, 0x00, 0x01, 0x02, 0xff, 0x0a]));
  assert.equal(s.record.status, 'skipped');
  assert.match(s.record.reason ?? '', /binary/);
  assert.equal(s.findings.length, 0);
});

test('invalid UTF-8 on line 3: parse-error there, the rest still scanned', async () => {
  const head = 'on: issues\nname: ok\nrun-name: bad ';
  const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xff]), Buffer.from(`\njobs:\n${GOOD_JOB}`)]);
  const s = await scanOne(bytes);
  assert.equal(s.record.status, 'scanned');
  const utf = s.parseErrors.filter((f) => /UTF-8/.test(f.message));
  assert.equal(utf.length, 1);
  assert.deepEqual(at(utf[0]!), { line: 3, column: 15 });
  assertGoodJobChecked(s, head + '\uFFFD' + `\njobs:\n${GOOD_JOB}`);
});

test('invalid UTF-8 after a genuine U+FFFD: the invalid byte is located, not the genuine character', async () => {
  const head = '# a real replacement character: \uFFFD\nname: ok\nrun-name: bad ';
  const bytes = Buffer.concat([Buffer.from(head), Buffer.from([0xc3]), Buffer.from(`\non: issues\njobs:\n${GOOD_JOB}`)]);
  const s = await scanOne(bytes);
  const utf = s.parseErrors.filter((f) => /UTF-8/.test(f.message));
  assert.equal(utf.length, 1);
  assert.deepEqual(at(utf[0]!), { line: 3, column: 15 });
});

test('invalid UTF-8 after a BOM: column not shifted by the BOM', async () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('on: issues\nname: '), Buffer.from([0xfe]), Buffer.from(`\njobs:\n${GOOD_JOB}`)]);
  const s = await scanOne(bytes);
  const utf = s.parseErrors.filter((f) => /UTF-8/.test(f.message));
  assert.equal(utf.length, 1);
  assert.deepEqual(at(utf[0]!), { line: 2, column: 7 });
});

test('BOM and CRLF: findings at the same line and column as the LF version', async () => {
  const lf =
    'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions: {}\n    steps:\n' +
    '      - run: |\n          echo start\n          echo "${{ github.event.issue.title }}" and ${{ github.event.issue.body }}\n' +
    '      - run: echo "${{ github.event.issue.title }}"\n' +
    '      - run: >-\n          folded ${{ github.event.issue.body }}\n          more ${{ github.event.issue.title }}\n';
  const expected = [
    { line: 9, column: 17 },
    { line: 9, column: 54 },
    { line: 10, column: 20 },
    { line: 12, column: 18 },
    { line: 13, column: 16 },
  ];
  const variants: [string, string | Buffer][] = [
    ['LF', lf],
    ['BOM', '\uFEFF' + lf],
    ['CRLF', lf.replace(/\n/g, '\r\n')],
    ['BOM+CRLF', '\uFEFF' + lf.replace(/\n/g, '\r\n')],
  ];
  for (const [name, text] of variants) {
    const s = await scanOne(text);
    assert.equal(s.parseErrors.length, 0, name);
    const ti = s.findings.filter((f) => f.rule === 'template-injection');
    assert.deepEqual(ti.map(at), expected, name);
    assert.deepEqual(
      ti.map((f) => f.span.endColumn - f.span.column),
      [31, 30, 31, 30, 31],
      `${name}: each span covers exactly the expression`,
    );
  }
  // In memory the BOM is removed by SourceFile, with the same result.
  const mem = scanSource(new SourceFile(WF, '\uFEFF' + lf.replace(/\n/g, '\r\n')), WF, options('/'));
  assertNoInternalErrors();
  assert.deepEqual(mem.findings.filter((f) => f.rule === 'template-injection').map(at), expected);
});

test('BOM and CRLF: a parse-error keeps its line and column', async () => {
  const lf = 'on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    runs-on: self-hosted\n    steps:\n      - run: echo\n';
  for (const text of ['\uFEFF' + lf.replace(/\n/g, '\r\n'), lf]) {
    const s = await scanOne(text);
    assert.equal(s.parseErrors.length, 1);
    assert.deepEqual(at(s.parseErrors[0]!), { line: 5, column: 5 });
  }
});

// ---------------------------------------------------------------- documents

test('3,000 YAML documents in a workflow: parse-error about the extra documents, first one checked', { timeout: 60_000 }, async () => {
  const first = `on: issues\njobs:\n${GOOD_JOB}`;
  const others = Array.from({ length: 2999 }, (_, i) => `on: push\njobs:\n  j${i}:\n    runs-on: x\n    steps:\n      - run: echo\n`);
  const text = [first, ...others].join('---\n');
  const s = await scanOne(text);
  assert.equal(s.record.status, 'scanned');
  const extra = s.parseErrors.filter((f) => /2999 more ignored/.test(f.message));
  assert.equal(extra.length, 1, JSON.stringify(s.parseErrors.map((f) => f.message)));
  assert.equal(extra[0]!.span.line, loc(text, '---').line + 1);
  assertGoodJobChecked(s, text);
  assert.ok(s.ms < 30_000, `took ${s.ms} ms`);
});

test('an empty file and a file of comments: "empty workflow file" at 1:1', async () => {
  for (const text of ['', '# nothing here\n# at all\n', '\n\n\n', '\r\n# only a comment']) {
    const s = await scanOne(text);
    assert.equal(s.record.status, 'scanned');
    assert.equal(s.parseErrors.length, 1, JSON.stringify(text));
    assert.match(s.parseErrors[0]!.message, /empty workflow file/);
    assert.deepEqual(at(s.parseErrors[0]!), { line: 1, column: 1 });
  }
});

test('a .yml outside .github/workflows that is plain config: not-pipeline, no findings', async () => {
  for (const text of ['database:\n  host: localhost\n  port: 5432\nfeatures: [a, b]\n', '', 'just a sentence\n', '- a\n- b\n']) {
    const s = await scanOne(text, 'config/settings.yml');
    assert.equal(s.record.status, 'not-pipeline', JSON.stringify(text));
    assert.equal(s.findings.length, 0);
  }
  // Broken YAML outside the pipeline folders is not a pipeline either, and says nothing.
  const broken = await scanOne('a: "unclosed\n', 'config/broken.yml');
  assert.equal(broken.record.status, 'not-pipeline');
  assert.equal(broken.findings.length, 0);
});

// ---------------------------------------------------------------- fuzzing

const TOKENS = [
  'on:', 'jobs:', 'steps:', '- ', 'run: ', 'uses: ', 'env:', 'with:', 'permissions:', 'runs-on:', 'if:', 'secrets:', 'container:',
  'services:', 'image:', 'needs:', 'environment:', 'inherit', 'workflow_dispatch:', 'inputs:', 'type:', 'pull_request_target', 'issues',
  'actions/checkout@v4', 'ref:', TITLE, '${{', '}}', "'", '"', '&a ', '*a', '<<: ', '[', ']', '{', '}', ',', '\n', '\n  ', '\n    ',
  '\n      ', '  ', '#', '---\n', '? ', ': ', '|', '>', '!!str ', '!x ', '%YAML 1.2\n', 'write-all', 'read', 'write', 'self-hosted', 'x', '1',
  'null', '~', '\t', '\r\n', '\uFEFF', '\u2028', 'pipewarden: ignore[', ']', 'defaults:', 'shell:', 'script:', 'actions/github-script@v7',
  'docker://x', 'name:', 'run-name:', 'concurrency:', 'runs:', 'using:', 'composite', 'apiVersion: v1', 'kind: Pod',
];

test('fuzz: token soup never throws', { timeout: 120_000 }, () => {
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((a) => a.join(''));
  // Includes the case that used to crash (`<<: *a` before a directive: a pair with a null value in the node tree).
  const examples: [string][] = [['<<: *a%YAML 1.2\nread'], ['x: &a\n<<: *a\n? \n: *a\n']];
  for (const rel of [WF, 'action.yml', 'ci/some.yml']) {
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ maxLength: 200 })), (text) => {
        const r = scanSource(new SourceFile(rel, text), rel, options('/'));
        for (const f of r.findings) assert.doesNotMatch(f.message, /\n\s+at /);
      }),
      { numRuns: 3000, seed: 4242, examples },
    );
  }
  assertNoInternalErrors();
});

// ---------------------------------------------------------------- the real CLI

test('CLI over a folder of hostile files: exit 0 or 1, valid JSON, no stack trace', { timeout: 120_000 }, () => {
  const dir = tmp();
  put(dir, '.github/workflows/unclosed.yml', 'on: issues\njobs:\n  a:\n    steps:\n      - run: "echo\n');
  put(dir, '.github/workflows/types.yml', `on: issues\njobs:\n  bad:\n    steps: "x"\n${GOOD_JOB}`);
  put(dir, '.github/workflows/bomb.yml', `on: issues\njobs:\n${laughs(10, '  ')}  j: *l10\n`);
  put(dir, '.github/workflows/deep.yml', `on: issues\njobs: ${'['.repeat(10_000)}\n`);
  put(dir, '.github/workflows/binary.yml', Buffer.from([0, 1, 2, 3, 0xff]));
  put(dir, '.github/workflows/utf8.yml', Buffer.concat([Buffer.from('on: issues\nname: '), Buffer.from([0xff]), Buffer.from(`\njobs:\n${GOOD_JOB}`)]));
  put(dir, '.github/workflows/empty.yml', '');
  put(dir, '.github/workflows/crlf.yml', '\uFEFF' + `on: issues\njobs:\n${GOOD_JOB}`.replace(/\n/g, '\r\n'));
  put(dir, '.github/workflows/docs.yml', Array.from({ length: 50 }, () => `on: issues\njobs:\n${GOOD_JOB}`).join('---\n'));
  put(dir, 'conf/merge-bomb.yml', '<<: *a%YAML 1.2\nread');
  put(dir, 'config/settings.yml', 'database:\n  host: localhost\n');
  const r = spawnSync(process.execPath, ['bin/pipewarden.js', 'scan', dir, '--format', 'json'], { cwd: repoRoot, encoding: 'utf8', timeout: 100_000, maxBuffer: 64 * MiB });
  assert.equal(r.error, undefined);
  assert.doesNotMatch(r.stderr, /^ {4}at /m, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  assert.equal(r.status, 1, 'the template injections are findings');
  const report = JSON.parse(r.stdout) as { files: FileRecord[]; findings: { rule: string; file: string; line: number; column: number }[] };
  const byName = new Map(report.files.map((f) => [path.basename(f.path), f]));
  assert.equal(report.files.length, 11, JSON.stringify(report.files));
  assert.equal(byName.get('binary.yml')?.status, 'skipped');
  assert.equal(byName.get('settings.yml')?.status, 'not-pipeline');
  assert.equal(byName.get('types.yml')?.status, 'scanned');
  const crlf = report.findings.filter((f) => f.file.endsWith('crlf.yml') && f.rule === 'template-injection');
  assert.deepEqual(crlf.map((f) => [f.line, f.column]), [[7, 19]]);
  const unclosed = report.findings.filter((f) => f.file.endsWith('unclosed.yml'));
  assert.deepEqual(unclosed.map((f) => [f.rule, f.line, f.column]), [['parse-error', 5, 14]]);
});

test('long lines of unclosed ignore comments and dotted text stay linear', async () => {
  const { findingsOf } = await import('./helpers/rule-tester.js');
  const hardcoded = (await import('../src/rules/hardcoded-credentials.js')).default;
  const started = Date.now();
  const big = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo ' + '# pipewarden: ignore['.repeat(20000) + '\n' +
    '      - run: |\n          echo https://' + 'x.'.repeat(100000) + '\n';
  findingsOf(hardcoded, { name: 'big', code: big });
  // Generous bound: the quadratic versions took tens of seconds.
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

test('Tekton and Argo substitutions and validation scans stay linear on long input', async () => {
  const { findingsOf } = await import('./helpers/rule-tester.js');
  const injection = (await import('../src/rules/template-injection.js')).default;
  const task = (script: string) => `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - name: s\n      image: alpine\n      script: |\n${script.split('\n').map((l) => '        ' + l).join('\n')}\n`;
  let started = Date.now();
  findingsOf(injection, { name: 'unclosed', path: 'task.yaml', code: task('echo $(params.a' + ' '.repeat(200_000)) });
  findingsOf(injection, { name: 'unclosed argo', path: 'task.yaml', code: task('echo {{' + ' '.repeat(200_000)) });
  assert.ok(Date.now() - started < 5000, `substitutions took ${Date.now() - started} ms`);
  started = Date.now();
  findingsOf(injection, { name: 'assignments', path: 'task.yaml', code: task(Array.from({ length: 8000 }, (_, i) => `V${i}="$(params.a)"`).join('\n')) });
  assert.ok(Date.now() - started < 5000, `validation took ${Date.now() - started} ms`);
});

test('files read one after another each keep their own bytes (the read buffer is reused): a short file after a long one, and one after an invalid-UTF-8 file', async () => {
  const dir = tmp();
  const step = (n: number) => `      - run: echo "\${{ github.event.issue.title }}" # step ${n}\n`;
  const long = `on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${Array.from({ length: 400 }, (_, i) => step(i)).join('')}`;
  const short = `on: issues\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n${step(0)}`;
  // Discovery sorts names: a.yml is read first, then b.yml, c.yml and d.yml.
  put(dir, '.github/workflows/a.yml', long);
  put(dir, '.github/workflows/b.yml', short);
  put(dir, '.github/workflows/c.yml', Buffer.concat([Buffer.from(short.replace('# step 0', '# \u00e9t\u00e9')), Buffer.from([0xff, 0x0a])]));
  put(dir, '.github/workflows/d.yml', short);
  const result = await scanPaths([dir], options(dir, { keepSources: true }));
  assertNoInternalErrors();
  const text = (rel: string) => (result.sources.get(`.github/workflows/${rel}`) as unknown as { text: string }).text;
  assert.equal(text('a.yml'), long);
  assert.equal(text('b.yml'), short);
  assert.equal(text('d.yml'), short);
  assert.ok(text('c.yml').startsWith(short.replace('# step 0', '# \u00e9t\u00e9')), 'the invalid file decodes from its own bytes');
  const lines = (rel: string) => result.findings.filter((f) => f.file === `.github/workflows/${rel}` && f.rule === 'template-injection').map((f) => f.span.line);
  assert.deepEqual(lines('b.yml'), [6]);
  assert.deepEqual(lines('d.yml'), [6]);
  assert.equal(lines('a.yml').length, 400);
});

test('a List of 20,000 runs in one document: each modelled and followed to its claim, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const run = (i: number) =>
    `  - apiVersion: tekton.dev/v1\n    kind: TaskRun\n    metadata:\n      name: r${i}\n    spec:\n      taskRef: {name: t}\n      workspaces:\n        - name: src\n          persistentVolumeClaim: {claimName: c${i}}\n`;
  const text = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: n }, (_, i) => run(i)).join('')}`;
  const s = await scanOne(text, 'runs.yaml');
  const shared = s.findings.filter((f) => f.rule === 'shared-workspace');
  assert.equal(shared.length, n);
  assert.deepEqual(at(shared[n - 1]!), { line: 3 + 9 * n, column: 34 });
  // Each object's reader searched the whole document for `<<` again: about 40 s for this input; now a few seconds.
  assert.ok(s.ms < 15_000, `took ${s.ms} ms`);
});

test('a GitLab `extends` chain of 20,000 templates: refused every 11 levels, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const templates = Array.from({ length: n }, (_, i) => `.t${i}:\n${i ? `  extends: .t${i - 1}\n` : '  image: alpine:3.19\n'}  variables:\n    V${i}: x\n`).join('');
  const s = await scanOne(`${templates}job:\n  extends: .t${n - 1}\n  script: [echo]\n`, '.gitlab-ci.yml');
  assert.equal(s.record.status, 'scanned');
  // Every template whose parent already stands 10 levels deep: .t11, .t22, …
  assert.equal(s.parseErrors.filter((f) => /nested more than 11 levels/.test(f.message)).length, Math.floor((n - 1) / 11));
  // Resolving each template through its already resolved parent let the chain grow without limit, in time growing with its square (8,000 templates: 8 s).
  assert.ok(s.ms < 15_000, `took ${s.ms} ms`);
});

test('3,000 runs of one service account that 3,000 bindings name: each run judged, in bounded time', { timeout: 120_000 }, async () => {
  const n = 3_000;
  const binding = (i: number) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b${i}\nsubjects:\n  - kind: ServiceAccount\n    name: builder\n    namespace: ci\nroleRef:\n  kind: ClusterRole\n  name: ${i % 2 ? 'cluster-admin' : 'view'}\n`;
  const run = (i: number) => `apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r${i}\n  namespace: ci\nspec:\n  pipelineRef: {name: p}\n  taskRunTemplate:\n    serviceAccountName: builder\n`;
  const docs = [...Array.from({ length: n }, (_, i) => binding(i)), ...Array.from({ length: n }, (_, i) => run(i))];
  const s = await scanOne(docs.join('---\n'), 'cluster/rbac.yaml');
  const over = s.findings.filter((f) => f.rule === 'overprivileged-service-account');
  // Every run is bound by all 3,000; the first cluster-admin binding is the one named, the first five in related.
  assert.equal(over.length, n);
  assert.ok(over.every((f) => f.severity === 'critical' && /ClusterRoleBinding `b1` grants the built-in `cluster-admin`/.test(f.message) && f.related?.length === 5));
  // Every binding's subjects and role were read again for every run of the account: 12 s for 2,000 of each, 27 s for these.
  assert.ok(s.ms < 10_000, `took ${s.ms} ms`);
});

test('a Dockerfile of 20,000 stages, each built on the last: the first stage\'s USER reaches the final one, in linear time', { timeout: 120_000 }, async () => {
  const n = 20_000;
  const stages = (user: string) =>
    Array.from({ length: n }, (_, i) => (i ? `FROM s${i - 1} AS s${i}\nRUN echo ${i}\n` : `FROM alpine:3.19 AS s0\n${user}`)).join('');
  const nonRoot = await scanOne(stages('USER app\n'), 'Dockerfile');
  assert.equal(nonRoot.record.status, 'scanned');
  assert.deepEqual(nonRoot.findings.filter((f) => f.rule === 'run-as-root'), []);
  // Each stage's base was looked up through every stage before it, and each USER through the whole chain: 8,000 stages took 5.7 s.
  assert.ok(nonRoot.ms < 15_000, `took ${nonRoot.ms} ms`);
  const root = await scanOne(stages(''), 'Dockerfile');
  assert.deepEqual(root.findings.filter((f) => f.rule === 'run-as-root').map((f) => f.span.line), [2 * (n - 1)]);
});
