/**
 * Whether a GitLab job (or pipeline) runs in two situations that matter for
 * security: a merge request pipeline (which a fork's author can cause) and a
 * push to the default branch (protected, with protected variables).
 *
 * `rules: if:` expressions are evaluated three-valued over what GitLab
 * defines in each situation; values that depend on the project (branch names,
 * labels, user variables set outside the file) are unknown.
 */
import type { Span } from '../../model/source.js';

export type Tri = boolean | 'unknown';

export type Situation = 'merge_request' | 'default_branch';

export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  return 'unknown';
}

export function or(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  if (a === false && b === false) return false;
  return 'unknown';
}

export function not(a: Tri): Tri {
  return a === 'unknown' ? a : !a;
}

/** A variable's value in a situation: undefined, a known string, a known-but-unnamed value (equal to itself), or unknown. */
type Value = { k: 'undef' } | { k: 'str'; s: string } | { k: 'sym'; id: string } | { k: 'unk' };

const UNDEF: Value = { k: 'undef' };
const UNK: Value = { k: 'unk' };

/** Merge request variables that are always set (to a value we cannot know) in merge request pipelines. */
const MR_ALWAYS = new Set([
  'CI_MERGE_REQUEST_ID', 'CI_MERGE_REQUEST_IID', 'CI_MERGE_REQUEST_PROJECT_ID', 'CI_MERGE_REQUEST_PROJECT_PATH', 'CI_MERGE_REQUEST_PROJECT_URL',
  'CI_MERGE_REQUEST_REF_PATH', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_MERGE_REQUEST_SOURCE_PROJECT_ID', 'CI_MERGE_REQUEST_SOURCE_PROJECT_PATH',
  'CI_MERGE_REQUEST_SOURCE_PROJECT_URL', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME', 'CI_MERGE_REQUEST_TITLE', 'CI_MERGE_REQUEST_EVENT_TYPE',
  'CI_MERGE_REQUEST_DIFF_ID', 'CI_MERGE_REQUEST_DIFF_BASE_SHA',
]);

export class Variables {
  constructor(
    readonly situation: Situation,
    /** Literal values of the file's global `variables:` (project settings may still override them). */
    private readonly declared: Map<string, string>,
  ) {}

  get(name: string): Value {
    const mr = this.situation === 'merge_request';
    switch (name) {
      case 'CI_PIPELINE_SOURCE':
        return { k: 'str', s: mr ? 'merge_request_event' : 'push' };
      case 'CI_COMMIT_BRANCH':
        return mr ? UNDEF : { k: 'sym', id: 'default-branch' };
      case 'CI_COMMIT_REF_NAME':
        return mr ? { k: 'sym', id: 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME' } : { k: 'sym', id: 'default-branch' };
      case 'CI_DEFAULT_BRANCH':
        return { k: 'sym', id: 'default-branch' };
      case 'CI_COMMIT_TAG':
      case 'CI_COMMIT_TAG_MESSAGE':
      case 'CI_PIPELINE_TRIGGERED':
      case 'CI_TRIGGER_SHORT_TOKEN':
        return UNDEF;
      case 'CI_COMMIT_REF_PROTECTED':
        // The default branch is protected unless someone removed the protection.
        return mr ? UNK : { k: 'str', s: 'true' };
      case 'CI_OPEN_MERGE_REQUESTS':
        return mr ? { k: 'sym', id: name } : UNK;
    }
    if (name === 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME' && mr) return { k: 'sym', id: name };
    if (name.startsWith('CI_MERGE_REQUEST_')) return mr ? (MR_ALWAYS.has(name) ? { k: 'sym', id: name } : UNK) : UNDEF;
    if (name.startsWith('CI_EXTERNAL_PULL_REQUEST_')) return UNDEF;
    const v = this.declared.get(name);
    if (v !== undefined && !/\$/.test(v)) return { k: 'str', s: v };
    return UNK;
  }
}

type Tok =
  | { t: 'op'; v: '(' | ')' | '&&' | '||' | '==' | '!=' | '=~' | '!~' }
  | { t: 'var'; v: string }
  | { t: 'str'; v: string }
  | { t: 're'; v: string; flags: string }
  | { t: 'null' };

class ParseFailure extends Error {}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=' || two === '=~' || two === '!~') {
      out.push({ t: 'op', v: two });
      i += 2;
      if (two === '=~' || two === '!~') {
        while (i < src.length && /\s/.test(src[i]!)) i++;
        if (src[i] === '/') {
          let j = i + 1;
          while (j < src.length && src[j] !== '/') j += src[j] === '\\' ? 2 : 1;
          if (j >= src.length) throw new ParseFailure('unterminated regular expression');
          const body = src.slice(i + 1, j);
          let k = j + 1;
          while (k < src.length && /[a-z]/i.test(src[k]!)) k++;
          out.push({ t: 're', v: body, flags: src.slice(j + 1, k) });
          i = k;
        }
      }
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '$') {
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(src.slice(i));
      if (!m) throw new ParseFailure('bad variable');
      out.push({ t: 'var', v: (m[1] ?? m[2])! });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const j = src.indexOf(c, i + 1);
      if (j < 0) throw new ParseFailure('unterminated string');
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    if (src.startsWith('null', i) && !/[A-Za-z0-9_]/.test(src[i + 4] ?? '')) {
      out.push({ t: 'null' });
      i += 4;
      continue;
    }
    throw new ParseFailure(`unexpected \`${c}\``);
  }
  return out;
}

