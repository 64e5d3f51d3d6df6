import type { ExternalRef } from '../model/pipeline.js';
import { compileGlob, type Glob } from '../config/glob.js';
import { gitlabPipelineInfo } from '../platforms/gitlab/build.js';
import type { Pipeline } from '../model/pipeline.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule, type RuleContext } from './types.js';
import { pinKey } from '../online/external.js';
import { pinFix } from '../online/pins.js';

/** What a pattern of `owner/repo` requires: a full commit SHA, any ref, or nothing. */
type Policy = 'hash-pin' | 'ref-pin' | 'any';

interface PolicyRule {
  pattern: string;
  re: Glob;
  policy: Policy;
}

/**
 * `options.policies: { "actions/*": "ref-pin", "my-org/*": "any" }`; the most
 * specific pattern (longest, no wildcard beats wildcard) wins; default
 * hash-pin for everything outside the repository.
 */
function readPolicies(options: Readonly<Record<string, unknown>>): PolicyRule[] {
  let rules = policiesOf.get(options);
  if (!rules) policiesOf.set(options, (rules = compilePolicies(options)));
  return rules;
}

/** Policies by the options object they come from (the configuration's, the same for every file): compiled once, not per file. */
const policiesOf = new WeakMap<object, PolicyRule[]>();

function compilePolicies(options: Readonly<Record<string, unknown>>): PolicyRule[] {
  const raw = (options['policies'] ?? {}) as Record<string, unknown>;
  const rules: PolicyRule[] = [];
  for (const [pattern, value] of Object.entries(raw)) {
    if (value !== 'hash-pin' && value !== 'ref-pin' && value !== 'any') continue;
    rules.push({ pattern, re: compileGlob(pattern.toLowerCase()), policy: value });
  }
  return rules.sort((a, b) => specificity(b.pattern) - specificity(a.pattern));
}

function specificity(p: string): number {
  return (p.includes('*') ? 0 : 1000) + p.length;
}

function policyFor(ref: ExternalRef, rules: PolicyRule[]): { policy: Policy; pattern?: string } {
  const name = `${ref.name}${ref.path ? '/' + ref.path : ''}`.toLowerCase();
  for (const r of rules) if (r.re.test(name) || r.re.test(ref.name.toLowerCase())) return { policy: r.policy, pattern: r.pattern };
  return { policy: 'hash-pin' };
}

/** `1.2.3` or `0.10`: a specific release, less likely to move than `main` or `v1`. */
function exactVersion(v: string | undefined): boolean {
  return v !== undefined && /^v?\d+\.\d+(\.\d+)?$/.test(v);
}

/** Actions published by GitHub itself: a moved tag there is less likely than on a personal repository. */
const FIRST_PARTY = /^(actions|github)\//i;

