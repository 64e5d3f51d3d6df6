/**
 * The registry client against registries that misbehave: redirects to hosts
 * that may not receive credentials or be trusted for digests, and answers too
 * big to be a manifest or a token. Fake registries are node:http servers on
 * loopback, allowed plain HTTP the way PIPEWARDEN_INSECURE_REGISTRIES allows it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { followRedirect, RegistryClient, ResolveError, type DockerCredentials, type HttpRequest, type RegistryCredential } from '../src/fix/registry.js';
import { OCI_INDEX, sha256 } from './helpers/registry.js';

const D = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });

interface Seen {
  method: string;
  url: string;
  auth?: string;
  body: string;
}

/** A loopback HTTP server that records every request (with its body) before `handle` answers it. */
async function serve(handle: (seen: Seen, res: http.ServerResponse, host: string) => void) {
  const requests: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const seen: Seen = { method: req.method!, url: req.url!, body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) };
    requests.push(seen);
    handle(seen, res, host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    close: () => {
      // Stalled answers (the size tests) would keep close() waiting.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const credentials = (cred: RegistryCredential): DockerCredentials => ({ get: () => cred, helper: () => undefined });
const client = (insecure: string[], cred?: RegistryCredential) =>
  new RegistryClient({ insecure: new Set(insecure), timeoutMs: 5_000, ...(cred ? { credentials: credentials(cred) } : {}) });

/** Rejects with a ResolveError whose message matches. */
async function refused(p: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ResolveError, `not a ResolveError: ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

const challenge = (res: http.ServerResponse, realm: string) => {
  res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm}",service="fake",scope="repository:team/app:pull"` });
  res.end();
};
const manifest = (seen: Seen, res: http.ServerResponse, digest = sha256(MANIFEST)) => {
  res.writeHead(200, { 'Content-Type': OCI_INDEX, 'Content-Length': Buffer.byteLength(MANIFEST), 'Docker-Content-Digest': digest });
  res.end(seen.method === 'HEAD' ? undefined : MANIFEST);
};
const redirect = (res: http.ServerResponse, status: number, location: string) => {
  res.writeHead(status, { Location: location });
  res.end();
};

test('a token service redirecting the refresh-token grant elsewhere: refused, the other host receives nothing', async () => {
  const decoy = await serve((_seen, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"access_token":"stolen"}');
  });
  try {
    // The decoy once not allowed plain HTTP, once allowed but another origin than the token service.
    for (const insecure of [[], [decoy.host]]) {
      const registry = await serve((seen, res, host) => {
        if (seen.url === '/token') redirect(res, 307, `http://${decoy.host}/steal`);
        else if (seen.auth !== 'Bearer tok') challenge(res, `http://${host}/token`);
        else manifest(seen, res);
      });
      try {
        await refused(
          client([registry.host, ...insecure], { identityToken: 'REFRESH-TOKEN-SECRET' }).resolveDigest(registry.host, 'team/app', '1.0'),
          insecure.length ? /redirected a request carrying credentials to 127\.0\.0\.1:\d+; refused/ : /redirected to plain HTTP at 127\.0\.0\.1:\d+; refused/,
        );
        assert.deepEqual(decoy.requests, []);
        assert.deepEqual(registry.requests.map((r) => `${r.method} ${r.url}`), ['HEAD /v2/team/app/manifests/1.0', 'POST /token']);
      } finally {
        await registry.close();
      }
    }
  } finally {
    await decoy.close();
  }
});

test('a manifest redirected to plain HTTP off the allowed registries: refused, its digest header is not trusted', async () => {
  const decoy = await serve((seen, res) => manifest(seen, res, D(666)));
  const registry = await serve((_seen, res) => redirect(res, 302, `http://${decoy.host}/v2/team/app/manifests/1.0`));
  try {
    await refused(client([registry.host]).resolveDigest(registry.host, 'team/app', '1.0'), /redirected to plain HTTP at 127\.0\.0\.1:\d+; refused/);
    assert.deepEqual(decoy.requests, []);
  } finally {
    await registry.close();
    await decoy.close();
  }
});

