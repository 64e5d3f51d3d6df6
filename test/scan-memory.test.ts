/**
 * What a scan keeps for its reports, and what it lets go: the lines findings
 * start on instead of whole texts, and the YAML of objects no project rule reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { isMap, isNode, type Node } from 'yaml';
import { emptyConfig } from '../src/config/config.js';
import { analyseSource, scanPaths, type ScanOptions } from '../src/core/scan.js';
import { SourceFile, SourceLines } from '../src/model/source.js';
import { releaseYamlUnusedByProjectRules } from '../src/platforms/kube/project.js';
import { yamlOf } from '../src/platforms/kube/security.js';
import { formatSarif } from '../src/report/sarif.js';
import { formatText } from '../src/report/text.js';
import { allRules } from '../src/rules/index.js';
import { CORPUS } from './helpers/corpus.js';

const options = (cwd: string, keepSources: ScanOptions['keepSources']): ScanOptions => ({
  rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd, toolVersion: 'test', keepSources,
});

test('kept lines: the lines asked for, empty text for the others, and the union of two sets', () => {
  const file = new SourceFile('w.yml', 'one\ntwo\r\nthree\n');
  const a = SourceLines.of(file, [2]);
  assert.equal(a.path, 'w.yml');
  assert.equal(a.lineCount, file.lineCount);
  assert.equal(a.lineText(2), 'two');
  assert.equal(a.lineText(1), '');
  const both = SourceLines.union(a, SourceLines.of(file, [3]));
  assert.deepEqual([1, 2, 3].map((n) => both.lineText(n)), ['', 'two', 'three']);
});

test("reports from kept lines equal reports from whole texts, a callee's findings reported by its callers included", { timeout: 120_000 }, async () => {
  // kyverno's cherry-pick action has findings of its own and findings its callers' scans report in it.
  const dir = path.join(CORPUS, 'repos/kyverno__policies');
  const whole = await scanPaths([dir], options(dir, true));
  const lines = await scanPaths([dir], options(dir, 'lines'));
  assert.ok(whole.findings.some((f) => f.file.endsWith('cherry-pick/action.yaml') && f.rule === 'template-injection'));
  assert.ok([...lines.sources.values()].every((s) => s instanceof SourceLines));
  assert.equal(formatText(lines, { color: false }), formatText(whole, { color: false }));
  assert.equal(formatSarif(lines, dir), formatSarif(whole, dir));
});

test('a Task no project rule reads lets its YAML go; a PipelineRun keeps it; reading a released one fails loudly', () => {
  const text = 'apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps:\n    - image: alpine\n      script: echo hi\n---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r\nspec:\n  pipelineRef:\n    name: p\n';
  const a = analyseSource(new SourceFile('t.yaml', text), 't.yaml', options('.', true));
  const [task, run] = a.pipelines;
  assert.equal(task?.kube?.kind, 'Task');
  assert.equal(run?.kube?.kind, 'PipelineRun');
  releaseYamlUnusedByProjectRules(a.pipelines);
  assert.throws(() => yamlOf(task!), /released/);
  assert.equal(yamlOf(run!).str(yamlOf(run!).get(run!.kube!.objectNode!, 'kind')), 'PipelineRun');
  // The model stays: the webhook chains read a Task's scripts from it.
  assert.equal(task!.jobs[0]?.steps[0]?.script?.text.trim(), 'echo hi');
  // But no part of it still holds the Task's tree (a step's container did, and with it the whole step).
  assert.ok(task!.jobs[0]?.steps[0]?.container, 'the step has a container to release');
  assert.deepEqual(yamlNodesIn(task!).filter((n) => !(isMap(n) && n.items.length === 0)), []);
  assert.ok(yamlNodesIn(run!).some((n) => isMap(n) && n.items.length > 0), 'the walk finds the nodes a model holds');
});

test("a TaskRun's and an Argo workflow's YAML go too: the cross-file rules read their claims and namespace from the model", () => {
  const text = [
    'apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: t\n  namespace: ci\nspec:\n  workspaces:\n    - name: src\n      persistentVolumeClaim:\n        claimName: shared\n',
    'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\n  namespace: argo\nspec:\n  volumes:\n    - name: cache\n      persistentVolumeClaim: {claimName: cache}\n',
  ].join('---\n');
  const a = analyseSource(new SourceFile('runs.yaml', text), 'runs.yaml', options('.', true));
  releaseYamlUnusedByProjectRules(a.pipelines);
  const [taskRun, workflow] = a.pipelines;
  assert.deepEqual([taskRun?.kube?.kind, workflow?.kube?.kind], ['TaskRun', 'Workflow']);
  for (const p of [taskRun!, workflow!]) assert.throws(() => yamlOf(p), /released/);
  assert.deepEqual(taskRun!.kube!.claims?.map((c) => [c.name, c.claim, c.span.line, c.span.column]), [['src', 'shared', 10, 9]]);
  assert.deepEqual(workflow!.kube!.claims?.map((c) => [c.name, c.claim, c.span.line, c.span.column]), [['cache', 'cache', 20, 30]]);
  assert.deepEqual([taskRun!.kube!.namespaceSpan?.line, workflow!.kube!.namespaceSpan?.line], [5, 16]);
});

/** The YAML nodes an object reaches without going through another YAML node. */
function yamlNodesIn(root: object): Node[] {
  const found: Node[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (isNode(v)) {
      found.push(v);
      return;
    }
    for (const x of v instanceof Map ? v.values() : Object.values(v)) visit(x);
  };
  visit(root);
  return found;
}
