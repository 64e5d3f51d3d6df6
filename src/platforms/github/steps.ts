/** Facts about well-known actions that several rules need. */
import type { Job, Pipeline, Step } from '../../model/pipeline.js';
import { actionKey } from './uses.js';

export function isAction(step: Step, key: string): boolean {
  return actionKey(step.uses) === key;
}

export function isCheckout(step: Step): boolean {
  return isAction(step, 'actions/checkout');
}

/** Inputs are case-insensitive in GitHub Actions. */
export function input(step: Step, name: string): Step['with'] extends Map<string, infer V> ? V | undefined : never {
  const direct = step.with.get(name);
  if (direct) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of step.with) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * For each step of a job, the first later step that passes `test`, found in
 * one pass from the job's end: asking `laterSteps` for each of thousands of
 * checkouts was quadratic in steps. A job's steps are in their order.
 */
export function firstLaterSteps(job: Job, test: (s: Step) => boolean): Map<Step, Step | undefined> {
  const out = new Map<Step, Step | undefined>();
  let first: Step | undefined;
  for (let k = job.steps.length - 1; k >= 0; k--) {
    const step = job.steps[k]!;
    out.set(step, first);
    if (test(step)) first = step;
  }
  return out;
}

/** Every expression text in a job (steps, env, with, if), for "does this job use secrets" questions. */
export function jobUsesSecrets(job: Job): boolean {
  const texts: string[] = [];
  for (const e of job.env) if (e.value) texts.push(e.value.value);
  for (const e of job.secrets) if (e.value) texts.push(e.value.value);
  for (const s of job.steps) {
    if (s.script) texts.push(s.script.text);
    for (const e of s.env) if (e.value) texts.push(e.value.value);
    for (const v of s.with.values()) texts.push(v.value.value);
  }
  if (job.secretsInherit) return true;
  return texts.some((t) => /\$\{\{[^}]*\bsecrets\b/i.test(t));
}

/** The permissions a job's token has: its own block, else the workflow's; undefined means the repository default. */
export function effectivePermissions(p: Pipeline, job: Job): Pipeline['permissions'] {
  return job.permissions ?? p.permissions;
}

/** Whether the job's token may be able to write (unknown defaults count as yes). */
export function tokenCanWrite(p: Pipeline, job: Job): boolean {
  const perms = effectivePermissions(p, job);
  if (!perms) {
    // Fork pull requests always get a read-only token.
    return !(p.triggers.length > 0 && p.triggers.every((t) => t.event === 'pull_request' || t.event === 'pull_request_review' || t.event === 'pull_request_review_comment'));
  }
  if (perms.kind === 'write-all' || perms.kind === 'dynamic') return true;
  return [...perms.scopes.values()].some((s) => s.level === 'write');
}
