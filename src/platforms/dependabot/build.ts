/**
 * `.github/dependabot.yml` → the model: each `updates` entry is a job (id:
 * ecosystem and directory). Rules read the entry's keys from the document.
 */
import { isMap } from '../../core/yaml-nodes.js';
import type { YamlDoc } from '../../core/yaml.js';
import type { Job, Pipeline } from '../../model/pipeline.js';
import type { Span } from '../../model/source.js';

export function buildDependabot(y: YamlDoc): { pipeline: Pipeline | null; problems: { message: string; span: Span }[] } {
  const root = y.contents;
  if (!root || !isMap(root)) return { pipeline: null, problems: [{ message: 'dependabot.yml must be a mapping', span: y.span(root) }] };
  const problems: { message: string; span: Span }[] = [];
  const updates = y.get(root, 'updates');
  if (!updates || !y.seq(updates)) problems.push({ message: '`updates` must be a list', span: y.span(updates ?? root) });
  const jobs: Job[] = [];
  for (const u of y.items(updates)) {
    if (!isMap(u)) {
      problems.push({ message: 'each update must be a mapping', span: y.span(u) });
      continue;
    }
    const eco = y.get(u, 'package-ecosystem');
    const dir = y.str(y.get(u, 'directory')) ?? y.items(y.get(u, 'directories')).map((d) => y.str(d)).join(',');
    const id = { value: `${y.str(eco) ?? '?'} ${dir}`.trim(), span: eco ? y.span(eco) : y.span(u) };
    jobs.push({ id, span: y.span(u), env: [], steps: [], needs: [], with: new Map(), secrets: [], images: [], node: u });
  }
  return {
    pipeline: { platform: 'dependabot', kind: 'dependabot', file: y.file, triggers: [], env: [], jobs, references: [], expressions: [], inputs: new Map(), document: y.doc },
    problems,
  };
}
