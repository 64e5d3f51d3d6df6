/**
 * ESLint-style rule tester: each `valid` case must produce no finding of the
 * rule, each `invalid` case exactly the listed findings at the listed lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig } from '../../src/config/config.js';
import { scanSource, type ScanOptions } from '../../src/core/scan.js';
import type { Confidence, Finding, Severity } from '../../src/model/finding.js';
import { SourceFile } from '../../src/model/source.js';
import type { Persona, Rule } from '../../src/rules/types.js';

export interface Case {
  name: string;
  code: string;
  /** Path used for classification; defaults to a workflow path. */
  path?: string;
  options?: Record<string, unknown>;
  persona?: Persona;
}

export interface ExpectedFinding {
  line: number;
  column?: number;
  endColumn?: number;
  severity?: Severity;
  confidence?: Confidence;
  message?: RegExp;
}

export interface InvalidCase extends Case {
  findings: ExpectedFinding[];
}

export function findingsOf(rule: Rule, c: Case): Finding[] {
  const config = emptyConfig();
  if (c.options) config.rules.set(rule.meta.id, { enabled: true, options: c.options });
  const opts: ScanOptions = {
    rules: [rule],
    config,
    persona: c.persona ?? 'auditor',
    minSeverity: 'info',
    minConfidence: 'low',
    cwd: '/',
    toolVersion: 'test',
  };
  const path = c.path ?? '.github/workflows/test.yml';
  const scan = scanSource(new SourceFile(path, c.code), path, opts);
  const parseErrors = scan.findings.filter((f) => f.rule === 'parse-error');
  assert.deepEqual(parseErrors.map((f) => `${f.span.line}: ${f.message}`), [], `case "${c.name}" must parse cleanly`);
  return scan.findings.filter((f) => f.rule === rule.meta.id);
}

export function ruleTester(rule: Rule, cases: { valid: Case[]; invalid: InvalidCase[] }): void {
  for (const c of cases.valid) {
    test(`${rule.meta.id}: silent on ${c.name}`, () => {
      const found = findingsOf(rule, c);
      assert.deepEqual(found.map((f) => `${f.span.line}:${f.span.column} ${f.message}`), []);
    });
  }
  for (const c of cases.invalid) {
    test(`${rule.meta.id}: fires on ${c.name}`, () => {
      const found = findingsOf(rule, c);
      assert.equal(found.length, c.findings.length, `expected ${c.findings.length} findings, got:\n${found.map((f) => `${f.span.line}:${f.span.column} ${f.severity} ${f.message}`).join('\n')}`);
      c.findings.forEach((want, i) => {
        const got = found[i]!;
        assert.equal(got.span.line, want.line, `finding ${i} line (${got.message})`);
        if (want.column !== undefined) assert.equal(got.span.column, want.column, `finding ${i} column`);
        if (want.endColumn !== undefined) assert.equal(got.span.endColumn, want.endColumn, `finding ${i} endColumn`);
        if (want.severity) assert.equal(got.severity, want.severity, `finding ${i} severity (${got.message})`);
        if (want.confidence) assert.equal(got.confidence, want.confidence, `finding ${i} confidence`);
        if (want.message) assert.match(got.message, want.message);
        assert.equal(got.owasp, rule.meta.owasp);
        assert.ok(got.remedy.length > 0);
      });
    });
  }
}

/**
 * Strips a common indentation so YAML cases can be written indented in the
 * test file. Write `\${{` for a GitHub expression (cooked strings are used).
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '').replace(/^\n/, '');
  const lines = raw.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
