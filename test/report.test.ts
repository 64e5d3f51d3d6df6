import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { compareIds, type Finding } from '../src/model/finding.js';
import { allRules } from '../src/rules/index.js';
import type { FileRecord, ScanResult } from '../src/model/result.js';
import { SourceFile } from '../src/model/source.js';
import type { RuleMeta } from '../src/rules/types.js';
import { formatText } from '../src/report/text.js';
import { formatJson } from '../src/report/json.js';
import { formatSarif } from '../src/report/sarif.js';
import { formatGithub } from '../src/report/github.js';
import { formatResult } from '../src/report/index.js';

const WORKFLOW = 'name: ci\non: issue_comment\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.comment.body }}"\n';
const DEPLOY = 'jobs:\n  deploy:\n    steps:\n      - uses: actions/checkout@v4\n';
const WF_PATH = '.github/workflows/ci.yml';
const DEPLOY_PATH = 'path with space/deploy,prod:v2.yml';

const RULES: RuleMeta[] = [
  {
    id: 'template-injection',
    title: 'Untrusted input expanded into a shell script',
    severity: 'critical',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: true,
    docs: {
      description: 'Attacker-controlled text in `${{ }}` runs as shell code.',
      bad: 'run: echo "${{ github.event.comment.body }}"',
      good: 'env:\n  BODY: ${{ github.event.comment.body }}\nrun: echo "$BODY"',
      remedy: 'Pass the value through an environment variable.',
    },
  },
  {
    id: 'unpinned-action',
    title: 'Action not pinned to a commit',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: { description: 'Tags can move.', bad: 'uses: a/b@v1', good: 'uses: a/b@0123456789abcdef0123456789abcdef01234567', remedy: 'Pin to a SHA.' },
  },
  {
    id: 'job-without-timeout',
    title: 'Job without timeout',
    severity: 'low',
    confidence: 'low',
    platforms: ['gha'],
    fixable: false,
    docs: { description: 'Jobs run for 6 hours by default.', bad: 'build: {}', good: 'build:\n  timeout-minutes: 10', remedy: 'Set timeout-minutes.' },
  },
];

/** Build a scan result; `prefix` is prepended to the workflow so every line moves down. */
function makeResult(prefix = '', reverse = false): ScanResult {
  const wf = new SourceFile(WF_PATH, prefix + WORKFLOW);
  const deploy = new SourceFile(DEPLOY_PATH, DEPLOY);
  const exprStart = wf.text.indexOf('${{');
  const exprEnd = wf.text.indexOf('}}') + 2;
  const trigger = wf.text.indexOf('issue_comment');
  const jobStart = wf.text.indexOf('build:');
  const jobEnd = wf.text.indexOf('ubuntu-latest') + 'ubuntu-latest'.length;
  const usesStart = deploy.text.indexOf('actions/checkout@v4');

  const injection: Finding = {
    rule: 'template-injection',
    severity: 'critical',
    confidence: 'high',
    message: 'github.event.comment.body is expanded into a run script',
    file: WF_PATH,
    span: wf.span(exprStart, exprEnd),
    owasp: 'CICD-SEC-4',
    remedy: 'Pass the value through an environment variable.',
    fix: {
      description: 'Move the expression into env',
      safety: 'safe',
      edits: [{ offset: exprStart, endOffset: exprEnd, replacement: '$BODY' }],
    },
    related: [{ file: WF_PATH, span: wf.span(trigger, trigger + 'issue_comment'.length), message: 'triggered by anyone who can comment' }],
  };
  const timeout: Finding = {
    rule: 'job-without-timeout',
    severity: 'low',
    confidence: 'low',
    message: 'job "build" has no timeout\nit may run for 6 hours',
    file: WF_PATH,
    span: wf.span(jobStart, jobEnd),
    remedy: 'Set timeout-minutes.',
  };
  const unpinned: Finding = {
    rule: 'unpinned-action',
    severity: 'medium',
    confidence: 'medium',
    message: 'actions/checkout@v4: not pinned, tag may move\n100% mutable',
    file: DEPLOY_PATH,
    span: deploy.span(usesStart, usesStart + 'actions/checkout@v4'.length),
    owasp: 'CICD-SEC-3',
    remedy: 'Pin to a SHA.',
  };
  // Deliberately out of report order.
  const findings = [unpinned, injection, timeout];
  if (reverse) findings.reverse();
  const files: FileRecord[] = [
    { path: WF_PATH, platform: 'gha', kind: 'workflow', status: 'scanned' },
    { path: DEPLOY_PATH, platform: 'gha', kind: 'workflow', status: 'scanned' },
    { path: '.gitlab-ci.yml', platform: 'gitlab', status: 'skipped', reason: 'platform not checked yet' },
    { path: 'README.md', status: 'not-pipeline' },
  ];
  return {
    toolVersion: '0.1.0',
    findings,
    files,
    rules: RULES,
    sources: new Map([
      [WF_PATH, wf],
      [DEPLOY_PATH, deploy],
    ]),
    suppressed: 2,
  };
}

