// Bundles the compiled CLI and the scan worker into one file each: loading ~150
// separate ES modules cost a one-file scan ~120 ms of its ~200 ms.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  // The bench child is bundled like the CLI, so `npm run bench` measures the code users run.
  entryPoints: { pipewarden: 'dist/src/cli/main.js', 'scan-worker': 'dist/src/core/scan-worker.js', 'bench-child': 'dist/bench/child.js' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // `yaml`'s ES module build (its "browser" entry: the same code, warnings through console.warn)
  // instead of its CommonJS one, whose interop getters cost ~2% of a scan on every isMap()/isScalar() call.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  define: { __PIPEWARDEN_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
