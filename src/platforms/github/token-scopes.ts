/**
 * What a job's `GITHUB_TOKEN` must be allowed to do, from the actions and
 * `gh`/`git` commands its steps run: the data behind the least-permissions
 * fix of `excessive-permissions`.
 *
 * The table covers well-known actions whose needs their documentation states.
 * Anything else that is handed the job token (an unknown action given
 * `github.token`, a script with the token in its environment that calls the
 * API other than through the `gh` commands below, `gh api`) makes the job
 * "unknown": the fix is then unsafe rather than a guess. Unknown actions that
 * are not handed the token are assumed to need nothing, except those whose
 * name says they write to the repository (release, comment, label, merge …),
 * which usually read the token from their default input.
 */
import type { Job, Pipeline, Step } from '../../model/pipeline.js';
import { calleeOf } from './callees.js';
import { yamlOf } from '../kube/security.js';
import { input } from './steps.js';

export type Level = 'read' | 'write';
export type Scopes = Record<string, Level>;

export interface Needs {
  /** Scope → level and the first step that needs it (for a comment next to the grant). */
  scopes: Map<string, { level: Level; why: string }>;
  /** What could not be told, one entry per step or command. */
  unknown: string[];
}

/** Expressions that hand a step the job's own token. */
const JOB_TOKEN = /\b(github\.token|secrets\.github_token)\b/i;
/**
 * The pattern in force: inside a local composite action it also matches the
 * inputs its caller filled with the job token (`inputs.github-token`).
 * Swapped around the (synchronous) analysis of the callee.
 */
let tokenPattern = JOB_TOKEN;
const isJobToken = (text: string): boolean => tokenPattern.test(text);
const TOKEN_KEY = /token|^password$/i;

const read = (...s: string[]): Scopes => Object.fromEntries(s.map((x) => [x, 'read' as Level]));
const write = (...s: string[]): Scopes => Object.fromEntries(s.map((x) => [x, 'write' as Level]));
const has = (step: Step, name: string): boolean => (input(step, name)?.value.value.trim() ?? '') !== '';

type Entry = Scopes | ((step: Step) => Scopes | 'unknown');

/**
 * Well-known actions, by `owner/repo` or `owner/repo/path` in lower case.
 * Each grant is what the action's README asks for when it uses the job token.
 */
