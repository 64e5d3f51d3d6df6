import { locateInScript } from '../core/templated.js';
import { fileOf } from '../platforms/gitlab/build.js';
import { defineRule } from './types.js';

/**
 * Remote code piped into an interpreter: `curl … | sh`, `wget -O- … | bash`,
 * `bash <(curl …)`, `sh -c "$(curl …)"`, PowerShell `iex (iwr …)`. Checked per
 * command (lines joined across backslash continuations), so a download saved
 * to a file and verified before running stays silent.
 */
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
        for (const hit of remoteExecLines(script.text)) {
          const piece = script.text.slice(hit.index, hit.index + hit.length);
          // Scripts of included GitLab files live in another file: keep the script's own span there.
          const span = fileOf(script.span) && fileOf(script.span) !== pipeline.file ? script.span : locateInScript(pipeline.file, script, hit.index, hit.length);
          report({ span, message: `\`${piece.length > 80 ? piece.slice(0, 77) + '…' : piece}\` runs a downloaded script without verifying it` });
        }
      }
    }
  },
});

