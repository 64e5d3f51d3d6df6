/**
 * File-local analysis on worker threads. Each worker reads, models and checks
 * the files it is handed and sends back finished per-file results; files of
 * Kubernetes-style platforms come back unanalysed, because the project-wide
 * rules need every such object in one heap (the main thread's).
 *
 * `worker_threads` directly rather than a pool library: the need is a fixed
 * set of long-lived workers with one init message and batched tasks.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Candidate } from './discover.js';
import type { FileScan, ScanOptions } from './scan.js';
import { SourceFile } from '../model/source.js';
import { allRules } from '../rules/index.js';

/** Options a worker rebuilds its ScanOptions from (everything structured-clonable). */
export interface WorkerInit {
  ruleIds: string[];
  opts: Omit<ScanOptions, 'rules' | 'onInternalError' | 'calleeCache' | 'jobs'>;
}

export type WorkerReply =
  | { kind: 'results'; batch: number; results: { index: number; outcome: FileScan | 'kube' }[] }
  | { kind: 'internal-error'; file: string; message: string; stack?: string }
  | { kind: 'fatal'; message: string };

const BATCH = 24;
/** Batches handed to a worker before it answers, so it never waits for the main thread. */
const IN_FLIGHT = 2;

/** Workers rebuild the rule list by id: a rule of the caller's own (not in the catalog) keeps the scan on one thread. */
export function workersCanRun(opts: ScanOptions): boolean {
  return opts.rules.every((r) => allRules.includes(r));
}

/** A sensible default for `--jobs`: the cores this process may use, at most 8. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** Results arrive in any order; `onResult` gets each file's index in `candidates`. */
export async function analyseInWorkers(
  candidates: Candidate[],
  opts: ScanOptions,
  jobs: number,
  onResult: (index: number, outcome: FileScan | 'kube') => Promise<void>,
): Promise<void> {
  const { rules, onInternalError, calleeCache: _cache, jobs: _jobs, ...rest } = opts;
  const init: WorkerInit = { ruleIds: rules.map((r) => r.meta.id), opts: rest };
  const batches: Candidate[][] = [];
  for (let i = 0; i < candidates.length; i += BATCH) batches.push(candidates.slice(i, i + BATCH));
  const indexOf = new Map(candidates.map((c, i) => [c, i]));
  let next = 0;
  // The main thread's own work (Kubernetes files) runs one at a time, in arrival order.
  let mainWork = Promise.resolve();
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = batches.length;
      if (pending === 0) return resolve();
      const send = (w: Worker) => {
        if (next >= batches.length) return;
        const b = next++;
        w.postMessage({ batch: b, files: batches[b]!.map((c) => ({ ...c, index: indexOf.get(c)! })) });
      };
      for (let j = 0; j < jobs; j++) {
        const w = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: init });
        workers.push(w);
        w.on('message', (reply: WorkerReply) => {
          if (reply.kind === 'internal-error') {
            const e = new Error(reply.message);
            if (reply.stack) e.stack = reply.stack;
            onInternalError?.(reply.file, e);
            return;
          }
          if (reply.kind === 'fatal') return reject(new Error(`scan worker failed: ${reply.message}`));
          send(w);
          for (const r of reply.results) {
            const outcome = r.outcome === 'kube' ? 'kube' : rehydrate(r.outcome);
            mainWork = mainWork.then(() => onResult(r.index, outcome));
          }
          mainWork.catch(reject);
          if (--pending === 0) mainWork.then(resolve, reject);
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (code !== 0) reject(new Error(`scan worker exited with code ${code}`));
        });
        for (let k = 0; k < IN_FLIGHT; k++) send(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Structured clone drops prototypes: give sources back their methods (line index kept). */
function rehydrate(scan: FileScan): FileScan {
  if (scan.source) Object.setPrototypeOf(scan.source, SourceFile.prototype);
  for (const s of scan.extraSources ?? []) Object.setPrototypeOf(s, SourceFile.prototype);
  return scan;
}