export const ACTION_SCOPES: Record<string, Entry> = {
  'actions/checkout': read('contents'),
  'actions/setup-node': {},
  'actions/setup-python': {},
  'actions/setup-java': {},
  'actions/setup-go': {},
  'actions/setup-dotnet': {},
  'actions/cache': {},
  'actions/upload-artifact': {},
  // Artifacts of another run are read through the API.
  'actions/download-artifact': (s) => (has(s, 'run-id') || has(s, 'github-token') ? read('actions') : {}),
  'actions/upload-pages-artifact': {},
  'actions/configure-pages': write('pages'),
  'actions/deploy-pages': write('pages', 'id-token'),
  'actions/attest-build-provenance': write('id-token', 'attestations'),
  'actions/attest-sbom': write('id-token', 'attestations'),
  'actions/attest': write('id-token', 'attestations'),
  'actions/labeler': { contents: 'read', 'pull-requests': 'write' },
  'actions/stale': write('issues', 'pull-requests'),
  'actions/first-interaction': write('issues', 'pull-requests'),
  'actions/dependency-review-action': (s) => (/^\s*(always|on-failure|true)\s*$/i.test(input(s, 'comment-summary-in-pr')?.value.value ?? '') ? { contents: 'read', 'pull-requests': 'write' } : read('contents')),
  'actions/create-release': write('contents'),
  'actions/upload-release-asset': write('contents'),
  'actions/github-script': githubScript,
  'softprops/action-gh-release': write('contents'),
  'ncipollo/release-action': write('contents'),
  'svenstaro/upload-release-action': write('contents'),
  'goreleaser/goreleaser-action': write('contents'),
  'release-drafter/release-drafter': write('contents', 'pull-requests'),
  'googleapis/release-please-action': write('contents', 'pull-requests', 'issues'),
  'google-github-actions/release-please-action': write('contents', 'pull-requests', 'issues'),
  'changesets/action': write('contents', 'pull-requests'),
  'peter-evans/create-pull-request': write('contents', 'pull-requests'),
  'peter-evans/create-or-update-comment': write('issues', 'pull-requests'),
  'peter-evans/find-comment': read('issues', 'pull-requests'),
  'marocchino/sticky-pull-request-comment': write('pull-requests'),
  'thollander/actions-comment-pull-request': write('pull-requests'),
  'stefanzweifel/git-auto-commit-action': write('contents'),
  'endbug/add-and-commit': write('contents'),
  'jamesives/github-pages-deploy-action': (s) => (has(s, 'ssh-key') ? {} : write('contents')),
  'peaceiris/actions-gh-pages': (s) => (has(s, 'deploy_key') || has(s, 'personal_token') ? {} : write('contents')),
  'dorny/paths-filter': read('pull-requests'),
  'tj-actions/changed-files': read('pull-requests'),
  'amannn/action-semantic-pull-request': read('pull-requests'),
  'enricomi/publish-unit-test-result-action': write('checks', 'pull-requests'),
  'mikepenz/action-junit-report': write('checks'),
  'dawidd6/action-download-artifact': read('actions'),
  'github/codeql-action/init': read('actions', 'contents'),
  'github/codeql-action/autobuild': {},
  'github/codeql-action/analyze': { 'security-events': 'write', actions: 'read', contents: 'read' },
  'github/codeql-action/upload-sarif': write('security-events'),
  'ossf/scorecard-action': (s): Scopes => ({ 'security-events': 'write', contents: 'read', actions: 'read', ...(/^\s*true\s*$/i.test(input(s, 'publish_results')?.value.value ?? '') ? write('id-token') : {}) }),
  // OIDC logins: only when they ask the runner for an identity token instead of taking stored keys.
  'aws-actions/configure-aws-credentials': (s) => (has(s, 'role-to-assume') && !has(s, 'aws-access-key-id') && !has(s, 'web-identity-token-file') ? write('id-token') : {}),
  'google-github-actions/auth': (s) => (has(s, 'workload_identity_provider') ? write('id-token') : {}),
  'azure/login': (s) => (has(s, 'client-id') && !has(s, 'creds') ? write('id-token') : {}),
  'hashicorp/vault-action': (s) => (/^\s*jwt\s*$/i.test(input(s, 'method')?.value.value ?? '') && !has(s, 'jwt') ? write('id-token') : {}),
  'pypa/gh-action-pypi-publish': (s) => (has(s, 'password') ? {} : write('id-token')),
  'sigstore/cosign-installer': {},
  'docker/setup-buildx-action': {},
  'docker/setup-qemu-action': {},
  'docker/metadata-action': {},
  'docker/build-push-action': {},
  // Pushing to GitHub's registry with the job token needs packages: write; another registry needs nothing.
  'docker/login-action': (s) => (/ghcr\.io|docker\.pkg\.github\.com/i.test(input(s, 'registry')?.value.value ?? '') && isJobToken(input(s, 'password')?.value.value ?? '') ? write('packages') : {}),
  'codecov/codecov-action': {},
};

/** Action names that usually write to the repository with their default `github.token` input. */
const WRITES_BY_NAME = /release|comment|label|merge|pull-request|(^|[-_/])pr([-_/]|$)|issue|stale|(^|[-_/])tags?([-_/]|$)|changelog|commit|push|assign|approve|backport|bump|version/i;

/** `gh <group> <command>` → scopes; `null` means the command's needs cannot be told (`gh api`). */
const GH: Record<string, Record<string, Scopes | null>> = {
  release: {
    create: write('contents'), upload: write('contents'), edit: write('contents'), delete: write('contents'), 'delete-asset': write('contents'),
    view: read('contents'), list: read('contents'), download: read('contents'),
  },
  pr: {
    create: write('pull-requests'), edit: write('pull-requests'), comment: write('pull-requests'), review: write('pull-requests'), close: write('pull-requests'),
    reopen: write('pull-requests'), ready: write('pull-requests'), lock: write('pull-requests'), unlock: write('pull-requests'),
    merge: write('contents', 'pull-requests'),
    view: read('pull-requests'), list: read('pull-requests'), diff: read('pull-requests'), checks: read('pull-requests', 'checks'), status: read('pull-requests'),
    checkout: read('contents', 'pull-requests'),
  },
  issue: {
    create: write('issues'), edit: write('issues'), comment: write('issues'), close: write('issues'), reopen: write('issues'), delete: write('issues'),
    lock: write('issues'), unlock: write('issues'), transfer: write('issues'), pin: write('issues'), unpin: write('issues'),
    view: read('issues'), list: read('issues'), status: read('issues'),
  },
  label: { create: write('issues'), edit: write('issues'), delete: write('issues'), clone: write('issues'), list: read('issues') },
  workflow: { run: write('actions'), enable: write('actions'), disable: write('actions'), view: read('actions'), list: read('actions') },
  run: { rerun: write('actions'), cancel: write('actions'), delete: write('actions'), view: read('actions'), list: read('actions'), download: read('actions'), watch: read('actions') },
  cache: { delete: write('actions'), list: read('actions') },
  repo: { view: read('contents'), clone: read('contents') },
  auth: { status: {}, 'setup-git': {}, token: {} },
  api: { '': null },
};

