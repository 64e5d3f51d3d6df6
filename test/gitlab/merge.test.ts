/** GitLab's deep merge of several nodes at once against merging them one after another. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from '../helpers/fc.js';
import { deepMerge, deepMergeAll, type MEntry, type MNode, type Origin } from '../../src/platforms/gitlab/tree.js';

let made = 0;
/** A distinct origin per node, so that the comparison sees which input each part of the result came from. */
function origin(): Origin {
  return { y: null as unknown as Origin['y'], node: { id: ++made } as unknown as Origin['node'] };
}

const scalar = fc.constant(null).map((): MNode => ({ t: 'scalar', node: { value: made } as never, o: origin() }));
const tree: fc.Memo<MNode> = fc.memo((depth) =>
  depth <= 1
    ? scalar
    : fc.oneof(
        { weight: 1, arbitrary: scalar },
        { weight: 1, arbitrary: fc.array(tree(depth - 1), { maxLength: 2 }).map((items): MNode => ({ t: 'seq', items, o: origin() })) },
        {
          weight: 4,
          // Few key names, so that the nodes merged share keys at every level.
          arbitrary: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), tree(depth - 1)), { maxLength: 4 }).map((pairs): MNode => {
            const entries = new Map<string, MEntry>();
            for (const [key, value] of pairs) entries.set(key, { key, keyOrigin: origin(), value });
            return { t: 'map', entries, o: origin() };
          }),
        },
      ),
);

/** Everything a reader of the merged tree can see: kinds, key order, and which input node or key each part is. */
function shape(n: MNode): unknown {
  const id = (o: Origin) => (o.node as unknown as { id: number }).id;
  if (n.t === 'map') return { map: id(n.o), entries: [...n.entries].map(([k, e]) => [k, id(e.keyOrigin), shape(e.value)]) };
  if (n.t === 'seq') return { seq: id(n.o), items: n.items.map(shape) };
  return { [n.t]: id(n.o) };
}

test('deepMergeAll gives what deepMerge gives one node after another', () => {
  fc.assert(
    fc.property(fc.array(tree(4), { minLength: 1, maxLength: 6 }), (nodes) => {
      const folded = nodes.slice(1).reduce((acc, n) => deepMerge(acc, n), nodes[0]!);
      assert.deepEqual(shape(deepMergeAll(nodes)), shape(folded));
    }),
    { numRuns: 500 },
  );
});

test('deepMergeAll leaves its inputs as they were', () => {
  fc.assert(
    fc.property(fc.array(tree(4), { minLength: 2, maxLength: 5 }), (nodes) => {
      const before = nodes.map(shape);
      deepMergeAll(nodes);
      assert.deepEqual(nodes.map(shape), before);
    }),
    { numRuns: 200 },
  );
});
