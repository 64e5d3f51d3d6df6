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
  const all = pipeline.expressions;
  // Expressions are in source order: find the job's first one by bisection, so many jobs stay linear-ish.
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.span.offset < job.span.offset) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < all.length && all[i]!.span.offset < job.span.endOffset; i++) {
    const e = all[i]!;
    if (e.span.endOffset > job.span.endOffset || !e.ast) continue;
    for (const a of contextAccesses(e.ast)) {
      if (!a.path.startsWith('secrets.') && !a.path.startsWith('secrets[')) continue;
      if (a.path === 'secrets.github_token') continue;
      names.add(a.path.startsWith('secrets.') ? a.path.slice('secrets.'.length).toUpperCase() : 'secrets[…]');
      first ??= e;
    }
  }
  return first ? { names, first } : undefined;
}
