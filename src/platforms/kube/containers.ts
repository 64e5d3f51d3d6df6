/**
 * Containers of Kubernetes-native pipelines (Tekton steps and sidecars, Argo
 * templates) as model steps: image with pin state, the script the container
 * runs (`script:`/`source:` or `sh -c` arguments), env, and its substitutions.
 */
import { isScalar, isSeq } from '../../core/yaml-nodes.js';
import type { Scalar } from 'yaml';
import { parseImageRef } from '../../core/refs.js';
import type { YamlDoc, YamlNode } from '../../core/yaml.js';
import type { ContainerSpec, EnvVar, Expression, ExternalRef, ShellKind, Step, Str, TemplateSyntax } from '../../model/pipeline.js';
import { substitutionsIn } from './substitutions.js';

type Syntax = Extract<TemplateSyntax, 'tekton' | 'argo'>;

export interface ContainerContext {
  y: YamlDoc;
  syntax: Syntax;
  references: ExternalRef[];
  expressions: Expression[];
}

export function shellOf(firstLine: string, command: string[]): ShellKind {
  const probe = (firstLine.startsWith('#!') ? firstLine : command.join(' ')).toLowerCase();
  if (/python/.test(probe)) return 'python';
  if (/\bnode\b|nodejs/.test(probe)) return 'javascript';
  if (/pwsh/.test(probe)) return 'pwsh';
  if (/powershell/.test(probe)) return 'powershell';
  if (/bash/.test(probe)) return 'bash';
  return 'sh';
}

function strings(y: YamlDoc, node: unknown): { value: string; node: Scalar }[] {
  const out: { value: string; node: Scalar }[] = [];
  for (const it of isSeq(y.deref(node)) ? y.items(node) : []) {
    const s = y.scalar(it);
    if (s && s.value !== null && s.value !== undefined) out.push({ value: String(s.value), node: s });
  }
  return out;
}

export function containerStep(ctx: ContainerContext, node: YamlNode, index: number, role: string, scriptKey = 'script'): Step | undefined {
  const { y } = ctx;
  const map = y.map(node);
  if (!map) return undefined;
  const nameNode = y.get(map, 'name');
  const nameValue = y.str(nameNode);
  const name: Str | undefined = nameValue !== undefined ? { value: nameValue, span: y.span(nameNode) } : undefined;
  const container: ContainerSpec = { node: map, role };
  if (name) container.name = name;
  const imageNode = y.scalar(y.get(map, 'image'));
  if (imageNode && typeof imageNode.value === 'string' && imageNode.value.trim() !== '') {
    const ref = parseImageRef(imageNode.value, y.span(imageNode));
    container.image = ref;
    ctx.references.push(ref);
  }
  const step: Step = { index, span: y.span(map), anchor: name?.span ?? container.image?.span ?? y.span(map), with: new Map(), env: envOf(ctx, y.get(map, 'env')), container, node: map };
  if (name) step.name = name;
  const command = strings(y, y.get(map, 'command'));
  const args = strings(y, y.get(map, 'args'));
  const scriptNode = y.scalar(y.get(map, scriptKey));
  if (scriptNode && typeof scriptNode.value === 'string') {
    const text = scriptNode.value;
    const expressions = substitutionsIn(y, scriptNode, text, ctx.syntax);
    ctx.expressions.push(...expressions);
    step.script = { kind: 'run', shell: shellOf(text.trimStart().split('\n')[0] ?? '', command.map((c) => c.value)), text, span: y.span(scriptNode), expressions };
  } else {
    // `sh -c "<script>"` in command and args: the string after -c is a script.
    const argv = [...command, ...args];
    const c = argv.findIndex((a, i) => /^-[a-z]*c$/.test(a.value) && i > 0 && /(^|\/)(ba|z|da|k)?sh$|pwsh|python/.test(argv[0]!.value));
    const body = c >= 0 ? argv[c + 1] : undefined;
    if (body) {
      const expressions = substitutionsIn(y, body.node, body.value, ctx.syntax);
      ctx.expressions.push(...expressions);
      step.script = { kind: 'run', shell: shellOf('', [argv[0]!.value]), text: body.value, span: y.span(body.node), expressions };
    }
  }
  return step;
}

export function envOf(ctx: ContainerContext, node: unknown): EnvVar[] {
  const { y } = ctx;
  const out: EnvVar[] = [];
  for (const it of y.items(node)) {
    const nameNode = y.get(it, 'name');
    const name = y.str(nameNode);
    if (!name) continue;
    const valueNode = y.scalar(y.get(it, 'value'));
    let value: EnvVar['value'] = null;
    if (valueNode && isScalar(valueNode)) {
      const text = valueNode.value === null || valueNode.value === undefined ? '' : String(valueNode.value);
      value = { value: text, span: y.span(valueNode), expressions: substitutionsIn(y, valueNode, text, ctx.syntax) };
      ctx.expressions.push(...value.expressions);
    }
    out.push({ name: { value: name, span: y.span(nameNode) }, value });
  }
  return out;
}
