/**
 * Offline snapshot of GitHub Actions security advisories (GitHub Advisory
 * Database, ecosystem "GitHub Actions"), taken 2026-11-22. Ranges use the
 * advisory's own bounds; `fixed` is the first patched version.
 */
export interface ActionAdvisory {
  id: string;
  cve?: string;
  action: string;
  /** Affected when the version is >= introduced (if given) and below `fixed` (or <= `lastAffected`). */
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  summary: string;
}

export const ADVISORIES_DATE = '2026-11-22';

export const ADVISORIES: ActionAdvisory[] = [
  { id: 'GHSA-mrrh-fwg8-r2c3', cve: 'CVE-2025-30066', action: 'tj-actions/changed-files', lastAffected: '45.0.7', fixed: '46.0.1', severity: 'high', summary: 'compromised release tags exfiltrated CI secrets into workflow logs' },
  { id: 'GHSA-mcph-m25j-8j63', action: 'tj-actions/changed-files', fixed: '41.0.0', severity: 'high', summary: 'command injection through crafted file names' },
  { id: 'GHSA-gq52-6phf-x2r6', cve: 'CVE-2025-54416', action: 'tj-actions/branch-names', fixed: '9.0.0', severity: 'critical', summary: 'command injection through branch names in its outputs' },
  { id: 'GHSA-cxww-7g56-2vh6', cve: 'CVE-2024-42471', action: 'actions/download-artifact', introduced: '4.0.0', fixed: '4.1.3', severity: 'high', summary: 'arbitrary file write through artifact extraction (zip slip)' },
];
