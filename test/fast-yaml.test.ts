import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fc from './helpers/fc.js';
import { parseAllDocuments, stringify } from 'yaml';
import type { Document } from 'yaml';
import { fastParseAll, lastBailReason, PARSE_OPTIONS } from '../src/core/fast-yaml.js';
import { parseYaml } from '../src/core/yaml.js';
import { SourceFile } from '../src/model/source.js';
import { CORPUS, findCorpusFiles } from './helpers/corpus.js';
import { project } from './helpers/yaml-projection.js';

function reference(text: string): Document[] {
  const parsed = parseAllDocuments(text, PARSE_OPTIONS);
  return Array.isArray(parsed) ? (parsed as Document[]) : [];
}

/** The fast reader either gives up or builds exactly what `yaml` builds. */
function agrees(text: string): 'bail' | 'same' {
  const fast = fastParseAll(text);
  if (fast === undefined) return 'bail';
  assert.deepEqual(project(fast), project(reference(text)), `differs from yaml on ${JSON.stringify(text)}`);
  return 'same';
}

function same(text: string): void {
  assert.equal(agrees(text), 'same', `gave up (${lastBailReason}) on ${JSON.stringify(text)}`);
}

function bails(text: string, reason: RegExp): void {
  assert.equal(fastParseAll(text), undefined, `expected to give up on ${JSON.stringify(text)}`);
  assert.match(lastBailReason, reason);
}

test('fast-yaml: block mappings and sequences, compact forms, sequences at the key level', () => {
  same('a: b\nc: d\n');
  same('a:\n  b: 1\n  c:\n    - x\n    - y\n');
  same('- a: 1\n  b: 2\n- - x\n  - y\n- z\n');
  same('k:\n- a\n- b\nc: 1\n');
  same('a  : 1\n');
  same('"quoted key": 1\n\'single\': 2\n');
  same('a: 1'); // no final newline
  same('\n\n# lead\na: 1\n');
});

test('fast-yaml: plain, quoted and block scalars', () => {
  same('a: b\n  c\n\n  d\n');
  same('a: "x\\ty\\u00e9\\x41\\\n   z"\nb: \'it\'\'s\'\nc: "x\n  y\n\n  z"\n');
  same('a: |\n  x\n\n  y\n\n\nb: 1\n');
  same('a: |-\n  x\nb: |+\n  y\n\n\nc: >\n  x\n   y\n  z\n\n  w\nd: >-\n  p\n  q\n');
  same('a: |2\n   x\n- |1\n  y\n'.replace('- |1\n  y\n', ''));
  same('- |1\n  x\n');
  same('a: |\n  x');
  same('a: |  # c\n  x\n');
});

test('fast-yaml: core schema values keep yaml\'s numbers, formats and sources', () => {
  same('a: 0x1F\nb: 1.50\nc: -.inf\nd: 1e3\ne: 0o17\nf: +12\ng: 007\nh: 1_000\ni: True\nj: NULL\nk: ~\nl: .NaN\nm: -0\nn: 3.\no: false\np: 12e-3\nq: .5\n');
  same('1: one\ntrue: yes\nnull: x\n');
});

test('fast-yaml: flow collections', () => {
  same('a: [1, 2, {b: c}]\n');
  same('[ a , b ]\n');
  same('{ a: 1 , b: [x] , c: "q" }\n');
  same('k: [\n  a,  # c\n  b\n  ]\n');
  same('a:\n  k: {\n    x: y\n  }\n');
  same('a: []\nb: {}\nc: [a, b, ]\n');
});

test('fast-yaml: anchors, aliases, merge keys and tags', () => {
  same('a: &x\n  b: 1\nc: *x\nd:\n  <<: *x\n  e: 2\n');
  same('a: &s text\nb: *s  # c\n');
  same('a: &s text\nb: *s\n  # indented comment after an alias\nc: 1\n');
  same('- &m\n  a: 1\n- *m\n');
  same('a: !reference [.x, y]\nb: !!str 012\nc: !Foo\n  x: 1\nd: !!map\n  x: 1\ne: !custom v\n');
});

