import { expressionOffsets } from '../core/templated.js';
import { taintsOf } from '../platforms/github/contexts.js';
import { defineRule } from './types.js';

const ENV_FILE = /\$\{?(GITHUB_ENV|GITHUB_PATH)\}?|\$env:(GITHUB_ENV|GITHUB_PATH)/;
const PRIVILEGED_EXTERNAL = new Set(['pull_request_target', 'workflow_run', 'issue_comment', 'issues', 'discussion', 'discussion_comment']);

export default defineRule({
  meta: {
    id: 'github-env',
    title: 'Untrusted data written to GITHUB_ENV or GITHUB_PATH',
    severity: 'high',
    confidence: 'medium',
    owasp: 'CICD-SEC-4',
    platforms: ['gha'],
    fixable: false,
    docs: {
      description:
        'Lines appended to `$GITHUB_ENV` become environment variables of every later step, and `$GITHUB_PATH` entries come first in `PATH`. When the written text comes from an outsider (a pull request title, an artifact from a fork run), they can set `LD_PRELOAD`, `NODE_OPTIONS` or `BASH_ENV`, or put their own `git` first on the path: code execution in every later step with the job\'s secrets.',
      bad: 'on: pull_request_target\n…\n- run: echo "TITLE=${{ github.event.pull_request.title }}" >> "$GITHUB_ENV"',
      good: '- run: echo "title is in the step env only"\n  env:\n    TITLE: ${{ github.event.pull_request.title }}',
      remedy: 'Do not copy untrusted values into `$GITHUB_ENV`/`$GITHUB_PATH`; pass them through step `env:` where needed, and use a random heredoc delimiter if multi-line values must be written.',
    },
  },
  check({ pipeline, report }) {
    const privileged = pipeline.triggers.filter((t) => PRIVILEGED_EXTERNAL.has(t.event)).map((t) => t.event);
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script || script.kind !== 'run') continue;
        const lines = script.text.split('\n');
        // Where each expression stands in the script text, to tell which line it is on.
        const positions = expressionOffsets(script.text);
        let offset = 0;
        for (const line of lines) {
          const start = offset;
          offset += line.length + 1;
          if (!ENV_FILE.test(line) || !/>>|Out-File|Add-Content|tee\s+-a/.test(line)) continue;
          const tainted = script.expressions.find((e, i) => {
            const at = positions[i] ?? -1;
            return at >= start && at < start + line.length && e.ast !== null && taintsOf(e.ast).some((t) => t.source === 'attacker');
          });
          const which = ENV_FILE.exec(line)![1] ?? ENV_FILE.exec(line)![2];
          if (tainted) {
            report({ span: tainted.span, message: `\`${tainted.raw.trim()}\` is written to \`${which}\`, so whoever controls it sets the environment of every later step` });
          } else if (privileged.length > 0) {
            report({
              span: script.span,
              message: `a step writes to \`${which}\` under \`${[...new Set(privileged)].join(', ')}\`; if the value comes from the pull request or an artifact, it controls every later step`,
              severity: 'medium',
              confidence: 'low',
            });
          }
        }
      }
    }
  },
});
