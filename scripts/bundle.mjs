// Bundles the compiled CLI and the scan worker into one file each: loading ~150
// separate ES modules cost a one-file scan ~120 ms of its ~200 ms.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { createRequire } from 'node:module';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  // `yaml`'s ES module build (its "browser" entry: the same code, warnings through console.warn)
  // instead of its CommonJS one, whose interop getters cost ~2% of a scan on every isMap()/isScalar() call.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
  // Workers start from the CLI bundle's own entry, through its code cache (src/cli/worker-launch.ts).
  define: { __PIPEWARDEN_VERSION__: JSON.stringify(version), __PIPEWARDEN_WORKER_ENTRY__: JSON.stringify('./scan-worker.cjs') },
};
await build({
  ...common,
  // The bench child is bundled like the CLI, so `npm run bench` measures the code users run.
  entryPoints: { 'bench-child': 'dist/bench/child.js' },
  format: 'esm',
});
// The CLI is a CommonJS script, because V8's code cache (node:vm Script) takes scripts, not ES modules; the
// launcher (bin/pipewarden.js, CommonJS by bin/package.json → dist/launch.cjs) that starts it through the cache is CommonJS too, which
// spares a one-file scan Node's ES module loader (~5 ms).
await build({
  ...common,
  entryPoints: { pipewarden: 'dist/src/cli/main.js', launch: 'dist/src/cli/launch.js', 'scan-worker': 'dist/src/cli/worker-launch.js' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { ...common.define, 'import.meta.url': '__pipewarden_bundle_url' },
  // "use strict" first: esbuild's own directive comes after the banner, where it is only an expression.
  banner: { js: '"use strict";\nvar __pipewarden_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
});
rmSync('dist/pipewarden.js', { force: true });
// The ES module worker bundle of earlier builds: workers now start from dist/scan-worker.cjs.
rmSync('dist/scan-worker.js', { force: true });
// ASCII only: a source with any other character becomes a two-byte string, which took 7 ms more to decode
// at every start. A \u escape means the same as the character in strings, regular expressions, identifiers
// and comments; each UTF-16 unit is escaped on its own, as a regular expression without the u flag reads it.
for (const file of ['dist/pipewarden.cjs', 'dist/scan-worker.cjs', 'dist/launch.cjs']) {
  // `import * as path from 'node:path'` becomes a copy of the module's every name, made at each start (esbuild's
  // ES module interop, __toESM): ~1.5 ms of a one-file scan for 20 such imports. A built-in module object already
  // has every name the code reads (none reads `default`), so the module itself is used.
  const text = readFileSync(file, 'utf8').replace(/([\w$]+)=__toESM\((require\("node:[a-z_/]+"\)),1\)/g, (all, name, load, at, whole) => {
    // A default import (`import os from 'node:os'`) reads `.default`, which only the copy has.
    if (whole.includes(`${name}.default`)) throw new Error(`${file}: ${name} is a default import of a Node built-in; import it as a namespace or by name`);
    return `${name}=${load}`;
  });
  const ascii = text.replace(/[^\x00-\x7f]/g, (c, at) => {
    // After an odd run of backslashes the character is itself escaped (`"\\–"`): an escape would change its meaning.
    let slashes = 0;
    while (text[at - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 1) throw new Error(`${file}: escaped non-ASCII character at offset ${at}; write it as \\u${c.charCodeAt(0).toString(16)} in the source`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  writeFileSync(file, ascii);
}
// The CLI bundle is stored inside its module function (see wrapModule in src/cli/launch.ts), so starting it copies nothing.
const { wrapModule } = createRequire(import.meta.url)('../dist/launch.cjs');
writeFileSync('dist/pipewarden.cjs', wrapModule(readFileSync('dist/pipewarden.cjs', 'latin1')), 'latin1');
// A failed warm-up leaves no cache: starts are then slower, and otherwise the same.
rmSync('dist/pipewarden.cjs.cache', { force: true });
const warm = spawnSync(process.execPath, ['scripts/code-cache.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
if (warm.status !== 0) process.stderr.write('warning: no code cache written (scripts/code-cache.mjs failed); the CLI starts without it\n');
