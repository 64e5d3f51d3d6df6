/**
 * Rules skip the shell parse of scripts that cannot name the commands they
 * look for (`mayContainWord`). That is only sound if every command a parse
 * finds is spelled in the text once quoting is taken out: checked here on
 * scripts that split those names with every kind of quoting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from '../helpers/fc.js';
import { analyse, mayContainWord } from '../../src/shell/index.js';
import type { Script } from '../../src/model/pipeline.js';
import { SourceFile } from '../../src/model/source.js';
import { DOWNLOADERS, remoteExecSites } from '../../src/rules/unverified-script-exec.js';
import { INSTALLS, unpinnedInShell } from '../../src/rules/unpinned-packages.js';

// Downloaders and installers, whole and split by quotes, escapes, a line continuation, ANSI-C quoting, a path.
const FETCHER = fc.constantFrom('curl', 'wget', "c'u'rl", 'cu"r"l', 'cu\\rl', 'c\\\nurl', "$'curl'", "w''get", '/usr/bin/curl', '"wget"', 'curl -fsSL', 'wget -O-', 'wget -qO -', 'curl -o -');
const INTERPRETER = fc.constantFrom('sh', 'bash', 'sudo bash', "b'a'sh", 'python3', 'sudo -E sh -s --');
const INSTALLER = fc.constantFrom('pip', 'pip3', 'python -m pip', 'pipx', 'uv pip', 'uv tool', 'npm', 'pnpm', 'yarn global', 'apk', 'gem', 'go', 'cargo', 'apt-get', "a'p't", 'sudo apt-get');
const SUBCOMMAND = fc.constantFrom('install', 'in"st"all', "ins'tall'", 'i\\nstall', 'inst\\\nall', 'add', "a'd'd", 'ad\\\nd', 'i');
const NOISE = fc.constantFrom(' ', ';', '\n', ' | ', '"', "'", '$X', '$(', ')', 'echo', '#', '\\', '-g', 'black', 'x@latest');
const COMMAND = fc.oneof(
  fc.tuple(FETCHER, INTERPRETER).map(([f, i]) => `${f} https://x/i.sh | ${i}`),
  fc.tuple(INTERPRETER, FETCHER).map(([i, f]) => `${i} <(${f} https://x/i.sh)`),
  fc.tuple(fc.constantFrom('eval', 'sh -c', 'bash -c', 'source'), FETCHER).map(([r, f]) => `${r} "$(${f} https://x/i.sh)"`),
  fc.tuple(INTERPRETER, FETCHER).map(([i, f]) => `${i} <<< "$(${f} https://x)"`),
  fc.tuple(INSTALLER, SUBCOMMAND, fc.constantFrom('black', 'pkg -g', '-g pnpm', 'x/y@latest', 'ripgrep')).map(([n, c, p]) => `${n} ${c} ${p}`),
  NOISE,
);
const SCRIPTS = fc.array(COMMAND, { maxLength: 8 }).map((parts) => parts.join(' '));

function scriptOf(text: string): Script {
  return { kind: 'run', shell: 'bash', text, span: new SourceFile('w.yml', text).span(0, text.length), expressions: [] };
}

test('property: a script whose parse finds a download run or an install names it in its unquoted text', () => {
  let downloads = 0;
  let installs = 0;
  fc.assert(
    fc.property(SCRIPTS, (text) => {
      const shell = analyse(text);
      const script = scriptOf(text);
      if (remoteExecSites(shell).length > 0) {
        downloads++;
        assert.ok(mayContainWord(script, DOWNLOADERS), `download run missed by the prefilter: ${JSON.stringify(text)}`);
      }
      if (unpinnedInShell(shell).length > 0) {
        installs++;
        assert.ok(mayContainWord(script, INSTALLS), `install missed by the prefilter: ${JSON.stringify(text)}`);
      }
    }),
    { numRuns: 20000 },
  );
  // The generator must reach both kinds of finding, or the property says nothing.
  assert.ok(downloads > 50 && installs > 50, `downloads ${downloads}, installs ${installs}`);
});

test('the prefilter reads quoting out, and says no when the word is absent', () => {
  assert.equal(mayContainWord(scriptOf("c'u'rl -fsSL https://x | sh"), DOWNLOADERS), true);
  assert.equal(mayContainWord(scriptOf('cu\\\nrl x'), DOWNLOADERS), true);
  assert.equal(mayContainWord(scriptOf("$'wget' -O- x | sh"), DOWNLOADERS), true);
  assert.equal(mayContainWord(scriptOf('npm ci\nnpm test'), DOWNLOADERS), false);
  assert.equal(mayContainWord(scriptOf('make ci\nmake test'), INSTALLS), false);
  assert.equal(mayContainWord(scriptOf('npm ci\nnpm test'), INSTALLS), true);
});
