import { contextAccesses } from '../expr/parser.js';
import { groovyPaths, secretVariablesFor } from '../platforms/jenkins/build.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'secret-interpolation',
    title: 'Secret interpolated into a command line by the template engine',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-6',
    platforms: ['gha', 'jenkins'],
    fixable: false,
    docs: {
      description:
        'When the template engine pastes a secret into the script text (Groovy `"${TOKEN}"` in `sh`, `${{ secrets.X }}` in `run:`), the secret becomes part of the command: it shows in the process list, in shell traces (`set -x`), in error messages that echo the command, and breaks out of quoting if it contains quotes. Reading it from the environment inside the shell avoids all of that; Jenkins warns about exactly this pattern.',
      bad: "withCredentials([string(credentialsId: 'api', variable: 'TOKEN')]) {\n  sh \"curl -H 'Authorization: ${TOKEN}' https://api.example.com\"\n}",
      good: "withCredentials([string(credentialsId: 'api', variable: 'TOKEN')]) {\n  sh 'curl -H \"Authorization: $TOKEN\" https://api.example.com'\n}",
      remedy: 'Let the shell read the secret from the environment: single quotes in Groovy (`sh \'… $TOKEN …\'`); in GitHub Actions put it in `env:` and use `"$TOKEN"`.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script || script.kind !== 'run') continue;
        if (pipeline.platform === 'jenkins') {
          const secrets = secretVariablesFor(pipeline, step);
          if (secrets.size === 0) continue;
          for (const e of script.expressions) {
            const names = (groovyPaths.get(e) ?? (e.path ? [e.path] : [])).map((p) => p.replace(/^env\./, '').split('.')[0]!);
            const hit = names.find((n) => secrets.has(n));
            if (hit) report({ span: e.span, message: `secret \`${hit}\` is interpolated by Groovy into the shell command in stage \`${job.id.value}\`` });
          }
          continue;
        }
        for (const e of script.expressions) {
          if (!e.ast) continue;
          const secret = contextAccesses(e.ast).find((a) => a.path.startsWith('secrets.'));
          if (!secret) continue;
          // The job token expires with the job; a stored secret does not.
          const jobToken = secret.path === 'secrets.github_token';
          report({
            span: e.span,
            message: `\`${secret.path}\` is pasted into the script text of job \`${job.id.value}\` instead of being read from the environment`,
            severity: jobToken ? 'low' : 'medium',
            confidence: 'medium',
          });
        }
      }
    }
  },
});
