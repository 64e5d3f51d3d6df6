import type { EnvVar } from '../model/pipeline.js';
import { switchRemoval } from '../fix/remove-switch.js';
import { defineRule } from './types.js';

/** Switches that make the runner print what it would otherwise keep out of logs. */
const SWITCHES: Record<string, string> = {
  ACTIONS_STEP_DEBUG: 'step debug logging',
  ACTIONS_RUNNER_DEBUG: 'runner diagnostic logging',
  CI_DEBUG_TRACE: 'shell tracing of every command with expanded variables',
  CI_DEBUG_SERVICES: 'service container logs',
};

export default defineRule({
  meta: {
    id: 'debug-logging',
    title: 'Debug or trace logging switched on in the definition',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-10',
    platforms: ['gha', 'gitlab'],
    fixable: true,
    docs: {
      description:
        'Debug switches written into a pipeline (`ACTIONS_STEP_DEBUG`, `ACTIONS_RUNNER_DEBUG`, GitLab `CI_DEBUG_TRACE`, `CI_DEBUG_SERVICES`) stay on for every run. GitLab\'s trace prints every command with its variables expanded, secrets included, into job logs that many people can read; GitHub\'s debug logs expose internals that masking does not cover.',
      bad: 'variables:\n  CI_DEBUG_TRACE: "true"',
      good: '# switch tracing on for one run from the UI or API when you need it, never in the file',
      remedy: 'Remove the switch from the file; enable debug logging for a single re-run when needed (GitHub: "Re-run with debug logging"; GitLab: a one-off pipeline variable with restricted log access).',
    },
  },
  check({ pipeline, report }) {
    const envs: EnvVar[] = [...pipeline.env, ...pipeline.jobs.flatMap((j) => [...j.env, ...j.steps.flatMap((s) => s.env)])];
    for (const e of envs) {
      const what = SWITCHES[e.name.value.toUpperCase()];
      if (!what || !e.value) continue;
      if (!/^\s*(true|1|yes|on)\s*$/i.test(e.value.value)) continue;
      const fix = switchRemoval(pipeline, e, `remove \`${e.name.value}\` (switch debug logging on for a single re-run instead)`);
      report({ span: e.name.span, message: `\`${e.name.value}\` switches on ${what} for every run`, ...(fix ? { fix } : {}) });
    }
  },
});
