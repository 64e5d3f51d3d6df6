/** Which stored secrets a job reads (`secrets.X`), leaving out the job's own `GITHUB_TOKEN`. */
import { contextAccesses } from '../../expr/parser.js';
import type { Expression, Job, Pipeline } from '../../model/pipeline.js';

export interface SecretUse {
  /** Upper-case names (GitHub secret names are case-insensitive); `secrets[…]` for a computed key. */
  names: Set<string>;
  /** The first expression that reads one. */
  first: Expression;
}

export function storedSecretsOf(pipeline: Pipeline, job: Job): SecretUse | undefined {
  const names = new Set<string>();
  let first: Expression | undefined;
  for (const e of pipeline.expressions) {
    if (e.span.offset < job.span.offset || e.span.endOffset > job.span.endOffset || !e.ast) continue;
    for (const a of contextAccesses(e.ast)) {
      if (!a.path.startsWith('secrets.') && !a.path.startsWith('secrets[')) continue;
      if (a.path === 'secrets.github_token') continue;
      names.add(a.path.startsWith('secrets.') ? a.path.slice('secrets.'.length).toUpperCase() : 'secrets[…]');
      first ??= e;
    }
  }
  return first ? { names, first } : undefined;
}
