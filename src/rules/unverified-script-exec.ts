import { locateInScript } from '../core/templated.js';
import { fileOf } from '../platforms/gitlab/build.js';
import { argv, commandsIn, interpreterReadsStdin, isInterpreter, mayContainWord, parsesAsShell, shellOf, staticValue, type List, type Part, type ShellScript, type SimpleCommand, type Word } from '../shell/index.js';
import { defineRule } from './types.js';

/**
 * Remote code run by an interpreter: `curl … | sh`, `wget -O- … | bash`,
 * `bash <(curl …)`, `sh -c "$(curl …)"`, `eval "$(curl …)"`, PowerShell
 * `iex (iwr …)`. Shell scripts are read from their syntax tree (pipelines,
 * substitutions, here-strings), so a download saved to a file and verified
 * before running, a comment or a string mentioning `curl | sh` stay silent.
 * Other interpreters' scripts (PowerShell, cmd) are matched per line.
 */
/** What every download a parse finds runs, once quoting is read out (see `mayContainWord`). */
export const DOWNLOADERS = /curl|wget/;

const FETCH = String.raw`(?:curl|wget|fetch|iwr|Invoke-WebRequest|irm|Invoke-RestMethod)\b`;
// Bounded path prefix (`/usr/bin/`): an unbounded `\S*` backtracks quadratically on long lines.
const INTERPRETER = String.raw`(?:sudo\s+(?:-\S{1,32}\s+){0,8})?(?:[\w./-]{0,64}/)?(?:ba|z|k|da)?sh|python[0-9.]*|perl|ruby|node|pwsh|powershell|iex|Invoke-Expression`;
// `| python3 -c '<fixed code>'` runs its argument, not the download: not a pipe into an interpreter.
const PIPE_TO_SHELL = new RegExp(String.raw`\b${FETCH}[^|;&\n]{0,2000}\|\s*(?:${INTERPRETER})\b(?!\s+-[ce]\b)`, 'i');
const SUBSHELL = new RegExp(String.raw`\b(?:${INTERPRETER})\s+(?:-\S{1,32}\s+){0,8}(?:<\(|"?\$\()\s*${FETCH}`, 'i');
const IEX = new RegExp(String.raw`\b(?:iex|Invoke-Expression)\b[^\n]{0,400}\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|DownloadString)\b`, 'i');

