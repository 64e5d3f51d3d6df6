import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from '../helpers/fc.js';
import { analyse, argv, codePositionAt, quotingAt, staticValue, type Part, type ShellScript, type Word, type List } from '../../src/shell/index.js';
import { parseShell, wordLiteral } from '../../src/shell/parser.js';

function names(s: ShellScript): string[] {
  return s.commands.map((c) => argv(s, c.cmd).name ?? '?');
}

test('pipelines, lists and wrappers', () => {
  const s = analyse('curl -fsSL https://x | sudo -E bash -s -- a && echo done; false || true &');
  assert.deepEqual(names(s), ['curl', 'bash', 'echo', 'false', 'true']);
  assert.equal(s.pipelines[0]!.commands.length, 2);
  const root = s.file.root;
  assert.equal(root.items.length, 2);
  assert.deepEqual(root.items[0]!.ops, ['&&']);
  assert.equal(root.items[1]!.background, true);
  assert.deepEqual(argv(s, s.commands[1]!.cmd).args.map((w) => staticValue(s, w)), ['-s', '--', 'a']);
});

test('quoting of words and expansions', () => {
  const s = analyse(`echo 'a $b' "c $d $(e "f")" g\\ h $'i\\n' \${j:-$(k)}`);
  const echo = s.commands[0]!.cmd;
  assert.deepEqual(echo.words.map(wordLiteral), ['echo', 'a $b', 'c  ', 'g h', 'i\\n', '']);
  const dq = echo.words[2]!.parts;
  assert.deepEqual(dq.map((p) => `${p.type}:${'quoting' in p ? p.quoting : ''}`), ['lit:double', 'param:double', 'lit:double', 'cmdsub:double']);
  assert.deepEqual(names(s), ['echo', 'e', 'k']);
  assert.equal(s.commands[1]!.substituted, true);
});

test('redirections, heredocs and groups', () => {
  const text = [
    'cat <<EOF >> "$GITHUB_OUTPUT"',
    'body=$(date) ${X}',
    'EOF',
    "cat <<-'END' | sh",
    '\tliteral $(not run)',
    '\tEND',
    '{ echo a=1; echo b=2; } >> $GITHUB_ENV',
    'echo x | tee -a "$GITHUB_PATH" # trailing comment',
  ].join('\n');
  const s = analyse(text);
  assert.deepEqual(names(s), ['cat', 'date', 'cat', 'sh', 'echo', 'echo', 'echo', 'tee']);
  const cat = s.commands[0]!.cmd;
  assert.equal(cat.redirects.length, 2);
  assert.equal(cat.redirects[0]!.heredoc?.delimiter, 'EOF');
  assert.equal(cat.redirects[0]!.heredoc?.quoted, false);
  assert.equal(cat.redirects[1]!.op, '>>');
  assert.equal(text.slice(cat.redirects[0]!.heredoc!.bodyStart, cat.redirects[0]!.heredoc!.bodyEnd), 'body=$(date) ${X}\n');
  const quoted = s.commands[2]!.cmd.redirects[0]!.heredoc!;
  assert.equal(quoted.quoted, true);
  assert.equal(quoted.stripTabs, true);
  assert.equal(quotingAt(s, text.indexOf('literal')), 'heredoc-quoted');
  assert.equal(quotingAt(s, text.indexOf('body=')), 'heredoc');
  // Commands in the group inherit the group's redirection.
  assert.equal(s.commands[4]!.outer[0]?.op, '>>');
  assert.equal(quotingAt(s, text.indexOf('trailing')), 'comment');
  assert.equal(s.file.errors.length, 0);
});

