import { isMap, isScalar, isSeq } from '../core/yaml-nodes.js';
import type { Node as YamlNode, Pair } from 'yaml';
import { findTokens, isSecretKey, looksLikeSecretValue } from '../core/secrets.js';
import { yamlOf } from '../platforms/kube/security.js';
import type { Pipeline } from '../model/pipeline.js';
import type { Span } from '../model/source.js';
import { fileOf } from '../platforms/gitlab/build.js';
import { dockerInfo } from '../platforms/docker/build.js';
import { defineRule, type RuleContext } from './types.js';

/** Keys under which literal passwords are test fixtures, not credentials (service containers for tests). */
function underServices(path: string[]): boolean {
  return path.includes('services');
}

export default defineRule({
  meta: {
    id: 'hardcoded-credentials',
    title: 'Credential written into the pipeline definition',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s', 'docker'],
    fixable: false,
    docs: {
      description:
        'A token, key or password written in a pipeline file is readable by everyone who can read the repository, stays in its history forever, and is not masked in logs. Known token formats are reported with high confidence; values under secret-named keys with medium confidence.',
      bad: 'env:\n  NPM_TOKEN: npm_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
      good: 'env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}',
      remedy: 'Revoke the credential now (it is in the history), store the new one in the platform\'s secret store, and reference it (`${{ secrets.NAME }}`).',
    },
  },
  check({ pipeline, report }) {
    // Secret objects hold credentials by design; their values are never read or shown.
    if (pipeline.kube?.kind === 'Secret') return;
    if (pipeline.platform === 'jenkins' || pipeline.platform === 'docker') return checkModelValues(pipeline, report);
    const y = yamlOf(pipeline);
    const file = pipeline.file;
    let budget = 200_000;
    // One path, extended and cut back as the walk goes (copying it per key made most of this rule's garbage).
    const path: string[] = [];
    const visitNode = (node: unknown, depth: number): void => {
      if (--budget < 0 || depth > 100 || node === null || node === undefined) return;
      // Aliases are visited where their anchor is written, not again here.
      if (isScalar(node)) {
        if (typeof node.value !== 'string' || !node.range) return;
        const value = node.value;
        // Indexed loops here and below: without TurboFan inlining (see v8-tuning) every for-of made an
        // iterator and a result per step, for every scalar and collection of every file (~40 MB at 12,000 files).
        const tokens = findTokens(value);
        for (let i = 0; i < tokens.length; i++) {
          const t = tokens[i]!;
          const r = node.range;
          const raw = file.text.slice(r[0], r[1]);
          const piece = value.slice(t.index, t.index + t.length);
          const at = raw.indexOf(piece);
          const span = at >= 0 ? file.span(r[0] + at, r[0] + at + piece.length) : y.span(node);
          report({ span, message: `${t.kind} written in the definition${path.length ? ` (under \`${path.join('.')}\`)` : ''}` });
        }
        return;
      }
      if (isMap(node)) {
        // Kubernetes env entries: `- name: DB_PASSWORD` beside `value: <literal>`.
        let nameNode: unknown;
        let valuePair: Pair | undefined;
        const items = node.items as Pair[];
        for (let i = 0; i < items.length; i++) {
          const k = items[i]!.key;
          if (!isScalar(k)) continue;
          if (k.value === 'name' && nameNode === undefined) nameNode = items[i]!.value;
          else if (k.value === 'value' && valuePair === undefined) valuePair = items[i];
        }
        if (isScalar(nameNode) && typeof nameNode.value === 'string' && valuePair && isScalar(valuePair.value) && typeof valuePair.value.value === 'string') {
          const v = valuePair.value as YamlNode & { value: string };
          if (isSecretKey(nameNode.value) && looksLikeSecretValue(v.value) && findTokens(v.value).length === 0) {
            report({ span: y.span(v), message: `\`${nameNode.value}\` holds a literal value that looks like a credential`, confidence: 'medium' });
          }
        }
        for (let i = 0; i < items.length; i++) {
          const p = items[i]!;
          const key = isScalar(p.key) ? String(p.key.value) : '';
          const v = p.value as YamlNode | null;
          if (isScalar(v) && typeof v.value === 'string' && isSecretKey(key) && !underServices(path) && looksLikeSecretValue(v.value) && findTokens(v.value).length === 0) {
            report({ span: y.span(v), message: `\`${key}\` holds a literal value that looks like a credential`, confidence: 'medium' });
          }
          path.push(key);
          visitNode(v, depth + 1);
          path.pop();
        }
      } else if (isSeq(node)) {
        const items = node.items;
        for (let i = 0; i < items.length; i++) visitNode(items[i], depth + 1);
      }
    };
    // A file may hold many objects: visit only this object's subtree.
    visitNode(pipeline.kube?.objectNode ?? pipeline.document.contents, 0);
    // GitLab jobs from included files: their values come from the model (the walk above reads the root file only).
    if (pipeline.platform === 'gitlab') checkModelValues(pipeline, report, (span) => { const f = fileOf(span); return f !== undefined && f !== pipeline.file; });
  },
});

/** Platforms without a YAML document (Jenkins): environment values and scripts from the model. */
function checkModelValues(pipeline: Pipeline, report: RuleContext['report'], only: (span: Span) => boolean = () => true): void {
  const info = pipeline.platform === 'docker' ? dockerInfo(pipeline) : undefined;
  // Dockerfile ARG defaults end up in the image history just like ENV values.
  const args = info ? [...info.globalArgs, ...info.stages.flatMap((s) => s.args)] : [];
  const envs = [...pipeline.env, ...args, ...pipeline.jobs.flatMap((j) => [...j.env, ...j.steps.flatMap((s) => s.env)])];
  for (const e of envs) {
    if (!e.value || !only(e.value.span)) continue;
    const tokens = findTokens(e.value.value);
    if (tokens.length > 0) report({ span: e.value.span, message: `${tokens[0]!.kind} written in the definition (\`${e.name.value}\`)` });
    else if (isSecretKey(e.name.value) && looksLikeSecretValue(e.value.value)) report({ span: e.value.span, message: `\`${e.name.value}\` holds a literal value that looks like a credential`, confidence: 'medium' });
  }
  for (const s of pipeline.jobs.flatMap((j) => j.steps)) {
    const t = s.script && only(s.script.span) ? findTokens(s.script.text)[0] : undefined;
    if (t) report({ span: s.script!.span, message: `${t.kind} written in a script` });
  }
}
