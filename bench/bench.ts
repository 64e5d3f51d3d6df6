/**
 * `npm run bench`: scans ../shared/corpus replicated into a temporary tree
 * (at least --files N files, default 10,000), and reports files/s, MB/s and
 * peak RSS of a full scan against a read+parse floor measured on the same
 * files in the same run, plus the wall time of a one-file CLI scan.
 * Figures go to stdout and, as JSON, to bench/results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { discover } from '../src/core/discover.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The bundled child (dist/bench-child.js, built by `npm run build`) runs the same code as the CLI.
const child = fileURLToPath(new URL('../bench-child.js', import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

interface Run {
  mode: string;
  ms: number;
  files: number;
  bytes: number;
  findings: number;
  maxRssMB: number;
  /** CPU seconds of the whole process, and of its main thread where the platform tells (Linux). */
  cpu: { allThreadsS: number; mainThreadS?: number };
}

/** Median CPU seconds of runs: the main thread and all threads (V8's compiler and GC helpers included). */
function cpuOf(runs: Run[]): Run['cpu'] {
  const main = runs.map((r) => r.cpu.mainThreadS).filter((x): x is number => x !== undefined);
  return {
    ...(main.length === runs.length ? { mainThreadS: +median(main).toFixed(2) } : {}),
    allThreadsS: +median(runs.map((r) => r.cpu.allThreadsS)).toFixed(2),
  };
}

function cpuText(c: Run['cpu']): string {
  return c.mainThreadS !== undefined ? `${c.mainThreadS} s main thread / ${c.allThreadsS} s all threads` : `${c.allThreadsS} s all threads`;
}