export default defineRule({
  meta: {
    id: 'unpinned-uses',
    title: 'Action or reusable workflow not pinned to a commit',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'dagger'],
    fixable: true,
    docs: {
      description:
        'A tag or branch is a movable pointer: whoever controls the action\'s repository (or steals its maintainer\'s credentials, as in the tj-actions/changed-files compromise) can point it at new code, which then runs in your workflow with your secrets. Only a full commit SHA is immutable.',
      bad: '- uses: some-org/setup-tool@v2',
      good: '- uses: some-org/setup-tool@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v2.1.0',
      remedy: 'Pin to the full 40-character commit SHA of the release, with the version in a comment (`@<sha> # v2.1.0`); let Dependabot or Renovate update the pins. `pipewarden fix --online` does the pinning for GitHub actions (commits kept in `.pipewarden/pins.lock.json`). Per-owner exceptions go in `.pipewarden.yml` under `rules.unpinned-uses.options.policies`.',
    },
  },
  validateOptions(options) {
    const known = new Set(['policies']);
    const extra = Object.keys(options).find((k) => !known.has(k));
    if (extra) return `unknown option \`${extra}\` (expected policies)`;
    const policies = options['policies'];
    if (policies === undefined) return undefined;
    if (typeof policies !== 'object' || policies === null || Array.isArray(policies)) return '`policies` must map owner/repo patterns to hash-pin, ref-pin or any';
    for (const [pattern, value] of Object.entries(policies)) {
      if (value !== 'hash-pin' && value !== 'ref-pin' && value !== 'any') return `policy for \`${pattern}\` must be hash-pin, ref-pin or any (got \`${String(value)}\`)`;
    }
    return undefined;
  },
  check({ pipeline, report, options, external }) {
    if (pipeline.platform === 'dagger') checkDaggerEngine(pipeline, report);
    const rules = readPolicies(options);
    // GitLab's own templates, looked up once (asking the include list for each reference was quadratic in includes).
    let templates: Set<ExternalRef | undefined> | undefined;
    for (const ref of pipeline.references) {
      if (ref.kind !== 'action' && ref.kind !== 'reusable-workflow' && ref.kind !== 'bundle' && ref.kind !== 'module' && ref.kind !== 'include' && ref.kind !== 'library') continue;
      if (ref.pin === 'local' || ref.pin === 'dynamic' || ref.pin === 'hash' || ref.pin === 'digest') continue;
      const { policy, pattern } = policyFor(ref, rules);
      if (policy === 'any') continue;
      if (policy === 'ref-pin' && ref.pin === 'tag') continue;
      const what = { action: 'action', 'reusable-workflow': 'reusable workflow', bundle: 'Tekton bundle', module: 'remote task' }[ref.kind as string] ?? ref.kind;
      if (ref.kind === 'library') {
        report({
          span: ref.span,
          message: ref.pin === 'unpinned' ? `shared library \`${ref.raw}\` has no version: it loads whatever default the Jenkins administrator configured, often a branch` : `shared library \`${ref.raw}\` is loaded at \`${ref.version ?? ''}\`, a ref that can be moved`,
          ...(ref.pin === 'unpinned' ? { severity: 'medium' as const, confidence: 'medium' as const } : {}),
          remedy: 'Load the library at a full commit SHA (`@Library(\'lib@<sha>\')`), and keep "Allow default version to be overridden" off for untrusted libraries.',
        });
        continue;
      }
      if (ref.kind === 'include') {
        // GitLab's own templates ship with the GitLab version in use.
        templates ??= new Set((gitlabPipelineInfo(pipeline)?.includes ?? []).filter((i) => i.kind === 'template').map((i) => i.ref));
        if (templates.has(ref)) continue;
        const remote = /^https?:/.test(ref.name);
        report({
          span: ref.span,
          message: remote
            ? `remote include \`${ref.raw}\` has no \`integrity:\` hash: whoever controls that URL changes your pipeline`
            : ref.pin === 'unpinned'
              ? `include \`${ref.raw}\` has no version: it follows the default branch or the latest release`
              : `include \`${ref.raw}\` is pinned to \`${ref.version ?? ''}\`, which can be moved; pin a full commit SHA`,
          remedy: remote ? 'Add `integrity: sha256-…` to the remote include, or vendor the file.' : 'Pin `ref:` (project includes) or the component version to a full commit SHA.',
          ...(exactVersion(ref.version) ? { severity: 'medium' as const } : {}),
        });
        continue;
      }
      if (ref.kind === 'bundle' || ref.kind === 'module') {
        report({
          span: ref.span,
          message: ref.pin === 'unpinned' ? `${pipeline.platform === 'dagger' ? 'Dagger module' : what} \`${ref.raw}\` has no revision: it runs whatever the source serves` : `${pipeline.platform === 'dagger' ? 'Dagger module' : what} \`${ref.raw}\` is not pinned by ${ref.kind === 'bundle' ? 'digest' : 'commit'}`,
          remedy: ref.kind === 'bundle' ? 'Reference the bundle by digest (`…@sha256:…`).' : 'Pin the git resolver `revision` to a full commit SHA.',
          ...(exactVersion(ref.version) ? { severity: 'medium' as const } : {}),
        });
        continue;
      }
      if (ref.pin === 'unpinned') {
        report({ span: ref.span, message: `${what} \`${ref.raw.trim()}\` has no ref at all: it runs whatever the default branch holds` });
        continue;
      }
      const by = pattern ? ` (policy \`${pattern}: ${policy}\`)` : '';
      // `pipewarden fix` resolves tags to commits (lock file or --online) before the scan.
      const pin = pipeline.platform === 'gha' && ref.owner && ref.repo && ref.version ? external?.pins?.get(pinKey(ref.owner, ref.repo, ref.version)) : undefined;
      const fix = pin ? pinFix(pipeline, ref, pin) : undefined;
      report({
        ...(fix ? { fix } : {}),
        span: ref.span,
        message: `${what} \`${ref.raw.trim()}\` is pinned to \`${ref.version}\`, a ref that can be moved${by}; pin a full commit SHA`,
        severity: FIRST_PARTY.test(ref.name) ? 'medium' : 'high',
      });
    }
  },
});

/** A Dagger module without `engineVersion` (or `latest`) runs on whatever engine the caller has. */
function checkDaggerEngine(pipeline: Pipeline, report: RuleContext['report']): void {
  const y = yamlOf(pipeline);
  const root = pipeline.document.contents;
  const node = y.get(root, 'engineVersion');
  const v = y.str(node);
  if (v && v !== 'latest') return;
  report({
    span: node ? y.span(node) : pipeline.name?.span ?? pipeline.file.lineSpan(1),
    message: v ? 'the module asks for the `latest` Dagger engine' : 'the module names no `engineVersion`, so it runs on whatever engine the caller has',
    severity: 'low',
    remedy: 'Set `engineVersion` to the engine release the module is tested with.',
  });
}
