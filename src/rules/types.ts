import type { Confidence, Fix, OwaspCategory, RelatedLocation, Severity } from '../model/finding.js';
import type { Pipeline, Platform } from '../model/pipeline.js';
import type { ProjectIndex } from '../platforms/kube/project.js';
import type { Span } from '../model/source.js';
import type { ExternalData } from '../online/external.js';

/** Which audience a check is for; the default `regular` shows what a maintainer should act on. */
export type Persona = 'regular' | 'pedantic' | 'auditor';

export interface RuleDocs {
  /** One paragraph: what the rule finds and why it matters. */
  description: string;
  /** A short vulnerable example. */
  bad: string;
  /** The same example, hardened. */
  good: string;
  /** What to do about a finding. */
  remedy: string;
}

export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  confidence: Confidence;
  owasp?: OwaspCategory;
  platforms: Platform[];
  fixable: boolean;
  /** Lowest persona that sees this rule's findings; regular when absent. */
  persona?: Persona;
  docs: RuleDocs;
}

/** What a rule hands to `report`; unset fields default from the rule's meta. */
export interface ReportInput {
  span: Span;
  message: string;
  severity?: Severity;
  confidence?: Confidence;
  remedy?: string;
  fix?: Fix;
  related?: RelatedLocation[];
  persona?: Persona;
  /** Display path of the file the span is in, when it is not the pipeline's own file. */
  file?: string;
}

export interface RuleContext {
  pipeline: Pipeline;
  /** Options from the user's config for this rule (empty when none). */
  options: Readonly<Record<string, unknown>>;
  report(input: ReportInput): void;
  /** Facts gathered before the scan (GitHub lookups with --online, pins in fix, advisories); absent offline. */
  external?: ExternalData;
}

/** For rules that join objects across files; `report` attributes the finding to the pipeline's file. */
export interface ProjectContext {
  index: ProjectIndex;
  options: Readonly<Record<string, unknown>>;
  report(pipeline: Pipeline, input: ReportInput): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Runs once per pipeline (file-local). */
  check(ctx: RuleContext): void;
  /** Runs once per scan over every Kubernetes-style object (cross-file). */
  checkProject?(ctx: ProjectContext): void;
  /** Checks the rule's `options` from the config: an error message, or undefined when they are valid. */
  validateOptions?(options: Record<string, unknown>): string | undefined;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
