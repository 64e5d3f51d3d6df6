#!/usr/bin/env node
import { main } from '../dist/pipewarden.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`pipewarden: internal error: ${err && err.message ? err.message : String(err)}\n`);
    if (process.argv.includes('--debug')) process.stderr.write(String(err && err.stack) + '\n');
    process.exitCode = 2;
  },
);