test('a redirect to another origin drops the Authorization header, and a 401 there starts no login', async () => {
  // The other origin stands for a CDN: an allowed loopback registry here, HTTPS in real life.
  const cdn = await serve((seen, res, host) => {
    if (seen.url.startsWith('/locked')) challenge(res, `http://${host}/token`);
    else if (seen.url.startsWith('/token')) res.end('{"token":"tok"}');
    else manifest(seen, res);
  });
  const registry = await serve((seen, res, host) => {
    if (seen.url.startsWith('/token')) res.end('{"token":"tok"}');
    else if (seen.url.startsWith('/v2/team/locked/')) redirect(res, 307, `http://${cdn.host}/locked`);
    else if (seen.auth !== 'Bearer tok') challenge(res, `http://${host}/token`);
    else redirect(res, 307, `http://${cdn.host}/manifest?sig=1`);
  });
  try {
    assert.equal(await client([registry.host, cdn.host]).resolveDigest(registry.host, 'team/app', '1.0'), sha256(MANIFEST));
    assert.equal(registry.requests.at(-1)!.auth, 'Bearer tok');
    assert.deepEqual(cdn.requests.map((r) => `${r.method} ${r.url} ${r.auth ?? 'no auth'}`), ['HEAD /manifest?sig=1 no auth']);

    // The registry's credentials go to the token service it names, never to one a host it redirected to names.
    cdn.requests.length = 0;
    await refused(client([registry.host, cdn.host], { basic: 'robot:s3cret' }).resolveDigest(registry.host, 'team/locked', '1.0'), /refused access to team\/locked \(HTTP 401\)/);
    assert.deepEqual(cdn.requests.map((r) => `${r.method} ${r.url} ${r.auth ?? 'no auth'}`), ['HEAD /locked no auth']);
  } finally {
    await registry.close();
    await cdn.close();
  }
});

test('redirects within the registry are followed with their credentials: 307 keeps the token grant, 308 the bearer token', async () => {
  const registry = await serve((seen, res, host) => {
    if (seen.url === '/token') redirect(res, 307, '/oauth/token');
    else if (seen.url === '/oauth/token') res.end(JSON.stringify({ access_token: new URLSearchParams(seen.body).get('refresh_token') === 'refresh-me' ? 'tok' : 'wrong' }));
    else if (seen.auth !== 'Bearer tok') challenge(res, `http://${host}/token`);
    else if (seen.url === '/v2/team/app/manifests/1.0') redirect(res, 308, `http://${host}/v2/team/app/manifests/by-digest`);
    else manifest(seen, res);
  });
  try {
    assert.equal(await client([registry.host], { identityToken: 'refresh-me' }).resolveDigest(registry.host, 'team/app', '1.0'), sha256(MANIFEST));
    assert.deepEqual(
      registry.requests.map((r) => `${r.method} ${r.url} ${r.auth ?? 'no auth'}`),
      ['HEAD /v2/team/app/manifests/1.0 no auth', 'POST /token no auth', 'POST /oauth/token no auth', 'HEAD /v2/team/app/manifests/1.0 Bearer tok', 'HEAD /v2/team/app/manifests/by-digest Bearer tok'],
    );
    assert.equal(new URLSearchParams(registry.requests[2]!.body).get('grant_type'), 'refresh_token');
  } finally {
    await registry.close();
  }
});

test('a redirect loop is given up after five hops', async () => {
  const registry = await serve((seen, res) => redirect(res, 302, `${seen.url.replace(/\/hop\d+$/, '')}/hop${registry.requests.length}`));
  try {
    await refused(client([registry.host]).resolveDigest(registry.host, 'team/app', '1.0'), /redirected more than 5 times; gave up/);
    assert.equal(registry.requests.length, 6);
  } finally {
    await registry.close();
  }
});

