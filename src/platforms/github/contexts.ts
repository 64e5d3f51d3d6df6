/**
 * The context capability model: which `${{ }}` values a less-trusted party
 * can shape, under which events. Branch names, titles, bodies and commit
 * messages are free text an outsider writes; numbers, SHAs and logins are not.
 */
import { accessPath } from '../../expr/parser.js';
import type { ExprNode } from '../../expr/ast.js';

export type TaintSource =
  /** Free text that anyone who can open a pull request or an issue controls. */
  | 'attacker'
  /** Values a caller or a user with write access supplies (inputs, dispatch payloads). */
  | 'caller'
  /** Values computed earlier in the run (step and job outputs, env); may carry tainted data. */
  | 'derived';

export interface Taint {
  source: TaintSource;
  /** Context path as written, normalised (`github.event.pull_request.title`). */
  path: string;
  /** Events under which the value is attacker-controlled; empty means any event. */
  events: string[];
  node: ExprNode;
}

const PR_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'];

/** Patterns over normalised paths; `*` matches one segment (also numeric indexes). */
const ATTACKER: { pattern: string; events: string[] }[] = [
  { pattern: 'github.head_ref', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.title', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.body', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head.ref', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head.label', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head.repo.default_branch', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head.repo.description', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head.repo.homepage', events: PR_EVENTS },
  { pattern: 'github.event.issue.title', events: ['issues', 'issue_comment'] },
  { pattern: 'github.event.issue.body', events: ['issues', 'issue_comment'] },
  { pattern: 'github.event.comment.body', events: ['issue_comment', 'pull_request_review_comment', 'commit_comment', 'discussion_comment'] },
  { pattern: 'github.event.review.body', events: ['pull_request_review'] },
  { pattern: 'github.event.discussion.title', events: ['discussion', 'discussion_comment'] },
  { pattern: 'github.event.discussion.body', events: ['discussion', 'discussion_comment'] },
  { pattern: 'github.event.pages.*.page_name', events: ['gollum'] },
  { pattern: 'github.event.pages.*.title', events: ['gollum'] },
  { pattern: 'github.event.commits.*.message', events: ['push'] },
  { pattern: 'github.event.commits.*.author.email', events: ['push'] },
  { pattern: 'github.event.commits.*.author.name', events: ['push'] },
  { pattern: 'github.event.commits.*.committer.email', events: ['push'] },
  { pattern: 'github.event.commits.*.committer.name', events: ['push'] },
  { pattern: 'github.event.head_commit.message', events: ['push'] },
  { pattern: 'github.event.head_commit.author.email', events: ['push'] },
  { pattern: 'github.event.head_commit.author.name', events: ['push'] },
  { pattern: 'github.event.head_commit.committer.email', events: ['push'] },
  { pattern: 'github.event.head_commit.committer.name', events: ['push'] },
  { pattern: 'github.event.workflow_run.head_branch', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.display_title', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_commit.message', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_commit.author.email', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_commit.author.name', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_commit.committer.email', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_commit.committer.name', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.head_repository.description', events: ['workflow_run'] },
  { pattern: 'github.event.workflow_run.pull_requests.*.head.ref', events: ['workflow_run'] },
  { pattern: 'github.event.check_suite.head_branch', events: ['check_suite'] },
  { pattern: 'github.event.merge_group.head_commit.message', events: ['merge_group'] },
  { pattern: 'github.event.merge_group.head_commit.author.name', events: ['merge_group'] },
  { pattern: 'github.event.merge_group.head_commit.author.email', events: ['merge_group'] },
  { pattern: 'github.event.changes.title.from', events: ['issues', 'pull_request', 'pull_request_target', 'discussion'] },
  { pattern: 'github.event.changes.body.from', events: ['issues', 'issue_comment', 'pull_request', 'pull_request_target', 'discussion', 'discussion_comment'] },
  { pattern: 'github.event.check_run.check_suite.head_branch', events: ['check_run'] },
  // The whole payload (or a whole object) carries every free-text field in it.
  { pattern: 'github.event', events: [] },
  { pattern: 'github.event.pull_request', events: PR_EVENTS },
  { pattern: 'github.event.pull_request.head', events: PR_EVENTS },
  { pattern: 'github.event.issue', events: ['issues', 'issue_comment'] },
  { pattern: 'github.event.comment', events: ['issue_comment', 'pull_request_review_comment', 'commit_comment', 'discussion_comment'] },
  { pattern: 'github.event.review', events: ['pull_request_review'] },
  { pattern: 'github.event.head_commit', events: ['push'] },
  { pattern: 'github.event.commits', events: ['push'] },
  { pattern: 'github.event.workflow_run', events: ['workflow_run'] },
  { pattern: 'github.event.discussion', events: ['discussion', 'discussion_comment'] },
  { pattern: 'github', events: [] },
];

/** The input name behind `inputs.x` / `github.event.inputs.x`, if the path is one. */
export function inputName(path: string): string | undefined {
  const m = /^(?:github\.event\.)?inputs\.([^.[]+)/.exec(path);
  return m ? m[1] : undefined;
}

/** Patterns split once: this runs for every context access of every file. */
const SPLIT_PATTERNS = new Map<string, string[]>();

function matches(pattern: string, segments: string[]): boolean {
  let p = SPLIT_PATTERNS.get(pattern);
  if (!p) SPLIT_PATTERNS.set(pattern, (p = pattern.split('.')));
  if (p.length !== segments.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== '*' && p[i] !== segments[i] && segments[i] !== '*') return false;
  return true;
}

/** What a context path carries, or undefined when nobody but the platform and admins can shape it. */
export function classifyPath(path: string): Omit<Taint, 'node'> | undefined {
  // `github.event.pull_request.title[?]` style computed suffixes behave like the prefix.
  const clean = path.replace(/\[\?\]/g, '.*');
  const segments = clean.split('.');
  for (const a of ATTACKER) if (matches(a.pattern, segments)) return { source: 'attacker', path, events: a.events };
  if (clean.startsWith('github.event.inputs.') || clean.startsWith('inputs.') || clean === 'inputs' || clean.startsWith('github.event.client_payload')) {
    return { source: 'caller', path, events: [] };
  }
  if (/^(steps\.[^.]+\.outputs|needs\.[^.]+\.outputs|jobs\.[^.]+\.outputs)(\.|$)/.test(clean) || clean.startsWith('env.')) {
    return { source: 'derived', path, events: [] };
  }
  return undefined;
}

/** Functions whose result never carries the text of their arguments. */
const CLEAN_FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'success', 'always', 'failure', 'cancelled', 'hashfiles']);

/**
 * The tainted values an expression can evaluate to. Comparisons and boolean
 * functions launder their operands; `a && b` yields `b` or a falsy `a`, so
 * only `b` can carry text; `toJSON` output is a quoted string literal, safe
 * where the interpreter is JavaScript (`jsonIsSafe`).
 */
export function taintsOf(node: ExprNode, jsonIsSafe = false): Taint[] {
  switch (node.type) {
    case 'literal':
      return [];
    case 'identifier':
    case 'index': {
      const path = accessPath(node);
      if (path === undefined) {
        // An index into a computed value: `fromJSON(x).y` carries what x carries.
        return node.type === 'index' ? taintsOf(node.object, jsonIsSafe) : [];
      }
      const t = classifyPath(path);
      return t ? [{ ...t, node }] : [];
    }
    case 'call': {
      const name = node.callee.toLowerCase();
      if (CLEAN_FUNCTIONS.has(name)) return [];
      if (name === 'tojson' && jsonIsSafe) return [];
      return node.args.flatMap((a) => taintsOf(a, jsonIsSafe));
    }
    case 'unary':
      return [];
    case 'binary':
      if (node.operator === '&&') return taintsOf(node.right, jsonIsSafe);
      if (node.operator === '||') return [...taintsOf(node.left, jsonIsSafe), ...taintsOf(node.right, jsonIsSafe)];
      return [];
  }
}
