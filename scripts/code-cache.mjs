// Writes dist/pipewarden.cjs.cache: V8's compiled code of the CLI bundle after a warm-up scan of the
// shipped example in each report format (see src/cli/launch.ts). Run by scripts/bundle.mjs in a fresh process,
// so the V8 flags are the ones every start sets before compiling.
import { renameSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadCli } from '../dist/launch.cjs';

const bundle = fileURLToPath(new URL('../dist/pipewarden.cjs', import.meta.url));
const example = fileURLToPath(new URL('../examples/vulnerable-repo', import.meta.url));
const cli = loadCli(bundle);
const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
for (const format of ['text', 'json', 'sarif']) {
  const code = await cli.main(['scan', example, '--format', format], { stdout: sink, stderr: sink });
  // The example is vulnerable on purpose: 1 is the expected answer.
  if (code !== 1) {
    process.stderr.write(`code cache: the warm-up scan (${format}) answered ${code}, expected 1\n`);
    process.exit(1);
  }
}
const target = `${bundle}.cache`;
const temporary = `${target}.${process.pid}.tmp`;
writeFileSync(temporary, cli.createCache());
renameSync(temporary, target);