type Operand = { kind: 'value'; v: Value } | { kind: 're'; source: string; flags: string };

/** Evaluates a `rules: if:` / `only: variables:` expression; unknown when it does not parse. */
export function evalCondition(src: string, vars: Variables): Tri {
  let toks: Tok[];
  try {
    toks = tokenize(src);
  } catch {
    return 'unknown';
  }
  let pos = 0;
  const peekOp = (v: string) => {
    const t = toks[pos];
    return t !== undefined && t.t === 'op' && t.v === v;
  };
  const operand = (): Operand => {
    const t = toks[pos++];
    if (!t) throw new ParseFailure('missing operand');
    if (t.t === 'var') return { kind: 'value', v: vars.get(t.v) };
    if (t.t === 'str') return { kind: 'value', v: { k: 'str', s: t.v } };
    if (t.t === 'null') return { kind: 'value', v: UNDEF };
    if (t.t === 're') return { kind: 're', source: t.v, flags: t.flags };
    throw new ParseFailure('unexpected operator');
  };
  const comparison = (): Tri => {
    if (peekOp('(')) {
      pos++;
      const r = disjunction();
      if (!peekOp(')')) throw new ParseFailure('missing )');
      pos++;
      return r;
    }
    const left = operand();
    const t = toks[pos];
    if (t && t.t === 'op' && (t.v === '==' || t.v === '!=' || t.v === '=~' || t.v === '!~')) {
      pos++;
      const right = operand();
      let r: Tri;
      if (t.v === '==' || t.v === '!=') r = equals(left, right);
      else r = matches(left, right);
      return t.v === '!=' || t.v === '!~' ? not(r) : r;
    }
    return left.kind === 'value' ? truthy(left.v) : 'unknown';
  };
  const conjunction = (): Tri => {
    let r = comparison();
    while (peekOp('&&')) {
      pos++;
      r = and(r, comparison());
    }
    return r;
  };
  const disjunction = (): Tri => {
    let r = conjunction();
    while (peekOp('||')) {
      pos++;
      r = or(r, conjunction());
    }
    return r;
  };
  try {
    const r = disjunction();
    return pos === toks.length ? r : 'unknown';
  } catch {
    return 'unknown';
  }
}

function truthy(v: Value): Tri {
  if (v.k === 'undef') return false;
  if (v.k === 'str') return v.s !== '';
  if (v.k === 'sym') return true;
  return 'unknown';
}

function equals(a: Operand, b: Operand): Tri {
  if (a.kind !== 'value' || b.kind !== 'value') return 'unknown';
  const x = a.v;
  const y = b.v;
  if (x.k === 'unk' || y.k === 'unk') return 'unknown';
  if (x.k === 'undef' || y.k === 'undef') return x.k === y.k;
  if (x.k === 'str' && y.k === 'str') return x.s === y.s;
  if (x.k === 'sym' && y.k === 'sym' && x.id === y.id) return true;
  return 'unknown';
}