function measure(mode: 'floor' | 'scan', dir: string, jobs = 1): Run {
  const r = spawnSync(process.execPath, [child, mode, dir, String(jobs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

/**
 * What parallelism the machine really gives: the same CPU-bound loop on one
 * thread and on `n` at once. `n` is the best speed-up `--jobs n` could reach
 * (a machine whose vCPUs share one core's time answers about 1).
 */
async function cpuCapacity(n: number): Promise<number> {
  const loop = 'let x = 0; for (let i = 0; i < 2e8; i++) x += i % 7; require("node:worker_threads").parentPort.postMessage(x);';
  const run = async (threads: number) => {
    const t = process.hrtime.bigint();
    await Promise.all(Array.from({ length: threads }, () => new Promise((resolve, reject) => {
      const w = new Worker(loop, { eval: true });
      w.once('message', () => void w.terminate().then(resolve));
      w.once('error', reject);
    })));
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const one = median([await run(1), await run(1), await run(1)]);
  const many = median([await run(n), await run(n), await run(n)]);
  return +((n * one) / many).toFixed(2);
}

/** Scans the tree's parts one after the other, then all at once, each in its own process: sequential time / concurrent time. */
async function processCeiling(dir: string, parts: number): Promise<number> {
  const dirs = Array.from({ length: parts }, (_, g) => path.join(dir, `part${g}`));
  const wall = (run: () => unknown) => {
    const t0 = process.hrtime.bigint();
    run();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  // Wall times of whole processes on both sides, start-up included.
  const alone = dirs.reduce((sum, d) => sum + wall(() => measure('scan', d)), 0);
  const t = process.hrtime.bigint();
  await Promise.all(dirs.map((d) => new Promise<void>((resolve, reject) => {
    const c = spawn(process.execPath, [child, 'scan', d, '1'], { stdio: 'ignore' });
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scan of ${d} exited with ${code}`))));
  })));
  const together = Number(process.hrtime.bigint() - t) / 1e6;
  return +(alone / together).toFixed(2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const corpus = path.resolve(arg('--corpus', path.join(root, '../shared/corpus')));
  const target = Number(arg('--files', '10000'));
  const rounds = Number(arg('--rounds', '3'));
  const jobs = Number(arg('--jobs', String(Math.max(2, os.availableParallelism()))));
  const { candidates } = await discover([corpus]);
  if (candidates.length === 0) throw new Error(`no pipeline files under ${corpus}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipewarden-bench-'));
  try {
    let copies = 0;
    for (let n = 0; n < target; n += candidates.length) {
      // Copies are spread over one folder per job, so the parts can also be scanned apart (see processCeiling).
      const dest = path.join(tmp, `part${copies % jobs}`, `copy${copies}`);
      copies++;
      for (const c of candidates) {
        const to = path.join(dest, c.relPath);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(c.absPath, to);
      }
    }
    const floors: Run[] = [];
    const scans: Run[] = [];
    const parallel: Run[] = [];
    for (let i = 0; i < rounds; i++) {
      floors.push(measure('floor', tmp));
      scans.push(measure('scan', tmp));
      parallel.push(measure('scan', tmp, jobs));
    }
    const capacity = await cpuCapacity(jobs);
    const ceiling = copies >= jobs ? await processCeiling(tmp, jobs) : undefined;
    const floorMs = median(floors.map((r) => r.ms));
    const scanMs = median(scans.map((r) => r.ms));
    const parallelMs = median(parallel.map((r) => r.ms));
    if (parallel[0]!.findings !== scans[0]!.findings) throw new Error(`--jobs ${jobs} found ${parallel[0]!.findings} findings, one thread ${scans[0]!.findings}`);
    const scan = scans[0]!;
    const ratios = scans.map((r, i) => r.ms / floors[i]!.ms);
    const oneFile = path.join(root, 'examples/vulnerable-repo/.github/workflows/pr-triage.yml');
    const walls: number[] = [];
    const bare: number[] = [];
    // Interleaved, ten each: a start-up takes ~0.1-0.3 s here and the machine's speed drifts between runs.
    for (let i = 0; i < 10; i++) {
      let t = process.hrtime.bigint();
      spawnSync(process.execPath, [path.join(root, 'bin/pipewarden.js'), 'scan', oneFile, '--format', 'json'], { encoding: 'utf8' });
      walls.push(Number(process.hrtime.bigint() - t) / 1e6);
      // What Node itself takes to start and stop here, for scale.
      t = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const results = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      files: scan.files,
      megabytes: +(scan.bytes / 1e6).toFixed(1),
      floor: { ms: Math.round(floorMs), filesPerSec: Math.round(scan.files / (floorMs / 1000)), maxRssMB: Math.round(Math.max(...floors.map((r) => r.maxRssMB))), cpu: cpuOf(floors) },
      scan: {
        jobs: 1,
        ms: Math.round(scanMs),
        filesPerSec: Math.round(scan.files / (scanMs / 1000)),
        mbPerSec: +((scan.bytes / 1e6) / (scanMs / 1000)).toFixed(2),
        maxRssMB: Math.round(Math.max(...scans.map((r) => r.maxRssMB))),
        findings: scan.findings,
        cpu: cpuOf(scans),
      },
      parallel: {
        jobs,
        ms: Math.round(parallelMs),
        filesPerSec: Math.round(scan.files / (parallelMs / 1000)),
        mbPerSec: +((scan.bytes / 1e6) / (parallelMs / 1000)).toFixed(2),
        maxRssMB: Math.round(Math.max(...parallel.map((r) => r.maxRssMB))),
        speedup: +(scanMs / parallelMs).toFixed(2),
        cpu: cpuOf(parallel),
        /** The speed-up a pure CPU loop gets from as many threads on this machine: the ceiling for `speedup`. */
        cpuCapacity: capacity,
        /**
         * The speed-up of scanning the tree's `jobs` parts in as many separate
         * processes at once over one after the other: what sharing nothing
         * (no main thread, no cross-file rules) would give on this machine.
         */
        ...(ceiling !== undefined ? { processCeiling: ceiling } : {}),
      },
      /**
       * Median over the rounds of each round's scan/floor: both are measured
       * back to back in a round, so a machine that speeds up or slows down
       * between rounds (±25% seen here) moves both alike.
       */
      ratioToFloor: +median(ratios).toFixed(2),
      ratiosByRound: ratios.map((r) => +r.toFixed(2)),
      singleFileWallMs: Math.round(median(walls)),
      singleFileMinWallMs: Math.round(Math.min(...walls)),
      nodeStartWallMs: Math.round(median(bare)),
      nodeStartMinWallMs: Math.round(Math.min(...bare)),
    };
    process.stdout.write(
      [
        `files: ${results.files} (${results.megabytes} MB), ${rounds} rounds, median`,
        `floor (read + yaml parse): ${results.floor.ms} ms, ${results.floor.filesPerSec} files/s, peak RSS ${results.floor.maxRssMB} MB`,
        `full scan, 1 thread:       ${results.scan.ms} ms, ${results.scan.filesPerSec} files/s, ${results.scan.mbPerSec} MB/s, peak RSS ${results.scan.maxRssMB} MB, ${results.scan.findings} findings`,
        `full scan, --jobs ${jobs}:      ${results.parallel.ms} ms, ${results.parallel.filesPerSec} files/s, ${results.parallel.mbPerSec} MB/s, peak RSS ${results.parallel.maxRssMB} MB`,
        `ratio scan/floor: ${results.ratioToFloor} (median of the rounds' ${results.ratiosByRound.join(', ')}; target <= 1.0); speed-up with --jobs ${jobs}: ${results.parallel.speedup}x (target >= 1.8; here a pure CPU loop on ${jobs} threads gets ${results.parallel.cpuCapacity}x, and ${jobs} separate scan processes on ${jobs} parts ${ceiling !== undefined ? `${ceiling}x` : 'not measured (too few copies)'})`,
        `single-file CLI scan: ${results.singleFileWallMs} ms wall, fastest ${results.singleFileMinWallMs} ms (target < 150; \`node -e 0\` alone: ${results.nodeStartWallMs} ms, fastest ${results.nodeStartMinWallMs} ms)`,
        `CPU: floor ${cpuText(results.floor.cpu)}; scan ${cpuText(results.scan.cpu)}; --jobs ${jobs} ${cpuText(results.parallel.cpu)}`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
