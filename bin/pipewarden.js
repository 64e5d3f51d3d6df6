#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json says so), like the bundle it starts: see src/cli/launch.ts.
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'pipewarden.cjs');
let main;
try {
  ({ main } = require('../dist/launch.cjs').loadCli(bundle, `${bundle}.cache`));
} catch (err) {
  // A checkout that was never built has no dist/: say so, not Node's require stack.
  const unbuilt = err && err.code === 'MODULE_NOT_FOUND' && !require('node:fs').existsSync(bundle);
  process.stderr.write(unbuilt ? 'pipewarden: not built: run `npm run build` (or `npm ci`) first\n' : `pipewarden: cannot start: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(2);
}
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`pipewarden: internal error: ${err && err.message ? err.message : String(err)}\n`);
    if (process.argv.includes('--debug')) process.stderr.write(String(err && err.stack) + '\n');
    process.exitCode = 2;
  },
);
