/** Worker-thread entry for `analyseInWorkers`: analyse batches of files, post finished results back. */
import { parentPort, workerData } from 'node:worker_threads';
import { GitHubFacts } from '../online/facts.js';
import { allRules } from '../rules/index.js';
import type { Candidate } from './discover.js';
import type { WorkerInit, WorkerReply } from './parallel.js';
import { analyseCandidate, finishAnalysis, lighten, newCalleeCache, type FileScan, type ScanOptions } from './scan.js';
import { releaseFileScoped } from './file-scoped.js';

const init = workerData as WorkerInit;
// Structured clone keeps the facts' Maps but not their class: give it back for the rules' lookups.
if (init.opts.external?.github) Object.setPrototypeOf(init.opts.external.github, GitHubFacts.prototype);
const byId = new Map(allRules.map((r) => [r.meta.id, r]));
const opts: ScanOptions = {
  ...init.opts,
  rules: init.ruleIds.map((id) => byId.get(id)).filter((r) => r !== undefined),
  calleeCache: newCalleeCache(),
  leaveKubeToMain: true,
  onInternalError: (file, err) => post({ kind: 'internal-error', file, message: (err as Error).message, stack: (err as Error).stack }),
};

function post(reply: WorkerReply): void {
  parentPort!.postMessage(reply);
}

parentPort!.on('message', async (msg: { batch: number; files: (Candidate & { index: number })[] }) => {
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
