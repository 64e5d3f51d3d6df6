import { unlessTooLarge, type YamlNode } from '../core/yaml.js';
import { severityRank, type RelatedLocation, type Severity } from '../model/finding.js';
import type { Pipeline, Str } from '../model/pipeline.js';
import type { ProjectIndex } from '../platforms/kube/project.js';
import { sameNamespace } from '../platforms/kube/project.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

interface Grant {
  severity: Severity;
  why: string;
  role?: Pipeline;
  at?: YamlNode;
}

const READ_VERBS = new Set(['get', 'list', 'watch', '*']);

/** What one role grants that a pipeline step must not have. */
function judgeRole(role: Pipeline, clusterWide: boolean): Grant[] {
  const y = yamlOf(role);
  const out: Grant[] = [];
  for (const rule of y.items(y.get(role.kube!.objectNode, 'rules'))) {
    const list = (key: string) => y.items(y.get(rule, key)).map((n) => (y.str(n) ?? '').toLowerCase());
    const verbs = list('verbs');
    const resources = list('resources');
    const names = list('resourceNames');
    const scope = clusterWide ? 'in every namespace' : 'in its namespace';
    if (verbs.includes('*') && resources.includes('*')) out.push({ severity: 'critical', why: `every verb on every resource ${scope}`, role, at: rule });
    else if (verbs.includes('*') || resources.includes('*')) {
      out.push({ severity: clusterWide ? 'critical' : 'high', why: `${verbs.includes('*') ? 'every verb' : `\`${verbs.join(', ')}\``} on ${resources.includes('*') ? 'every resource' : `\`${resources.join(', ')}\``} ${scope}`, role, at: rule });
    } else if (resources.includes('secrets') && verbs.some((v) => READ_VERBS.has(v)) && names.length === 0) {
      out.push({ severity: clusterWide ? 'critical' : 'medium', why: `reading any secret ${scope}`, role, at: rule });
    } else if (['pods/exec', 'pods/attach', 'nodes/proxy', 'serviceaccounts/token'].some((r) => resources.includes(r)) || (verbs.some((v) => ['escalate', 'bind', 'impersonate'].includes(v)))) {
      out.push({ severity: 'high', why: `\`${verbs.join(', ')}\` on \`${resources.join(', ')}\` (a path to other identities) ${scope}`, role, at: rule });
    }
  }
  return out;
}

/** Built-in cluster roles that are not in the scanned tree. */
function builtIn(name: string, clusterWide: boolean): Grant | undefined {
  if (name === 'cluster-admin') return { severity: 'critical', why: 'the built-in `cluster-admin` role: full control of the cluster' };
  if (name === 'admin' || name === 'edit') return { severity: clusterWide ? 'critical' : 'high', why: `the built-in \`${name}\` role, which reads and writes secrets ${clusterWide ? 'in every namespace' : 'in its namespace'}` };
  return undefined;
}

interface SaUse {
  pipeline: Pipeline;
  sa: Str;
  namespace?: string;
}

/** Objects that start pipeline pods; controllers and other workloads are out of scope. */
const PIPELINE_KINDS = new Set(['PipelineRun', 'TaskRun', 'Workflow', 'CronWorkflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate', 'EventListener', 'Sensor', 'EventSource']);

const LISTENERS = new Set(['EventListener', 'Sensor', 'EventSource']);

