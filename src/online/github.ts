/**
 * A small GitHub REST client over the global `fetch`: bearer token, timeouts,
 * `Link` pagination, an on-disk cache with ETag revalidation, and clear errors.
 * After a rate limit, a rejected token or an unreachable host it stops asking:
 * one clear error instead of hundreds of failed requests.
 */
import { isLoopbackHost } from '../fix/registry.js';
import type { ResponseCache } from './cache.js';

export const DEFAULT_GITHUB_API = 'https://api.github.com';

/** Far above any page of the API pipewarden reads (100 tags, branches or advisories); a bigger answer is not read. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** `bad-request`: refused before sending (a name that is not one, a URL outside the API root). */
export type GitHubErrorKind = 'rate-limit' | 'auth' | 'network' | 'timeout' | 'http' | 'bad-response' | 'bad-request';

export class GitHubError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    message: string,
  ) {
    super(message);
  }

  /** Errors after which no further request can succeed in this run. */
  get fatal(): boolean {
    return this.kind === 'rate-limit' || this.kind === 'auth' || this.kind === 'network' || this.kind === 'timeout';
  }
}

export interface GitHubClientOptions {
  apiBase: string;
  token?: string;
  cache?: ResponseCache;
  timeoutMs?: number;
  userAgent?: string;
  /** Answers larger than this are refused (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

export interface ApiResponse {
  /** 200, or 404 for a missing repository, ref or commit. */
  status: number;
  body: unknown;
  link?: string;
}

export class GitHubClient {
  private readonly base: URL;
  private stopped?: GitHubError;
  private readonly inFlight = new Map<string, Promise<ApiResponse>>();
  /** Requests that reached the network (cache hits not counted). */
  networkRequests = 0;

  constructor(private readonly opts: GitHubClientOptions) {
    this.base = new URL(opts.apiBase.replace(/\/+$/, '') + '/');
    // onlineSettings explains this to the user; here it keeps any other caller from sending the token in clear text.
    if (opts.token && this.base.protocol !== 'https:' && !(this.base.protocol === 'http:' && isLoopbackHost(this.base.hostname))) {
      throw new GitHubError('bad-request', `${this.apiBase}: a token is sent only over https:// (plain http:// only to this machine)`);
    }
  }

  get apiBase(): string {
    return this.base.href.replace(/\/$/, '');
  }

  /** The error that stopped the client, if any. */
  get stoppedBy(): GitHubError | undefined {
    return this.stopped;
  }

  /** `path` is relative to the API root (`/repos/o/r/tags`); absolute URLs are accepted only under the root. */
  urlFor(pathOrUrl: string): string {
    if (/^https?:/i.test(pathOrUrl)) return pathOrUrl;
    return this.base.href + pathOrUrl.replace(/^\/+/, '');
  }

  /** GET returning 200 or 404; anything else throws a GitHubError. */
  get(pathOrUrl: string): Promise<ApiResponse> {
    const url = this.urlFor(pathOrUrl);
    const refused = this.refusal(url);
    if (refused) return Promise.reject(refused);
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.fetchUrl(url);
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  /** The JSON body, or null when GitHub answers 404. */
  async json<T>(pathOrUrl: string): Promise<T | null> {
    const r = await this.get(pathOrUrl);
    return r.status === 404 ? null : (r.body as T);
  }

  /**
   * Every page of a list endpoint, following `rel="next"`, at most `maxPages`:
   * `complete` is false when more pages were left. Null when the list is 404.
   */
  async paginate<T>(pathOrUrl: string, maxPages = 10): Promise<{ items: T[]; complete: boolean } | null> {
    const items: T[] = [];
    let url: string | undefined = this.urlFor(pathOrUrl);
    for (let page = 0; url; page++) {
      if (page >= maxPages) return { items, complete: false };
      const r = await this.get(url);
      if (r.status === 404) return page === 0 ? null : { items, complete: false };
      if (!Array.isArray(r.body)) throw new GitHubError('bad-response', `${url}: expected a JSON list`);
      items.push(...(r.body as T[]));
      url = nextLink(r.link);
      // The token goes only to the configured API: a next link elsewhere ends the listing.
      if (url && !url.startsWith(this.base.href)) return { items, complete: false };
    }
    return { items, complete: true };
  }

  /**
   * Why `url` may not be asked with the token: a `.`/`..` segment (URL parsing
   * would step up with it, `/repos/o/r/git/ref/tags/../../../../user/keys`
   * becoming `/user/keys`), or a place outside the API root.
   */
  private refusal(url: string): GitHubError | undefined {
    const pathPart = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/\\?#]*/i, '').split(/[?#]/)[0]!;
    if (pathPart.split(/[/\\]/).some((seg) => /^(?:\.|%2e){1,2}$/i.test(seg))) return new GitHubError('bad-request', `${url}: a "." or ".." path segment; not requested`);
    let href: string;
    try {
      href = new URL(url).href;
    } catch {
      return new GitHubError('bad-request', `${url}: not a URL; not requested`);
    }
    if (!href.startsWith(this.base.href)) return new GitHubError('bad-request', `${url}: outside ${this.apiBase}; not requested`);
    return undefined;
  }

  private async fetchUrl(url: string): Promise<ApiResponse> {
    if (this.stopped) throw this.stopped;
    const cached = await this.opts.cache?.get(url);
    if (cached?.fresh) return { status: cached.status, body: cached.body, ...(cached.link ? { link: cached.link } : {}) };
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': this.opts.userAgent ?? 'pipewarden',
    };
    if (this.opts.token) headers['authorization'] = `Bearer ${this.opts.token}`;
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    let res: Response;
    try {
      this.networkRequests++;
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000), redirect: 'follow' });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const stop =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? new GitHubError('timeout', `${this.apiBase} did not answer within ${Number(((this.opts.timeoutMs ?? 15_000) / 1000).toFixed(1))} s`)
          : new GitHubError('network', `cannot reach ${this.apiBase}: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
      this.stopped = stop;
      throw stop;
    }
    if (res.status === 304 && cached) {
      await res.body?.cancel();
      await this.opts.cache?.put({ url, status: cached.status, body: cached.body, ...(cached.etag ? { etag: cached.etag } : {}), ...(cached.link ? { link: cached.link } : {}) });
      return { status: cached.status, body: cached.body, ...(cached.link ? { link: cached.link } : {}) };
    }
    const max = this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const capped = await readCapped(res, max).catch(() => '');
    if (capped === undefined && res.status === 200) throw new GitHubError('bad-response', `${url}: the answer is larger than ${formatBytes(max)}; not read`);
    const text = capped ?? '';
    if (res.status === 200 || res.status === 404) {
      let body: unknown = null;
      if (res.status === 200) {
        try {
          body = JSON.parse(text);
        } catch {
          throw new GitHubError('bad-response', `${url}: the answer is not JSON`);
        }
      }
      const link = res.headers.get('link') ?? undefined;
      const etag = res.headers.get('etag') ?? undefined;
      await this.opts.cache?.put({ url, status: res.status, body, ...(etag ? { etag } : {}), ...(link ? { link } : {}) });
      return { status: res.status, body, ...(link ? { link } : {}) };
    }
    const stop = classifyFailure(res, text, this.apiBase);
    if (stop.fatal) this.stopped = stop;
    throw stop;
  }
}

/** The body as text, or undefined (and the rest not read) when it is larger than `max` bytes. */
async function readCapped(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(r.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Number((n / 1024 / 1024).toFixed(1))} MB` : `${n} bytes`;
}