test('fast-yaml: comments and blank lines anywhere keep yaml\'s ranges', () => {
  same('a: b  # c\nd:\n  - x\n  - y # z\n\n# comment\ne: |\n  foo\n\nf: 1\n');
  same('a: 1 # x\n  # y\n\n  # z\n# w\n  # v\nb: 2\n');
  same('a:\n  b:\n    c: 1\n    # x\n  d: 1\n');
  same('a:\n  b: 1\n  # c\n# d\n');
  same('b:\n  # c\nc: 1\n');
  same('b:\n\n  # c\n\nc: 1\n');
  same('b:   # c\nc: 1\n');
  same('a: &x\nb:   # c\nc: !!str\n');
  same('- a\n  # c\n- b\n');
  same('- [a]\n  # c\n- b\n');
  same('x:\n  a: |\n    x\n   # c\nb: 1\n');
  same('---\nspec:\n  inputs:\n    required:\n---\na: 1\n');
});

test('fast-yaml: documents and markers', () => {
  same('---\na: 1\n...\n---\nb\n');
  same('a: 1\n\n# c\n---\nb\n');
  same('# h\n---\na\n');
  same('a: 1\n---\nb: 1\n# c\n...\n# d\n');
  same('--- # comment\na: 1\n');
  same('---\n---\na\n');
  same('a: 1\n---\n');
  same('a: 1\n---   \n\n---\nb: 1\n');
  assert.deepEqual(fastParseAll(''), []);
  assert.deepEqual(fastParseAll('# only a comment\n'), []);
});

test('fast-yaml: gives up on what it does not cover or what yaml reports', () => {
  bails('\ufeffa: 1\n', /BOM/);
  bails('a: 1\r\nb: 2\r\n', /CR/);
  bails('a:\n\tb: 1\n', /tab/);
  bails('? a\n: b\n', /key start|plain start/);
  bails('[a, b]: c\n', /unexpected text after node/);
  bails('a: 1\na: 2\n', /duplicate key/);
  bails('<<: *a\n<<: *b\n', /duplicate key/);
  // Compared one by one in small mappings, through a Set in large ones: the same verdicts either way.
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: ${i}\n`).join('');
  bails(`${keys(3)}k1: again\n`, /duplicate key/);
  bails(`${keys(40)}k1: again\n`, /duplicate key/);
  bails(`${keys(40)}k39: again\n`, /duplicate key/);
  bails('.nan: 1\n.NaN: 2\n', /duplicate key/);
  same(`${keys(40)}x: 1\n`);
  same('1: a\n"1": b\ntrue: c\n"true": d\n');
  bails(`${'k'.repeat(1025)}: v\n`, /long key/);
  bails('%YAML 1.2\n---\na: 1\n', /directive/);
  bails('a: "unclosed\n', /unclosed quote|under-indented/);
  bails('a: [1, 2\n', /unclosed flow|multi-line flow plain/);
  bails('a: b: c\n', /mapping in plain value/);
  bails('a: - b\n', /sequence on key line/);
  bails('a: "x\\q"\n', /bad escape/);
  bails('a: !!int 3\n', /tag/);
  bails('a: !<tag:x> 3\n', /tag/);
  bails('a:\n  b: 1\n c: 2\n', /content after document node|over-indented|key/);
  bails('a: 1\n  b: 2\n', /mapping in plain value|over-indented/);
  bails('a: 1\n---\n# only a comment\n---\nb: 1\n', /empty document/);
  bails('a: *\n', /alias name/);
  bails('a: &x: 1\n', /anchor/);
  bails('{a: 1}: x\n', /unexpected text after node/);
  bails('a: {b}\n', /flow map key without value|flow key shape/);
  bails('a: [b: c]\n', /colon in flow plain|flow pair/);
});

test('fast-yaml: deep nesting gives up instead of overflowing the stack', () => {
  const depth = 5000;
  assert.equal(fastParseAll('['.repeat(depth) + ']'.repeat(depth)), undefined);
  let block = '';
  for (let i = 0; i < 600; i++) block += ' '.repeat(i) + 'k:\n';
  assert.equal(fastParseAll(block), undefined);
  assert.match(lastBailReason, /too deep/);
  assert.equal(fastParseAll('- '.repeat(5000) + 'x\n'), undefined);
});

test('fast-yaml: parseYaml results do not depend on which reader ran', () => {
  const text = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.issue.title }}"\n';
  const parsed = parseYaml(new SourceFile('w.yml', text));
  assert.deepEqual(project(parsed.docs.map((d) => d.doc)), project(reference(text)));
  const broken = parseYaml(new SourceFile('b.yml', 'a: [1, 2\n'));
  assert.ok(broken.problems.length > 0, 'broken YAML still reports through yaml');
});

const yamlValue = fc.letrec((tie) => ({
  scalar: fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('', ' ', 'a b', 'x: y', '- z', '#c', 'a #b', '"q"', "'s'", 'line\nbreak', 'two\n\nbreaks', ' lead', 'trail ', 'yes', 'null', '~', '0x1F', '1e3', '.inf', '*a', '&b', '!t', '|', '>', '[', '{', '...', '---', 'a\tb', '\\'),
    fc.integer(),
    fc.double({ noNaN: false }),
    fc.boolean(),
    fc.constant(null),
  ),
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('a', 'on', 'key with space', 'k: v', '<<', '1', 'true')), tie('value'), { maxKeys: 4 }),
}));

/** Comment lines, blank lines and trailing comments at random places and indents: where yaml attaches them decides ranges. */
const trivia = fc.array(fc.record({ line: fc.nat(40), kind: fc.constantFrom('comment', 'blank', 'trailing'), indent: fc.nat(6) }), { maxLength: 4 });

function withTrivia(text: string, inserts: { line: number; kind: string; indent: number }[]): string {
  const lines = text.split('\n');
  for (const { line, kind, indent } of inserts) {
    const at = line % (lines.length + 1);
    if (kind === 'comment') lines.splice(at, 0, `${' '.repeat(indent)}# c`);
    else if (kind === 'blank') lines.splice(at, 0, ' '.repeat(indent % 3));
    else if (at < lines.length && lines[at]!.trim() !== '') lines[at] += '  # t';
  }
  return lines.join('\n');
}

