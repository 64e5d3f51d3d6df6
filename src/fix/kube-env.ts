/**
 * Tekton `$(params.x)` and Argo `{{inputs.parameters.x}}` moved out of a
 * step's shell script (`template-injection`): the controller substitutes the
 * value into an `env:` entry instead, and the script reads the variable
 * quoted. Offered only where the shell context is clear: an `sh`/`bash`
 * script written as a YAML literal block (`|`), so quotes can be added
 * without YAML escaping. Inside a heredoc the variable goes in unquoted (the
 * quotes would become text); a quoted-delimiter heredoc does not expand
 * variables at all, so a script with one gets no fix. A substitution that
 * stood unquoted (outside an assignment) was split into words by the shell;
 * quoted it is one word, so such a fix is unsafe (`go test $(params.flags)`).
 */
import { type Pair } from 'yaml';
import { isMap } from '../core/yaml-nodes.js';
import type { YamlNode } from '../core/yaml.js';
import type { Fix, TextEdit } from '../model/finding.js';
import type { Expression, Job, Pipeline, Step } from '../model/pipeline.js';
import { yamlOf } from '../platforms/kube/security.js';
import { blockLines, indentUnit, insertBefore, isBlockMap, newlineOf, pathOf, startsItsLine, type YamlPath } from './yaml-edits.js';

/** `params.git-url` → `PARAM_GIT_URL`; `inputs.parameters.msg` → `MSG`; others from the last two parts. */
function envName(e: Expression): string | undefined {
  const path = e.path ?? '';
  if (/[*[\]]/.test(path)) return undefined;
  let name: string;
  let m: RegExpExecArray | null;
  if ((m = /^(?:inputs\.|tt\.)?params\.(.+)$/.exec(path)) && e.syntax === 'tekton') name = `PARAM_${m[1]}`;
  else if ((m = /^(?:inputs|workflow)\.parameters\.(.+)$/.exec(path)) && e.syntax === 'argo') name = m[1]!;
  else {
    const parts = path.split('.').filter((p) => !['steps', 'tasks', 'outputs', 'results', 'parameters', 'path'].includes(p));
    if (parts.length === 0) return undefined;
    name = parts.slice(-2).join('_');
  }
  name = name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(name) ? name : `V_${name}`;
}

interface Context {
  single: boolean;
  double: boolean;
  /** Inside a heredoc body: 'expanding' (unquoted delimiter) or 'literal'. */
  heredoc?: 'expanding' | 'literal';
}

/**
 * Shell quote and heredoc state at given offsets of a script, scanned forward
 * once. Quotes reset at line ends (multi-line strings are rare in steps and
 * make the result unsafe below).
 */