test('followRedirect: where each redirect may lead and what it may carry', () => {
  const get: HttpRequest = { url: new URL('https://registry.example/v2/team/app/manifests/1.0'), method: 'GET', headers: { Accept: OCI_INDEX, Authorization: 'Bearer tok' } };
  const post: HttpRequest = {
    url: new URL('https://auth.example/token'),
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Basic eDp5' },
    body: 'grant_type=refresh_token&refresh_token=SECRET',
  };
  const none = new Set<string>();

  // Same origin: everything is kept; the Location is read against the current URL.
  assert.deepEqual(followRedirect(get, 307, '/v2/team/app/manifests/sha256:1', none), { ...get, url: new URL('https://registry.example/v2/team/app/manifests/sha256:1') });
  // A CDN over HTTPS: followed without the credentials meant for the registry.
  assert.deepEqual(followRedirect(get, 307, 'https://cdn.example/m?sig=1', none), { url: new URL('https://cdn.example/m?sig=1'), method: 'GET', headers: { Accept: OCI_INDEX } });
  assert.deepEqual(followRedirect({ ...get, headers: { authorization: 'Bearer tok' } }, 302, 'https://registry.example:8443/x', none), { url: new URL('https://registry.example:8443/x'), method: 'GET', headers: {} });
  // Plain HTTP, and other schemes, only to a loopback registry allowed plain HTTP.
  assert.match(followRedirect(get, 302, 'http://cdn.example/m', none) as string, /^registry\.example redirected to plain HTTP at cdn\.example; refused$/);
  assert.match(followRedirect(get, 301, 'http://registry.example/v2/', none) as string, /plain HTTP at registry\.example; refused/);
  assert.match(followRedirect(get, 302, 'http://127.0.0.1:5000/m', none) as string, /plain HTTP at 127\.0\.0\.1:5000; refused/);
  assert.deepEqual(followRedirect(get, 302, 'http://127.0.0.1:5000/m', new Set(['127.0.0.1:5000'])), { url: new URL('http://127.0.0.1:5000/m'), method: 'GET', headers: { Accept: OCI_INDEX } });
  assert.match(followRedirect(get, 302, 'file:///etc/passwd', none) as string, /redirected to `file:`; refused/);
  assert.match(followRedirect(get, 302, null, none) as string, /answered HTTP 302 without a Location/);
  assert.match(followRedirect(get, 302, 'https://[bad', none) as string, /redirected to an invalid address/);

  // A body of credentials stays with its origin: 307/308 re-send it there, nowhere else.
  assert.deepEqual(followRedirect(post, 307, '/oauth/token', none), { ...post, url: new URL('https://auth.example/oauth/token') });
  for (const status of [301, 302, 303, 307, 308]) assert.match(followRedirect(post, status, 'https://elsewhere.example/token', none) as string, /^auth\.example redirected a request carrying credentials to elsewhere\.example; refused$/);
  // 303 (and 301/302 of a POST) turn into a GET without the body, as fetch does.
  assert.deepEqual(followRedirect(post, 303, '/done', none), { url: new URL('https://auth.example/done'), method: 'GET', headers: { Authorization: 'Basic eDp5' } });
  assert.equal((followRedirect({ ...get, method: 'HEAD' }, 303, '/x', none) as HttpRequest).method, 'HEAD');
});

/** Sends `bytes` bytes with no Content-Length (chunked), then neither more nor the end: only a size cap ends the read before the timeout. */
function stall(res: http.ServerResponse, type: string, bytes: number) {
  res.writeHead(200, { 'Content-Type': type });
  for (let sent = 0; sent < bytes; sent += 64 * 1024) res.write(Buffer.alloc(Math.min(64 * 1024, bytes - sent), 0x20));
}

test('a manifest past 4 MiB with no Content-Length fails at 4 MiB, without waiting for the rest', async () => {
  const registry = await serve((seen, res) => {
    if (seen.method === 'HEAD') {
      // No digest header: the manifest must be fetched and hashed.
      res.writeHead(200, { 'Content-Type': OCI_INDEX });
      res.end();
    } else stall(res, OCI_INDEX, 4 * 1024 * 1024 + 1);
  });
  try {
    const started = Date.now();
    await refused(client([registry.host]).resolveDigest(registry.host, 'team/app', '1.0'), /^127\.0\.0\.1:\d+ sent a manifest larger than 4 MiB$/);
    assert.ok(Date.now() - started < 4_000, 'failed at the cap, not at the 5 s timeout');
  } finally {
    await registry.close();
  }
});

test('a token answer past 1 MiB fails at 1 MiB; one that stops midway fails with the reason', async () => {
  for (const bytes of [1024 * 1024 + 1, 1000]) {
    const registry = await serve((seen, res, host) => {
      if (seen.url.startsWith('/token')) stall(res, 'application/json', bytes);
      else challenge(res, `http://${host}/token`);
    });
    try {
      const lookup = new RegistryClient({ insecure: new Set([registry.host]), timeoutMs: 1_500 }).resolveDigest(registry.host, 'team/app', '1.0');
      if (bytes > 1000) await refused(lookup, /^the token service of 127\.0\.0\.1:\d+ sent an answer larger than 1 MiB$/);
      else await refused(lookup, /^the token service of 127\.0\.0\.1:\d+ stopped sending an answer midway: .*timeout/);
    } finally {
      await registry.close();
    }
  }
});

test('a repository or tag the distribution spec does not allow never reaches a request', async () => {
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const client = new RegistryClient({ insecure: new Set([host]), timeoutMs: 2_000 });
    for (const [repo, tag] of [['library/../../v2/other', '1'], ['team/app%2f..', '1'], ['Team/App', '1'], ['team//app', '1'], ['team/app', '../1'], ['team/app', 'a b']]) {
      await assert.rejects(client.resolveDigest(host, repo!, tag!), (e: Error) => e instanceof ResolveError && /not a valid (repository name|tag)/.test(e.message), `${repo}:${tag}`);
    }
    assert.equal(requests, 0);
  } finally {
    server.close();
  }
});
