import { argv, mayContainWord, parsesAsShell, shellOf, staticValue, type ShellScript, type SimpleCommand } from '../shell/index.js';
import { defineRule } from './types.js';

/** Install commands and how a pinned one looks; each finds unpinned package names on a command line. */
const INSTALLERS: { name: string; re: RegExp; pinned: (arg: string) => boolean }[] = [
  { name: 'pip', re: /\bpip[0-9.]*\s+install\s+([^\n;&|]+)/g, pinned: (a) => /[=<>~]=|@|\.whl$|\.tar\.gz$|^[./]|^-/.test(a) },
  { name: 'npm -g', re: /\bnpm\s+(?:install|i)\s+(?:-g|--global)\s+([^\n;&|]+)/g, pinned: (a) => /@[0-9]/.test(a) || a.startsWith('-') },
  { name: 'go install', re: /\bgo\s+install\s+([^\n;&|]+)/g, pinned: (a) => /@v?[0-9]/.test(a) || a.startsWith('-') || !a.includes('@') && !a.includes('/') },
  { name: 'cargo install', re: /\bcargo\s+install\s+([^\n;&|]+)/g, pinned: (a) => a.startsWith('-') },
  { name: 'gem install', re: /\bgem\s+install\s+([^\n;&|]+)/g, pinned: (a) => a.startsWith('-') },
  { name: 'apt-get', re: /\bapt(?:-get)?\s+install\s+([^\n;&|]+)/g, pinned: (a) => a.includes('=') || a.startsWith('-') || a.endsWith('.deb') },
  { name: 'apk', re: /\bapk\s+add\s+([^\n;&|]+)/g, pinned: (a) => a.includes('=') || a.startsWith('-') },
];

/** What every command `installer` recognises has in its text once quoting is read out (see `mayContainWord`). */
export const INSTALLS = /install|add|npm/;

/** Line-based reading, for scripts that are not POSIX shell (PowerShell, cmd). */
function unpinnedInText(line: string): { tool: string; pkg: string }[] {
  const out: { tool: string; pkg: string }[] = [];
  for (const inst of INSTALLERS) {
    inst.re.lastIndex = 0;
    for (let m = inst.re.exec(line); m; m = inst.re.exec(line)) {
      const args = m[1]!.trim().split(/\s+/);
      // `-r requirements.txt`, `--version x`, `-v x`: the command is pinned by its flags.
      if (args.some((a) => /^(-r|--requirement|-c|--constraint|--version|-v|--locked|-e|--editable)$/.test(a))) continue;
      if (inst.name === 'cargo install' && args.includes('--version')) continue;
      for (const a of args) {
        if (a.includes('$') || a.startsWith('"') || a === '.' || inst.pinned(a)) continue;
        if (!/^[A-Za-z0-9@][\w.@/:-]*(\[[\w,]+\])?$/.test(a)) continue;
        out.push({ tool: inst.name, pkg: a });
      }
    }
  }
  return out;
}

/** Options whose next word is their value, not a package (`--index-url URL`, `-t dir`). */
const VALUE_OPTIONS: Record<string, RegExp> = {
  pip: /^(-i|--index-url|--extra-index-url|-t|--target|--prefix|--root|-f|--find-links|--platform|--python-version|--implementation|--abi|--trusted-host|--cache-dir|--src|--upgrade-strategy|--progress-bar|--log|--timeout|--retries|--proxy|--cert|--client-cert|--global-option|--config-settings|-C|--python|-p)$/,
  'npm -g': /^(--registry|--prefix|--cache|--loglevel|--userconfig|--tag)$/,
  'go install': /^(-tags|-ldflags|-gcflags|-asmflags|-modfile|-o|-p|-overlay|-pgo)$/,
  'cargo install': /^(--root|--git|--branch|--features|-F|-j|--jobs|--target|--bin|--example|--registry|--index|--profile|--target-dir|--config|-Z)$/,
  'gem install': /^(-i|--install-dir|-n|--bindir|--source|-s|--platform|-P|--trust-policy)$/,
  'apt-get': /^(-o|-t|--target-release|-c|--config-file)$/,
  apk: /^(-X|--repository|-p|--root|-t|--virtual|--cache-dir|--arch|--keys-dir|-U)$/,
};

