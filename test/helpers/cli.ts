/** The CLI run in the test's own process (so a loopback fake server can live beside it), with a controlled GitHub environment. */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export async function runCli(args: string[], env: { token?: string; api?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const names = ['GH_TOKEN', 'GITHUB_TOKEN', 'PIPEWARDEN_GITHUB_API'];
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  if (env.token) process.env['GH_TOKEN'] = env.token;
  if (env.api) process.env['PIPEWARDEN_GITHUB_API'] = env.api;
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write(chunk, _enc, cb) { add(String(chunk)); cb(); } });
  try {
    const code = await main(args, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
    return { code, stdout, stderr };
  } finally {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}
