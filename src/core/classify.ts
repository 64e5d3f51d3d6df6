/**
 * Which platform a file belongs to: by path convention first, by content
 * for YAML that stands elsewhere (so a corpus or a monorepo is scanned whole).
 */
import { isMap } from './yaml-nodes.js';
import type { Platform } from '../model/pipeline.js';
import type { YamlDoc } from './yaml.js';

export interface Classification {
  platform: Platform;
  kind: string;
}

/** Platforms and kinds that have a model and rules today; the others are listed as skipped. */
const IMPLEMENTED = new Set<string>(['gha:workflow', 'gha:action', 'gitlab:pipeline', 'jenkins:jenkinsfile', 'dependabot:dependabot', 'docker:dockerfile', 'dagger:module']);
/** Kubernetes-style platforms are read object by object, whatever the kinds in the file. */
const KUBE_PLATFORMS = new Set<string>(['tekton', 'argo', 'k8s']);

export function isImplemented(c: Classification): boolean {
  return KUBE_PLATFORMS.has(c.platform) || IMPLEMENTED.has(`${c.platform}:${c.kind}`);
}

export function isKube(c: Classification): boolean {
  return KUBE_PLATFORMS.has(c.platform);
}

/** Go/Helm templates are not YAML until rendered; they are skipped with a note, not reported as broken. */
export function looksLikeHelmTemplate(text: string): boolean {
  return /\{\{-?\s*(\.Values|\.Release|\.Chart|include\s|template\s|if\s|range\s|end\s*-?\}\}|toYaml|\$\.)/.test(text);
}

function base(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? relPath : relPath.slice(i + 1);
}

/** By path alone; `undefined` means "YAML: look inside", `null` means "not a pipeline file". */
export function classifyByPath(relPath: string): Classification | undefined | null {
  const p = relPath.replace(/\\/g, '/');
  const name = base(p);
  const lower = name.toLowerCase();
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i.test(p)) return { platform: 'gha', kind: 'workflow' };
  if (lower === 'action.yml' || lower === 'action.yaml') return { platform: 'gha', kind: 'action' };
  if (/(^|\/)\.github\/dependabot\.ya?ml$/i.test(p)) return { platform: 'dependabot', kind: 'dependabot' };
  if (lower === '.gitlab-ci.yml' || lower === '.gitlab-ci.yaml' || lower.endsWith('.gitlab-ci.yml')) return { platform: 'gitlab', kind: 'pipeline' };
  if (lower.startsWith('jenkinsfile') || lower.endsWith('.jenkinsfile')) return { platform: 'jenkins', kind: 'jenkinsfile' };
  // `Dockerfile`, `Dockerfile.prod`, `app.dockerfile`; not `dockerfileDefault.groovy` or other source files.
  if (((lower.startsWith('dockerfile') || lower.startsWith('containerfile')) && !/\.(groovy|ya?ml|json|md|txt|sh|py|go|js|ts)$/.test(lower)) || lower.endsWith('.dockerfile') || lower.endsWith('.containerfile')) {
    return { platform: 'docker', kind: 'dockerfile' };
  }
  if (lower === 'dagger.json') return { platform: 'dagger', kind: 'module' };
  if (lower.endsWith('.groovy')) return undefined;
  if (lower.endsWith('.yml') || lower.endsWith('.yaml')) return undefined;
  return null;
}

/** Groovy files go to the Jenkins reader, which tells a pipeline from a library or other script. */
export const GROOVY: Classification = { platform: 'jenkins', kind: 'jenkinsfile' };

/** YAML found outside the conventional paths, by the shape of its documents. */
export function classifyYaml(docs: YamlDoc[]): Classification | null {
  for (const y of docs) {
    const root = y.contents;
    if (!root || !isMap(root)) continue;
    const has = (k: string) => y.pair(root, k) !== undefined;
    if ((has('on') || has('true')) && has('jobs')) return { platform: 'gha', kind: 'workflow' };
    const apiVersion = y.str(y.get(root, 'apiVersion'));
    const kind = y.str(y.get(root, 'kind'));
    if (apiVersion && kind) {
      // A file may mix platforms (a Task next to its RBAC); the pipeline engine names it.
      const all = docs.map((d) => y.str(y.get(d.contents, 'apiVersion')) ?? '').join(' ');
      if (/tekton\.dev|pipelinesascode/.test(all)) return { platform: 'tekton', kind };
      if (/argoproj\.io/.test(all)) return { platform: 'argo', kind };
      return { platform: 'k8s', kind };
    }
  }
  return null;
}