function classifyFailure(res: Response, text: string, apiBase: string): GitHubError {
  const remaining = res.headers.get('x-ratelimit-remaining');
  if (res.status === 429 || (res.status === 403 && (remaining === '0' || /rate limit/i.test(text)))) {
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const retry = Number(res.headers.get('retry-after'));
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString().slice(11, 16)} UTC` : Number.isFinite(retry) && retry > 0 ? ` for ${retry} s` : '';
    return new GitHubError('rate-limit', `GitHub API rate limit reached at ${apiBase}; requests refused${when}. Cached answers are kept; run again later`);
  }
  if (res.status === 401) return new GitHubError('auth', `${apiBase} rejected the token (401); check GH_TOKEN or GITHUB_TOKEN`);
  const message = (() => {
    try {
      return (JSON.parse(text) as { message?: string }).message;
    } catch {
      return undefined;
    }
  })();
  return new GitHubError('http', `${res.url}: HTTP ${res.status}${message ? ` (${message})` : ''}`);
}

/** The `rel="next"` URL of a `Link` header. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m && m[2]!.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

/**
 * A git ref name pipewarden will look up or write into a file: git's own
 * rules (no `..`, no component starting with `.` or ending in `.lock`, no
 * empty component, no trailing `.`), narrowed to a conservative character set
 * so that no whitespace, control character, quote, `#` or `%` can get through.
 */
export function isSafeRefName(ref: string): boolean {
  if (!/^[A-Za-z0-9._\/+-]{1,255}$/.test(ref) || ref.includes('..') || ref.endsWith('.')) return false;
  return ref.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

/** A GitHub owner or repository name; never `.` or `..`, which URL parsing would turn into a step up. */
export function isRepoName(name: string): boolean {
  return /^[A-Za-z0-9_.-]{1,100}$/.test(name) && !/^\.+$/.test(name);
}

/** Path segments of a ref name, each encoded (`releases/v1` keeps its slash); a name git would refuse is not asked about. */
export function encodeRef(ref: string): string {
  if (!isSafeRefName(ref)) throw new GitHubError('bad-request', `${JSON.stringify(ref.length > 80 ? `${ref.slice(0, 80)}…` : ref)} is not a valid git ref name; not looked up`);
  return ref.split('/').map(encodeURIComponent).join('/');
}

/** `owner/repo` for an API path; names GitHub would refuse (`..` among them) are not asked about. */
export function encodeRepo(owner: string, repo: string): string {
  for (const name of [owner, repo]) {
    if (!isRepoName(name)) throw new GitHubError('bad-request', `${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)} is not a valid GitHub owner or repository name; not looked up`);
  }
  return `${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

/** The token the online features use: GH_TOKEN, then GITHUB_TOKEN. */
export function tokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['GH_TOKEN']?.trim() || env['GITHUB_TOKEN']?.trim() || undefined;
}
