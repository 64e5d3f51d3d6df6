/**
 * The hardened security context for Tekton steps and Argo containers
 * (`missing-security-context`). Only keys that are set nowhere (container,
 * Tekton stepTemplate, pod) are added; a value the user wrote, even a weak
 * one, is never overwritten. Tekton tasks with several steps that lack it get
 * it once, in `stepTemplate` (created if needed), which every step inherits
 * key by key.
 *
 * Safety per key:
 * - `allowPrivilegeEscalation: false`: safe; only setuid programs (sudo) stop
 *   gaining privileges, and pipeline steps run as the user they need.
 * - `seccompProfile: RuntimeDefault`: safe (the profile container runtimes use
 *   by default outside Kubernetes), except for images that build containers
 *   (kaniko, buildah, buildkit, docker, podman), which need syscalls it blocks.
 * - `runAsNonRoot: true`: unsafe; an image whose user is root no longer starts.
 * - `capabilities.drop: ["ALL"]`: unsafe; a step running as root loses chown,
 *   setuid and file-permission overrides (package installs break).
 * - `readOnlyRootFilesystem: true`: unsafe; writes outside volumes (/tmp,
 *   $HOME, caches) fail until an emptyDir is mounted there.
 * A fix that adds any unsafe key is unsafe as a whole.
 */
import { type Pair } from 'yaml';
import { isMap } from '../core/yaml-nodes.js';
import type { YamlNode } from '../core/yaml.js';
import type { Fix, TextEdit } from '../model/finding.js';
import type { Job, Pipeline, Step } from '../model/pipeline.js';
import { effectiveSecurity, podLayers, yamlOf } from '../platforms/kube/security.js';
import { blockLines, indentUnit, isBlockMap, keyColumn, newlineOf, pairContentEnd, pathOf, startsItsLine, type YamlPath } from './yaml-edits.js';
import { FileScopedMap } from '../core/file-scoped.js';

type Key = 'runAsNonRoot' | 'allowPrivilegeEscalation' | 'capabilities' | 'seccompProfile' | 'readOnlyRootFilesystem';

