import { switchRemoval } from '../fix/remove-switch.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'insecure-commands',
    title: 'Deprecated set-env/add-path workflow commands switched back on',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: true,
    docs: {
      description:
        '`ACTIONS_ALLOW_UNSECURE_COMMANDS: true` re-enables the `::set-env::` and `::add-path::` workflow commands that GitHub disabled because any text a step prints (a test name, a log line from a pull request) can use them to set environment variables such as `LD_PRELOAD` or `NODE_OPTIONS` for every later step: code execution from output.',
      bad: 'env:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: true',
      good: '# write to the files instead:\n- run: echo "NAME=value" >> "$GITHUB_ENV"',
      remedy: 'Remove the variable and write to `$GITHUB_ENV` / `$GITHUB_PATH` instead of printing `::set-env::`.',
    },
  },
  check({ pipeline, report }) {
    const envs = [...pipeline.env, ...pipeline.jobs.flatMap((j) => [...j.env, ...j.steps.flatMap((s) => s.env)])];
    for (const e of envs) {
      if (e.name.value.toUpperCase() !== 'ACTIONS_ALLOW_UNSECURE_COMMANDS' || !e.value) continue;
      if (!/^\s*(true|1|yes)\s*$/i.test(e.value.value) && e.value.expressions.length === 0) continue;
      const fix = switchRemoval(pipeline, e, 'remove `ACTIONS_ALLOW_UNSECURE_COMMANDS` (write to `$GITHUB_ENV` / `$GITHUB_PATH` instead of printing `::set-env::` / `::add-path::`)');
      report({ span: e.name.span, message: 'ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables `set-env`/`add-path`: any printed line can set environment variables for later steps', ...(fix ? { fix } : {}) });
    }
  },
});