function add(needs: Needs, scopes: Scopes, why: string): void {
  for (const [scope, level] of Object.entries(scopes)) {
    const had = needs.scopes.get(scope);
    if (!had || (had.level === 'read' && level === 'write')) needs.scopes.set(scope, { level, why });
  }
}

/** Whether a step is handed a token other than the job's (a PAT, an app token): its API calls then do not use the job token. */
function usesOtherToken(step: Step): boolean {
  const values = [...[...step.with].filter(([k]) => TOKEN_KEY.test(k)).map(([, v]) => v.value), ...step.env.filter((e) => /^(GH_TOKEN|GITHUB_TOKEN)$/i.test(e.name.value)).map((e) => e.value).filter((v) => v !== null)];
  return values.length > 0 && values.every((v) => v!.expressions.length > 0 && !isJobToken(v!.value));
}

function stepGetsJobToken(step: Step): boolean {
  return [...step.with.values()].some((v) => isJobToken(v.value.value)) || step.env.some((e) => e.value !== null && isJobToken(e.value.value));
}

/** `github.rest.<namespace>.<method>(` calls in an actions/github-script script. */
function githubScript(step: Step): Scopes | 'unknown' {
  const token = input(step, 'github-token');
  if (token && token.value.expressions.length > 0 && !isJobToken(token.value.value)) return {};
  const text = input(step, 'script')?.value.value ?? '';
  if (/\bgithub\.(graphql|request)\s*\(/.test(text)) return 'unknown';
  const out: Scopes = {};
  const re = /\bgithub\.(?:rest\.)?([a-z]+)\.([A-Za-z]+)\b/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const scope = scriptScope(m[1]!, m[2]!);
    if (scope === undefined) return 'unknown';
    const level: Level = /^(get|list|check|compare|download)/.test(m[2]!) ? 'read' : 'write';
    if (out[scope] !== 'write') out[scope] = level;
  }
  return out;
}

function scriptScope(namespace: string, method: string): string | undefined {
  switch (namespace) {
    case 'issues':
      return 'issues';
    case 'pulls':
      return 'pull-requests';
    case 'checks':
      return 'checks';
    case 'actions':
      return 'actions';
    case 'git':
      return 'contents';
    case 'repos':
      if (/Deployment/.test(method)) return 'deployments';
      if (/CommitStatus|Statuses|CombinedStatus/.test(method)) return 'statuses';
      if (/Release|Content|Commit|Branch|Tag|Dispatch|^merge|compare/.test(method)) return 'contents';
      return undefined;
    default:
      return undefined;
  }
}

/** What a shell script needs from the job token; `tokenInEnv` says whether the script can read the token at all. */
export function scriptNeeds(text: string, tokenInEnv: boolean, needs: Needs, where: string): void {
  let recognised = false;
  const gh = /(?:^|[\s;&|(`$])gh\s+([a-z-]+)(?:\s+([a-z-]+))?/g;
  for (let m = gh.exec(text); m; m = gh.exec(text)) {
    const group = GH[m[1]!];
    const command = group ? (m[1] === 'api' ? null : group[m[2] ?? '']) : undefined;
    if (command === undefined || command === null) {
      needs.unknown.push(`\`gh ${m[1]}${m[1] === 'api' ? '' : m[2] ? ` ${m[2]}` : ''}\` in ${where}`);
      // Already reported as unknown: the token in its environment needs no second note.
      recognised = true;
      continue;
    }
    recognised = true;
    add(needs, command, `gh ${m[1]} ${m[2]}`);
  }
  if (/\bgit\s+push\b/.test(text)) {
    recognised = true;
    add(needs, write('contents'), 'git push');
  }
  if (/\bgit\s+(clone|fetch|pull|ls-remote)\b/.test(text)) recognised = true;
  if (/\bcosign\s+(sign|attest)(-blob)?\b/.test(text) && !/--key\b/.test(text)) add(needs, write('id-token'), 'cosign keyless signing');
  if (tokenInEnv && (/api\.github\.com|GITHUB_API_URL|GITHUB_GRAPHQL_URL/.test(text) || !recognised)) {
    needs.unknown.push(`${where}, which is handed the job token`);
  }
}