test('fast-yaml: values stringified by yaml in many styles parse like yaml or are left to it', () => {
  const options = fc.record({
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    lineWidth: fc.constantFrom(0, 20, 80),
    minContentWidth: fc.constantFrom(0, 20),
    collectionStyle: fc.constantFrom('any', 'block', 'flow'),
    defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
    defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
    doubleQuotedAsJSON: fc.boolean(),
    flowCollectionPadding: fc.boolean(),
  });
  let total = 0;
  let gaveUp = 0;
  fc.assert(
    fc.property(yamlValue.value, options, trivia, (value, opts, inserts) => {
      let text: string;
      try {
        text = stringify(value, opts as never);
      } catch {
        return;
      }
      text = withTrivia(text, inserts);
      total++;
      if (agrees(text) === 'bail') gaveUp++;
    }),
    { numRuns: 1500 },
  );
  assert.ok(gaveUp < total, 'the fast reader covers some of what yaml writes');
});

test('fast-yaml: arbitrary text never throws', () => {
  const alphabet = fc.constantFrom('a', 'b', ' ', '  ', '\n', ':', ': ', '- ', '-', '#', '"', "'", '\\', '[', ']', '{', '}', ',', '&a', '*a', '!t', '|', '>', '|-', '>+', '2', '\t', '---', '...', '?', '%', '\r\n', '\ufeff', '<<', '0x', '.', 'é');
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 60 }).map((a) => a.join(''))), (text) => {
      let result: Document[] | undefined;
      assert.doesNotThrow(() => {
        result = fastParseAll(text);
      });
      if (result !== undefined) assert.deepEqual(project(result), project(reference(text)), `differs from yaml on ${JSON.stringify(text)}`);
    }),
    { numRuns: 3000 },
  );
});

const corpusFiles = existsSync(CORPUS) ? findCorpusFiles((name) => /\.ya?ml$/i.test(name)) : [];

