/**
 * The scan worker's loop: analyse batches of files, post finished results
 * back (see parallel.ts). Started by the thread's entry: `scan-worker.ts`
 * for the unbundled build, `cli/worker-launch.ts` for the CLI bundle, which
 * loads the same bundle and code cache as the CLI.
 */
import { GitHubFacts } from '../online/facts.js';
import { allRules } from '../rules/index.js';
import type { Candidate } from './discover.js';
import { nodeWorkerThreads } from './lazy-builtins.js';
import type { WorkerInit, WorkerReply } from './parallel.js';
import { analyseCandidate, finishAnalysis, lighten, newCalleeCache, type FileScan, type ScanOptions } from './scan.js';
import { releaseFileScoped } from './file-scoped.js';

export function runScanWorker(): void {
  const { parentPort, workerData } = nodeWorkerThreads();
  if (!parentPort) throw new Error('runScanWorker runs on a worker thread');
  const init = workerData as WorkerInit;
  // Structured clone keeps the facts' Maps but not their class: give it back for the rules' lookups.
  if (init.opts.external?.github) Object.setPrototypeOf(init.opts.external.github, GitHubFacts.prototype);
  const byId = new Map(allRules.map((r) => [r.meta.id, r]));
  const post = (reply: WorkerReply) => parentPort.postMessage(reply);
  const opts: ScanOptions = {
    ...init.opts,
    rules: init.ruleIds.map((id) => byId.get(id)).filter((r) => r !== undefined),
    calleeCache: newCalleeCache(),
    leaveKubeToMain: true,
    onInternalError: (file, err) => post({ kind: 'internal-error', file, message: (err as Error).message, stack: (err as Error).stack }),
  };
  parentPort.on('message', async (msg: { batch: number; files: (Candidate & { index: number })[] }) => {
    try {
      const results: { index: number; outcome: FileScan | 'kube' }[] = [];
      for (const c of msg.files) {
        const a = await analyseCandidate(c, opts);
        if (a.leftToMain || a.pipelines.some((p) => p.kube)) {
          results.push({ index: c.index, outcome: 'kube' });
        } else {
          // Only sources with findings are shown (code frames); the rest need not cross threads.
          results.push({ index: c.index, outcome: lighten(finishAnalysis(a, opts), opts) });
        }
        releaseFileScoped();
      }
      post({ kind: 'results', batch: msg.batch, results });
    } catch (err) {
      post({ kind: 'fatal', message: (err as Error).message });
    }
  });
}