export function remoteExecLines(script: string): { index: number; length: number }[] {
  const out: { index: number; length: number }[] = [];
  // Join continuation lines but keep offsets of the first line of each command.
  const re = /(?:[^\n\\]|\\[^\n]|\\\n)+/g;
  for (let m = re.exec(script); m; m = re.exec(script)) {
    const command = m[0];
    if (/^\s*#/.test(command)) continue;
    const flat = command.replace(/\\\n/g, ' ');
    if (PIPE_TO_SHELL.test(flat) || SUBSHELL.test(flat) || IEX.test(flat)) {
      const lead = command.length - command.trimStart().length;
      out.push({ index: m.index + lead, length: command.trim().split('\n')[0]!.length });
    }
  }
  return out;
}

/** `curl`/`wget` invocations whose download goes to standard output. */
function fetchesToStdout(s: ShellScript, cmd: SimpleCommand): boolean {
  const { name, args } = argv(s, cmd);
  const values = args.map((w) => staticValue(s, w));
  if (name === 'curl') {
    for (let k = 0; k < values.length; k++) {
      const v = values[k] ?? '';
      if (v === '-o' || v === '--output') return values[k + 1] === '-';
      if (v === '-O' || v === '--remote-name' || v === '--remote-name-all' || v.startsWith('--output=')) return v === '--output=-';
      // Short options grouped (`-fsSLo file`): letters up to the first one that takes a value.
      const group = /^-([a-zA-Z]+)$/.exec(v)?.[1];
      if (group) {
        for (const ch of group) {
          if (ch === 'o') return (group.endsWith('o') ? values[k + 1] : group.slice(group.indexOf('o') + 1)) === '-';
          if (ch === 'O') return false;
          if ('XHdubcAeEFKmrTtUwxyYzCDQ'.includes(ch)) break;
        }
      }
    }
    return true;
  }
  if (name === 'wget') {
    for (let k = 0; k < values.length; k++) {
      const v = values[k] ?? '';
      const long = /^--output-document=(.*)$/.exec(v);
      if (long) return long[1] === '-' || long[1] === '/dev/stdout';
      if (v === '--output-document') return values[k + 1] === '-' || values[k + 1] === '/dev/stdout';
      const group = /^-([a-zA-Z]*)O(.*)$/.exec(v);
      if (group) {
        const target = group[2] ? group[2] : values[k + 1];
        return target === '-' || target === '/dev/stdout';
      }
    }
    return false;
  }
  return false;
}

function fetchesIn(s: ShellScript, list: List): boolean {
  return commandsIn(list).some((c) => fetchesToStdout(s, c));
}

function partsFetch(s: ShellScript, parts: Part[]): boolean {
  return parts.some((p) => (p.type === 'cmdsub' || p.type === 'procsub') && fetchesIn(s, p.body));
}

/** Whether the interpreter runs the word as code (`sh -c WORD`, `python -c WORD`, `node -e WORD`). */
function runsArgument(s: ShellScript, args: readonly Word[], target: Word): boolean {
  const k = args.indexOf(target);
  const flag = k > 0 ? staticValue(s, args[k - 1]) ?? '' : '';
  return /^-[a-zA-Z]*[ce]$/.test(flag);
}

/** Start offsets of pipelines that run a download unverified. */
export function remoteExecSites(s: ShellScript): number[] {
  const found = new Set<number>();
  for (const site of s.commands) {
    const { cmd, pipeline } = site;
    const { name, args } = argv(s, cmd);
    if (!name) continue;
    const interpreter = isInterpreter(name);
    // `curl … | sh`: an earlier command of the same pipeline downloads to standard output.
    if (interpreter && site.position > 0 && interpreterReadsStdin(s, name, args)) {
      const feeds = pipeline.commands.slice(0, site.position).some((c) => c.type === 'simple' && fetchesToStdout(s, c));
      if (feeds) found.add(pipeline.start);
    }
    // `bash <(curl …)`, `source <(curl …)`, `sh -c "$(curl …)"`, `eval "$(curl …)"`.
    const sourcing = name === 'source' || name === '.';
    for (const w of args) {
      if (!partsFetch(s, w.parts)) continue;
      const viaProc = w.parts.some((p) => p.type === 'procsub');
      if ((viaProc && (interpreter || sourcing)) || name === 'eval' || (interpreter && runsArgument(s, args, w)) || (sourcing && viaProc)) found.add(pipeline.start);
    }
    // `bash <<< "$(curl …)"`, or a here-document whose body downloads.
    if (interpreter && interpreterReadsStdin(s, name, args)) {
      for (const r of cmd.redirects) {
        const parts = r.heredoc ? r.heredoc.parts : r.op === '<<<' && r.target ? r.target.parts : [];
        if (partsFetch(s, parts)) found.add(pipeline.start);
      }
    }
  }
  return [...found].sort((a, b) => a - b);
}

export default defineRule({
  meta: {
    id: 'unverified-script-exec',
    title: 'Remote script piped into an interpreter',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'docker'],
    fixable: false,
    docs: {
      description:
        'Downloading a script and piping it straight into a shell runs whatever the server returns at that moment, with the job\'s secrets in reach: the Codecov bash uploader compromise exfiltrated CI secrets from thousands of pipelines this way. Nothing checks what was downloaded.',
      bad: 'run: curl -sSL https://example.com/install.sh | bash',
      good: 'run: |\n  curl -sSLo install.sh https://example.com/install.sh\n  echo "<sha256>  install.sh" | sha256sum -c -\n  bash install.sh',
      remedy: 'Download to a file, verify a pinned checksum or signature, then run it; better, use a pinned package or a digest-pinned image that already contains the tool.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script || script.kind === 'github-script') continue;
        // Every site a parse finds downloads with `curl` or `wget`.
        if (parsesAsShell(script) && !mayContainWord(script, DOWNLOADERS)) continue;
        const shell = shellOf(script);
        const hits = shell
          ? remoteExecSites(shell).map((start) => ({ index: start, length: restOfLine(script.text, start).trimEnd().length }))
          : remoteExecLines(script.text);
        for (const hit of hits) {
          const piece = script.text.slice(hit.index, hit.index + hit.length);
          // Scripts of included GitLab files live in another file: keep the script's own span there.
          const span = fileOf(script.span) && fileOf(script.span) !== pipeline.file ? script.span : locateInScript(pipeline.file, script, hit.index, hit.length);
          report({ span, message: `\`${piece.length > 80 ? piece.slice(0, 77) + '…' : piece}\` runs a downloaded script without verifying it` });
        }
      }
    }
  },
});

/** The text from `start` to the end of its line (splitting the whole rest of the script, per site, was quadratic). */
function restOfLine(text: string, start: number): string {
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end);
}
