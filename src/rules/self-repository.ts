import { repositoryIdentity } from '../platforms/github/identity.js';
import { defineRule } from './types.js';

const REPO_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export default defineRule({
  meta: {
    id: 'self-repository',
    title: "Workflow runs its own repository's actions from another revision",
    severity: 'low',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        "`uses: my-org/my-repo/.github/actions/build@main` in a workflow of `my-org/my-repo` runs the action as it is on `main`, not as it is in the commit under test: a pull request that changes the action is checked with the old one, a release built from a tag runs whatever `main` holds today, and anyone who can push to that branch changes every branch's builds. `./.github/actions/build` (or `./.github/workflows/x.yml` for a reusable workflow) runs the checked-out revision. The repository's own name comes from the `repository` option (`rules.self-repository.options.repository: owner/name` in `.pipewarden.yml`), else the github.com remotes in the clone's `.git/config`, else `github.repository == 'owner/name'` guards in the workflow; with none of these the rule is silent, since a folder name says nothing about the repository. Composite actions are left out: inside an action, `./` names the caller's workspace, so a remote reference is the only way to reach a sibling action. A reference pinned to a commit, and the repository's root action (often a deliberate test of the released version), are reported for pedantic readers only.",
      bad: '# in my-org/my-repo\n- uses: my-org/my-repo/.github/actions/build@main',
      good: '- uses: actions/checkout@<sha>\n- uses: ./.github/actions/build',
      remedy: 'Reference the action or reusable workflow by its local path: `./.github/actions/x` after `actions/checkout`, or `./.github/workflows/x.yml` (reusable workflows need no checkout).',
    },
  },
  validateOptions(options) {
    for (const [k, v] of Object.entries(options)) {
      if (k !== 'repository') return `unknown option \`${k}\` (expected repository)`;
      if (typeof v !== 'string' || !REPO_NAME.test(v)) return '`repository` must be `owner/name`';
    }
    return undefined;
  },
  check({ pipeline, report, options }) {
    if (pipeline.kind !== 'workflow' && pipeline.kind !== 'reusable-workflow') return;
    const configured = typeof options['repository'] === 'string' && REPO_NAME.test(options['repository']) ? options['repository'].toLowerCase() : undefined;
    const identity = configured ? { names: new Set([configured]), source: 'config' as const } : repositoryIdentity(pipeline);
    if (!identity) return;
    for (const ref of pipeline.references) {
      if ((ref.kind !== 'action' && ref.kind !== 'reusable-workflow') || !ref.owner || !ref.repo) continue;
      if (ref.pin === 'local' || ref.pin === 'dynamic') continue;
      const name = `${ref.owner}/${ref.repo}`.toLowerCase();
      if (!identity.names.has(name)) continue;
      const local = `./${ref.path ?? ''}`;
      const pinned = ref.pin === 'hash';
      report({
        span: ref.span,
        message: `\`${ref.raw.trim()}\` runs this repository's ${ref.kind === 'action' ? 'action' : 'reusable workflow'} as of \`${ref.version ?? 'the default branch'}\`, not the revision under test; use \`${local}\``,
        // A guard in the file is good evidence of the name, a remote or the config is certain.
        ...(identity.source === 'condition' ? { confidence: 'medium' as const } : {}),
        ...(pinned ? { severity: 'info' as const, persona: 'pedantic' as const } : {}),
        // The repository's root action at a release tag is often a deliberate test of what users get.
        ...(!pinned && !ref.path ? { persona: 'pedantic' as const } : {}),
      });
    }
  },
});