function matches(a: Operand, b: Operand): Tri {
  if (a.kind !== 'value') return 'unknown';
  let source: string;
  let flags: string;
  if (b.kind === 're') {
    source = b.source;
    flags = b.flags;
  } else if (b.v.k === 'str') {
    // A pattern held in a variable, `/…/flags` inside.
    const m = /^\/(.*)\/([a-z]*)$/s.exec(b.v.s);
    if (!m) return 'unknown';
    source = m[1]!;
    flags = m[2]!;
  } else return 'unknown';
  if (a.v.k === 'undef') return false;
  if (a.v.k !== 'str') return 'unknown';
  try {
    return new RegExp(source, flags.replace(/[^imsu]/g, '')).test(a.v.s);
  } catch {
    return 'unknown';
  }
}

/** One `rules:` entry reduced to what decides whether it matches. */
export interface RuleSpec {
  span: Span;
  if?: string;
  /** `changes:` / `exists:` depend on the files of the commit: unknown here. */
  dependsOnFiles: boolean;
  /** `when:` of the rule (or the job's when), `never` excluding. */
  when?: string;
}

/** First-match evaluation of `rules:`; `span` is the first rule that may let it run. */
export function evalRules(rules: RuleSpec[], vars: Variables): { runs: Tri; span?: Span } {
  let span: Span | undefined;
  const from = (i: number): Tri => {
    if (i >= rules.length) return false;
    const r = rules[i]!;
    let m: Tri = r.if !== undefined ? evalCondition(r.if, vars) : true;
    if (r.dependsOnFiles) m = and(m, 'unknown');
    const decision = r.when !== 'never';
    if (m !== false && decision && !span) span = r.span;
    if (m === true) return decision;
    if (m === false) return from(i + 1);
    const rest = from(i + 1);
    return rest === decision ? decision : 'unknown';
  };
  const runs = from(0);
  return span && runs !== false ? { runs, span } : { runs };
}

/** `only:` / `except:` reduced: refs (keywords, names, regexes), variable expressions, changes. */
export interface RefPolicy {
  span: Span;
  refs?: string[];
  variables?: string[];
  changes?: boolean;
  kubernetes?: boolean;
}

const SOURCE_KEYWORDS = new Set(['api', 'web', 'schedules', 'triggers', 'pipelines', 'external', 'external_pull_requests', 'chat']);

function refMatches(ref: string, s: Situation): Tri {
  const r = ref.trim();
  if (r.startsWith('/')) return 'unknown';
  const at = r.indexOf('@');
  const word = at >= 0 ? r.slice(0, at) : r;
  let m: Tri;
  if (word === 'branches' || word === 'pushes') m = s === 'default_branch';
  else if (word === 'merge_requests') m = s === 'merge_request';
  else if (word === 'tags' || SOURCE_KEYWORDS.has(word)) m = false;
  // A branch name: the default branch's name is not in the file.
  else m = 'unknown';
  // `branches@group/project` limits to one project (forks differ).
  return at >= 0 ? and(m, 'unknown') : m;
}

function policyMatches(p: RefPolicy, vars: Variables, combine: 'all' | 'any'): Tri {
  const parts: Tri[] = [];
  if (p.refs) parts.push(p.refs.map((r) => refMatches(r, vars.situation)).reduce<Tri>(or, false));
  if (p.variables) parts.push(p.variables.map((v) => evalCondition(v, vars)).reduce<Tri>(or, false));
  if (p.changes) parts.push('unknown');
  if (p.kubernetes) parts.push('unknown');
  if (parts.length === 0) return combine === 'all';
  return combine === 'all' ? parts.reduce<Tri>(and, true) : parts.reduce<Tri>(or, false);
}

/** `only` includes when every given policy matches; `except` excludes when any does. Without `only`, GitLab uses `[branches, tags]`. */
export function evalOnlyExcept(only: RefPolicy | undefined, except: RefPolicy | undefined, vars: Variables): Tri {
  const inc = only ? policyMatches(only, vars, 'all') : policyMatches({ span: undefined as unknown as Span, refs: ['branches', 'tags'] }, vars, 'all');
  const exc = except ? policyMatches(except, vars, 'any') : false;
  return and(inc, not(exc));
}