const EXPR_COL = 'echo "'.length + '      - run: '.length + 1;
const EXPR_LEN = '${{ github.event.comment.body }}'.length;

// ---------------------------------------------------------------- text

test('text: header lines, order and caret placement are exact', () => {
  const out = formatText(makeResult(), { color: false });
  const lines = out.split('\n');
  const headers = lines.filter((l) => l.includes(' (confidence: '));
  assert.deepEqual(headers, [
    `${WF_PATH}:4:3 low (confidence: low) job-without-timeout job "build" has no timeout`,
    `${WF_PATH}:7:${EXPR_COL} critical (confidence: high) template-injection github.event.comment.body is expanded into a run script`,
    `${DEPLOY_PATH}:4:15 medium (confidence: medium) unpinned-action actions/checkout@v4: not pinned, tag may move`,
  ]);

  // Single-line span: the line, then carets under exactly the expression.
  const i = lines.indexOf(headers[1]!);
  assert.equal(lines[i + 1], '  7 |       - run: echo "${{ github.event.comment.body }}"');
  assert.equal(lines[i + 2], '    | ' + ' '.repeat(EXPR_COL - 1) + '^'.repeat(EXPR_LEN));
  assert.equal(lines[i + 3], '  remedy: Pass the value through an environment variable.');
  assert.equal(lines[i + 4], '  fix available (safe): Move the expression into env');

  // Multi-line span: first line underlined to its end, then an ellipsis; message continuation indented.
  const j = lines.indexOf(headers[0]!);
  assert.equal(lines[j + 1], '  it may run for 6 hours');
  assert.equal(lines[j + 2], '  4 |   build:');
  assert.equal(lines[j + 3], '    |   ^^^^^^');
  assert.equal(lines[j + 4], '    | …');
  assert.equal(lines[j + 5], '  remedy: Set timeout-minutes.');
  assert.ok(!lines[j + 6]?.startsWith('  fix available'), 'no fix line without a fix');
});

test('text: a long line is shown around each finding, with the carets under it', () => {
  const line = `run: ${'echo a; '.repeat(100)}curl https://example.com/i.sh | sh; ${'echo b; '.repeat(100)}`;
  const file = new SourceFile(WF_PATH, `on: push\n${line}\n`);
  const at = file.text.indexOf('curl');
  const piece = 'curl https://example.com/i.sh | sh';
  const finding: Finding = { rule: 'unverified-script-exec', severity: 'high', confidence: 'high', message: 'm', file: WF_PATH, span: file.span(at, at + piece.length), remedy: 'r' };
  const r: ScanResult = { toolVersion: 't', findings: [finding], files: [{ path: WF_PATH, status: 'scanned' }], rules: [], sources: new Map([[WF_PATH, file]]), suppressed: 0 };
  const lines = formatText(r, { color: false }).split('\n');
  const k = lines.findIndex((l) => l.startsWith('  2 | '));
  const [shown, carets] = [lines[k]!.slice('  2 | '.length), lines[k + 1]!.slice('  2 | '.length)];
  assert.ok(shown.startsWith('\u2026') && shown.endsWith('\u2026'), shown);
  assert.equal(shown.length, 242);
  assert.equal(carets.indexOf('^'), shown.indexOf(piece));
  assert.equal(carets.trimStart(), '^'.repeat(piece.length));
  // A short line is shown whole.
  const short = new SourceFile(WF_PATH, 'on: push\nrun: curl https://example.com/i.sh | sh\n');
  const s = short.text.indexOf('curl');
  const whole = formatText({ ...r, findings: [{ ...finding, span: short.span(s, s + piece.length) }], sources: new Map([[WF_PATH, short]]) }, { color: false });
  assert.ok(whole.includes('  2 | run: curl https://example.com/i.sh | sh\n    |      ' + '^'.repeat(piece.length) + '\n'), whole);
});

