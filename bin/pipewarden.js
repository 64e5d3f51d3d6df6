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
// The standard streams the command writes to, so that the way out below knows what may still be flushing.
const written = new Set();
const io = {
  get stdout() { return use(process.stdout); },
  get stderr() { return use(process.stderr); },
};

function use(stream) {
  if (!written.has(stream)) {
    written.add(stream);
    stream.on('error', cannotWrite);
  }
  return stream;
}

/**
 * A report that cannot be written (a full disk, a reader that went away) fails the run with a
 * message, not with Node's stack trace, and never passes for a clean one.
 */
function cannotWrite(err) {
  try {
    require('node:fs').writeSync(2, `pipewarden: cannot write output: ${err && err.code ? err.code : String(err && err.message)}\n`);
  } catch {
    // stderr is what failed: the exit code still tells.
  }
  process.exit(2);
}

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // The work is done, but letting the event loop run dry first runs V8's idle-time young-generation
    // collection (~4 ms of a one-file scan) on a heap about to be dropped. So leave at once when nothing is pending.
    if (nothingPending()) process.exit();
  },
  (err) => {
    process.stderr.write(`pipewarden: internal error: ${err && err.message ? err.message : String(err)}\n`);
    if (process.argv.includes('--debug')) process.stderr.write(String(err && err.stack) + '\n');
    process.exitCode = 2;
  },
);

/**
 * Whether nothing but the command's own standard streams is active, none of them still holds
 * output (a pipe writes asynchronously on POSIX, a terminal on Windows) and none has failed. A
 * stream that is a file holds no handle; a pipe or a terminal holds one each. Anything else (a
 * timer, a request, a worker, a stream opened elsewhere) keeps the usual way out, after the
 * event loop is done.
 */
function nothingPending() {
  const active = process.getActiveResourcesInfo();
  if (active.length > written.size || !active.every((r) => r === 'PipeWrap' || r === 'TTYWrap')) return false;
  // A failed write (a full disk, a reader gone) is raised a tick later: leaving now would hide it and exit 0.
  for (const stream of written) if (stream.writableLength > 0 || stream.errored || stream.destroyed) return false;
  return true;
}
