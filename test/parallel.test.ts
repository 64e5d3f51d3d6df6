/** `--jobs`: worker threads must give exactly the single-thread result, in the same order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emptyConfig } from '../src/config/config.js';
import { discover } from '../src/core/discover.js';
import { scanPaths, type ScanOptions } from '../src/core/scan.js';
import { allRules } from '../src/rules/index.js';
import { CORPUS } from './helpers/corpus.js';

const options = (cwd: string, jobs: number, errors: string[] = []): ScanOptions => ({
  rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test', jobs,
  onInternalError: (file, e) => errors.push(`${file}: ${(e as Error).message}`),
});

test('worker threads give the single-thread result on the whole corpus, cross-file findings and their related locations included', { timeout: 300_000 }, async () => {
  // The whole corpus: threads finish files in any order, and the order of cross-file joins once leaked into related locations.
  const { candidates } = await discover([CORPUS]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-jobs-'));
  try {
    candidates.forEach((c) => {
      const to = path.join(dir, path.relative(CORPUS, c.absPath));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(c.absPath, to);
    });
    // A Tekton run and the service account bound to a cluster-admin role, in separate files: found only across files.
    fs.mkdirSync(path.join(dir, 'zz-cross'));
    fs.writeFileSync(path.join(dir, 'zz-cross/run.yaml'), 'apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r\nspec:\n  taskRunTemplate:\n    serviceAccountName: builder\n  pipelineRef:\n    name: p\n');
    fs.writeFileSync(path.join(dir, 'zz-cross/rbac.yaml'), 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: builder\n');
    const errors: string[] = [];
    const single = await scanPaths([dir], options(dir, 1));
    const parallel = await scanPaths([dir], options(dir, 2, errors));
    assert.ok(single.files.length > 3000, `slice has ${single.files.length} files`);
    assert.ok(single.findings.some((f) => f.rule === 'overprivileged-service-account' && f.file === 'zz-cross/run.yaml'), 'cross-file finding present');
    assert.deepEqual(errors, []);
    assert.deepEqual(parallel.files, single.files);
    assert.deepEqual(parallel.findings, single.findings);
    assert.deepEqual([...parallel.sources.keys()].sort(), [...single.sources.keys()].sort());
    // Sources crossed a thread boundary: they must still work as SourceFiles for code frames.
    const [name, src] = [...parallel.sources.entries()][0]!;
    assert.equal(src.lineText(1), single.sources.get(name)!.lineText(1));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
