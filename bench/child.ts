/**
 * One measured run in its own process, so peak RSS belongs to it alone.
 * Modes: `floor` reads every file and parses the YAML ones with `yaml`
 * (the cost any YAML-reading scanner pays); `scan` runs the full scan.
 */
import { promises as fs, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { emptyConfig } from '../src/config/config.js';
import { discover } from '../src/core/discover.js';
import { scanPaths } from '../src/core/scan.js';
import { tuneV8ForScanning } from '../src/core/v8-tuning.js';
import { allRules } from '../src/rules/index.js';

async function main(): Promise<void> {
  const [mode, dir, jobsArg] = process.argv.slice(2);
  const jobs = Number(jobsArg ?? '1');
  if (!dir || (mode !== 'floor' && mode !== 'scan')) throw new Error('usage: child floor|scan DIR [JOBS]');
  const start = process.hrtime.bigint();
  let ms = 0;
  let files = 0;
  let bytes = 0;
  let findings = 0;
  if (mode === 'floor') {
    const { candidates } = await discover([dir]);
    for (const c of candidates) {
      const text = await fs.readFile(c.absPath, 'utf8');
      files++;
      bytes += Buffer.byteLength(text);
      if (/\.ya?ml$/i.test(c.absPath)) parseAllDocuments(text);
    }
  } else {
    // As the CLI does (the floor runs without it; its time is the same either way).
    tuneV8ForScanning();
    const result = await scanPaths([dir], {
      rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: dir, toolVersion: 'bench', jobs,
      // What `pipewarden scan` keeps for its default text report.
      keepSources: 'lines',
    });
    files = result.files.length;
    findings = result.findings.length;
    // Counting the bytes is the bench's own work: not timed.
    ms = Number(process.hrtime.bigint() - start) / 1e6;
    const { candidates } = await discover([dir]);
    for (const c of candidates) bytes += (await fs.stat(c.absPath)).size;
  }
  if (mode === 'floor') ms = Number(process.hrtime.bigint() - start) / 1e6;
  const usage = process.cpuUsage();
  const cpu = { allThreadsS: (usage.user + usage.system) / 1e6, mainThreadS: mainThreadCpuSeconds() };
  process.stdout.write(JSON.stringify({ mode, jobs, ms, files, bytes, findings, maxRssMB: process.resourceUsage().maxRSS / 1024, cpu }) + '\n');
}

/**
 * CPU time of the main thread alone (Linux: /proc/self/task/<pid>/stat), or
 * undefined elsewhere. Set beside the process total it shows what V8's
 * compiler and garbage-collector threads take, which on a small machine is
 * what `--jobs` runs short of.
 */
function mainThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and ends at the last ')': utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
