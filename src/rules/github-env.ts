import { expressionOffsets, locateInScript } from '../core/templated.js';
import type { Expression, Script } from '../model/pipeline.js';
import { taintsOf, type Taint } from '../platforms/github/contexts.js';
import { githubFlows } from '../platforms/github/outputs.js';
import { fileWrites } from '../shell/flow.js';
import { shellOf, templatesIn } from '../shell/index.js';
import { defineRule } from './types.js';

const PS_ENV_FILE = /\$env:(GITHUB_ENV|GITHUB_PATH)|\$\{?(GITHUB_ENV|GITHUB_PATH)\}?/;
const PRIVILEGED_EXTERNAL = new Set(['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment']);

/** Writes in scripts that are not POSIX shell (PowerShell's `>> $env:GITHUB_ENV`, `Add-Content`), matched per line. */
function lineWrites(script: Script): { index: number; length: number; file: string; expressions: Expression[] }[] {
  const out: { index: number; length: number; file: string; expressions: Expression[] }[] = [];
  const positions = expressionOffsets(script.text);
  let offset = 0;
  for (const line of script.text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    const m = PS_ENV_FILE.exec(line);
    if (!m || !/>>|Out-File|Add-Content|tee\s+-a/.test(line)) continue;
    const expressions = script.expressions.filter((_, i) => (positions[i] ?? -1) >= start && (positions[i] ?? -1) < start + line.length);
    out.push({ index: start, length: line.length, file: m[1] ?? m[2]!, expressions });
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'github-env',
    title: 'Untrusted data written to GITHUB_ENV or GITHUB_PATH',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'Lines appended to `$GITHUB_ENV` become environment variables of every later step, and `$GITHUB_PATH` entries come first in `PATH`. When the written text comes from an outsider (a pull request title, an artifact from a fork run), they can set `LD_PRELOAD`, `NODE_OPTIONS` or `BASH_ENV`, or put their own `git` first on the path: code execution in every later step with the job\'s secrets.',
      bad: 'on: pull_request_target\n…\n- run: echo "TITLE=${{ github.event.pull_request.title }}" >> "$GITHUB_ENV"',
      good: '- run: echo "title is in the step env only"\n  env:\n    TITLE: ${{ github.event.pull_request.title }}',
      remedy: 'Do not copy untrusted values into `$GITHUB_ENV`/`$GITHUB_PATH`; pass them through step `env:` where needed, and use a random heredoc delimiter if multi-line values must be written.',
    },
  },
  check({ pipeline, report }) {
    const privileged = [...new Set(pipeline.triggers.filter((t) => PRIVILEGED_EXTERNAL.has(t.event)).map((t) => t.event))];
    const flows = githubFlows(pipeline);
    // A field an outsider writes only under events this workflow does not have is empty here (a caller's event decides for actions and reusable workflows).
    const called = pipeline.kind === 'composite-action' || pipeline.triggers.some((t) => t.event === 'workflow_call');
    const reachable = (t: Taint) => called || t.events.length === 0 || pipeline.triggers.some((tr) => t.events.includes(tr.event));
    const unknownWrite = (script: Script, index: number, length: number, file: string) =>
      report({
        span: locateInScript(pipeline.file, script, index, length),
        message: `a step writes to \`${file}\` under \`${privileged.join(', ')}\`; if the value comes from the pull request or an artifact, it controls every later step`,
        severity: 'medium',
        confidence: 'low',
      });
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script || script.kind !== 'run') continue;
        if (!script.text.includes('GITHUB_ENV') && !script.text.includes('GITHUB_PATH')) continue;
        const shell = shellOf(script);
        if (!shell) {
          for (const w of lineWrites(script)) {
            const tainted = w.expressions.find((e) => e.ast !== null && taintsOf(e.ast).some((t) => t.source === 'attacker' && reachable(t)));
            if (tainted) report({ span: tainted.span, message: `\`${tainted.raw.trim()}\` is written to \`${w.file}\`, so whoever controls it sets the environment of every later step` });
            else if (privileged.length > 0) unknownWrite(script, w.index, w.length, w.file);
          }
          continue;
        }
        const positions = expressionOffsets(script.text);
        const byStart = new Map<number, Expression>();
        script.expressions.forEach((e, i) => positions[i] !== undefined && byStart.set(positions[i]!, e));
        const taint = flows.scriptTaint(job, step, shell);
        for (const write of fileWrites(shell, ['GITHUB_ENV', 'GITHUB_PATH'])) {
          // `tee` writes what the command before it prints: point at the pipeline.
          const cmd = write.via === 'tee' ? write.site.pipeline : write.site.cmd;
          const firstLine = script.text.slice(cmd.start, cmd.end).split('\n')[0]!;
          if (!write.lines) {
            if (privileged.length > 0) unknownWrite(script, cmd.start, firstLine.length, write.variable);
            continue;
          }
          const parts = write.lines.flat();
          const carried = taint.parts(parts).find((f) => f.taint.source === 'attacker' && reachable(f.taint));
          if (carried && carried.related.length === 0) {
            // Written straight from an expression (also inside `$(echo '${{ … }}' | head -1)`): point at it.
            const direct = templatesIn(shell, write.site.pipeline.start, write.site.pipeline.end)
              .map((t) => byStart.get(t.start))
              .find((e) => e?.ast && taintsOf(e.ast).some((t) => t.path === carried.taint.path));
            if (direct) {
              report({ span: direct.span, message: `\`${direct.raw.trim()}\` is written to \`${write.variable}\`, so whoever controls it sets the environment of every later step` });
              continue;
            }
          }
          if (carried) {
            report({
              span: locateInScript(pipeline.file, script, cmd.start, firstLine.length),
              message: `the text written to \`${write.variable}\` carries \`${carried.taint.path}\`, so whoever controls it sets the environment of every later step`,
              ...(carried.related.length > 0 ? { related: carried.related } : {}),
            });
            continue;
          }
          // A constant (or values fixed by the platform) sets nothing an outsider chose.
          const dynamic = parts.some((p) => (p.type === 'param' && !taint.isConstant(p.name)) || p.type === 'cmdsub' || p.type === 'procsub');
          if (dynamic && privileged.length > 0) unknownWrite(script, cmd.start, firstLine.length, write.variable);
        }
      }
    }
  },
});
