/**
 * Text edits that add or change keys in block-style YAML while keeping every
 * other byte: indentation is taken from the surrounding keys, line endings
 * from the file. Flow-style (`{…}`) nodes are left alone (no edit is offered).
 */
import { isMap, isScalar, type Pair } from 'yaml';
import type { TextEdit } from '../model/finding.js';
import type { SourceFile } from '../model/source.js';
import type { YamlNode } from '../core/yaml.js';

export function newlineOf(file: SourceFile): string {
  return file.text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offset just past the end of the line that contains `offset` (after its line break). */
export function endOfLine(file: SourceFile, offset: number): number {
  const nl = file.text.indexOf('\n', offset);
  return nl < 0 ? file.text.length : nl + 1;
}

/** Offset of the start of the line that contains `offset`. */
export function startOfLine(file: SourceFile, offset: number): number {
  return file.text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

export function isBlockMap(node: YamlNode | null | undefined): boolean {
  return !!node && isMap(node) && !(node as { flow?: boolean }).flow;
}

/** Column (0-based) where a pair's key starts. */
export function keyColumn(file: SourceFile, pair: Pair): number {
  const k = pair.key as YamlNode;
  return file.position(k.range![0]).column - 1;
}

/** Where the text of a pair ends, comments on its last line included. */
function pairEnd(file: SourceFile, pair: Pair): number {
  const v = pair.value as YamlNode | null;
  const end = v?.range?.[2] ?? v?.range?.[1] ?? (pair.key as YamlNode).range![1];
  // A block value's range ends at the start of the next line; otherwise finish the current line.
  return end > 0 && file.text[end - 1] === '\n' ? end : endOfLine(file, end);
}

/** Insert `key: value` as the last entry of a block mapping, aligned with its other keys. */
export function appendToMap(file: SourceFile, map: YamlNode, key: string, value: string): TextEdit | undefined {
  if (!isBlockMap(map)) return undefined;
  const items = (map as unknown as { items: Pair[] }).items;
  const last = items[items.length - 1];
  if (!last) return undefined;
  const indent = ' '.repeat(keyColumn(file, last));
  const at = pairEnd(file, last);
  const lead = at === file.text.length && !file.text.endsWith('\n') ? newlineOf(file) : '';
  return { offset: at, endOffset: at, replacement: `${lead}${indent}${key}: ${value}${newlineOf(file)}` };
}

/** Insert lines before the line of `pair`, indented like its key (for new keys of the same mapping). */
export function insertBefore(file: SourceFile, pair: Pair, lines: string[]): TextEdit {
  const indent = ' '.repeat(keyColumn(file, pair));
  const at = startOfLine(file, (pair.key as YamlNode).range![0]);
  const nl = newlineOf(file);
  // A `- ` sequence marker may share the line with the first key: then insert after the pair instead.
  const before = file.text.slice(at, (pair.key as YamlNode).range![0]);
  if (/\S/.test(before)) {
    const end = pairEnd(file, pair);
    return { offset: end, endOffset: end, replacement: lines.map((l) => `${indent}${l}${nl}`).join('') };
  }
  return { offset: at, endOffset: at, replacement: lines.map((l) => `${indent}${l}${nl}`).join('') };
}

/** Replace a scalar's source text. */
export function replaceScalar(node: YamlNode, text: string): TextEdit | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return { offset: node.range[0], endOffset: node.range[1], replacement: text };
}