/** Every pipeline object that names the service account its pods run as. */
function uses(index: ProjectIndex): SaUse[] {
  const out: SaUse[] = [];
  for (const p of index.pipelines) {
    if (!p.kube || !PIPELINE_KINDS.has(p.kube.kind)) continue;
    const sa = p.kube.serviceAccount ?? p.jobs.find((j) => j.serviceAccount)?.serviceAccount;
    if (!sa || /\$\(|\{\{/.test(sa.value)) continue;
    out.push({ pipeline: p, sa, ...(p.kube.namespace ? { namespace: p.kube.namespace } : {}) });
  }
  return out;
}

/**
 * For each service account name, the bindings whose subjects name it, in
 * the index's order, each with those subjects in its own order: every run
 * looks up its account here instead of reading every binding's subjects.
 */
function bindingsBySubject(index: ProjectIndex): Map<string, { binding: Pipeline; subjects: YamlNode[] }[]> {
  const out = new Map<string, { binding: Pipeline; subjects: YamlNode[] }[]>();
  for (const binding of index.ofKind('RoleBinding', 'ClusterRoleBinding')) {
    const y = yamlOf(binding);
    // An alias bomb among the subjects (its file reports it): the subjects before it still count,
    // and the other bindings are still read.
    unlessTooLarge(() => {
      for (const s of y.items(y.get(binding.kube!.objectNode, 'subjects'))) {
        if (y.str(y.get(s, 'kind')) !== 'ServiceAccount') continue;
        const name = y.str(y.get(s, 'name'));
        if (name === undefined) continue;
        const list = out.get(name) ?? [];
        const last = list[list.length - 1];
        if (last?.binding === binding) last.subjects.push(s as YamlNode);
        else list.push({ binding, subjects: [s as YamlNode] });
        out.set(name, list);
      }
    }, undefined);
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'overprivileged-service-account',
    title: 'Pipeline service account can take over the cluster or read its secrets',
    severity: 'critical',
    confidence: 'high',
    owasp: 'CICD-SEC-5',
    platforms: ['tekton', 'argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'Every step of a run acts with the run\'s service account. Bound to `cluster-admin`, to wildcard verbs or resources, or to reading secrets cluster-wide, any step that runs attacker-influenced code (a pull request, a compromised image, an injected parameter) reads every secret of the cluster or takes it over. Findings follow the run to its account, its bindings and their roles across files.',
      bad: 'kind: ClusterRoleBinding\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: build-bot\n    namespace: ci',
      good: 'kind: Role\nrules:\n  - apiGroups: [""]\n    resources: ["secrets"]\n    resourceNames: ["registry-push-creds"]\n    verbs: ["get"]',
      remedy: 'Give each pipeline its own service account, bound by a RoleBinding in its namespace to a Role that names the exact secrets (`resourceNames`) and verbs it needs.',
    },
  },
  check() {},
  checkProject({ index, report }) {
    const runs = uses(index);
    if (runs.length === 0) return;
    const bySubject = bindingsBySubject(index);
    // Where each subject lives and what each binding grants are the same for every run of an account: worked out
    // once, when a run of the account first needs them. Read afresh for each run, 2,000 runs of an account that
    // 2,000 bindings name took 12 s. The bindings are also indexed by the namespaces of their subjects, so that a
    // run looks only at those of its namespace and those that name none (4,000 runs in as many namespaces: 4.8 s).
    interface AccountBindings {
      entries: { binding: Pipeline; subjects: YamlNode[]; namespaces: (string | undefined)[] }[];
      /** Entry positions by a subject's namespace, in order; and those with a subject of no namespace. */
      byNamespace: Map<string, number[]>;
      anyNamespace: number[];
    }
    const accounts = new Map<string, AccountBindings>();
    const bindingsOf = (account: string): AccountBindings => {
      let known = accounts.get(account);
      if (known) return known;
      known = { entries: [], byNamespace: new Map(), anyNamespace: [] };
      for (const { binding, subjects } of bySubject.get(account) ?? []) {
        const y = yamlOf(binding);
        const namespaces = subjects.map((s) => y.str(y.get(s, 'namespace')) ?? binding.kube!.namespace);
        const at = known.entries.push({ binding, subjects, namespaces }) - 1;
        if (namespaces.includes(undefined)) known.anyNamespace.push(at);
        for (const ns of new Set(namespaces)) {
          if (ns === undefined) continue;
          const list = known.byNamespace.get(ns);
          if (list) list.push(at);
          else known.byNamespace.set(ns, [at]);
        }
      }
      accounts.set(account, known);
      return known;
    };
    /** The positions of the entries that can bind an account in `namespace` (any, when it is not known), in order. */
    const candidates = (account: AccountBindings, namespace: string | undefined): number[] => {
      if (namespace === undefined) return account.entries.map((_, i) => i);
      const own = account.byNamespace.get(namespace) ?? [];
      return [...new Set([...own, ...account.anyNamespace])].sort((a, b) => a - b);
    };
    const granted = new Map<Pipeline, Grant[]>();
    const grantsOf = (b: Pipeline): Grant[] => {
      let found = granted.get(b);
      if (found) return found;
      const y = yamlOf(b);
      const roleRef = y.get(b.kube!.objectNode, 'roleRef');
      const roleKind = y.str(y.get(roleRef, 'kind')) ?? 'ClusterRole';
      const roleName = y.str(y.get(roleRef, 'name')) ?? '';
      const clusterWide = b.kube!.kind === 'ClusterRoleBinding';
      const roles = index.find([roleKind], roleName, roleKind === 'Role' ? b.kube!.namespace : undefined);
      found = roles.flatMap((r) => judgeRole(r, clusterWide));
      if (roles.length === 0) {
        const g = builtIn(roleName, clusterWide);
        if (g) found.push(g);
      }
      granted.set(b, found);
      return found;
    };
    type Granted = { grant: Grant; binding: Pipeline; subject: YamlNode; subjectNs: string | undefined }[];
    const grantedTo = (use: SaUse): Granted => {
      const grants: Granted = [];
      const account = bindingsOf(use.sa.value);
      for (const at of candidates(account, use.namespace)) {
        const entry = account.entries[at]!;
        const b = entry.binding;
        const k = entry.namespaces.findIndex((ns) => sameNamespace(ns, use.namespace));
        if (k < 0) continue;
        const subject = entry.subjects[k]!;
        // Every namespace has a `default` account: without a namespace on both sides the match is a guess.
        const subjectNs = entry.namespaces[k];
        if (use.sa.value === 'default' && (subjectNs === undefined || use.namespace === undefined) && b.file !== use.pipeline.file) continue;
        for (const grant of grantsOf(b)) grants.push({ grant, binding: b, subject, subjectNs });
      }
      grants.sort((a, b) => severityRank(b.grant.severity) - severityRank(a.grant.severity));
      return grants;
    };
    // Runs of one account in one namespace are granted the same: listed and sorted once (a list per run made
    // thousands of runs of an account that thousands of bindings name grow with the product).
    const byAccount = new Map<string, Granted>();
    for (const use of runs) {
      const key = JSON.stringify([use.sa.value, use.namespace ?? null, use.sa.value === 'default' ? use.pipeline.file.path : null]);
      let grants = byAccount.get(key);
      if (!grants) byAccount.set(key, (grants = grantedTo(use)));
      if (grants.length === 0) continue;
      const worst = grants[0]!;
      const related: RelatedLocation[] = [];
      for (const g of grants.slice(0, 5)) {
        related.push({ file: g.binding.file.path, span: yamlOf(g.binding).span(g.subject), message: `${g.binding.kube!.kind} \`${g.binding.kube!.name?.value ?? ''}\` binds \`${use.sa.value}\`` });
        if (g.grant.role && g.grant.at) related.push({ file: g.grant.role.file.path, span: yamlOf(g.grant.role).span(g.grant.at), message: `${g.grant.role.kube!.kind} \`${g.grant.role.kube!.name?.value ?? ''}\` grants ${g.grant.why}` });
      }
      report(use.pipeline, {
        span: use.sa.span,
        message: `${use.pipeline.kube!.kind} runs as \`${use.sa.value}\`, which ${worst.binding.kube!.kind} \`${worst.binding.kube!.name?.value ?? ''}\` grants ${worst.grant.why}`,
        // Listeners parse untrusted payloads but run no user code: one step below the runs themselves.
        severity: LISTENERS.has(use.pipeline.kube!.kind) && worst.grant.severity === 'critical' ? 'high' : worst.grant.severity,
        // Matched by name only (a namespace missing on one side): the binding may belong to another deployment.
        confidence: use.namespace !== undefined && worst.subjectNs !== undefined ? 'high' : 'medium',
        related,
      });
    }
  },
});