test('text: summary counts severities, files, skipped and suppressed', () => {
  const out = formatText(makeResult(), { color: false });
  assert.ok(out.endsWith('\n'));
  const last = out.trimEnd().split('\n').at(-1);
  assert.equal(last, '3 findings (1 critical, 1 medium, 1 low) in 2 files scanned, 1 skipped, 2 suppressed');

  const r = makeResult();
  r.suppressed = 0;
  assert.equal(formatText(r, { color: false }).trimEnd().split('\n').at(-1), '3 findings (1 critical, 1 medium, 1 low) in 2 files scanned, 1 skipped');
});

test('text: no findings', () => {
  const r = makeResult();
  r.findings = [];
  r.suppressed = 0;
  r.files = r.files.filter((f) => f.status !== 'skipped');
  assert.equal(formatText(r, { color: false }), 'No findings in 2 files scanned.\n');
  assert.equal(formatText(r, { color: true }), 'No findings in 2 files scanned.\n');
});

test('text: ANSI colours only when asked, and never from file content', () => {
  const plain = formatText(makeResult(), { color: false });
  assert.ok(!plain.includes('\x1b'), 'no escape codes with color: false');
  const coloured = formatText(makeResult(), { color: true });
  assert.ok(coloured.includes('\x1b[1;35mcritical\x1b[0m'), 'severity coloured');
  assert.ok(coloured.includes('\x1b[2mtemplate-injection\x1b[0m'), 'rule dim');

  const hostile = makeResult();
  hostile.findings[0]!.message = 'evil \x1b[2J\x1b]0;title\x07 message';
  hostile.sources.set(WF_PATH, new SourceFile(WF_PATH, WORKFLOW.replace('echo "', 'echo "\x1b[31m\u202e')));
  const out = formatText(hostile, { color: false });
  assert.ok(!out.includes('\x1b'), 'escapes from the message and the source are neutralised');
  assert.ok(!out.includes('\u202e'), 'bidi overrides are neutralised');
  assert.ok(out.includes('evil \u241b[2J'), 'shown visibly instead');
});

// ---------------------------------------------------------------- json

test('json: parses, 1-based positions, fix and related carried', () => {
  const out = formatJson(makeResult());
  assert.ok(out.endsWith('}\n'));
  assert.ok(out.startsWith('{\n  "version": 1,'));
  const doc = JSON.parse(out);
  assert.equal(doc.version, 1);
  assert.deepEqual(doc.tool, { name: 'pipewarden', version: '0.1.0' });
  assert.deepEqual(
    doc.findings.map((f: { rule: string }) => f.rule),
    ['job-without-timeout', 'template-injection', 'unpinned-action'],
  );
  const inj = doc.findings[1];
  assert.equal(inj.line, 7);
  assert.equal(inj.column, EXPR_COL);
  assert.equal(inj.endLine, 7);
  assert.equal(inj.endColumn, EXPR_COL + EXPR_LEN);
  assert.equal(inj.owasp, 'CICD-SEC-4');
  assert.equal(inj.confidence, 'high');
  assert.equal(inj.fix.safety, 'safe');
  assert.equal(inj.fix.edits[0].replacement, '$BODY');
  assert.deepEqual(inj.related, [
    { file: WF_PATH, line: 2, column: 5, endLine: 2, endColumn: 18, message: 'triggered by anyone who can comment' },
  ]);
  const timeout = doc.findings[0];
  assert.equal(timeout.line, 4);
  assert.equal(timeout.endLine, 5);
  assert.ok(!('fix' in timeout));
  assert.ok(!('related' in timeout));
  assert.deepEqual(doc.files, makeResult().files);
  assert.equal(doc.summary.findings, 3);
  assert.deepEqual(doc.summary.bySeverity, { critical: 1, high: 0, medium: 1, low: 1, info: 0 });
  assert.equal(doc.summary.filesScanned, 2);
  assert.equal(doc.summary.filesSkipped, 1);
  assert.equal(doc.summary.suppressed, 2);
});

// ---------------------------------------------------------------- sarif

function sarifValidator() {
  const schemaUrl = new URL('../../../shared/schemas/sarif-schema-2.1.0.json', import.meta.url);
  const schema = JSON.parse(readFileSync(schemaUrl, 'utf8'));
  const ajv = new AjvDraft04.default({ strict: false, allErrors: true });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'file:///base/'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(schema);
}

