/**
 * A loopback stand-in for the GitHub REST API (the endpoints pipewarden
 * uses), over a few fake repositories: repository info, tags and branches
 * (paginated with `Link` headers), git refs, annotated tags, compare, and the
 * global advisory list. Every request is recorded.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  defaultBranch: string;
  /** Tag name → commit. */
  tags: Record<string, string>;
  /** Tag name → tag object SHA, for annotated tags (the object points at `tags[name]`). */
  annotated?: Record<string, string>;
  branches: Record<string, string>;
  /** Branch or tag name → older commits reachable from it (its own commit is implied). */
  history: Record<string, string[]>;
  /** Commits GitHub knows in the fork network but on no ref of this repository. */
  forkCommits?: string[];
}

export interface FakeGithub {
  url: string;
  requests: string[];
  /** Authorization headers seen. */
  auth: (string | undefined)[];
  mode: { rateLimited: boolean; pageSize: number };
  close(): Promise<void>;
}

export async function startFakeGithub(repos: Record<string, FakeRepo>, options: { advisories?: unknown[]; token?: string } = {}): Promise<FakeGithub> {
  const requests: string[] = [];
  const auth: (string | undefined)[] = [];
  const mode = { rateLimited: false, pageSize: 2 };
  const server = http.createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://127.0.0.1');
    // GitHub Enterprise serves the API under /api/v3.
    const url = new URL(asked.href.replace('/api/v3/', '/'));
    requests.push(`${asked.pathname}${asked.search}`);
    auth.push(req.headers.authorization);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (mode.rateLimited) return send(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1893456000' });
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return send(401, { message: 'Bad credentials' });
    const page = <T>(items: T[]) => {
      const n = Number(url.searchParams.get('page') ?? '1');
      const slice = items.slice((n - 1) * mode.pageSize, n * mode.pageSize);
      const headers: Record<string, string> = {};
      if (n * mode.pageSize < items.length) {
        const next = new URL(asked.href);
        next.searchParams.set('page', String(n + 1));
        headers['link'] = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
      }
      send(200, slice, headers);
    };
    if (url.pathname === '/advisories') return page(options.advisories ?? []);
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    const repo = m ? repos[`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase()] : undefined;
    if (!m || !repo) return send(404, { message: 'Not Found' });
    const rest = m[3] ?? '';
    if (rest === '') return send(200, { full_name: `${m[1]}/${m[2]}`, default_branch: repo.defaultBranch });
    if (rest === 'tags') return page(Object.entries(repo.tags).map(([name, sha]) => ({ name, commit: { sha } })));
    if (rest === 'branches') return page(Object.entries(repo.branches).map(([name, sha]) => ({ name, commit: { sha } })));
    let r = /^git\/ref\/(tags|heads)\/(.+)$/.exec(rest);
    if (r) {
      const name = decodeURIComponent(r[2]!);
      const sha = r[1] === 'tags' ? repo.tags[name] : repo.branches[name];
      if (!sha) return send(404, { message: 'Not Found' });
      const tagObject = r[1] === 'tags' ? repo.annotated?.[name] : undefined;
      return send(200, { ref: `refs/${r[1]}/${name}`, object: tagObject ? { type: 'tag', sha: tagObject } : { type: 'commit', sha } });
    }
    r = /^git\/tags\/([0-9a-f]+)$/.exec(rest);
    if (r) {
      const name = Object.entries(repo.annotated ?? {}).find(([, o]) => o === r![1])?.[0];
      if (!name) return send(404, { message: 'Not Found' });
      return send(200, { sha: r[1], tag: name, object: { type: 'commit', sha: repo.tags[name] } });
    }
    r = /^compare\/(.+)\.\.\.([0-9a-f]{40})$/.exec(rest);
    if (r) {
      const base = decodeURIComponent(r[1]!);
      const head = r[2]!;
      const baseSha = repo.branches[base] ?? repo.tags[base];
      const known = new Set([...Object.values(repo.tags), ...Object.values(repo.branches), ...Object.values(repo.history).flat(), ...(repo.forkCommits ?? [])]);
      if (!baseSha || !known.has(head)) return send(404, { message: 'Not Found' });
      const status = head === baseSha ? 'identical' : (repo.history[base] ?? []).includes(head) ? 'behind' : 'diverged';
      return send(200, { status, ahead_by: 0, behind_by: 0 });
    }
    return send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    auth,
    mode,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
