/** Scans a small tree of files written to a temporary folder, as a user's repository would be. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyConfig } from '../../src/config/config.js';
import { scanPaths, type ScanOptions } from '../../src/core/scan.js';
import type { Finding } from '../../src/model/finding.js';
import type { Persona } from '../../src/rules/types.js';
import { allRules } from '../../src/rules/index.js';

/** Writes `files` (relative path → text) into a new temporary folder and returns it. */
export function writeTree(files: Record<string, string>, prefix = 'pw-tree-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export async function scanTree(
  files: Record<string, string>,
  persona: Persona = 'auditor',
  onInternalError?: ScanOptions['onInternalError'],
): Promise<{ findings: Finding[]; dir: string }> {
  const dir = writeTree(files);
  const result = await scanPaths([dir], {
    rules: allRules, config: emptyConfig(), persona, minSeverity: 'info', minConfidence: 'low', cwd: dir, toolVersion: 'test',
    ...(onInternalError ? { onInternalError } : {}),
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { findings: result.findings, dir };
}

export function ofRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}
