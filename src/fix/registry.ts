/**
 * A small client for the OCI distribution API, enough to ask which digest a tag
 * points to: `HEAD /v2/<repository>/manifests/<tag>` accepting image indexes and
 * manifests (Docker and OCI), with the registries' bearer-token flow and
 * credentials from `~/.docker/config.json`.
 */
import { nodeCrypto, nodeOs } from '../core/lazy-builtins.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Index types first: a multi-arch tag is pinned by its index digest, which every platform can pull. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

// Registries refuse manifests over 4 MiB; a bigger answer is not one.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
// A token answer is a few kB of JSON, even with a refresh token in it.
const MAX_TOKEN_BYTES = 1024 * 1024;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** Repository names and tags as the OCI distribution spec defines them (no `..`, no `%`, no empty segments). */
const OCI_REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export class ResolveError extends Error {}

export interface RegistryCredential {
  /** `user:password`, sent as HTTP Basic (to the registry or its token service). */
  basic?: string;
  /** A registry token used as is (`registrytoken`). */
  bearer?: string;
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token service. */
  identityToken?: string;
}

/** Credentials read from a Docker client config; helpers are named, not run. */
export interface DockerCredentials {
  get(registry: string): RegistryCredential | undefined;
  /** The credential helper configured for a registry, which pipewarden does not call. */
  helper(registry: string): string | undefined;
}

/** Docker Hub is written several ways in config files. */
function canonicalHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

export function loadDockerCredentials(env: NodeJS.ProcessEnv): DockerCredentials {
  const dir = env['DOCKER_CONFIG'] || path.join(env['HOME'] || nodeOs().homedir(), '.docker');
  let config: { auths?: Record<string, Record<string, unknown>>; credsStore?: unknown; credHelpers?: Record<string, unknown> } = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    if (parsed && typeof parsed === 'object') config = parsed as typeof config;
  } catch {
    // No config, or not readable: anonymous access only.
  }
  const auths = new Map<string, RegistryCredential>();
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!entry || typeof entry !== 'object') continue;
    const cred: RegistryCredential = {};
    const str = (k: string) => (typeof entry[k] === 'string' && entry[k] !== '' ? (entry[k] as string) : undefined);
    const auth = str('auth');
    if (auth) {
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      if (decoded.includes(':')) cred.basic = decoded;
    } else if (str('username') && str('password')) cred.basic = `${str('username')}:${str('password')}`;
    if (str('registrytoken')) cred.bearer = str('registrytoken');
    if (str('identitytoken')) cred.identityToken = str('identitytoken');
    if (cred.basic || cred.bearer || cred.identityToken) auths.set(canonicalHost(key), cred);
  }
  const helpers = new Map<string, string>();
  for (const [key, name] of Object.entries(config.credHelpers ?? {})) if (typeof name === 'string') helpers.set(canonicalHost(key), name);
  const store = typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined;
  return {
    get: (registry) => auths.get(canonicalHost(registry)),
    helper: (registry) => helpers.get(canonicalHost(registry)) ?? (auths.has(canonicalHost(registry)) ? undefined : store),
  };
}

/** True for hosts that cannot leave the machine: plain HTTP is allowed only for them. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** May a URL receive credentials or be trusted for digests and tokens: HTTPS, or a loopback registry allowed plain HTTP. */
export function isSafeUrl(url: URL, insecure: ReadonlySet<string> | undefined): boolean {
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:' || !isLoopbackHost(url.host) || !insecure) return false;
  // URL drops the default port: `127.0.0.1:80` in the list is `127.0.0.1` here.
  return insecure.has(url.host) || (url.port === '' && insecure.has(`${url.host}:80`));
}

/** A request as `RegistryClient` sends it, one hop of a redirect chain. */
export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  /** Only ever a form carrying credentials (the refresh-token grant). */
  body?: string;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/**
 * The request a redirect leads to, or why it is refused. Every target must be
 * one `isSafeUrl` allows. Credentials stay with the origin they were sent to:
 * off that origin (a CDN serving a registry's manifests) the Authorization
 * header is dropped, and a request with a body (a refresh token) is not
 * followed at all, since a 307/308 would re-send it.
 */
