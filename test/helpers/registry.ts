/**
 * A real OCI registry on loopback for tests: Debian's `docker-registry`
 * (distribution 2.8) started on a free port with its storage in a temporary
 * folder, and images pushed to it over the distribution API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The registry binary on PATH, or undefined. */
export function registryBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v docker-registry'], { encoding: 'utf8' });
  const bin = r.stdout.trim();
  return r.status === 0 && bin ? bin : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface LocalRegistry {
  /** `127.0.0.1:<port>`, as written in image references. */
  host: string;
  /** Uploads a blob; returns its descriptor fields. */
  blob(repository: string, data: string | Buffer): Promise<{ digest: string; size: number }>;
  /** PUTs a manifest (or index) under a tag; returns the digest of the bytes sent. */
  manifest(repository: string, tag: string, mediaType: string, body: string): Promise<string>;
  /** Pushes a one-layer image; returns its manifest text and digest. */
  image(repository: string, tag: string, opts?: { arch?: string; mediaType?: string }): Promise<{ digest: string; body: string }>;
  stop(): Promise<void>;
}

export async function startRegistry(bin: string): Promise<LocalRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${path.join(dir, 'data')}`, 'http:', `  addr: ${host}`, ''].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://${host}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${base}/v2/`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const check = async (res: Response, what: string) => {
    if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  };
  const reg: LocalRegistry = {
    host,
    async blob(repository, data) {
      const bytes = Buffer.from(data);
      const digest = sha256(bytes);
      const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
      await check(start, 'start upload');
      await start.body?.cancel();
      const location = new URL(start.headers.get('location')!, base);
      location.searchParams.set('digest', digest);
      const put = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
      await check(put, 'upload blob');
      await put.body?.cancel();
      return { digest, size: bytes.length };
    },
    async manifest(repository, tag, mediaType, body) {
      const res = await fetch(`${base}/v2/${repository}/manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': mediaType }, body });
      await check(res, `put manifest ${repository}:${tag}`);
      await res.body?.cancel();
      const digest = sha256(body);
      if (res.headers.get('docker-content-digest') !== digest) throw new Error(`registry computed ${res.headers.get('docker-content-digest')}, expected ${digest}`);
      return digest;
    },
    async image(repository, tag, opts = {}) {
      const arch = opts.arch ?? 'amd64';
      const mediaType = opts.mediaType ?? OCI_MANIFEST;
      const docker = mediaType === DOCKER_MANIFEST;
      const layer = await reg.blob(repository, `layer of ${repository}:${tag} for ${arch}`);
      const config = await reg.blob(repository, JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }));
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType,
        config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
      });
      return { digest: await reg.manifest(repository, tag, mediaType, body), body };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return reg;
}