interface SarifLog {
  runs: {
    tool: { driver: { name: string; rules: { id: string; name: string; help: { markdown: string }; properties: Record<string, unknown>; defaultConfiguration: { level: string } }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: unknown[] }[];
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }[];
      relatedLocations?: { id: number; message: { text: string } }[];
      codeFlows?: { threadFlows: { locations: { location: { physicalLocation: { region: Record<string, number> } } }[] }[] }[];
      fixes?: { artifactChanges: { replacements: { deletedRegion: { charOffset: number; charLength: number }; insertedContent: { text: string } }[] }[] }[];
      partialFingerprints: { primaryLocationLineHash: string };
    }[];
  }[];
}

test('sarif: validates against the SARIF 2.1.0 schema', () => {
  const validate = sarifValidator();
  const log: Record<string, unknown> = JSON.parse(formatSarif(makeResult()));
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  // The validator is real: a broken log is rejected.
  delete log.version;
  assert.equal(validate(log), false);
});

test('sarif: rules, levels and security-severity', () => {
  const log: SarifLog = JSON.parse(formatSarif(makeResult()));
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'pipewarden');
  const rules = run.tool.driver.rules;
  assert.deepEqual(rules.map((r) => r.id), ['template-injection', 'unpinned-action', 'job-without-timeout']);
  assert.equal(rules[0]!.name, 'TemplateInjection');
  assert.deepEqual(rules.map((r) => r.properties['security-severity']), ['9.5', '5.5', '3.0']);
  assert.deepEqual(rules.map((r) => r.defaultConfiguration.level), ['error', 'warning', 'note']);
  assert.deepEqual(rules[0]!.properties.tags, ['security', 'CICD-SEC-4']);
  assert.equal(rules[0]!.properties.precision, 'high');
  assert.match(rules[0]!.help.markdown, /```yaml\nrun: echo/);
  assert.match(rules[0]!.help.markdown, /CICD-SEC-4 Poisoned Pipeline Execution/);
  for (const r of run.results) assert.equal(rules[r.ruleIndex]!.id, r.ruleId);
  assert.deepEqual(run.results.map((r) => r.level), ['note', 'error', 'warning']);
  assert.deepEqual(run.invocations[0]!.executionSuccessful, true);
  assert.equal(run.invocations[0]!.toolExecutionNotifications?.length, 1);
});

test('sarif: URIs are relative, encoded, with forward slashes', () => {
  const log: SarifLog = JSON.parse(formatSarif(makeResult()));
  const run = log.runs[0]!;
  const base = run.originalUriBaseIds['%SRCROOT%']!.uri;
  assert.match(base, /^file:\/\/\/.*\/$/);
  const uris = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
  for (const u of uris) {
    assert.equal(u.uriBaseId, '%SRCROOT%');
    assert.ok(!u.uri.startsWith('/') && !u.uri.startsWith('file:'), u.uri);
    assert.ok(!u.uri.includes('\\'));
  }
  assert.equal(uris[0]!.uri, '.github/workflows/ci.yml');
  assert.equal(uris[2]!.uri, 'path%20with%20space/deploy%2Cprod%3Av2.yml');
  assert.deepEqual(run.results[1]!.locations[0]!.physicalLocation.region, {
    startLine: 7,
    startColumn: EXPR_COL,
    endLine: 7,
    endColumn: EXPR_COL + EXPR_LEN,
  });
});

test('sarif: related locations, code flow and fixes', () => {
  const result = makeResult();
  const log: SarifLog = JSON.parse(formatSarif(result));
  const inj = log.runs[0]!.results[1]!;
  assert.deepEqual(inj.relatedLocations?.map((r) => [r.id, r.message.text]), [[1, 'triggered by anyone who can comment']]);
  const flow = inj.codeFlows?.[0]?.threadFlows[0]?.locations.map((l) => l.location.physicalLocation.region.startLine);
  assert.deepEqual(flow, [2, 7]);
  const rep = inj.fixes?.[0]?.artifactChanges[0]?.replacements[0];
  assert.ok(rep);
  const text = (result.sources.get(WF_PATH) as SourceFile).text;
  const fixed = text.slice(0, rep.deletedRegion.charOffset) + rep.insertedContent.text + text.slice(rep.deletedRegion.charOffset + rep.deletedRegion.charLength);
  assert.ok(fixed.includes('- run: echo "$BODY"\n'));
  assert.equal(log.runs[0]!.results[0]!.codeFlows, undefined);
  assert.equal(log.runs[0]!.results[0]!.fixes, undefined);
});

test('sarif: fingerprints are stable and distinct', () => {
  const fp = (r: ScanResult) => {
    const log: SarifLog = JSON.parse(formatSarif(r));
    return new Map(log.runs[0]!.results.map((x) => [x.ruleId, x.partialFingerprints.primaryLocationLineHash]));
  };
  const a = fp(makeResult());
  const b = fp(makeResult('', true));
  const moved = fp(makeResult('# a comment that moves every line down\n'));
  assert.deepEqual([...a], [...b], 'same across runs and input order');
  assert.deepEqual([...a], [...moved], 'same when unrelated lines move');
  assert.equal(new Set(a.values()).size, 3, 'different findings, different fingerprints');
  for (const v of a.values()) assert.match(v, /^[0-9a-f]{16}:\d+$/);

  // Two findings of one rule on one line differ by occurrence.
  const twice = makeResult();
  const inj = twice.findings.find((f) => f.rule === 'template-injection')!;
  twice.findings.push({ ...inj, span: { ...inj.span, column: inj.span.column + 1 } });
  const log: SarifLog = JSON.parse(formatSarif(twice));
  const hashes = log.runs[0]!.results.filter((r) => r.ruleId === 'template-injection').map((r) => r.partialFingerprints.primaryLocationLineHash);
  assert.equal(hashes.length, 2);
  assert.notEqual(hashes[0], hashes[1]);
  assert.equal(hashes[0], a.get('template-injection'));

  // One file under two names (`./x` and `x`, not next to each other in report order) is still one file
  // whose repeats are counted together, as are a file's repeats around another file's findings.
  const split = makeResult();
  const other = { ...split.findings[0]!, file: '.other.yml' };
  split.findings.push({ ...inj, file: `./${inj.file}`, span: { ...inj.span, column: inj.span.column + 1 } }, other);
  split.sources.set(`./${inj.file}`, split.sources.get(inj.file)!);
  const splitLog: SarifLog = JSON.parse(formatSarif(split));
  const splitHashes = splitLog.runs[0]!.results.filter((r) => r.ruleId === 'template-injection').map((r) => r.partialFingerprints.primaryLocationLineHash);
  assert.deepEqual(splitHashes.sort(), [...hashes].sort());
});

// ---------------------------------------------------------------- github

test('github: one workflow command per finding, escaped', () => {
  const out = formatGithub(makeResult());
  const lines = out.split('\n');
  assert.equal(lines.at(-1), '', 'ends with a newline');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], `::notice file=${WF_PATH},line=4,col=3,endLine=5,endColumn=27,title=job-without-timeout::job "build" has no timeout%0Ait may run for 6 hours`);
  assert.equal(
    lines[1],
    `::error file=${WF_PATH},line=7,col=${EXPR_COL},endLine=7,endColumn=${EXPR_COL + EXPR_LEN},title=template-injection::github.event.comment.body is expanded into a run script`,
  );
  assert.equal(
    lines[2],
    '::warning file=path with space/deploy%2Cprod%3Av2.yml,line=4,col=15,endLine=4,endColumn=34,title=unpinned-action::actions/checkout@v4: not pinned, tag may move%0A100%25 mutable',
  );
});

test('github: carriage returns are escaped in data and properties', () => {
  const r = makeResult();
  r.findings = [{ ...r.findings[1]!, message: 'a\r\nb', file: 'x\r\ny,z.yml' }];
  assert.equal(formatGithub(r), `::error file=x%0D%0Ay%2Cz.yml,line=7,col=${EXPR_COL},endLine=7,endColumn=${EXPR_COL + EXPR_LEN},title=template-injection::a%0D%0Ab\n`);
});

// ---------------------------------------------------------------- index

test('formatResult dispatches on the format', () => {
  const r = makeResult();
  assert.equal(formatResult(r, 'text', { color: false }), formatText(r, { color: false }));
  assert.equal(formatResult(r, 'json', {}), formatJson(r));
  assert.equal(formatResult(r, 'sarif', {}), formatSarif(r));
  assert.equal(formatResult(r, 'github', {}), formatGithub(r));
});

test('rule ids order by code units exactly as localeCompare orders them', () => {
  // Findings at one place are ordered by rule id without ICU's collator (10 ms of a one-file start);
  // a rule id outside [a-z0-9-] could make the two orders part, and this would say so.
  const ids = [...allRules.map((r) => r.meta.id), 'parse-error', 'invalid-ignore'];
  assert.ok(ids.every((id) => /^[a-z0-9-]+$/.test(id)), 'rule ids are lower-case letters, digits and hyphens');
  assert.deepEqual([...ids].sort(compareIds), [...ids].sort((a, b) => a.localeCompare(b)));
  assert.ok(compareIds('unpinned-images', 'unpinned-uses') < 0 && compareIds('a', 'a') === 0 && compareIds('a-b', 'ab') < 0);
});
