import { compareIds, OWASP_TITLES } from '../model/finding.js';
import type { Rule, RuleMeta } from '../rules/types.js';

export function listRules(rules: Rule[]): string {
  const rows = rules.map((r) => r.meta).sort((a, b) => compareIds(a.id, b.id));
  const width = Math.max(...rows.map((m) => m.id.length));
  const platforms = (m: RuleMeta) => (m.platforms.length > 4 ? 'all' : m.platforms.join(','));
  return rows.map((m) => `${m.id.padEnd(width)}  ${m.severity.padEnd(8)} ${platforms(m).padEnd(14)} ${m.title}\n`).join('');
}

export function explainRule(m: RuleMeta): string {
  const owasp = m.owasp ? `${m.owasp} ${OWASP_TITLES[m.owasp]}` : 'none';
  return [
    `${m.id}: ${m.title}`,
    `severity: ${m.severity}   confidence: ${m.confidence}   OWASP: ${owasp}   fixable: ${m.fixable ? 'yes' : 'no'}   platforms: ${m.platforms.join(', ')}`,
    '',
    m.docs.description,
    '',
    'Vulnerable:',
    indent(m.docs.bad),
    '',
    'Hardened:',
    indent(m.docs.good),
    '',
    `How to fix: ${m.docs.remedy}`,
    '',
  ].join('\n');
}

function indent(s: string): string {
  return s.split('\n').map((l) => `    ${l}`).join('\n');
}
