import { daggerSourcesOf } from '../platforms/dagger/build.js';
import { defineRule } from './types.js';

/**
 * Dagger's plain `withEnvVariable` (Go `WithEnvVariable`, Python `with_env_variable`)
 * with a secret-named variable, or a value read from the host environment,
 * where `withSecretVariable` keeps it out of logs, layer caches and traces.
 */
const PLAIN_ENV = /\b(withEnvVariable|WithEnvVariable|with_env_variable)\s*\(\s*["'`]([A-Z0-9_]*(TOKEN|PASSWORD|PASSWD|SECRET|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIALS?)[A-Z0-9_]*)["'`]/g;

export default defineRule({
  meta: {
    id: 'secret-as-plain-env',
    title: 'Secret passed to a Dagger container as a plain environment variable',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-6',
    platforms: ['dagger'],
    fixable: false,
    docs: {
      description:
        'Dagger keeps values passed with `withSecretVariable` out of logs, traces and the layer cache. A token set with the plain `withEnvVariable` becomes part of the container definition: it is printed in traces, stored in cache keys, and visible to every module the container is handed to.',
      bad: 'return dag.container().from("alpine").withEnvVariable("NPM_TOKEN", token)',
      good: 'return dag.container().from("alpine").withSecretVariable("NPM_TOKEN", token)  // token: Secret',
      remedy: 'Take the value as a `Secret` argument and use `withSecretVariable` (Go `WithSecretVariable`, Python `with_secret_variable`) or `withMountedSecret`.',
    },
  },
  check({ pipeline, report }) {
    for (const { file } of daggerSourcesOf(pipeline)) {
      PLAIN_ENV.lastIndex = 0;
      for (let m = PLAIN_ENV.exec(file.text); m; m = PLAIN_ENV.exec(file.text)) {
        report({ span: file.span(m.index, m.index + m[0].length), message: `\`${m[2]}\` is set with \`${m[1]}\`; use the secret API so it stays out of logs and caches`, file: file.path });
      }
    }
  },
});
