/**
 * Who controls a Tekton or Argo substitution. Parameters are supplied by
 * whoever creates the run (or by a trigger from a webhook body); results and
 * outputs of earlier steps are derived; context and workspace paths are set
 * by the controller.
 */
import type { Expression, Pipeline } from '../../model/pipeline.js';

export interface KubeTaint {
  source: 'webhook' | 'caller' | 'derived';
  /** Parameter name when the source is a parameter. */
  param?: string;
}

export function kubeTaint(p: Pipeline, e: Expression): KubeTaint | undefined {
  const path = e.path ?? '';
  if (e.syntax === 'tekton') {
    if (/^(body|header|extensions)\b/.test(path)) return { source: 'webhook' };
    // `$(results.x.path)` and `$(steps.s.results.x.path)` are file paths Tekton fills in.
    if (/^(steps\.[^.]+\.)?results\.[^.]+\.path$/.test(path)) return undefined;
    const m = /^(?:inputs\.)?params\.([^.[\s]+)/.exec(path) ?? /^tt\.params\.([^.[\s]+)/.exec(path);
    if (m) return { source: 'caller', param: m[1]! };
    if (/^(tasks|steps)\.[^.]+\.results\.|^results\./.test(path)) return { source: 'derived' };
    return undefined;
  }
  if (e.syntax === 'argo') {
    const m = /^(?:inputs\.parameters|workflow\.parameters)\.([^.[\s]+)/.exec(path);
    if (m) return { source: 'caller', param: m[1]! };
    if (/^(steps|tasks)\.[^.]+\.outputs\.(parameters|result)|^item\b/.test(path)) return { source: 'derived' };
    if (/^=/.test(path)) return /inputs\.parameters|workflow\.parameters/.test(path) ? { source: 'caller' } : undefined;
    return undefined;
  }
  return undefined;
}

/**
 * The seed's hardened pattern: `VAR="$(params.x)"` alone on a line, then the
 * variable checked against an anchored pattern. The assignment is still a
 * substitution, but a value that breaks out of it must also pass the check;
 * and as steps run in order and a failed step stops the task, a check in an
 * earlier step covers the later ones. Returns the substitutions so validated.
 */
export function validatedSubstitutions(script: string): Set<string> {
  const out = new Set<string>();
  // One pass to find `VAR="$(params.x)"` assignments, then one search per distinct variable.
  const assigned = new Map<string, { value: string; end: number }[]>();
  const re = /^[ \t]*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)="(\$\([^)\n]{1,256}\)|\{\{[^}\n]{1,256}\}\})"[ \t]*$/gm;
  for (let m = re.exec(script); m; m = re.exec(script)) {
    const list = assigned.get(m[1]!) ?? [];
    list.push({ value: m[2]!, end: m.index + m[0].length });
    assigned.set(m[1]!, list);
  }
  for (const [name, list] of assigned) {
    const v = `\\$\\{?${name}\\}?`;
    const check = new RegExp(`${v}"?[ \\t]*\\|[ \\t]*grep[ \\t]+(?:-[A-Za-z]+[ \\t]+){0,4}['"]\\^|\\[\\[[ \\t]*"?${v}"?[ \\t]*=~[ \\t]*['"]?\\^|case[ \\t]+"?${v}"?[ \\t]+in\\b`, 'g');
    const checks: number[] = [];
    for (let m = check.exec(script); m; m = check.exec(script)) checks.push(m.index);
    // An assignment counts as validated when a check of its variable follows it.
    for (const a of list) if (checks.some((c) => c > a.end)) out.add(a.value);
  }
  return out;
}