/** The installer a command is, and where its package arguments start. */
function installer(s: ShellScript, cmd: SimpleCommand): { tool: string; args: string[] } | undefined {
  const { name, args } = argv(s, cmd);
  if (!name) return undefined;
  const values = args.map((w) => staticValue(s, w) ?? '$');
  const sub = (k: number) => values[k];
  if (/^pip[0-9.]*$/.test(name) && sub(0) === 'install') return { tool: 'pip', args: values.slice(1) };
  if (/^python[0-9.]*$/.test(name) && sub(0) === '-m' && /^pip[0-9.]*$/.test(sub(1) ?? '') && sub(2) === 'install') return { tool: 'pip', args: values.slice(3) };
  if (name === 'pipx' && sub(0) === 'install') return { tool: 'pip', args: values.slice(1) };
  if (name === 'uv' && ((sub(0) === 'pip' && sub(1) === 'install') || (sub(0) === 'tool' && sub(1) === 'install'))) return { tool: 'pip', args: values.slice(2) };
  if (name === 'npm' && (sub(0) === 'install' || sub(0) === 'i' || sub(0) === 'add') && values.some((v) => v === '-g' || v === '--global')) return { tool: 'npm -g', args: values.slice(1) };
  if (name === 'pnpm' && (sub(0) === 'add' || sub(0) === 'install' || sub(0) === 'i') && values.some((v) => v === '-g' || v === '--global')) return { tool: 'npm -g', args: values.slice(1) };
  if (name === 'yarn' && sub(0) === 'global' && sub(1) === 'add') return { tool: 'npm -g', args: values.slice(2) };
  if (name === 'go' && sub(0) === 'install') return { tool: 'go install', args: values.slice(1) };
  if (name === 'cargo' && sub(0) === 'install') return { tool: 'cargo install', args: values.slice(1) };
  if (name === 'gem' && sub(0) === 'install') return { tool: 'gem install', args: values.slice(1) };
  if ((name === 'apt-get' || name === 'apt') && sub(0) === 'install') return { tool: 'apt-get', args: values.slice(1) };
  if (name === 'apk' && sub(0) === 'add') return { tool: 'apk', args: values.slice(1) };
  return undefined;
}

/** Unpinned packages installed by the commands of a parsed shell script. */
export function unpinnedInShell(s: ShellScript): { tool: string; pkg: string }[] {
  const out: { tool: string; pkg: string }[] = [];
  for (const site of s.commands) {
    const inst = installer(s, site.cmd);
    if (!inst) continue;
    const rule = INSTALLERS.find((i) => i.name === inst.tool)!;
    // `-r requirements.txt`, `--version x`, `-v x`, `--locked`: the command is pinned by its flags.
    if (inst.args.some((a) => /^(-r|--requirement|-c|--constraint|--version|-v|--locked|-e|--editable)$/.test(a) || /^--(requirement|constraint|version)=/.test(a))) continue;
    if (inst.tool === 'cargo install' && inst.args.some((a) => a === '--path' || a === '--rev' || a === '--tag')) continue;
    const valued = VALUE_OPTIONS[inst.tool];
    for (let k = 0; k < inst.args.length; k++) {
      const a = inst.args[k]!;
      if (a.startsWith('-')) {
        if (valued?.test(a)) k++;
        continue;
      }
      if (a.includes('$') || a === '.' || rule.pinned(a)) continue;
      if (!/^[A-Za-z0-9@][\w.@/:-]*(\[[\w,]+\])?$/.test(a)) continue;
      out.push({ tool: inst.tool, pkg: a });
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'unpinned-packages',
    title: 'Package installed without a version',
    severity: 'low',
    confidence: 'medium',
    owasp: 'CICD-SEC-3',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'docker'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        'A tool installed by name (`pip install black`, `npm install -g pnpm`, `go install x@latest`) is whatever version the registry serves at that moment: a compromised release lands in the pipeline the minute it is published, with the job\'s secrets in reach.',
      bad: '- run: pip install black',
      good: '- run: pip install black==24.8.0   # or pip install -r requirements-ci.txt --require-hashes',
      remedy: 'Pin versions (and hashes where the tool supports them), or install from a lock file.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script || script.kind !== 'run') continue;
        // Every installer a parse finds is asked to `install` or `add`, or is `npm i`/`pnpm i`.
        if (parsesAsShell(script) && !mayContainWord(script, INSTALLS)) continue;
        const shell = shellOf(script);
        const found = shell ? unpinnedInShell(shell) : unpinnedInText(script.text);
        if (found.length === 0) continue;
        report({ span: script.span, message: `${found.slice(0, 3).map((f) => `\`${f.pkg}\` (${f.tool})`).join(', ')}${found.length > 3 ? ` and ${found.length - 3} more` : ''} installed without a version` });
      }
    }
  },
});
