/** How a file's raw findings become its report: repeats at one place. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig } from '../src/config/config.js';
import { scanSource, type ScanOptions } from '../src/core/scan.js';
import { SourceFile } from '../src/model/source.js';
import { defineRule, type Rule } from '../src/rules/types.js';

const WF = '.github/workflows/ci.yml';
const TEXT = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n';

function ruleReporting(id: string, reports: { offset: number; end: number; message: string }[]): Rule {
  return defineRule({
    meta: {
      id, title: id, severity: 'medium', confidence: 'high', platforms: ['gha'], fixable: false,
      docs: { description: 'test rule', bad: '', good: '', remedy: 'none' },
    },
    check(ctx) {
      for (const r of reports) ctx.report({ span: ctx.pipeline.file.span(r.offset, r.end), message: r.message });
    },
  });
}

function scan(rules: Rule[]) {
  const opts: ScanOptions = { rules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: '/', toolVersion: 'test' };
  return scanSource(new SourceFile(WF, TEXT), WF, opts).findings.map((f) => `${f.rule}@${f.span.offset}-${f.span.endOffset}: ${f.message}`);
}

test('a finding repeated at one place with the same message is reported once; other messages or places stay', () => {
  const found = scan([
    ruleReporting('test-a', [
      { offset: 0, end: 2, message: 'first' },
      { offset: 0, end: 2, message: 'first' },
      { offset: 0, end: 2, message: 'second' },
      { offset: 0, end: 2, message: 'first' },
      { offset: 0, end: 2, message: 'second' },
      { offset: 0, end: 3, message: 'first' },
      { offset: 4, end: 8, message: 'second' },
    ]),
    ruleReporting('test-b', [{ offset: 0, end: 2, message: 'first' }]),
  ]);
  assert.deepEqual(found, [
    'test-a@0-2: first',
    'test-a@0-2: second',
    'test-a@0-3: first',
    'test-b@0-2: first',
    'test-a@4-8: second',
  ]);
});

test('several parser complaints at one offset are one finding, whatever they say or span', () => {
  const found = scan([
    ruleReporting('parse-error', [
      { offset: 4, end: 5, message: 'unexpected token' },
      { offset: 4, end: 9, message: 'unclosed flow sequence' },
      { offset: 10, end: 11, message: 'unexpected token' },
    ]),
  ]);
  assert.deepEqual(found, ['parse-error@4-5: unexpected token', 'parse-error@10-11: unexpected token']);
});
