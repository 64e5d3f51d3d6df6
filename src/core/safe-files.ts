/**
 * Files pipewarden keeps inside the repository it works on (lock files, the
 * advisory snapshot). The repository may be hostile, so below its root no
 * path is followed through a symbolic link: a link planted as `.pipewarden`
 * or as the file itself would send a read to a secret or a write outside the
 * tree. Writes go to a fresh temporary file (random name, created
 * exclusively, so a planted name cannot redirect it) renamed over the target.
 */
import { nodeCrypto } from './lazy-builtins.js';
import { constants, lstatSync, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';

export class UnsafePathError extends Error {}

/** Larger than any lock file or snapshot pipewarden writes; a bigger file is refused rather than read whole. */
export const MAX_KEPT_FILE_BYTES = 10 * 1024 * 1024;

/**
 * `[base, rel]` for `file`: below `root` when it lies there (each component
 * below the root is then checked), else its own folder (only the file is).
 */
export function splitBelow(file: string, root: string | undefined): [string, string] {
  const abs = path.resolve(file);
  if (root !== undefined) {
    const rel = path.relative(path.resolve(root), abs);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return [path.resolve(root), rel];
  }
  return [path.dirname(abs), path.basename(abs)];
}

function componentsOf(rel: string): string[] {
  const parts = path.normalize(rel).split(path.sep).filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new Error(`internal: \`${rel}\` is not a path below its base`);
  return parts;
}

/**
 * Synchronous: most scans only learn that `.pipewarden` is absent, and the
 * first use of `fs.promises` loads a dozen Node modules (~2–5 ms of a one-file scan).
 */
function lstatOrUndefined(p: string): Stats | undefined {
  return lstatSync(p, { throwIfNoEntry: false });
}

function refuse(p: string, st: Stats, folder: boolean): void {
  if (st.isSymbolicLink()) throw new UnsafePathError(`${p} is a symbolic link; pipewarden does not follow links inside the repository here: replace it with a real ${folder ? 'folder' : 'file'}`);
  if (folder ? !st.isDirectory() : !st.isFile()) throw new UnsafePathError(`${p} is not a ${folder ? 'folder' : 'regular file'}`);
}

/** The text of `base/rel`, or undefined when it does not exist; a link on the way or at the end is refused. */
export async function readBelow(base: string, rel: string, maxBytes = MAX_KEPT_FILE_BYTES): Promise<string | undefined> {
  const parts = componentsOf(rel);
  let at = base;
  for (const [i, part] of parts.entries()) {
    at = path.join(at, part);
    const st = lstatOrUndefined(at);
    if (!st) return undefined;
    refuse(at, st, i < parts.length - 1);
  }
  // O_NOFOLLOW closes the gap between the check and the open for the file itself; O_NONBLOCK keeps a FIFO swapped in from hanging it.
  const handle = await fs.open(at, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    refuse(at, st, false);
    if (st.size > maxBytes) throw new UnsafePathError(`${at} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Writes `base/rel` atomically; missing folders below `base` are made, a link
 * on the way or at the end is refused. An existing file keeps its mode.
 */
export async function writeBelow(base: string, rel: string, content: string): Promise<void> {
  const parts = componentsOf(rel);
  await fs.mkdir(base, { recursive: true });
  let at = base;
  for (const part of parts.slice(0, -1)) {
    at = path.join(at, part);
    let st = lstatOrUndefined(at);
    if (!st) {
      // Not recursive: one level at a time, each checked, so a link made meanwhile is seen.
      await fs.mkdir(at).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      st = lstatSync(at);
    }
    refuse(at, st, true);
  }
  const file = path.join(at, parts[parts.length - 1]!);
  const st = lstatOrUndefined(file);
  if (st) refuse(file, st, false);
  await writeFileAtomic(file, content, st ? st.mode & 0o7777 : undefined);
}

/**
 * Writes `file` so that a crash leaves either the old or the new content: a
 * temporary file beside it, created exclusively under a random name, flushed,
 * then renamed over it. `mode` is set exactly (not masked by the umask).
 */
export async function writeFileAtomic(file: string, content: string, mode?: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.pipewarden-${nodeCrypto().randomBytes(12).toString('hex')}.tmp`);
  // `wx` is O_CREAT|O_EXCL: it fails on any existing name, a symlink included, instead of writing through it.
  const handle = await fs.open(tmp, 'wx', mode ?? 0o666);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (mode !== undefined) await fs.chmod(tmp, mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
