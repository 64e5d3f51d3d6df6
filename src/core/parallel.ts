/**
 * File-local analysis on worker threads, with the calling thread working too.
 * `--jobs N` means N threads in all: N - 1 workers plus the main thread.
 *
 * Files that may hold Kubernetes-style objects (Tekton, Argo, RBAC…: the
 * ones whose path does not name their platform) are analysed on the main
 * thread, because the project-wide rules need every such object in one heap;
 * meanwhile the workers take the other files in batches, and the main thread
 * joins them once the project rules have run. A worker that meets a
 * Kubernetes-style file all the same hands it back unanalysed.
 *
 * `worker_threads` directly rather than a pool library: the need is a fixed
 * set of long-lived workers with one init message and batched tasks.
 */
import type { Worker } from 'node:worker_threads';
import type { Candidate } from './discover.js';
import { nodeOs, nodeWorkerThreads } from './lazy-builtins.js';
import type { FileScan, ScanOptions } from './scan.js';
import { SourceFile, SourceLines } from '../model/source.js';
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

const BATCH = 16;
/** Batches handed to a worker before it answers, so it never waits for the main thread. */
const IN_FLIGHT = 4;

/** Workers rebuild the rule list by id: a rule of the caller's own (not in the catalog) keeps the scan on one thread. */
export function workersCanRun(opts: ScanOptions): boolean {
  return opts.rules.every((r) => allRules.includes(r));
}

/** A sensible default for `--jobs`: the cores this process may use, at most 8. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(8, nodeOs().availableParallelism()));
}

/** Lets worker messages in between pieces of the main thread's own work. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Which files the main thread takes itself, and when the cross-file rules run. */
export interface ParallelPlan {
  /** Files the main thread analyses itself, before anything else (those that may hold Kubernetes objects). */
  mainFirst: number[];
  /** Files for any thread, in batches. */
  shared: number[];
  /** Runs on the main thread once `mainFirst` is done, before it joins the shared batches. */
  afterMainFirst: () => void;
}

/**
 * Analyses `candidates` on `jobs` threads. `analyseHere` runs a file on the
 * main thread; `onResult` takes a worker's finished file ('kube': the worker
 * found a Kubernetes-style file after all, and the main thread must redo it).
 */
export async function analyseInParallel(
  candidates: Candidate[],
  opts: ScanOptions,
  jobs: number,
  plan: ParallelPlan,
  analyseHere: (index: number) => Promise<void>,
  onResult: (index: number, outcome: FileScan | 'kube') => Promise<void>,
): Promise<void> {
  const { rules, onInternalError, calleeCache: _cache, jobs: _jobs, ...rest } = opts;
  const init: WorkerInit = { ruleIds: rules.map((r) => r.meta.id), opts: rest };
  const batches: number[][] = [];
  for (let i = 0; i < plan.shared.length; i += BATCH) batches.push(plan.shared.slice(i, i + BATCH));
  let next = 0;
  let outstanding = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const workers: Worker[] = [];
  const send = (w: Worker) => {
    if (next >= batches.length) return;
    const b = next++;
    outstanding++;
    w.postMessage({ batch: b, files: batches[b]!.map((index) => ({ ...candidates[index]!, index })) });
  };
  // Workers' results are handled one at a time, in arrival order, between pieces of main-thread work.
  let inbox = Promise.resolve();
  try {
    const { Worker } = nodeWorkerThreads();
    for (let j = 0; j < jobs - 1; j++) {
      const w = new Worker(workerEntry(), { workerData: init });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'internal-error') {
          const e = new Error(reply.message);
          if (reply.stack) e.stack = reply.stack;
          onInternalError?.(reply.file, e);
          return;
        }
        if (reply.kind === 'fatal') {
          failure ??= new Error(`scan worker failed: ${reply.message}`);
          wake?.();
          return;
        }
        send(w);
        inbox = inbox.then(async () => {
          for (const r of reply.results) {
            await onResult(r.index, r.outcome === 'kube' ? 'kube' : rehydrate(r.outcome));
            // A handed-back file is analysed here: let other workers' messages (and their next batches) through.
            if (r.outcome === 'kube') await breathe();
          }
          outstanding--;
          wake?.();
        });
        inbox.catch((e: Error) => {
          failure ??= e;
          wake?.();
        });
      });
      w.on('error', (e) => {
        failure ??= e;
        wake?.();
      });
      w.on('exit', (code) => {
        if (code !== 0) failure ??= new Error(`scan worker exited with code ${code}`);
        wake?.();
      });
      for (let k = 0; k < IN_FLIGHT; k++) send(w);
    }
    // Its own files first, letting workers' messages (and their next batches) in between files.
    for (const index of plan.mainFirst) {
      await analyseHere(index);
      await breathe();
      if (failure) throw failure;
    }
    plan.afterMainFirst();
    // Between its shared batches the main thread handles what workers sent back.
    while (next < batches.length) {
      const b = next++;
      for (const index of batches[b]!) {
        await analyseHere(index);
        // Workers get their next batch only when this thread lets their messages in.
        await breathe();
      }
      if (failure) throw failure;
    }
    while (outstanding > 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
    await inbox;
    if (failure) throw failure;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Set by the build in the bundles (scripts/bundle.mjs): their workers start
 * from dist/scan-worker.cjs, which loads the CLI bundle through its code cache.
 */
declare const __PIPEWARDEN_WORKER_ENTRY__: string | undefined;

/** The file a worker thread starts from: the bundles' entry, or this build's own module beside this one. */
function workerEntry(): URL {
  return typeof __PIPEWARDEN_WORKER_ENTRY__ === 'string' ? new URL(__PIPEWARDEN_WORKER_ENTRY__, import.meta.url) : new URL('./scan-worker.js', import.meta.url);
}

/** Structured clone drops prototypes: give sources back their methods (line index or kept lines included). */
function rehydrate(scan: FileScan): FileScan {
  const restore = (s: object) => Object.setPrototypeOf(s, 'text' in s ? SourceFile.prototype : SourceLines.prototype);
  if (scan.source) restore(scan.source);
  for (const s of scan.extraSources ?? []) restore(s);
  return scan;
}
