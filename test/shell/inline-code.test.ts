/** Code handed to `sh -c` is read as a script once per range, within a budget, however deep it nests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse, argv, codeWords, expandsValue, operandMayBeResult } from '../../src/shell/index.js';
import { quotesEveryArgument } from '../../src/shell/flow.js';

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

test('the code words su, runuser, flock, xargs and find -exec hand on, and none for look-alikes', () => {
  const code = (script: string) => {
    const s = analyse(script);
    return s.commands.flatMap((c) => codeWords(s, c.cmd).map((w) => `${w.runner}: ${s.file.text.slice(w.word.start, w.word.end)}`));
  };
  assert.deepEqual(code(`su deploy -c "make $T"`), ['su -c: "make $T"']);
  assert.deepEqual(code(`su -s /bin/sh --command="make $T" deploy`), ['su --command: --command="make $T"']);
  assert.deepEqual(code(`runuser -u bob -- bash -c "$T"`), ['runuser … bash -c: "$T"']);
  assert.deepEqual(code(`runuser --user=bob -- sh -c "$T"; runuser -ubob sh -c "$U"`), ['runuser … sh -c: "$T"', 'runuser … sh -c: "$U"']);
  assert.deepEqual(code(`xargs --max-procs 4 sh -c "$T"; xargs -J % sh -c "$U"`), ['xargs … sh -c: "$T"', 'xargs … sh -c: "$U"']);
  assert.deepEqual(code(`flock -w 5 /tmp/l -c "$T"; flock /tmp/l sh -c "$U"`), ['flock -c: "$T"', 'flock … sh -c: "$U"']);
  assert.deepEqual(code(`xargs -0 -I {} sh -c "cp {} $D"`), ['xargs … sh -c: "cp {} $D"']);
  assert.deepEqual(code(`find . -exec sh -c "echo $A" \\; -execdir bash -c "$B" _ {} +`), ['find … sh -c: "echo $A"', 'find … bash -c: "$B"']);
  // Other commands' -c, commands run without a shell, and names that are properties of every object.
  assert.deepEqual(code(`su deploy; flock 9; xargs -n1 echo "$T"; find . -exec echo "$T" \\; ; gcc -c "$T"`), []);
  assert.deepEqual(code('toString -c x; constructor -c y; __proto__ -c z; hasOwnProperty'), []);
});

test("which expansions yield the variable's value, and whose operand's expansions may be the result", () => {
  const verdicts = (script: string) => {
    const s = analyse(script);
    return s.commands[0]!.cmd.words.slice(1).map((w) => {
      const p = w.parts[0]!;
      return p.type === 'param' ? `${expandsValue(s, p) ? 'value' : '-'}/${operandMayBeResult(p) ? 'operand' : '-'}` : p.type;
    });
  };
  assert.deepEqual(verdicts('echo $X ${X} ${X:-$D} ${X-d} ${X:=d} ${X:?m} ${X#v} ${X%%.*} ${X/a/$R} ${X:0:8} ${X^^}'), [
    'value/-', 'value/-', 'value/operand', 'value/operand', 'value/operand', 'value/operand', 'value/-', 'value/-', 'value/operand', 'value/-', 'value/-',
  ]);
  assert.deepEqual(verdicts('echo ${#X} ${!X} ${X:+$Y} ${X+y} ${X//[^a-zA-Z0-9._-]/} ${X//[^[:alnum:]-]/_}'), ['-/-', '-/-', '-/operand', '-/operand', '-/operand', '-/operand']);
  // Not filters: one replacement, a bracket that lets `$` or (through A-z) a backquote through, an escaped or quoted bracket, an unsafe replacement.
  assert.deepEqual(verdicts('echo ${X/[^a-z]/} ${X//[^$a-z]/} ${X//[^0-9A-z]/} ${X//\\[^a-z]/} ${X//"[^a-z]"/} ${X//[^a-z]/;} ${X@Q} ${X@E}'), [
    'value/operand', 'value/operand', 'value/operand', 'value/operand', 'value/operand', 'value/operand', 'value/-', 'value/-',
  ]);
});

test('printf quotes every argument only with a fixed format of %q conversions', () => {
  const quotes = (script: string) => {
    const s = analyse(script);
    return quotesEveryArgument(s, argv(s, s.commands[0]!.cmd).args);
  };
  assert.equal(quotes(`printf '%q' "$X"`), true);
  assert.equal(quotes(`printf '%q %q\\n' "$X" "$Y"`), true);
  assert.equal(quotes(`printf '100%% %-10q' "$X"`), true);
  assert.equal(quotes(`printf '%s' "$X"`), false);
  assert.equal(quotes(`printf '%q-%s' "$X" "$Y"`), false);
  assert.equal(quotes(`printf "$FMT" "$X"`), false);
  assert.equal(quotes(`printf 'no conversion' "$X"`), false);
  assert.equal(quotes(`printf '%(%F)T' -1`), false);
});
