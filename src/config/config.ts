/**
 * `.pipewarden.yml`: which rules run, at what severity, with what options,
 * and which paths are left out. Every mistake is reported with the file,
 * line and key, and makes the command exit 2.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, isSeq } from '../core/yaml-nodes.js';
import { parseYaml, keyString } from '../core/yaml.js';
import type { Confidence, Severity } from '../model/finding.js';
import { CONFIDENCES, SEVERITIES } from '../model/finding.js';
import { SourceFile } from '../model/source.js';
import type { Persona } from '../rules/types.js';
import { compileGlob, type Glob } from './glob.js';

export interface RuleSettings {
  enabled: boolean;
  severity?: Severity;
  options: Record<string, unknown>;
}

export interface Config {
  /** Where it came from, for messages; undefined for the built-in defaults. */
  path?: string;
  rules: Map<string, RuleSettings>;
  ignorePaths: Glob[];
  minSeverity?: Severity;
  minConfidence?: Confidence;
  persona?: Persona;
}

export class ConfigError extends Error {}

export const CONFIG_NAMES = ['.pipewarden.yml', '.pipewarden.yaml'];

export function emptyConfig(): Config {
  return { rules: new Map(), ignorePaths: [] };
}

/** Finds the config at the scanned root (first folder given), unless one is named. */
/** Rule ids the config may name, each with an optional check of its `options` (an error message, or undefined). */
export type KnownRules = Map<string, ((options: Record<string, unknown>) => string | undefined) | undefined>;

export async function loadConfig(explicit: string | undefined, root: string, knownRules: KnownRules): Promise<Config> {
  let file = explicit;
  if (!file) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(root, name);
      try {
        if (statSync(candidate).isFile()) {
          file = candidate;
          break;
        }
      } catch {
        /* not there */
      }
    }
  }
  if (!file) return emptyConfig();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(new SourceFile(file, text), knownRules);
}

export function parseConfig(source: SourceFile, knownRules: KnownRules): Config {
  const config: Config = { path: source.path, rules: new Map(), ignorePaths: [] };
  const { docs, problems } = parseYaml(source);
  const fail = (line: number, col: number, msg: string): never => {
    throw new ConfigError(`${source.path}:${line}:${col}: ${msg}`);
  };
  if (problems.length > 0) fail(problems[0]!.span.line, problems[0]!.span.column, `invalid YAML: ${problems[0]!.message}`);
  const y = docs[0];
  if (!y || y.contents === null || (isScalar(y.contents) && y.contents.value === null)) return config;
  const root = y.contents;
  const at = (node: unknown) => y.span(node as never);
  if (!isMap(root)) fail(1, 1, 'the config must be a mapping');
  for (const pair of y.pairs(root)) {
    const key = keyString(pair);
    const s = at(pair.key);
    const value = y.deref(pair.value);
    switch (key) {
      case 'rules': {
        if (value === null) break;
        if (!isMap(value)) fail(s.line, s.column, '`rules` must be a mapping of rule ids to settings');
        for (const rp of y.pairs(value)) {
          const id = keyString(rp);
          const rs = at(rp.key);
          if (!knownRules.has(id)) fail(rs.line, rs.column, `unknown rule \`${id}\` under \`rules\``);
          config.rules.set(id, parseRuleSettings(y.deref(rp.value), id, fail, at, y, knownRules.get(id)));
        }
        break;
      }
      case 'ignore': {
        const list = value && isMap(value) ? y.get(value, 'paths') : value;
        if (list === null) break;
        if (!isSeq(list)) fail(s.line, s.column, '`ignore` must be a list of path patterns (or `paths:` with one)');
        for (const item of y.items(list)) {
          const p = y.str(item);
          if (!p) {
            const is = at(item);
            fail(is.line, is.column, 'each ignored path must be a string');
          }
          config.ignorePaths.push(compileGlob(p!));
        }
        break;
      }
      case 'min-severity': {
        const v = y.str(value);
        if (!v || !(SEVERITIES as readonly string[]).includes(v)) fail(s.line, s.column, `\`min-severity\` must be one of ${SEVERITIES.join(', ')}`);
        config.minSeverity = v as Severity;
        break;
      }
      case 'min-confidence': {
        const v = y.str(value);
        if (!v || !(CONFIDENCES as readonly string[]).includes(v)) fail(s.line, s.column, `\`min-confidence\` must be one of ${CONFIDENCES.join(', ')}`);
        config.minConfidence = v as Confidence;
        break;
      }
      case 'persona': {
        const v = y.str(value);
        if (v !== 'regular' && v !== 'pedantic' && v !== 'auditor') fail(s.line, s.column, '`persona` must be regular, pedantic or auditor');
        config.persona = v as Persona;
        break;
      }
      default:
        fail(s.line, s.column, `unknown key \`${key}\` (expected rules, ignore, min-severity, min-confidence, persona)`);
    }
  }
  return config;
}

function parseRuleSettings(
  value: unknown,
  id: string,
  fail: (line: number, col: number, msg: string) => never,
  at: (n: unknown) => { line: number; column: number },
  y: ReturnType<typeof parseYaml>['docs'][number],
  validate?: (options: Record<string, unknown>) => string | undefined,
): RuleSettings {
  const settings: RuleSettings = { enabled: true, options: {} };
  const where = at(value);
  if (value === null) return settings;
  if (isScalar(value)) {
    // Shorthand: `rule-id: off` or `rule-id: high`.
    const v = value.value;
    if (v === false || v === 'off' || v === 'disable' || v === 'disabled') settings.enabled = false;
    else if (v === true || v === 'on') settings.enabled = true;
    else if (typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v)) settings.severity = v as Severity;
    else fail(where.line, where.column, `\`rules.${id}\` must be off, on, a severity or a mapping`);
    return settings;
  }
  if (!isMap(value)) fail(where.line, where.column, `\`rules.${id}\` must be off, on, a severity or a mapping`);
  for (const p of y.pairs(value)) {
    const k = keyString(p);
    const ks = at(p.key);
    const v = y.deref(p.value);
    if (k === 'enabled') {
      if (!isScalar(v) || typeof v.value !== 'boolean') fail(ks.line, ks.column, `\`rules.${id}.enabled\` must be true or false`);
      settings.enabled = (v as { value: boolean }).value;
    } else if (k === 'severity') {
      const sv = y.str(v);
      if (!sv || !(SEVERITIES as readonly string[]).includes(sv)) fail(ks.line, ks.column, `\`rules.${id}.severity\` must be one of ${SEVERITIES.join(', ')}`);
      settings.severity = sv as Severity;
    } else if (k === 'options') {
      if (!isMap(v)) fail(ks.line, ks.column, `\`rules.${id}.options\` must be a mapping`);
      settings.options = (v as { toJSON(): Record<string, unknown> }).toJSON() ?? {};
      const problem = validate?.(settings.options);
      if (problem) fail(ks.line, ks.column, `\`rules.${id}.options\`: ${problem}`);
    } else fail(ks.line, ks.column, `unknown key \`${k}\` under \`rules.${id}\` (expected enabled, severity, options)`);
  }
  return settings;
}
