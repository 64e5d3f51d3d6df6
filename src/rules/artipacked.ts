import { firstLaterSteps, input, isAction, isCheckout, tokenCanWrite } from '../platforms/github/steps.js';
import type { Fix, TextEdit } from '../model/finding.js';
import type { Pipeline, Step } from '../model/pipeline.js';
import type { YamlNode } from '../core/yaml.js';
import { appendToMap, insertBefore, isBlockMap, pathOf, replaceScalar } from '../fix/yaml-edits.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

/** Upload paths that include the checkout's `.git` folder. */
const WHOLE_TREE = /^\s*(\.\/?|\$\{\{\s*github\.workspace\s*\}\}\/?|\*\*?\/?\*?|)\s*$/;

export default defineRule({
  meta: {
    id: 'artipacked',
    title: 'Checkout leaves the token in .git/config',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha'],
    fixable: true,
    docs: {
      description:
        '`actions/checkout` writes the job\'s token into `.git/config` unless `persist-credentials: false` is set. Every later step, including third-party actions, can read it, and a step that uploads the working tree as an artifact publishes it to anyone who can download artifacts.',
      bad: '- uses: actions/checkout@<sha>\n- uses: actions/upload-artifact@<sha>\n  with:\n    path: .',
      good: '- uses: actions/checkout@<sha>\n  with:\n    persist-credentials: false',
      remedy: 'Set `persist-credentials: false` on `actions/checkout`; steps that push can configure credentials explicitly for just that command.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      // Made for the job's first checkout that keeps its credentials, for all of them.
      let uploads: Map<Step, Step | undefined> | undefined;
      let gitAuth: Map<Step, Step | undefined> | undefined;
      for (const step of job.steps) {
        if (!isCheckout(step)) continue;
        const persist = input(step, 'persist-credentials');
        if (persist && /^\s*false\s*$/i.test(persist.value.value)) continue;
        uploads ??= firstLaterSteps(job, uploadsWholeTree);
        gitAuth ??= firstLaterSteps(job, (s) => USES_GIT_AUTH.test(s.script?.text ?? ''));
        const upload = uploads.get(step);
        // upload-artifact 4.4 and later leave out hidden files (.git included) unless told otherwise.
        const uploadsGit = upload !== undefined && (/^\s*true\s*$/i.test(input(upload, 'include-hidden-files')?.value.value ?? '') || /^v?([1-3]|4\.[0-3])(\.|$)/.test(upload.uses?.version ?? ''));
        const at = persist ? persist.value.span : step.uses!.span;
        // A read-only token in a public repository grants little; a write token can push code.
        const writes = tokenCanWrite(pipeline, job);
        const fix = persistFix(pipeline, step, gitAuth.get(step) !== undefined);
        report({
          ...(fix ? { fix } : {}),
          span: at,
          message: uploadsGit
            ? `checkout keeps the token in .git/config and step ${upload!.index + 1} uploads the working tree with it`
            : `checkout keeps the job token${writes ? ', which may be able to write,' : ''} in .git/config, readable by every later step`,
          severity: uploadsGit ? 'high' : writes ? 'medium' : 'low',
          confidence: uploadsGit ? 'high' : 'medium',
        });
      }
    }
  },
});

/** Later steps that push or fetch with git need the persisted credentials: the fix then changes behaviour. */
const USES_GIT_AUTH = /\bgit\s+(push|fetch|pull|ls-remote|submodule)\b|\bgh\s+(pr|release|api)\b/;

/** Whether the step uploads the working tree (`.` or the workspace) as an artifact. */
function uploadsWholeTree(s: Step): boolean {
  if (!isAction(s, 'actions/upload-artifact')) return false;
  const path = input(s, 'path');
  return path !== undefined && path.value.value.split('\n').some((line) => WHOLE_TREE.test(line) && line.trim() !== '');
}

/** `laterGitAuth`: a later step pushes or fetches with git, and needs the persisted credentials. */
function persistFix(pipeline: Pipeline, step: Step, laterGitAuth: boolean): Fix | undefined {
  const y = yamlOf(pipeline);
  const file = pipeline.file;
  if (!isBlockMap(step.node)) return undefined;
  const safety = laterGitAuth ? 'unsafe' : 'safe';
  const withPair = y.pair(step.node, 'with');
  const persist = withPair ? y.pair(withPair.value, 'persist-credentials') : undefined;
  let edit: TextEdit | undefined;
  if (persist) edit = replaceScalar(persist.value as YamlNode, 'false');
  else if (withPair && isBlockMap(withPair.value as YamlNode)) edit = appendToMap(file, withPair.value as YamlNode, 'persist-credentials', 'false');
  else if (!withPair) {
    const usesPair = y.pair(step.node, 'uses');
    if (usesPair) edit = insertBefore(file, usesPair, ['with:', '  persist-credentials: false']);
  }
  const stepPath = pathOf(pipeline.document.contents as YamlNode | null, step.node);
  if (!edit || !stepPath) return undefined;
  return { description: 'set `persist-credentials: false` on actions/checkout', safety, edits: [edit], targets: [[...stepPath, 'with', persist ? String((persist.key as { value?: unknown }).value) : 'persist-credentials']] };
}