function stepNeeds(p: Pipeline, job: Job, step: Step, needs: Needs, depth: number): void {
  const where = `step ${step.name?.value ? `\`${step.name.value}\`` : step.index + 1} of job \`${job.id.value}\``;
  const ref = step.uses;
  if (ref) {
    if (ref.kind === 'image') {
      if (stepGetsJobToken(step)) needs.unknown.push(`\`${ref.raw}\` in ${where}, which is handed the job token`);
      return;
    }
    if (ref.pin === 'local') {
      const callee = calleeOf(ref);
      if (!callee || depth > 3) {
        needs.unknown.push(`local action \`${ref.raw}\``);
        return;
      }
      const carriers = [...step.with].filter(([, v]) => isJobToken(v.value.value)).map(([k]) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const outer = tokenPattern;
      tokenPattern = carriers.length > 0 ? new RegExp(`${JOB_TOKEN.source}|\\binputs\\.(${carriers.join('|')})\\b`, 'i') : JOB_TOKEN;
      try {
        for (const j of callee.jobs) for (const s of j.steps) stepNeeds(callee, j, s, needs, depth + 1);
      } finally {
        tokenPattern = outer;
      }
      return;
    }
    const owner = (ref.owner ?? '').toLowerCase();
    const repo = (ref.repo ?? '').toLowerCase();
    const full = `${owner}/${repo}${ref.path ? `/${ref.path.toLowerCase().replace(/\/+$/, '')}` : ''}`;
    const entry = ACTION_SCOPES[full] ?? ACTION_SCOPES[`${owner}/${repo}`];
    const name = `${owner}/${repo}${ref.path ? `/${ref.path}` : ''}`;
    if (entry === undefined) {
      if (ref.pin === 'dynamic') needs.unknown.push(`\`${ref.raw}\``);
      else if (stepGetsJobToken(step)) needs.unknown.push(`\`${name}\`, which is handed the job token`);
      else if (WRITES_BY_NAME.test(repo) && !usesOtherToken(step)) needs.unknown.push(`\`${name}\`, which may use the job token by default`);
      return;
    }
    const scopes = typeof entry === 'function' ? entry(step) : entry;
    if (scopes === 'unknown') {
      needs.unknown.push(`\`${name}\` in ${where}`);
      return;
    }
    // With another token the action's API calls do not use the job token; identity tokens still come from the job.
    const own = usesOtherToken(step) ? Object.fromEntries(Object.entries(scopes).filter(([s]) => s === 'id-token' || s === 'attestations')) : scopes;
    add(needs, own, name);
    return;
  }
  const script = step.script;
  if (script && script.kind === 'run') {
    const inEnv = [...p.env, ...job.env, ...step.env].some((e) => e.value !== null && isJobToken(e.value.value)) || isJobToken(script.text);
    if (['bash', 'sh', 'pwsh', 'powershell', 'unknown'].includes(script.shell)) scriptNeeds(script.text, inEnv, needs, where);
    else if (inEnv) needs.unknown.push(`${where}, which is handed the job token`);
  }
}

/** What a job's token must be allowed, from its steps (or its called workflow's jobs). */
export function jobNeeds(p: Pipeline, job: Job, depth = 0): Needs {
  const needs: Needs = { scopes: new Map(), unknown: [] };
  if (job.uses) {
    const callee = calleeOf(job.uses);
    if (!callee || depth > 3) {
      needs.unknown.push(`reusable workflow \`${job.uses.raw}\``);
      return needs;
    }
    // A called job's own permissions must be granted by the caller; the others run with the caller's.
    for (const j of callee.jobs) {
      if (j.permissions) {
        if (j.permissions.kind === 'scopes') {
          for (const [s, v] of j.permissions.scopes) if (v.level !== 'none') add(needs, { [s]: v.level }, `\`${j.id.value}\` in ${job.uses.raw}`);
        } else if (j.permissions.kind !== 'none') needs.unknown.push(`job \`${j.id.value}\` of \`${job.uses.raw}\``);
        continue;
      }
      const inner = jobNeeds(callee, j, depth + 1);
      for (const [s, v] of inner.scopes) add(needs, { [s]: v.level }, v.why);
      needs.unknown.push(...inner.unknown);
    }
    return needs;
  }
  // A job container or service pulled from GitHub's registry with the job token reads packages.
  for (const key of ['container', 'services']) {
    const r = yamlOf(p).get(job.node, key)?.range;
    if (r && isJobToken(p.file.text.slice(r[0], r[1]))) add(needs, read('packages'), `${key} image from ghcr.io`);
  }
  for (const step of job.steps) stepNeeds(p, job, step, needs, depth);
  return needs;
}
