import type { Span } from './source.js';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Confidence = 'low' | 'medium' | 'high';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export const CONFIDENCES: readonly Confidence[] = ['low', 'medium', 'high'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
export function confidenceRank(c: Confidence): number {
  return CONFIDENCES.indexOf(c);
}

/**
 * Orders rule ids (and other ASCII names) by UTF-16 code units. For rule
 * ids (lower-case letters, digits, hyphens) this is the order `localeCompare`
 * gives, without its ICU collator, whose set-up took ~10 ms of a one-file
 * scan, and without depending on the ICU build or locale.
 */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** OWASP Top 10 CI/CD Security Risks category, e.g. "CICD-SEC-4". */
export type OwaspCategory = `CICD-SEC-${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`;

export const OWASP_TITLES: Record<OwaspCategory, string> = {
  'CICD-SEC-1': 'Insufficient Flow Control Mechanisms',
  'CICD-SEC-2': 'Inadequate Identity and Access Management',
  'CICD-SEC-3': 'Dependency Chain Abuse',
  'CICD-SEC-4': 'Poisoned Pipeline Execution (PPE)',
  'CICD-SEC-5': 'Insufficient PBAC (Pipeline-Based Access Controls)',
  'CICD-SEC-6': 'Insufficient Credential Hygiene',
  'CICD-SEC-7': 'Insecure System Configuration',
  'CICD-SEC-8': 'Ungoverned Usage of 3rd Party Services',
  'CICD-SEC-9': 'Improper Artifact Integrity Validation',
  'CICD-SEC-10': 'Insufficient Logging and Visibility',
};

/** A single text replacement in one file: offsets are into the file text. */
export interface TextEdit {
  offset: number;
  endOffset: number;
  replacement: string;
}

/** A fix carried as data; `fix` applies it, the scanner never does. */
export interface Fix {
  description: string;
  /** safe: behaviour kept; unsafe: behaviour may change. */
  safety: 'safe' | 'unsafe';
  edits: TextEdit[];
  /** Set when the fix needs a value the scan cannot know (a registry digest): `fix` looks it up and then applies `lookup.edits`. */
  lookup?: FixLookup;
  /**
   * YAML paths (keys and sequence indexes from the document root) the fix
   * means to add, change or remove; the corpus proof checks nothing else moved.
   */
  targets?: (string | number)[][];
}

/** Stands for the looked-up value in the replacements of `FixLookup.edits`. */
export const LOOKUP_VALUE = '{{value}}';

/** A value to find outside the files at fix time (network or lock file), and the edits that use it. */
export interface FixLookup {
  /** `image-digest`: the digest a registry serves for `key` = `registry/repository:tag`. */
  kind: 'image-digest';
  key: string;
  /** Replacements hold `LOOKUP_VALUE` where the value goes. */
  edits: TextEdit[];
}

/** A further place that explains a finding (a source of tainted data, a binding in another file). */
export interface RelatedLocation {
  file: string;
  span: Span;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  confidence: Confidence;
  message: string;
  file: string;
  span: Span;
  owasp?: OwaspCategory;
  remedy: string;
  fix?: Fix;
  related?: RelatedLocation[];
}
