/**
 * Nesting depth is decided by counting, not by catching a stack overflow, so
 * the verdict is the same on the main thread and in a worker (whose stack is
 * four times larger) and whichever reader parsed the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { parseYaml } from '../src/core/yaml.js';
import { SourceFile } from '../src/model/source.js';

const flow = (d: number, tail = '') => `on: push\njobs:\n  a:\n    runs-on: ${'['.repeat(d)}${']'.repeat(d)}\n${tail}`;
const problems = (text: string) => parseYaml(new SourceFile('x.yml', text)).problems.map((p) => `${p.span.line}:${p.message}`);

test('300 levels of flow nesting are refused at the line they are on, though yaml could read them', () => {
  assert.deepEqual(problems(flow(300)), ['4:document is nested too deeply to parse']);
  // The same when the fast reader gives up for another reason first (a tab) and yaml would take over.
  assert.deepEqual(problems(flow(300, 'x:\n\t- y\n')), ['4:document is nested too deeply to parse']);
  assert.deepEqual(problems(flow(100)), []);
});

test('a worker thread gives the same verdict as the main thread, depth by depth', async () => {
  const depths = [150, 250, 1000, 2000];
  const here = depths.map((d) => problems(flow(d)).join('|'));
  const url = new URL('../src/core/yaml.js', import.meta.url).href;
  const source = new URL('../src/model/source.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      const { parseYaml } = await import(workerData.url);
      const { SourceFile } = await import(workerData.source);
      const flow = (d) => 'on: push\\njobs:\\n  a:\\n    runs-on: ' + '['.repeat(d) + ']'.repeat(d) + '\\n';
      parentPort.postMessage(workerData.depths.map((d) => parseYaml(new SourceFile('x.yml', flow(d))).problems.map((p) => p.span.line + ':' + p.message).join('|')));
    })();`;
  const there = await new Promise<string[]>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { url, source, depths } });
    w.once('message', (m: string[]) => void w.terminate().then(() => resolve(m)));
    w.once('error', reject);
  });
  assert.deepEqual(there, here);
  assert.deepEqual(here, ['', '4:document is nested too deeply to parse', '4:document is nested too deeply to parse', '4:document is nested too deeply to parse']);
});

test('brackets in scripts are text, not nesting, when yaml reads what the fast reader gave up on', () => {
  const lines = Array.from({ length: 250 }, (_, i) => `          echo -e "\\033[32mstep ${i} ok"`).join('\n');
  // The tab after `runs-on:` makes the fast reader give up; yaml reads the file.
  const text = `on: push\njobs:\n  a:\n    runs-on:\tubuntu-latest\n    steps:\n      - run: |\n${lines}\n      - run: echo '[[[[{{{{'\n`;
  assert.deepEqual(problems(text), []);
});
