import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'undocumented-permissions',
    title: 'Write permission without a comment saying why',
    severity: 'info',
    confidence: 'high',
    owasp: 'CICD-SEC-5',
    platforms: ['gha'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        'Write scopes are the ones to justify: a short comment next to each (`contents: write  # push the release tag`) lets reviewers tell a needed grant from one left over, and keeps them from growing unnoticed.',
      bad: 'permissions:\n  contents: write',
      good: 'permissions:\n  contents: write  # create the release',
      remedy: 'Add a comment on the line of each write scope saying which step needs it.',
    },
  },
  check({ pipeline, report }) {
    const blocks = [pipeline.permissions, ...pipeline.jobs.map((j) => j.permissions)];
    for (const perms of blocks) {
      if (!perms) continue;
      for (const [scope, s] of perms.scopes) {
        if (s.level !== 'write') continue;
        const line = pipeline.file.lineText(s.span.line);
        const above = s.span.line > 1 ? pipeline.file.lineText(s.span.line - 1) : '';
        if (line.includes('#') || /^\s*#/.test(above)) continue;
        report({ span: s.span, message: `\`${scope}: write\` has no comment saying which step needs it` });
      }
    }
  },
});
