/**
 * Local composite actions (`uses: ./path`) and reusable workflows
 * (`uses: ./.github/workflows/x.yml`) read from the same repository, so
 * rules can follow a caller's `with:` values into the callee's scripts.
 * The scan engine loads them; rules only read `calleeOf(ref)`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseYaml } from '../../core/yaml.js';
import type { ExternalRef, Pipeline } from '../../model/pipeline.js';
import { SourceFile } from '../../model/source.js';
import { buildAction, buildWorkflow } from './build.js';
import { FileScopedMap } from '../../core/file-scoped.js';

const callees = new FileScopedMap<ExternalRef, Pipeline>();

export function calleeOf(ref: ExternalRef | undefined): Pipeline | undefined {
  return ref ? callees.get(ref) : undefined;
}

/** The repository root of a workflow (`<root>/.github/workflows/x.yml`) or action file, when it can be told. */
function repositoryRoot(absPath: string): string | undefined {
  const parts = absPath.split(path.sep);
  const i = parts.lastIndexOf('.github');
  return i > 0 ? parts.slice(0, i).join(path.sep) : undefined;
}

/**
 * Loads the local callees of a pipeline's references (one level deep). A
 * callee that cannot be read or parsed is skipped: it is scanned on its own.
 */
export function attachLocalCallees(pipeline: Pipeline, display: (abs: string) => string, cache?: Map<string, Pipeline | null>): void {
  const abs = pipeline.file.absPath;
  if (!abs) return;
  const root = repositoryRoot(abs);
  if (!root) return;
  for (const ref of pipeline.references) {
    if (ref.pin !== 'local' || !ref.path) continue;
    const rel = ref.path.replace(/^\$\//, './');
    let target = path.resolve(root, rel);
    if (!target.startsWith(root + path.sep)) continue;
    if (ref.kind === 'action') {
      const candidate = ['action.yml', 'action.yaml'].map((n) => path.join(target, n)).find((f) => existsSync(f));
      if (!candidate) continue;
      target = candidate;
    }
    // One shared action is called from many workflows: within a scan it is read and built once.
    const key = `${ref.kind}\0${target}`;
    let callee = cache?.get(key);
    if (callee === undefined) {
      callee = loadCallee(target, ref.kind === 'action', display);
      cache?.set(key, callee);
    }
    if (callee) callees.set(ref, callee);
  }
}

/**
 * Offers a local action or reusable workflow that the scan has just built from
 * its own file to the callers that come after it (discovery order puts
 * `.github/actions/` before `.github/workflows/`), so it is not read and built
 * a second time. Kept only when it is what `loadCallee` would have built: the
 * same path and name, the whole file valid UTF-8 and within the callee size
 * limit, built from its first document.
 */
export function offerScannedCallee(
  pipeline: Pipeline,
  built: { asAction: boolean; fromFirstDocument: boolean; validUtf8: boolean },
  display: (abs: string) => string,
  cache: Map<string, Pipeline | null> | undefined,
): void {
  const abs = pipeline.file.absPath;
  if (!cache || !abs || !built.fromFirstDocument || !built.validUtf8 || pipeline.platform !== 'gha') return;
  const kind = built.asAction ? (/^action\.ya?ml$/.test(path.basename(abs)) ? 'action' : undefined) : pipeline.kind === 'reusable-workflow' ? 'reusable-workflow' : undefined;
  if (!kind || display(abs) !== pipeline.file.path) return;
  const { text, hadBom } = pipeline.file;
  const bom = hadBom ? 3 : 0;
  // A UTF-16 unit is at most three UTF-8 bytes: most files need no count.
  if (text.length * 3 + bom > CALLEE_MAX_BYTES && Buffer.byteLength(text) + bom > CALLEE_MAX_BYTES) return;
  cache.set(`${kind}\0${abs}`, pipeline);
}

const CALLEE_MAX_BYTES = 2 * 1024 * 1024;

function loadCallee(target: string, isAction: boolean, display: (abs: string) => string): Pipeline | null {
  try {
    const st = statSync(target);
    if (!st.isFile() || st.size > CALLEE_MAX_BYTES) return null;
    const file = new SourceFile(display(target), readFileSync(target, 'utf8'), target);
    const { docs, problems } = parseYaml(file);
    if (problems.some((p) => p.fatal) || !docs[0]) return null;
    return (isAction ? buildAction(docs[0]) : buildWorkflow(docs[0])).pipeline ?? null;
  } catch {
    /* unreadable or too deep: the callee is reported when scanned itself */
    return null;
  }
}
