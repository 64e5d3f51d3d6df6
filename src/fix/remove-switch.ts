/**
 * Removing an environment switch (`ACTIONS_STEP_DEBUG: true`,
 * `ACTIONS_ALLOW_UNSECURE_COMMANDS: true`) from a definition: its whole line
 * goes, its neighbours stay byte for byte. Always unsafe: a step may rely on
 * what the switch enables (debug output a later step parses, a `::set-env::`
 * line that then stops working).
 */
import type { Fix } from '../model/finding.js';
import type { EnvVar, Pipeline } from '../model/pipeline.js';
import type { YamlNode } from '../core/yaml.js';
import { isScalar } from '../core/yaml-nodes.js';
import { findPair, removeEntry } from './yaml-edits.js';

export function switchRemoval(pipeline: Pipeline, env: EnvVar, description: string): Fix | undefined {
  const root = pipeline.document.contents as YamlNode | null;
  // The span may come from an included file: the pair found here must be this very entry.
  const found = findPair(root, env.name.span.offset);
  if (!found || !isScalar(found.pair.key) || String(found.pair.key.value) !== env.name.value) return undefined;
  if (env.value && (found.pair.value as YamlNode | null)?.range?.[0] !== env.value.span.offset) return undefined;
  const removed = removeEntry(pipeline.file, root, env.name.span.offset);
  if (!removed) return undefined;
  return { description, safety: 'unsafe', edits: [removed.edit], targets: [removed.path] };
}