function contexts(text: string, offsets: number[]): Context[] {
  const out: Context[] = [];
  let single = false;
  let double = false;
  let heredoc: { end: string; dash: boolean; kind: 'expanding' | 'literal' } | undefined;
  let pending: { end: string; dash: boolean; kind: 'expanding' | 'literal' } | undefined;
  let k = 0;
  let lineStart = 0;
  for (let i = 0; i <= text.length && k < offsets.length; i++) {
    while (k < offsets.length && offsets[k] === i) {
      out.push({ single, double, ...(heredoc ? { heredoc: heredoc.kind } : {}) });
      k++;
    }
    const c = text[i];
    if (c === '\n' || i === text.length) {
      const line = text.slice(lineStart, i);
      if (heredoc) {
        if ((heredoc.dash ? line.replace(/^\t+/, '') : line) === heredoc.end) heredoc = undefined;
      } else if (pending) {
        heredoc = pending;
        pending = undefined;
      }
      single = false;
      double = false;
      lineStart = i + 1;
      continue;
    }
    if (heredoc) continue;
    if (c === '\\' && !single) {
      i++;
      continue;
    }
    if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
    else if (c === '<' && !single && !double && text[i + 1] === '<' && text[i + 2] !== '<') {
      const m = /^<<(-?)[ \t]*(['"]?)([A-Za-z_][\w.-]*)\2/.exec(text.slice(i, i + 80));
      if (m) {
        pending = { end: m[3]!, dash: m[1] === '-', kind: m[2] ? 'literal' : 'expanding' };
        i += m[0].length - 1;
      }
    }
  }
  return out;
}

/** The pair of `map` whose value holds `offset` (the script key, or `args`/`command` for `sh -c` scripts). */
function pairHolding(map: YamlNode, offset: number): Pair | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((p) => {
    const r = (p.value as YamlNode | null)?.range;
    return !!r && r[0] <= offset && offset < Math.max(r[1], r[2]);
  });
}

/**
 * The env name for a value: `base`, else `base_2`, `base_3`… the first that is
 * not a name the script already uses for something else, nor an env entry
 * with another value. Names are asked for in turn and the caller takes each
 * one it is given. Each base remembers where its free names start and which
 * value has which name below that: walking from `base` again for each value
 * (and reading the whole script for each name) was quadratic in values that
 * share a base (parameters whose names differ only in case).
 */
function envNames(taken: ReadonlyMap<string, string>, scriptText: string): (base: string, raw: string) => string {
  // Names are made of [A-Z0-9_], so `\bNAME\b` matches exactly where a whole word of the script is NAME.
  let words: Set<string> | undefined;
  const bases = new Map<string, { next: number; byValue: Map<string, string> }>();
  return (base, raw) => {
    let at = bases.get(base);
    if (!at) bases.set(base, (at = { next: 1, byValue: new Map() }));
    let free: string;
    for (;;) {
      free = at.next === 1 ? base : `${base}_${at.next}`;
      const value = taken.get(free);
      if (value === undefined) {
        words ??= new Set(scriptText.match(/[A-Za-z0-9_]+/g) ?? []);
        if (!words.has(free)) break;
      } else if (!at.byValue.has(value)) at.byValue.set(value, free);
      at.next = at.next === 1 ? 2 : at.next + 1;
    }
    // Every name below the first free one is used for something else, or taken: by this value, or by another.
    return at.byValue.get(raw) ?? free;
  };
}

export function kubeEnvFix(p: Pipeline, job: Job, step: Step, exprs: Expression[]): Fix | undefined {
  const script = step.script;
  const container = step.container?.node;
  if (!script || !container || !isBlockMap(container) || exprs.length === 0) return undefined;
  if (script.shell !== 'sh' && script.shell !== 'bash') return undefined;
  const file = p.file;
  const text = file.text;
  // A literal block only: quotes added inside it need no YAML escaping.
  if (text[script.span.offset] !== '|') return undefined;
  const y = yamlOf(p);
  const root = p.document.contents as YamlNode | null;
  const stepPath = pathOf(root, container);
  const holder = pairHolding(container, script.span.offset);
  if (!stepPath || !holder || !startsItsLine(file, holder)) return undefined;
  const holderPath = pathOf(root, holder.key as YamlNode);
  if (!holderPath) return undefined;
  const sorted = [...exprs].sort((a, b) => a.span.offset - b.span.offset);
  const ctx = contexts(text.slice(script.span.offset, script.span.endOffset), sorted.map((e) => e.span.offset - script.span.offset));
  if (ctx.length !== sorted.length || ctx.some((c) => c.heredoc === 'literal')) return undefined;
  const taken = new Map<string, string>();
  for (const e of [...job.env, ...step.env]) taken.set(e.name.value, e.value?.value ?? '');
  const scriptText = script.text;
  const edits: TextEdit[] = [];
  const added: { name: string; value: string }[] = [];
  let splits = false;
  const nameFor = envNames(taken, scriptText);
  for (const [i, e] of sorted.entries()) {
    const base = envName(e);
    if (!base || /["\\\n]/.test(e.raw)) return undefined;
    const name = nameFor(base, e.raw);
    if (!taken.has(name)) {
      taken.set(name, e.raw);
      added.push({ name, value: e.raw });
    }
    const c = ctx[i]!;
    const after = text[e.span.endOffset] ?? '';
    const ref = /[A-Za-z0-9_]/.test(after) ? `\${${name}}` : `$${name}`;
    const replacement = c.heredoc ? `\${${name}}` : c.single ? `'"${ref}"'` : c.double ? ref : `"${ref}"`;
    // Unquoted, the pasted value was split into words (several flags in one parameter); quoted it is one word.
    // An assignment's right-hand side is never split, so quoting it changes nothing there.
    if (!c.heredoc && !c.single && !c.double) {
      const lineBefore = text.slice(text.lastIndexOf('\n', e.span.offset - 1) + 1, e.span.offset);
      if (!/(^|[\s;&|(])(export\s+|local\s+|readonly\s+|declare\s+)?[A-Za-z_]\w*=[^\s;&|'"`]*$/.test(lineBefore)) splits = true;
    }
    // `'$(params.x)'` alone in its single quotes becomes `"$X"`, not `''"$X"''`.
    if (c.single && text[e.span.offset - 1] === "'" && text[e.span.endOffset] === "'") edits.push({ offset: e.span.offset - 1, endOffset: e.span.endOffset + 1, replacement: `"${ref}"` });
    else edits.push({ offset: e.span.offset, endOffset: e.span.endOffset, replacement });
  }
  const targets: YamlPath[] = [holderPath];
  if (added.length > 0) {
    const value = (v: string) => (p.platform === 'argo' ? `"${v}"` : v);
    const envPair = y.pair(container, 'env');
    if (envPair) {
      const seq = envPair.value as YamlNode | null;
      const items = seq && 'items' in seq ? (seq as unknown as { items: YamlNode[] }).items : [];
      const last = items[items.length - 1];
      if (!last || (seq as { flow?: boolean }).flow || !(container as unknown as { items: Pair[] }).items.includes(envPair)) return undefined;
      const dash = text.lastIndexOf('-', last.range![0]);
      const lineStart = text.lastIndexOf('\n', dash) + 1;
      if (dash < lineStart || /\S/.test(text.slice(lineStart, dash))) return undefined;
      const col = dash - lineStart;
      const r1 = last.range![1];
      const end = r1 > 0 && text[r1 - 1] === '\n' ? r1 : endOfLineAt(text, r1);
      const lead = end === text.length && !text.endsWith('\n') ? newlineOf(file) : '';
      edits.push({ offset: end, endOffset: end, replacement: lead + blockLines(file, col, added.flatMap((a) => [`- name: ${a.name}`, `  value: ${value(a.value)}`])) });
    } else {
      const unit = ' '.repeat(indentUnit(file, y.pairs(container).find((pr) => isBlockMap(pr.value as YamlNode))) || 2);
      edits.push(insertBefore(file, holder, ['env:', ...added.flatMap((a) => [`${unit}- name: ${a.name}`, `${unit}  value: ${value(a.value)}`])]));
    }
    targets.push([...stepPath, 'env']);
  }
  const many = sorted.length > 1;
  return {
    description: `pass ${many ? `${sorted.length} substitutions` : `\`${sorted[0]!.raw}\``} through the step's env and read ${many ? 'them' : 'it'} quoted in the script${splits ? ' (a value used unquoted is no longer split into words)' : ''}`,
    safety: splits ? 'unsafe' : 'safe',
    edits,
    targets,
  };
}

function endOfLineAt(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}
