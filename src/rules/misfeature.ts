import type { YamlNode } from '../core/yaml.js';
import { yamlOf } from '../platforms/kube/security.js';
import { isAction, input } from '../platforms/github/steps.js';
import type { ReportInput } from './types.js';
import { defineRule } from './types.js';

/**
 * What is wrong with a `shell:` value, if anything. GitHub runs `bash` as
 * `bash --noprofile --norc -eo pipefail {0}` and `sh` as `sh -e {0}`, but a
 * custom template is run exactly as written, so `bash {0}` has no `-e`.
 */
export function shellProblem(shell: string): string | undefined {
  const words = shell.trim().split(/\s+/);
  const program = (words[0] ?? '').toLowerCase().replace(/^.*[\\/]/, '').replace(/\.exe$/, '');
  if (program === 'cmd') return '`cmd` ignores the failure of every command but the last one, so a failed check earlier in the script does not fail the step';
  if (!shell.includes('{0}') || (program !== 'bash' && program !== 'sh')) return undefined;
  const flags = words.slice(1, words.indexOf('{0}') < 0 ? undefined : words.indexOf('{0}'));
  const errexit = flags.some((f) => /^-[a-z]*e[a-z]*$/i.test(f) && !f.startsWith('--')) || flags.join(' ').includes('-o errexit');
  if (errexit) return undefined;
  return `the custom template \`${shell.trim()}\` runs ${program} without \`-e\`, so the script carries on after a failed command (GitHub adds \`-e\` only to the plain \`${program}\` shell)`;
}

/** More than one command, so a failure before the last one matters (continuation lines joined). */
export function runsSeveralCommands(script: string): boolean {
  const commands = script
    .replace(/[\\^]\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !/^(rem\b|::)/i.test(l));
  // `a && b` stops at a failure by itself; `a; b` and cmd's `a & b` do not.
  return commands.length > 1 || commands.some((c) => /;\s*\S|(?<![&>])&(?![&>])\s*\S/.test(c.replace(/'[^']*'|"[^"]*"/g, '')));
}

/** The script turns on errexit itself, so a template without `-e` loses nothing. */
function setsErrexit(script: string): boolean {
  return /^\s*set\s+(-[a-zA-Z]*e[a-zA-Z]*\b|-o\s+errexit\b)/m.test(script);
}

export default defineRule({
  meta: {
    id: 'misfeature',
    title: 'GitHub Actions feature that works against the workflow',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "Some features do something other than what readers expect. `shell: cmd` fails a step only when the last command fails, so a checksum or signature check earlier in the script can fail unnoticed. A custom shell template such as `shell: bash {0}` replaces GitHub's `bash --noprofile --norc -eo pipefail {0}`, dropping `-e`: the script goes on after a failed command. `actions/setup-python`'s `pip-install` input (6.1 to 6.x) installs packages into the runner's global interpreter, outside any virtual environment, with no lockfile or hash check; version 7 removed it and only warns, so the packages silently stop being installed. Shell settings are reported for pedantic readers, and only where they govern a script of several commands that does not `set -e` itself; `pip-install` at the regular level. (`shell: powershell` is not reported: GitHub stops it on errors like `pwsh`.)",
      bad: "- run: |\n    curl -fsSLo tool.zip https://example.com/tool.zip\n    sha256sum -c tool.zip.sha256\n    unzip tool.zip\n  shell: bash {0}",
      good: "- run: |\n    curl -fsSLo tool.zip https://example.com/tool.zip\n    sha256sum -c tool.zip.sha256\n    unzip tool.zip\n  shell: bash",
      remedy: 'Use `bash`, `sh`, `pwsh` or `python` as named shells (or add `-e` to a custom bash/sh template); on Windows prefer `pwsh` over `cmd`. Install Python packages in a `run:` step from a requirements file with hashes (`pip install --require-hashes -r requirements.txt`) or a lockfile.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.platform !== 'gha') return;
    const y = yamlOf(pipeline);
    const reports: ReportInput[] = [];
    // Each shell setting is judged by the scripts it applies to: a one-line script loses nothing without `-e`.
    const affected = new Map<YamlNode, string[]>();
    const workflowShell = y.get(y.get(y.get(pipeline.document.contents, 'defaults'), 'run'), 'shell');
    for (const job of pipeline.jobs) {
      const jobShell = y.get(y.get(y.get(job.node, 'defaults'), 'run'), 'shell');
      for (const node of [jobShell, workflowShell]) if (node && !affected.has(node)) affected.set(node, []);
      for (const step of job.steps) {
        if (step.script?.kind !== 'run') continue;
        const source = y.get(step.node, 'shell') ?? jobShell ?? workflowShell;
        if (!source) continue;
        const scripts = affected.get(source) ?? [];
        scripts.push(step.script.text);
        affected.set(source, scripts);
      }
    }
    for (const [node, scripts] of affected) {
      const text = y.str(node);
      if (text === undefined || text.includes('${{')) continue;
      const problem = shellProblem(text);
      if (!problem) continue;
      const cmd = problem.startsWith('`cmd`');
      if (!scripts.some((sc) => runsSeveralCommands(sc) && (cmd || !setsErrexit(sc)))) continue;
      reports.push({ span: y.span(node), message: problem, persona: 'pedantic' });
    }
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        if (!isAction(step, 'actions/setup-python')) continue;
        const pip = input(step, 'pip-install');
        if (!pip || pip.value.value.trim() === '') continue;
        reports.push({
          span: pip.key.span,
          message: "setup-python's `pip-install` installs into the runner's global Python with no lockfile or hash check, and setup-python 7 ignores it; install in a `run:` step from a hashed requirements file",
        });
      }
    }
    reports.sort((a, b) => a.span.offset - b.span.offset).forEach((r) => report(r));
  },
});
