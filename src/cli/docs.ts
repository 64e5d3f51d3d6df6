/** Rule documentation generated from rule metadata: one page per rule and an index. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { compareIds, OWASP_TITLES } from '../model/finding.js';
import type { Rule, RuleMeta } from '../rules/types.js';

const FENCE = '```';

export function ruleDoc(m: RuleMeta): string {
  const owasp = m.owasp ? `[${m.owasp}](https://owasp.org/www-project-top-10-ci-cd-security-risks/) ${OWASP_TITLES[m.owasp]}` : 'none';
  return [
    `# ${m.id}`,
    '',
    `**${m.title}**`,
    '',
    '| severity | confidence | platforms | OWASP CI/CD | fixable | shown to |',
    '|---|---|---|---|---|---|',
    `| ${m.severity} | ${m.confidence} | ${m.platforms.join(', ')} | ${owasp} | ${m.fixable ? 'yes' : 'no'} | ${m.persona ?? 'regular'} persona and above |`,
    '',
    '## What it finds',
    '',
    m.docs.description,
    '',
    '## Vulnerable',
    '',
    `${FENCE}yaml`,
    m.docs.bad,
    FENCE,
    '',
    '## Hardened',
    '',
    `${FENCE}yaml`,
    m.docs.good,
    FENCE,
    '',
    '## How to fix',
    '',
    m.docs.remedy,
    '',
    `Silence one finding with a reason: \`# pipewarden: ignore[${m.id}] <why it does not apply>\`; configure it in \`.pipewarden.yml\` under \`rules.${m.id}\`.`,
    '',
  ].join('\n');
}

export function docsIndex(rules: Rule[]): string {
  const rows = rules.map((r) => r.meta).sort((a, b) => compareIds(a.id, b.id));
  return [
    '# Rules',
    '',
    'Generated from rule metadata by `pipewarden docs`; do not edit by hand.',
    '',
    '| id | severity | platforms | OWASP | what it finds |',
    '|---|---|---|---|---|',
    ...rows.map((m) => `| [\`${m.id}\`](${m.id}.md) | ${m.severity} | ${m.platforms.join(', ')} | ${m.owasp ?? '-'} | ${m.title} |`),
    '',
  ].join('\n');
}

/** Every file the docs consist of, by path relative to the docs folder. */
export function renderDocs(rules: Rule[]): Map<string, string> {
  const files = new Map<string, string>([['README.md', docsIndex(rules)]]);
  for (const r of rules) files.set(`${r.meta.id}.md`, ruleDoc(r.meta));
  return files;
}

export async function writeDocs(rules: Rule[], dir: string): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  const files = renderDocs(rules);
  for (const [name, text] of files) await fs.writeFile(path.join(dir, name), text);
  return files.size;
}
