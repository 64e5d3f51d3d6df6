import type { Finding } from './finding.js';
import type { Platform } from './pipeline.js';
import type { SourceView } from './source.js';
import type { RuleMeta } from '../rules/types.js';

/** What became of one file the scan considered. */
export interface FileRecord {
  /** Path as shown to the user. */
  path: string;
  platform?: Platform;
  /** e.g. `workflow`, `composite-action`. */
  kind?: string;
  /**
   * scanned: parsed and checked (it may still carry parse-error findings);
   * skipped: a pipeline file of a platform or shape not checked yet, or too large/binary;
   * not-pipeline: looked at, not a pipeline definition.
   */
  status: 'scanned' | 'skipped' | 'not-pipeline';
  reason?: string;
}

export interface ScanResult {
  toolVersion: string;
  findings: Finding[];
  files: FileRecord[];
  /** Metadata of every rule that ran. */
  rules: RuleMeta[];
  /**
   * Files with findings, for code frames and fingerprints (keyed by
   * `Finding.file`): whole `SourceFile`s, or only the lines findings start on
   * (`keepSources: 'lines'`).
   */
  sources: Map<string, SourceView>;
  /** Findings silenced by inline ignores or a baseline (counted, not shown). */
  suppressed: number;
}
