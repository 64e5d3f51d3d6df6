// Bundles the compiled CLI and the scan worker into one file each: loading ~150
// separate ES modules cost a one-file scan ~120 ms of its ~200 ms.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: { pipewarden: 'dist/src/cli/main.js', 'scan-worker': 'dist/src/core/scan-worker.js' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The `yaml` package's Node build is CommonJS and requires Node built-ins.
  banner: { js: "import { createRequire as __pwCreateRequire } from 'node:module'; const require = __pwCreateRequire(import.meta.url);" },
  define: { __PIPEWARDEN_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