const ORDER: Key[] = ['runAsNonRoot', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile', 'readOnlyRootFilesystem'];
const UNSAFE = new Set<Key>(['runAsNonRoot', 'capabilities', 'readOnlyRootFilesystem']);
const BUILDS_IMAGES = /kaniko|buildah|buildkit|docker|podman|\/img[:@]|jib/i;

function entry(key: Key, unit: string): string[] {
  switch (key) {
    case 'capabilities':
      return ['capabilities:', `${unit}drop: ["ALL"]`];
    case 'seccompProfile':
      return ['seccompProfile:', `${unit}type: RuntimeDefault`];
    case 'allowPrivilegeEscalation':
      return ['allowPrivilegeEscalation: false'];
    default:
      return [`${key}: true`];
  }
}

/** Keys a container has nowhere in its layers. */
function absentKeys(p: Pipeline, job: Job, step: Step): Key[] {
  const y = yamlOf(p);
  const sec = effectiveSecurity(p, job, step);
  if (sec.privileged) return [];
  const out: Key[] = [];
  if (sec.runAsNonRoot === undefined && sec.runAsUser === undefined) out.push('runAsNonRoot');
  if (sec.allowPrivilegeEscalation === undefined) out.push('allowPrivilegeEscalation');
  const layers = [y.get(step.container?.node ?? step.node, 'securityContext'), ...(job.containers ?? []).filter((c) => c.role === 'stepTemplate').map((c) => y.get(c.node, 'securityContext'))];
  // Capabilities already listed (a drop without ALL, an add) are the user's choice: left alone.
  if (!sec.dropsAll && !layers.some((l) => y.get(l, 'capabilities'))) out.push('capabilities');
  const pods = podLayers(p, job).map((l) => y.get(l, 'securityContext'));
  if (![...layers, ...pods].some((l) => y.get(l, 'seccompProfile'))) out.push('seccompProfile');
  if (sec.readOnlyRootFilesystem === undefined) out.push('readOnlyRootFilesystem');
  return out;
}

function unitOf(p: Pipeline, map: YamlNode): number {
  const y = yamlOf(p);
  const nested = y.pairs(map).find((pr) => isBlockMap(pr.value as YamlNode) && startsItsLine(p.file, pr));
  return nested ? indentUnit(p.file, nested) : 2;
}

/** Lines appended after a pair's own lines (its comments kept with it), at `column`. */
function insertAfter(p: Pipeline, pair: Pair, column: number, lines: string[]): TextEdit {
  const at = pairContentEnd(p.file, pair);
  const lead = at === p.file.text.length && !p.file.text.endsWith('\n') ? newlineOf(p.file) : '';
  return { offset: at, endOffset: at, replacement: lead + blockLines(p.file, column, lines) };
}

/**
 * Edits that give the container mapping `map` the keys: merged into its
 * `securityContext` when there is one, else a new `securityContext` after
 * `image:` (or after its last entry).
 */
function addToContainer(p: Pipeline, map: YamlNode, keys: Key[]): { edits: TextEdit[]; targets: YamlPath[] } | undefined {
  const y = yamlOf(p);
  if (!isBlockMap(map)) return undefined;
  const root = p.document.contents as YamlNode | null;
  const base = pathOf(root, map);
  if (!base) return undefined;
  const unitN = unitOf(p, map);
  const unit = ' '.repeat(unitN);
  const own = (map as unknown as { items: Pair[] }).items;
  const scPair = y.pair(map, 'securityContext');
  if (scPair) {
    // A security context merged in from an anchor is shared: not edited here.
    if (!own.includes(scPair)) return undefined;
    const sc = scPair.value as YamlNode | null;
    if (!isBlockMap(sc)) return undefined;
    const scItems = (sc as unknown as { items: Pair[] }).items;
    const last = scItems[scItems.length - 1];
    if (!last || !startsItsLine(p.file, last)) return undefined;
    const col = keyColumn(p.file, last);
    const edits: TextEdit[] = [];
    const targets: YamlPath[] = [];
    let flat = keys;
    // `capabilities:` present but without `drop:`: the drop goes inside it.
    const caps = y.pair(sc, 'capabilities');
    if (keys.includes('capabilities') && caps) {
      flat = keys.filter((k) => k !== 'capabilities');
      const capMap = caps.value as YamlNode | null;
      if (!isBlockMap(capMap) || y.pair(capMap, 'drop')) return undefined;
      const items = (capMap as unknown as { items: Pair[] }).items;
      const lastCap = items[items.length - 1]!;
      edits.push(insertAfter(p, lastCap, keyColumn(p.file, lastCap), ['drop: ["ALL"]']));
      targets.push([...base, 'securityContext', 'capabilities', 'drop']);
    }
    if (flat.length > 0) {
      edits.push(insertAfter(p, last, col, flat.flatMap((k) => entry(k, unit))));
      for (const k of flat) targets.push([...base, 'securityContext', k]);
    }
    // Merged edits at the same point must come in source order: sort by offset, the later insertion last.
    return { edits: edits.sort((a, b) => a.offset - b.offset), targets };
  }
  const image = own.find((pr) => (pr.key as { value?: unknown })?.value === 'image');
  const anchor = image ?? own[own.length - 1];
  if (!anchor) return undefined;
  const col = keyColumn(p.file, anchor);
  const lines = ['securityContext:', ...keys.flatMap((k) => entry(k, unit)).map((l) => unit + l)];
  return { edits: [insertAfter(p, anchor, col, lines)], targets: [[...base, 'securityContext']] };
}

/** The task spec mapping that holds a job's `steps:`. */
function taskSpecOf(p: Pipeline, job: Job): YamlNode | undefined {
  const y = yamlOf(p);
  const first = job.steps[0]?.node;
  const spec = y.get(job.node, 'spec');
  const candidates = [y.get(job.node, 'taskSpec'), spec, y.get(spec, 'taskSpec'), job.node];
  return candidates.find((c): c is YamlNode => !!c && isMap(c) && y.items(y.get(c, 'steps')).includes(first as YamlNode));
}

/** Every step-level fix of a Tekton task with a template fix, computed once per job. */
const templateFixes = new FileScopedMap<Job, Fix | null>();

function templateFix(p: Pipeline, job: Job): Fix | undefined {
  if (templateFixes.has(job)) return templateFixes.get(job) ?? undefined;
  let fix: Fix | undefined;
  const lacking = job.steps.filter((s) => s.container && absentKeys(p, job, s).length > 0);
  if (p.platform === 'tekton' && lacking.length >= 2) {
    const keys = ORDER.filter((k) => lacking.some((s) => absentKeys(p, job, s).includes(k)));
    const images = lacking.map((s) => s.container?.image?.raw ?? '');
    const template = (job.containers ?? []).find((c) => c.role === 'stepTemplate');
    let change: { edits: TextEdit[]; targets: YamlPath[] } | undefined;
    if (template) change = addToContainer(p, template.node, keys);
    else {
      const spec = taskSpecOf(p, job);
      const y = yamlOf(p);
      const stepsPair = spec ? y.pairs(spec).find((pr) => (pr.key as { value?: unknown })?.value === 'steps') : undefined;
      const base = spec ? pathOf(p.document.contents as YamlNode | null, spec) : undefined;
      if (spec && stepsPair && base && startsItsLine(p.file, stepsPair) && (spec as unknown as { items: Pair[] }).items.includes(stepsPair)) {
        const unit = ' '.repeat(unitOf(p, spec));
        const col = keyColumn(p.file, stepsPair);
        const lines = ['stepTemplate:', `${unit}securityContext:`, ...keys.flatMap((k) => entry(k, unit)).map((l) => unit + unit + l)];
        const at = (stepsPair.key as YamlNode).range![0] - col;
        change = { edits: [{ offset: at, endOffset: at, replacement: blockLines(p.file, col, lines) }], targets: [[...base, 'stepTemplate']] };
      }
    }
    if (change) fix = finish(change, keys, images, 'in the task\'s `stepTemplate`, inherited by every step');
  }
  templateFixes.set(job, fix ?? null);
  return fix;
}

function finish(change: { edits: TextEdit[]; targets: YamlPath[] }, keys: Key[], images: string[], where: string): Fix {
  const unsafe = keys.some((k) => UNSAFE.has(k)) || (keys.includes('seccompProfile') && images.some((i) => BUILDS_IMAGES.test(i)));
  return {
    description: `add ${keys.map((k) => (k === 'capabilities' ? 'capabilities.drop: ["ALL"]' : k === 'seccompProfile' ? 'seccompProfile: RuntimeDefault' : k)).join(', ')} ${where}`,
    safety: unsafe ? 'unsafe' : 'safe',
    edits: change.edits,
    targets: change.targets,
  };
}

/** The fix for one container's finding: the task-wide template fix for Tekton steps when there is one, else its own. */
export function securityContextFix(p: Pipeline, job: Job, step: Step): Fix | undefined {
  if (p.platform !== 'tekton' && p.platform !== 'argo') return undefined;
  if (!step.container) return undefined;
  const keys = absentKeys(p, job, step);
  if (keys.length === 0) return undefined;
  if (step.container.role === 'step') {
    const t = templateFix(p, job);
    if (t) return t;
  }
  const change = addToContainer(p, step.container.node, keys);
  if (!change) return undefined;
  return finish(change, keys, [step.container.image?.raw ?? ''], `to \`${step.container.name?.value ?? step.container.role}\``);
}
