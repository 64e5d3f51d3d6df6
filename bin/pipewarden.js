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
  (code) => {
    process.exitCode = code;
    // The work is done, but letting the event loop run dry first runs V8's idle-time young-generation
    // collection (~4 ms of a one-file scan) on a heap about to be dropped. So leave at once when nothing is
    // pending: no timer, request or handle but a terminal, which POSIX writes synchronously; a file has none.
    // Output to a pipe (asynchronous on POSIX) or anything else pending takes the usual way out.
    if (process.getActiveResourcesInfo().every((r) => r === 'TTYWrap' && process.platform !== 'win32')) process.exit();
  },
  (err) => {
    process.stderr.write(`pipewarden: internal error: ${err && err.message ? err.message : String(err)}\n`);
    if (process.argv.includes('--debug')) process.stderr.write(String(err && err.stack) + '\n');
    process.exitCode = 2;
  },
);