test('compound commands are traversed', () => {
  const text = [
    'if [ -n "$A" ]; then curl x | sh; elif true; then :; else echo no; fi',
    'for f in a b "c d"; do pip install "$f"; done',
    'while read -r l; do echo "$l"; done < file',
    'case "$X" in',
    '  a|b) npm i -g foo ;;',
    '  *) echo other ;;',
    'esac',
    'f() { go install x/y@latest; }',
    'function g { gem install rails; }',
    '[[ $a == "b" && -f x ]] && (cd y; make)',
    'x=$(( 1 + 2 )); arr=(one two)',
  ].join('\n');
  const s = analyse(text);
  assert.deepEqual(names(s), ['[', 'curl', 'sh', 'true', ':', 'echo', 'pip', 'read', 'echo', 'npm', 'echo', 'go', 'gem', 'cd', 'make', '?', '?']);
  assert.deepEqual(s.file.errors, []);
  const last = s.commands.at(-1)!.cmd;
  assert.deepEqual(last.assignments.map((a) => [a.name, a.array?.length]), [['arr', 2]]);
});

test('templates become placeholders and keep offsets', () => {
  const text = 'echo "t=${{ github.event.issue.title }}" >> $GITHUB_OUTPUT\n${{ inputs.cmd }} --flag\n# ${{ x }}';
  const starts = [...text.matchAll(/\$\{\{/g)].map((m) => m.index);
  const s = analyse(text, starts.map((st) => ({ start: st, end: text.indexOf('}}', st) + 2 })));
  assert.equal(quotingAt(s, starts[0]!), 'double');
  assert.equal(codePositionAt(s, starts[1]!), 'command-name');
  assert.equal(quotingAt(s, starts[2]!), 'comment');
  assert.equal(staticValue(s, s.commands[0]!.cmd.words[1]), undefined);
  assert.equal(s.commands.length, 2);
});

test('eval and sh -c arguments are code', () => {
  const text = 'eval "echo $X"; bash -c "run $Y"; echo "$Z"';
  const s = analyse(text);
  assert.equal(codePositionAt(s, text.indexOf('echo $X')), 'eval');
  assert.equal(codePositionAt(s, text.indexOf('run')), 'eval');
  assert.equal(codePositionAt(s, text.indexOf('$Z')), undefined);
});

test('broken scripts still yield commands', () => {
  const s = analyse('echo "unterminated\ncurl x | bash');
  assert.ok(s.file.errors.length > 0);
  const t = analyse('echo )\ncurl x | bash\nfi\ndone');
  assert.ok(names(t).includes('bash'));
});

function* walkParts(parts: Part[]): Generator<{ start: number; end: number }> {
  for (const p of parts) {
    yield p;
    if (p.type === 'param' && p.operand) yield* walkParts(p.operand);
    if (p.type === 'cmdsub' || p.type === 'procsub') yield* walkList(p.body);
  }
}

function* walkWord(w: Word): Generator<{ start: number; end: number }> {
  yield w;
  yield* walkParts(w.parts);
}

function* walkList(l: List): Generator<{ start: number; end: number }> {
  yield l;
  for (const item of l.items) {
    yield item;
    for (const p of item.pipelines) {
      yield p;
      for (const c of p.commands) {
        yield c;
        if (c.type === 'simple') {
          for (const a of c.assignments) {
            yield a;
            if (a.value) yield* walkWord(a.value);
          }
          for (const w of c.words) yield* walkWord(w);
        } else {
          for (const w of c.words) yield* walkWord(w);
          for (const b of c.bodies) yield* walkList(b);
        }
        for (const r of c.redirects) {
          yield r;
          if (r.target) yield* walkWord(r.target);
          if (r.heredoc) yield* walkParts(r.heredoc.parts);
        }
      }
    }
  }
}

const SHELLISH = fc.string({
  unit: fc.constantFrom('a', ' ', '\n', '\t', '"', "'", '`', '\\', '$', '(', ')', '{', '}', '[', ']', '|', '&', ';', '<', '>', '#', '=', '-', 'if ', 'then ', 'fi', 'do ', 'done', 'case ', ' in ', 'esac', ';;', '<<EOF\n', '\nEOF\n', '$(', '${', '$((', '))', '<(', 'Z'),
  maxLength: 200,
});

test('property: never throws, offsets stay in range and ordered', () => {
  fc.assert(
    fc.property(fc.oneof(SHELLISH, fc.string({ maxLength: 200 })), (text) => {
      const f = parseShell(text);
      assert.ok(!f.errors.some((e) => e.message.startsWith('parser failure')), JSON.stringify(f.errors));
      for (const n of walkList(f.root)) {
        assert.ok(n.start >= 0 && n.start <= n.end && n.end <= text.length, `${JSON.stringify(n).slice(0, 200)} in ${JSON.stringify(text)}`);
      }
      for (const c of f.comments) assert.ok(c.start >= 0 && c.end <= text.length);
      const s = analyse(text);
      for (let i = 0; i < text.length; i += 7) {
        quotingAt(s, i);
        codePositionAt(s, i);
      }
    }),
    { numRuns: 3000 },
  );
});

test('deep nesting stays bounded', () => {
  const deep = '$('.repeat(5000) + 'x' + ')'.repeat(5000);
  const f = parseShell(`echo ${deep}`);
  assert.ok(f.errors.some((e) => /too deep/.test(e.message)));
  const quotes = '"$('.repeat(3000);
  parseShell(quotes);
  const big = 'echo "a b" | grep a && x=1\n'.repeat(20000);
  const t = Date.now();
  const s = analyse(big);
  assert.equal(s.commands.length, 60000);
  assert.ok(Date.now() - t < 5000);
});

test('code given to a shell with -c is read as a script', () => {
  const text = `docker exec c /bin/bash -c '\n  curl -sL https://x | bash\n' && ssh h sh -ec "pip install y"; sh -c "echo \\"$X\\""`;
  const s = analyse(text);
  assert.deepEqual(names(s), ['docker', 'ssh', 'sh', 'curl', 'bash', 'pip']);
  const curl = s.commands.find((c) => argv(s, c.cmd).name === 'curl')!;
  assert.equal(text.slice(curl.cmd.start, curl.cmd.start + 4), 'curl');
  // The inner script does not change how the outer one quotes its text.
  assert.equal(quotingAt(s, text.indexOf('https')), 'single');
});

test('property: flow queries never throw and keep offsets in range, with templates anywhere', async () => {
  const { fileWrites, VariableTaint, writtenPairs } = await import('../../src/shell/flow.js');
  fc.assert(
    fc.property(fc.oneof(SHELLISH, fc.string({ maxLength: 200 })), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const templates: { start: number; end: number }[] = [];
      for (let k = 0; k + 1 < points.length; k += 2) if (points[k]! < points[k + 1]!) templates.push({ start: points[k]!, end: points[k + 1]! });
      const s = analyse(text, templates);
      assert.equal(s.file.text.length, text.length);
      const writes = fileWrites(s, ['GITHUB_OUTPUT', 'GITHUB_ENV']);
      writtenPairs(writes);
      const taint = new VariableTaint<string>(s, new Map([['X', ['x']]]), () => ['t']);
      for (const site of s.commands) {
        assert.ok(site.cmd.start >= 0 && site.cmd.end <= text.length);
        for (const w of site.cmd.words) taint.parts(w.parts);
      }
    }),
    { numRuns: 1500 },
  );
});

test('nested constructs: case and heredocs inside substitutions', () => {
  const text = ['x=$(case "$a" in', '  b) echo b ;;', '  *) echo c ;;', 'esac)', 'y=$(cat <<EOF', 'v=$x', 'EOF', ')', 'echo "$x$y"'].join('\n');
  const s = analyse(text);
  assert.deepEqual(s.file.errors, []);
  assert.deepEqual(names(s), ['?', 'echo', 'echo', '?', 'cat', 'echo']);
});

test('variables set only from fixed text or platform values are constant', async () => {
  const { VariableTaint } = await import('../../src/shell/flow.js');
  const s = analyse('A=x\nB="${HOST_URL#https://}"\nB="${B#http://}"\nC=$(date)\nD=x\nD=$1\nread -r E <<< "$A"');
  const t = new VariableTaint<string>(s, new Map(), () => [], (n) => n === 'HOST_URL');
  assert.deepEqual(['A', 'B', 'C', 'D', 'E', 'HOST_URL', 'Z'].map((n) => t.isConstant(n)), [true, true, false, false, false, true, false]);
});
