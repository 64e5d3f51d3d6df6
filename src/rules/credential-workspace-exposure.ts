import { unlessTooLarge, type YamlNode } from '../core/yaml.js';
import type { Pipeline } from '../model/pipeline.js';
import { groupBy, type ProjectIndex } from '../platforms/kube/project.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

/** Workspace names that say "credentials live here" (git-clone's ssh-directory and basic-auth, docker config …). */
const CREDENTIAL_NAME = /cred|secret|ssh|docker-?config|basic-auth|auth|token|kubeconfig|netrc|gpg|sign|key/i;
/** Tasks that run the project's own code or build scripts. */
const USER_CODE = /build|test|lint|compile|make|unit|e2e|check|script|run|npm|yarn|maven|gradle|golang|go-|python|pytest|tox|bazel|cargo/i;

interface Binding {
  task: string;
  taskWorkspace: string;
  taskRef: string;
  node: YamlNode;
  userCode: boolean;
}

/** The scan's PipelineRuns, and where each stands among them by the pipeline it names (`pipelineRef.name`). */
interface RunTable {
  runs: Pipeline[];
  byRef: Map<string | undefined | typeof UNREADABLE, number[]>;
  at: Map<Pipeline, number>;
}

function runTable(index: ProjectIndex): RunTable {
  const runs = index.ofKind('PipelineRun');
  // A run whose reference cannot be read (an alias bomb, reported with its file) is filed under
  // UNREADABLE, which no pipeline's name looks up.
  const byRef = groupBy(runs.keys(), (i) =>
    unlessTooLarge(() => {
      const y = yamlOf(runs[i]!);
      return y.str(y.get(y.get(y.get(runs[i]!.kube!.objectNode, 'spec'), 'pipelineRef'), 'name'));
    }, UNREADABLE),
  );
  return { runs, byRef, at: new Map(runs.map((run, i) => [run, i])) };
}

const UNREADABLE = Symbol('unreadable');

/** Pipeline workspaces bound to a Secret by a run that uses this pipeline (or by the run itself, for an embedded spec). */
function secretBacked(table: RunTable, pipeline: Pipeline): Map<string, Pipeline> {
  const out = new Map<string, Pipeline>();
  const matching = table.byRef.get(pipeline.kube?.name?.value) ?? [];
  const own = table.at.get(pipeline);
  // In the runs' order: a later run binding the same workspace name is the one reported.
  const order = own === undefined || matching.includes(own) ? matching : [...matching, own].sort((a, b) => a - b);
  for (const i of order) {
    const run = table.runs[i]!;
    const y = yamlOf(run);
    // Workspaces past an alias bomb in a run (its file reports it) cannot be told; those before it count.
    unlessTooLarge(() => {
      for (const w of y.items(y.get(y.get(run.kube!.objectNode, 'spec'), 'workspaces'))) {
        if (y.get(w, 'secret') !== null) out.set(y.str(y.get(w, 'name')) ?? '', run);
      }
    }, undefined);
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'credential-workspace-exposure',
    title: 'Credential workspace shared with a task that runs user code',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-6',
    platforms: ['tekton'],
    fixable: false,
    docs: {
      description:
        'Tekton workspaces are shared volumes. When a workspace that holds credentials (bound to a Secret, or used by a task as its ssh, auth or docker-config workspace) is also bound to a task that builds or tests the project\'s code, that code can read the credentials and send them anywhere: the seed\'s adversary 2.',
      bad: 'tasks:\n  - name: clone\n    taskRef: {name: git-clone}\n    workspaces:\n      - {name: ssh-directory, workspace: shared}\n  - name: build\n    taskRef: {name: user-build}\n    workspaces:\n      - {name: source, workspace: shared}',
      good: 'tasks:\n  - name: clone\n    taskRef: {name: git-clone}\n    workspaces:\n      - {name: ssh-directory, workspace: git-credentials}\n      - {name: output, workspace: source}\n  - name: build\n    taskRef: {name: user-build}\n    workspaces:\n      - {name: source, workspace: source}',
      remedy: 'Keep credentials in a workspace of their own, bound only to the trusted tasks that use them (clone, push, sign); give build and test tasks the source workspace alone.',
    },
  },
  check() {},
  checkProject({ index, report }) {
    let runs: RunTable | undefined;
    for (const p of index.ofKind('Pipeline', 'PipelineRun')) {
      if (p.platform !== 'tekton') continue;
      const y = yamlOf(p);
      const spec = y.get(p.kube!.objectNode, 'spec');
      const pipelineSpec = p.kube!.kind === 'PipelineRun' ? y.get(spec, 'pipelineSpec') : spec;
      if (!pipelineSpec) continue;
      const byWorkspace = new Map<string, Binding[]>();
      for (const key of ['tasks', 'finally']) {
        for (const t of y.items(y.get(pipelineSpec, key))) {
          const task = y.str(y.get(t, 'name')) ?? '';
          const taskRef = y.str(y.get(y.get(t, 'taskRef'), 'name')) ?? '';
          const scripts = y.items(y.get(y.get(t, 'taskSpec'), 'steps')).some((s) => y.get(s, 'script') !== null);
          for (const w of y.items(y.get(t, 'workspaces'))) {
            const ws = y.str(y.get(w, 'workspace'));
            if (!ws) continue;
            const taskWorkspace = y.str(y.get(w, 'name')) ?? '';
            const userCode = (USER_CODE.test(task) || USER_CODE.test(taskRef) || scripts) && !CREDENTIAL_NAME.test(taskWorkspace);
            const list = byWorkspace.get(ws) ?? [];
            list.push({ task, taskWorkspace, taskRef, node: w, userCode });
            byWorkspace.set(ws, list);
          }
        }
      }
      const secrets = secretBacked((runs ??= runTable(index)), p);
      for (const [ws, list] of byWorkspace) {
        const credentialUse = list.find((b) => CREDENTIAL_NAME.test(b.taskWorkspace)) ?? (secrets.has(ws) || CREDENTIAL_NAME.test(ws) ? list[0] : undefined);
        if (!credentialUse) continue;
        const secretRun = secrets.get(ws);
        for (const b of list) {
          if (b === credentialUse || !b.userCode) continue;
          const why = secretRun ? `is backed by a Secret in ${secretRun.kube!.kind} \`${secretRun.kube!.name?.value ?? ''}\`` : `holds credentials for task \`${credentialUse.task}\` (as \`${credentialUse.taskWorkspace}\`)`;
          report(p, {
            span: y.span(b.node),
            message: `workspace \`${ws}\` ${why} and is also bound to task \`${b.task}\`, which runs the project's code`,
            related: [
              { file: p.file.path, span: y.span(credentialUse.node), message: `task \`${credentialUse.task}\` uses \`${ws}\` for credentials` },
              ...(secretRun ? [{ file: secretRun.file.path, span: secretRun.kube!.span, message: `${secretRun.kube!.kind} binds \`${ws}\` to a Secret` }] : []),
            ],
          });
        }
      }
    }
  },
});