export function followRedirect(req: HttpRequest, status: number, location: string | null, insecure: ReadonlySet<string> | undefined): HttpRequest | string {
  const from = req.url.host;
  if (!location) return `${from} answered HTTP ${status} without a Location`;
  let url: URL;
  try {
    url = new URL(location, req.url);
  } catch {
    return `${from} redirected to an invalid address`;
  }
  if (!isSafeUrl(url, insecure)) return `${from} redirected to ${url.protocol === 'http:' ? `plain HTTP at ${url.host}` : `\`${url.protocol}\``}; refused`;
  const sameOrigin = url.origin === req.url.origin;
  if (!sameOrigin && req.body !== undefined) return `${from} redirected a request carrying credentials to ${url.host}; refused`;
  // As fetch does: a 303, or a 301/302 of a POST, is followed by a GET without the body.
  const toGet = (status === 303 && req.method !== 'GET' && req.method !== 'HEAD') || ((status === 301 || status === 302) && req.method === 'POST');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (!sameOrigin && (lower === 'authorization' || lower === 'cookie')) continue;
    if (toGet && lower === 'content-type') continue;
    headers[name] = value;
  }
  return { url, method: toGet ? 'GET' : req.method, headers, ...(!toGet && req.body !== undefined ? { body: req.body } : {}) };
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (the first challenge of the header). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))\s*,?\s*/gy;
  const rest = m[2]!;
  for (let p = re.exec(rest); p; p = re.exec(rest)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
    if (re.lastIndex >= rest.length) break;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export interface RegistryClientOptions {
  /** Registries (`host:port`, loopback only) spoken to over plain HTTP. */
  insecure?: ReadonlySet<string>;
  credentials?: DockerCredentials;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Docker Hub's API host differs from the name people write. */
  private baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const plain = this.opts.insecure?.has(registry) && isLoopbackHost(registry);
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  /** May a URL receive credentials or be trusted for tokens: HTTPS, or an allowed loopback registry. */
  private safeUrl(url: URL): boolean {
    return isSafeUrl(url, this.opts.insecure);
  }

  /**
   * One request, redirects followed by hand: fetch's own following checks no
   * target and re-sends a 307/308 body anywhere. Every hop goes through
   * `followRedirect`; one timeout covers the hops and the body read after them.
   */
  private async request(first: HttpRequest): Promise<{ res: Response; url: URL }> {
    if (!this.safeUrl(first.url)) throw new ResolveError(`refused to send a request to ${first.url.protocol}//${first.url.host} over plain HTTP`);
    const signal = AbortSignal.timeout(this.opts.timeoutMs ?? 20_000);
    let req = first;
    for (let hops = 0; ; hops++) {
      let res: Response;
      try {
        res = await this.fetchFn(req.url.href, { method: req.method, headers: req.headers, ...(req.body !== undefined ? { body: req.body } : {}), redirect: 'manual', signal });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new ResolveError(`cannot reach ${req.url.host}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      if (!REDIRECT_STATUS.has(res.status)) return { res, url: req.url };
      await res.body?.cancel();
      if (hops >= MAX_REDIRECTS) throw new ResolveError(`${first.url.host} redirected more than ${MAX_REDIRECTS} times; gave up`);
      const next = followRedirect(req, res.status, res.headers.get('location'), this.opts.insecure);
      if (typeof next === 'string') throw new ResolveError(next);
      req = next;
    }
  }

  /** The digest `registry/repository:tag` points to now; a multi-arch tag gives its index digest. */
  async resolveDigest(registry: string, repository: string, tag: string): Promise<string> {
    // Names come from the scanned files: only what the distribution spec allows reaches a URL that may carry credentials.
    if (!OCI_REPOSITORY.test(repository) || repository.length > 255) throw new ResolveError(`\`${JSON.stringify(repository).slice(1, -1)}\` is not a valid repository name`);
    if (!OCI_TAG.test(tag)) throw new ResolveError(`\`${JSON.stringify(tag).slice(1, -1)}\` is not a valid tag`);
    const url = new URL(`${this.baseUrl(registry)}/v2/${repository}/manifests/${encodeURIComponent(tag)}`);
    const scopeKey = `${registry}/${repository}`;
    const send = async (method: 'HEAD' | 'GET'): Promise<Response> => {
      const headers: Record<string, string> = { Accept: MANIFEST_TYPES.join(', '), 'User-Agent': 'pipewarden' };
      const auth = this.tokens.get(scopeKey);
      if (auth) headers['Authorization'] = auth;
      const answer = await this.request({ url, method, headers });
      let res = answer.res;
      // Only the registry itself says how to log in to it: a host it redirected to gets none of its credentials.
      if (res.status === 401 && !auth && answer.url.origin === url.origin) {
        await res.body?.cancel();
        await this.authenticate(registry, repository, res.headers.get('www-authenticate') ?? '');
        if (this.tokens.has(scopeKey)) res = await send(method);
      }
      return res;
    };
    const head = await send('HEAD');
    if (head.ok) {
      checkType(registry, head);
      const digest = head.headers.get('docker-content-digest')?.trim();
      if (digest && DIGEST.test(digest)) return digest;
    } else if ([401, 403, 404, 429].includes(head.status)) throw new ResolveError(this.statusMessage(registry, repository, tag, head));
    // No digest header, or a registry that answers HEAD poorly: fetch the manifest and hash it.
    const res = await send('GET');
    if (!res.ok) {
      await res.body?.cancel();
      throw new ResolveError(this.statusMessage(registry, repository, tag, res));
    }
    checkType(registry, res);
    const body = await readCapped(res, MAX_MANIFEST_BYTES, registry, 'a manifest');
    const computed = `sha256:${nodeCrypto().createHash('sha256').update(body).digest('hex')}`;
    const header = res.headers.get('docker-content-digest')?.trim();
    if (header?.startsWith('sha256:') && header !== computed) throw new ResolveError(`${registry} sent a manifest whose digest is not the one it announced`);
    return header && DIGEST.test(header) ? header : computed;
  }

  private statusMessage(registry: string, repository: string, tag: string, res: Response): string {
    if (res.status === 404) return `${repository}:${tag} not found on ${registry}`;
    if (res.status === 401 || res.status === 403) {
      const helper = this.opts.credentials?.helper(registry);
      const why = helper
        ? `; its credentials are kept by the credential helper \`docker-credential-${helper}\`, which pipewarden does not run: add an \`auths\` entry for ${registry} in ~/.docker/config.json or pin this image by hand`
        : this.opts.credentials?.get(registry)
          ? ' with the credentials from ~/.docker/config.json'
          : '; log in (docker login) if the repository is private';
      return `${registry} refused access to ${repository} (HTTP ${res.status})${why}`;
    }
    if (res.status === 429) return `${registry} is rate-limiting requests (HTTP 429); try again later`;
    return `${registry} answered HTTP ${res.status} for ${repository}:${tag}`;
  }

  /** Answers a 401: Basic with configured credentials, or a bearer token from the realm the registry names. */
  private async authenticate(registry: string, repository: string, header: string): Promise<void> {
    const scopeKey = `${registry}/${repository}`;
    const challenge = parseChallenge(header);
    const cred = this.opts.credentials?.get(registry);
    if (challenge?.scheme === 'basic') {
      if (cred?.basic && this.safeUrl(new URL(this.baseUrl(registry)))) this.tokens.set(scopeKey, `Basic ${Buffer.from(cred.basic).toString('base64')}`);
      return;
    }
    if (challenge?.scheme !== 'bearer') return;
    if (cred?.bearer) {
      this.tokens.set(scopeKey, `Bearer ${cred.bearer}`);
      return;
    }
    const realm = challenge.params['realm'];
    if (!realm) throw new ResolveError(`${registry} asked for a token without saying where to get one`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new ResolveError(`${registry} named an invalid token service \`${realm}\``);
    }
    if (!this.safeUrl(realmUrl)) throw new ResolveError(`${registry} named a token service over plain HTTP (${realmUrl.host}); refused`);
    const service = challenge.params['service'];
    const scope = challenge.params['scope'] ?? `repository:${repository}:pull`;
    const headers: Record<string, string> = { 'User-Agent': 'pipewarden', Accept: 'application/json' };
    let res: Response;
    if (cred?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, client_id: 'pipewarden', scope });
      if (service) form.set('service', service);
      ({ res } = await this.request({ url: realmUrl, method: 'POST', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() }));
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      realmUrl.searchParams.set('scope', scope);
      if (cred?.basic) headers['Authorization'] = `Basic ${Buffer.from(cred.basic).toString('base64')}`;
      ({ res } = await this.request({ url: realmUrl, method: 'GET', headers }));
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ResolveError(`the token service of ${registry} answered HTTP ${res.status}${cred ? '' : ' to an anonymous request; log in (docker login) if the repository is private'}`);
    }
    const text = await readCapped(res, MAX_TOKEN_BYTES, `the token service of ${registry}`, 'an answer');
    let body: { token?: unknown; access_token?: unknown } | null;
    try {
      // TextDecoder drops a byte-order mark, as res.json() did.
      body = JSON.parse(new TextDecoder().decode(text)) as typeof body;
    } catch {
      throw new ResolveError(`the token service of ${registry} sent no JSON`);
    }
    if (!body || typeof body !== 'object') body = {};
    const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' && body.access_token ? body.access_token : undefined;
    if (!token) throw new ResolveError(`the token service of ${registry} sent no token`);
    this.tokens.set(scopeKey, `Bearer ${token}`);
  }
}

/**
 * A response body read up to `limit` bytes: past it the stream is cancelled
 * and the lookup fails at once, instead of holding whatever the server sends
 * until the timeout.
 */
async function readCapped(res: Response, limit: number, who: string, what: string): Promise<Buffer> {
  const tooBig = `${who} sent ${what} larger than ${limit / (1024 * 1024)} MiB`;
  if (Number(res.headers.get('content-length') ?? 0) > limit) {
    await res.body?.cancel();
    throw new ResolveError(tooBig);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new ResolveError(tooBig);
      }
      chunks.push(r.value);
    }
  } catch (err) {
    if (err instanceof ResolveError) throw err;
    throw new ResolveError(`${who} stopped sending ${what} midway: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks, size);
}

/** A tag may still hold a schema-1 manifest, whose digest nothing pulls by any more. */
function checkType(registry: string, res: Response): void {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type && !(MANIFEST_TYPES as readonly string[]).includes(type)) throw new ResolveError(`${registry} answered with \`${type}\`, not an image index or manifest`);
}
