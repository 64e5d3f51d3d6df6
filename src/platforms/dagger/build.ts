/**
 * `dagger.json` → the model: module dependencies are external references with
 * a pin state (`source: github.com/org/mod@<sha>` is pinned; a tag or no
 * version is not). JSON is YAML, so the YAML reader gives exact positions.
 */
import { isMap } from '../../core/yaml-nodes.js';
import { isCommitSha } from '../../core/refs.js';
import type { YamlDoc } from '../../core/yaml.js';
import type { ExternalRef, Pipeline, PinState } from '../../model/pipeline.js';
import type { SourceFile, Span } from '../../model/source.js';
import { FileScopedMap } from '../../core/file-scoped.js';


export function daggerRef(source: string, span: Span): ExternalRef {
  const at = source.lastIndexOf('@');
  const name = at > 0 ? source.slice(0, at) : source;
  const version = at > 0 ? source.slice(at + 1) : undefined;
  // Local modules (relative paths) are part of the repository.
  const local = !/^[a-z0-9.-]+\.[a-z]{2,}\//i.test(source);
  const pin: PinState = local ? 'local' : !version ? 'unpinned' : isCommitSha(version) ? 'hash' : 'tag';
  const ref: ExternalRef = { kind: 'module', raw: source, span, name, pin };
  if (version) ref.version = version;
  return ref;
}

/** A module source file (TypeScript, Go, Python) as read from disk, for checks on how it handles secrets. */
export interface DaggerSource {
  file: SourceFile;
}

const daggerSources = new FileScopedMap<Pipeline, DaggerSource[]>();

export function daggerSourcesOf(p: Pipeline): DaggerSource[] {
  return daggerSources.get(p) ?? [];
}

/** The module's source folder (`source` in dagger.json, default the folder itself), relative to dagger.json. */
export function daggerSourceDir(y: YamlDoc): string {
  return y.str(y.get(y.contents, 'source')) ?? '.';
}

export function attachDaggerSources(p: Pipeline, sources: DaggerSource[]): void {
  daggerSources.set(p, sources);
}

export function buildDagger(y: YamlDoc): { pipeline: Pipeline | null; problems: { message: string; span: Span }[] } {
  const root = y.contents;
  if (!root || !isMap(root)) return { pipeline: null, problems: [{ message: 'dagger.json must be an object', span: y.span(root) }] };
  const references: ExternalRef[] = [];
  for (const dep of y.items(y.get(root, 'dependencies'))) {
    const sourceNode = y.get(dep, 'source');
    const source = y.str(sourceNode);
    if (source) references.push(daggerRef(source, y.span(sourceNode)));
  }
  const nameNode = y.get(root, 'name');
  const name = y.str(nameNode);
  const pipeline: Pipeline = {
    platform: 'dagger', kind: 'module', file: y.file, triggers: [], env: [], jobs: [], references, expressions: [], inputs: new Map(), document: y.doc,
    ...(name ? { name: { value: name, span: y.span(nameNode) } } : {}),
  };
  return { pipeline, problems: [] };
}
