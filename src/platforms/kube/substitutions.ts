/**
 * Template substitutions of Kubernetes-native pipeline engines, located in the
 * file: Tekton `$(params.x)` and Argo `{{inputs.parameters.x}}`. Both are
 * textual: the value is pasted into the script before the shell parses it.
 */
import type { Scalar } from 'yaml';
import { ScalarLocator } from '../../core/templated.js';
import type { YamlDoc } from '../../core/yaml.js';
import type { Expression, TemplateSyntax } from '../../model/pipeline.js';

// Bounded and without overlapping whitespace runs: unclosed `$(` followed by megabytes of spaces stays linear.
const TEKTON = /\$\(([A-Za-z_ ][\w.\-[\]"'* ]{0,256})\)/g;
const ARGO = /\{\{([^{}]{1,512})\}\}/g;

/** `params["a.b"]` and `params['a.b']` → `params.a.b`. */
function normalisePath(raw: string): string {
  return raw.replace(/\[\s*["']([^"']+)["']\s*\]/g, '.$1').replace(/\[\s*\*\s*\]/g, '.*').trim();
}

export function findSubstitutions(value: string, syntax: Extract<TemplateSyntax, 'tekton' | 'argo'>): { start: number; end: number; path: string }[] {
  const re = syntax === 'tekton' ? TEKTON : ARGO;
  re.lastIndex = 0;
  const out: { start: number; end: number; path: string }[] = [];
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const path = normalisePath(m[1]!);
    if (syntax === 'tekton' && !/^[A-Za-z_]/.test(path)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, path });
  }
  return out;
}

export function substitutionsIn(y: YamlDoc, node: Scalar, value: string, syntax: Extract<TemplateSyntax, 'tekton' | 'argo'>): Expression[] {
  const found = findSubstitutions(value, syntax);
  if (found.length === 0) return [];
  const locator = new ScalarLocator(y, node, value);
  return found.map((f) => ({ raw: value.slice(f.start, f.end), span: locator.span(f.start, f.end), ast: null, syntax, path: f.path }));
}
