/** Worker-thread entry of the unbundled build (tests, library use): the scan worker's loop. */
import { runScanWorker } from './worker-loop.js';

runScanWorker();
