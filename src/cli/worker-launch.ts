/**
 * Worker-thread entry of the CLI bundle (built into dist/scan-worker.cjs):
 * each `--jobs` worker loads dist/pipewarden.cjs through the same code cache
 * as the CLI, instead of compiling a bundle of its own from source, which
 * took a worker ~130-170 ms from start to its first result.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCli } from './launch.js';

// The main thread set V8's flags for the process before it started this thread: they are not set again here.
// Beside this file (in the bundle, import.meta.url is this file's URL: see scripts/bundle.mjs).
const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pipewarden.cjs');
const { runScanWorker } = loadCli(bundle, `${bundle}.cache`, { tuneV8: false }).exports;
if (typeof runScanWorker !== 'function') throw new Error(`${bundle} does not export runScanWorker`);
runScanWorker();
