/** The checked-in rule docs are what the metadata generates: `pipewarden docs` after changing a rule. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDocs } from '../src/cli/docs.js';
import { allRules } from '../src/rules/index.js';

const dir = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

test('docs/rules is up to date with rule metadata', () => {
  for (const [name, text] of renderDocs(allRules)) {
    assert.equal(fs.readFileSync(dir + name, 'utf8'), text, `docs/rules/${name} is stale: run \`npx pipewarden docs\``);
  }
});

test('every rule has complete docs and a catalog-style id', () => {
  for (const r of allRules) {
    const m = r.meta;
    assert.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    for (const k of ['description', 'bad', 'good', 'remedy'] as const) assert.ok(m.docs[k].trim().length > 10, `${m.id}: docs.${k}`);
    assert.ok(m.platforms.length > 0, m.id);
  }
  assert.equal(new Set(allRules.map((r) => r.meta.id)).size, allRules.length, 'ids are unique');
});
