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

function unpinned(line: string): { tool: string; pkg: string }[] {
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
        const found = unpinned(script.text);
        if (found.length === 0) continue;
        report({ span: script.span, message: `${found.slice(0, 3).map((f) => `\`${f.pkg}\` (${f.tool})`).join(', ')}${found.length > 3 ? ` and ${found.length - 3} more` : ''} installed without a version` });
      }
    }
  },
});
