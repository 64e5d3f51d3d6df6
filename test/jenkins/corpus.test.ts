/**
 * Every Jenkinsfile and Groovy file of the shared corpus (jenkinsci/pipeline-examples,
 * jenkinsci/pipeline-model-definition-plugin) loads without throwing, and the
 * figures are plausible: mostly declarative pipelines, almost all without problems,
 * and what the model says is where it says it is.
 */
import { test } from 'node:test';
import { CORPUS, findCorpusFiles } from '../helpers/corpus.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SourceFile } from '../../src/model/source.js';
import { buildJenkins, type JenkinsKind } from '../../src/platforms/jenkins/build.js';


test('the corpus loads: plausible counts of declarative, scripted and other files', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, (t) => {
  const files = findCorpusFiles((name) => /^jenkinsfile/i.test(name) || name.endsWith('.groovy')).sort();
  assert.ok(files.length >= 300, `found ${files.length} files`);
  const counts: Record<JenkinsKind, number> = { declarative: 0, scripted: 0, 'not-pipeline': 0 };
  const withProblems: string[] = [];
  let jobs = 0;
  let scripts = 0;
  let expressions = 0;
  let slowest = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const file = new SourceFile(path, text);
    const started = Date.now();
    const out = buildJenkins(file);
    slowest = Math.max(slowest, Date.now() - started);
    counts[out.kind]++;
    if (out.problems.length) withProblems.push(`${path}: ${out.problems[0]!.message}`);
    const p = out.pipeline;
    assert.equal(p === null, out.kind === 'not-pipeline', path);
    if (!p) continue;
    jobs += p.jobs.length;
    expressions += p.expressions.length;
    for (const e of p.expressions) {
      // Every expression points at the `$` of its interpolation or at the Groovy value it stands for.
      const at = file.text.slice(e.span.offset, e.span.endOffset);
      assert.ok(at.startsWith('$') || at === e.raw, `${path}:${e.span.line}: ${at}`);
    }
    for (const j of p.jobs) {
      assert.ok(j.id.value.length > 0, `${path}: a job without id`);
      for (const s of j.steps) {
        if (!s.script) continue;
        scripts++;
        const lit = file.text.slice(s.script.span.offset, s.script.span.endOffset);
        for (const e of s.script.expressions) assert.ok(e.span.offset >= s.script.span.offset && e.span.endOffset <= s.script.span.endOffset, `${path}: expression outside its script`);
        if (/^['"]/.test(lit)) assert.ok(s.script.text.length <= lit.length, `${path}:${s.script.span.line}`);
      }
    }
  }
  t.diagnostic(`${files.length} files: ${counts.declarative} declarative, ${counts.scripted} scripted, ${counts['not-pipeline']} not pipelines; ${withProblems.length} with problems`);
  t.diagnostic(`${jobs} jobs, ${scripts} shell scripts, ${expressions} expressions; slowest file ${slowest} ms`);
  for (const w of withProblems) t.diagnostic(w);
  // Most of the corpus is declarative plugin fixtures and examples.
  assert.ok(counts.declarative >= files.length * 0.75, `declarative: ${counts.declarative}`);
  assert.ok(counts.scripted >= 20, `scripted: ${counts.scripted}`);
  assert.ok(counts['not-pipeline'] <= files.length * 0.05, `not pipelines: ${counts['not-pipeline']}`);
  assert.ok(withProblems.length <= files.length * 0.05, `with problems: ${withProblems.length}`);
  assert.ok(jobs >= files.length * 2, `jobs: ${jobs}`);
  assert.ok(scripts >= 100, `scripts: ${scripts}`);
  assert.ok(slowest < 2000, `slowest: ${slowest} ms`);
});