test('fast-yaml: every corpus YAML file parses exactly like yaml, or is left to yaml', { skip: corpusFiles.length === 0 && 'no corpus' }, () => {
  const reasons = new Map<string, number>();
  let gaveUp = 0;
  const texts: string[] = [];
  for (const f of corpusFiles) {
    const text = readFileSync(f, 'utf8');
    texts.push(text);
    let outcome: 'bail' | 'same';
    try {
      outcome = agrees(text);
    } catch (e) {
      throw new Error(`${f}: ${(e as Error).message.slice(0, 2000)}`);
    }
    if (outcome === 'bail') {
      gaveUp++;
      const reason = lastBailReason.replace(/:.*/, '');
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
  }
  const rate = gaveUp / corpusFiles.length;
  console.log(`fast-yaml: ${corpusFiles.length} corpus YAML files, left to yaml: ${gaveUp} (${(rate * 100).toFixed(1)}%)`);
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${count}\t${reason}`);
  assert.ok(rate < 0.05, `fast reader gives up on ${(rate * 100).toFixed(1)}% of corpus files`);
  // One CPU-time pass each, for the log only: the machine is shared, so no assertion on speed.
  const cpu = (fn: () => void) => {
    const s = process.cpuUsage();
    fn();
    const d = process.cpuUsage(s);
    return (d.user + d.system) / 1000;
  };
  const slow = cpu(() => texts.forEach((t) => parseAllDocuments(t, PARSE_OPTIONS)));
  const fast = cpu(() => texts.forEach((t) => fastParseAll(t) ?? parseAllDocuments(t, PARSE_OPTIONS)));
  console.log(`fast-yaml: CPU ms yaml ${slow.toFixed(0)}, fast path with fallback ${fast.toFixed(0)}`);
});

test('collections of every document share their prototypes, and are yaml maps and sequences with a working schema', async () => {
  const { isMap, isSeq, YAMLMap } = await import('yaml');
  const [a] = fastParseAll('a:\n  - x\n  - {b: 1}\n')!;
  const [b] = fastParseAll('c: [1]\nd: {}\n')!;
  const ma = a!.contents as InstanceType<typeof YAMLMap>;
  const mb = b!.contents as InstanceType<typeof YAMLMap>;
  assert.ok(isMap(ma) && isMap(mb) && isSeq((ma.items[0] as { value: unknown }).value));
  // One hidden class for all files' collections: the same prototype, whatever the document.
  assert.equal(Object.getPrototypeOf(ma), Object.getPrototypeOf(mb));
  assert.ok(ma instanceof YAMLMap);
  assert.equal(Object.keys(ma).includes('schema'), false, 'not enumerable, as yaml makes it');
  assert.equal(mb.schema?.name, b!.schema.name);
  // One schema for every document, which their collections carry too.
  assert.equal(a!.schema, b!.schema);
  assert.equal(mb.schema, b!.schema);
  // yaml's own editing and copying work on them.
  mb.set('e', 2);
  assert.equal(String(b), 'c: [ 1 ]\nd: {}\ne: 2\n');
  const own = b!.schema.clone();
  const copy = mb.clone(own);
  assert.equal(copy.schema, own, 'clone(schema) gives the copy its own');
  assert.equal(mb.schema, b!.schema, 'and leaves the original and the other files alone');
  assert.equal(ma.schema, a!.schema);
  assert.ok(isMap(copy));
  assert.equal(Object.getPrototypeOf(copy), Object.getPrototypeOf(mb));
  const docCopy = b!.clone();
  assert.notEqual(docCopy.schema, b!.schema);
  assert.equal((docCopy.contents as InstanceType<typeof YAMLMap>).schema, docCopy.schema);
  assert.deepEqual(docCopy.toJS(), { c: [1], d: {}, e: 2 });
  // The shared schema's tags cannot grow: a tag yaml meets while composing with it would change every file.
  const tags = a!.schema.tags.length;
  fastParseAll('x: !!str 1\ny: [!!str 2]\n');
  assert.equal(a!.schema.tags.length, tags);
  assert.ok(Object.isFrozen(a!.schema.tags));
});
