import { ADVISORIES, ADVISORIES_DATE, type ActionAdvisory } from '../data/advisories.js';
import type { ExternalRef, Pipeline } from '../model/pipeline.js';
import { defineRule } from './types.js';
import { versionComment } from '../platforms/github/uses.js';

type Version = [number, number, number];

function parse(v: string): { version: Version; precision: 1 | 2 | 3 } | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v.trim());
  if (!m) return undefined;
  const precision = (m[3] !== undefined ? 3 : m[2] !== undefined ? 2 : 1) as 1 | 2 | 3;
  return { version: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], precision };
}

function cmp(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function affected(adv: ActionAdvisory, v: Version): boolean {
  if (adv.introduced && cmp(v, parse(adv.introduced)!.version) < 0) return false;
  if (adv.lastAffected) return cmp(v, parse(adv.lastAffected)!.version) <= 0;
  if (adv.fixed) return cmp(v, parse(adv.fixed)!.version) < 0;
  return true;
}

/**
 * The version a reference runs: its tag, or for a SHA pin the `# vX.Y.Z`
 * comment after it (see `versionComment`). A tag like `v4` moves within its major: the lowest
 * version it can name decides, at low confidence.
 */
function versionOf(p: Pipeline, ref: ExternalRef): { text: string; parsed: NonNullable<ReturnType<typeof parse>> } | undefined {
  // A SHA pin runs the version its comment names, in any of the forms pinning tools write (`# v1.2.3`, `# ratchet:o/r@v1.2.3`).
  const text = ref.pin === 'hash' ? versionComment(p, ref)?.text : ref.version;
  const parsed = text ? parse(text) : undefined;
  return text && parsed ? { text, parsed } : undefined;
}

export default defineRule({
  meta: {
    id: 'known-vulnerable-actions',
    title: 'Action version named in a security advisory',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description: `An action version that a published security advisory names as affected (compromised releases, command injection, unsafe artifact extraction). The check runs offline against a snapshot of the GitHub Advisory Database shipped with pipewarden (taken ${ADVISORIES_DATE}; \`pipewarden advisories update\` refreshes it from the GitHub API into \`.pipewarden/advisories.json\`, which the scan then prefers); a SHA pin is matched through the version in its \`# vX.Y.Z\` comment.`,
      bad: '- uses: tj-actions/changed-files@v44',
      good: '- uses: tj-actions/changed-files@<sha> # v46.0.1',
      remedy: 'Upgrade to the first patched version (or later) and pin it by commit SHA; if the advisory is about a compromise, rotate the secrets the workflow could reach.',
    },
  },
  check({ pipeline, report, external }) {
    // A snapshot refreshed with `pipewarden advisories update` replaces the built-in one.
    const known = external?.advisories?.advisories ?? ADVISORIES;
    for (const ref of pipeline.references) {
      if (ref.kind !== 'action' || !ref.owner || !ref.repo) continue;
      const name = `${ref.owner}/${ref.repo}`.toLowerCase();
      const advisories = known.filter((a) => a.action === name);
      if (advisories.length === 0) continue;
      const v = versionOf(pipeline, ref);
      if (!v) continue;
      for (const adv of advisories) {
        if (!affected(adv, v.parsed.version)) continue;
        // A moving major tag (`v4`) points at the newest 4.x: affected only when no release of that major is patched.
        if (v.parsed.precision === 1 && !(adv.fixed && parse(adv.fixed)!.version[0] > v.parsed.version[0])) continue;
        report({
          span: ref.span,
          message: `\`${ref.raw.trim()}\` (${v.text}) is affected by ${adv.id}${adv.cve ? ` (${adv.cve})` : ''}: ${adv.summary}${adv.fixed ? `; fixed in ${adv.fixed}` : ''}`,
          severity: adv.severity,
          confidence: v.parsed.precision === 3 ? 'high' : 'medium',
        });
      }
    }
  },
});
