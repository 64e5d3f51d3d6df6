/**
 * Finds candidate pipeline files under the paths a user names. Never follows a
 * symlink out of the scanned root or around a loop, never opens anything that
 * is not a regular file, and always includes a file named explicitly.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface Candidate {
  absPath: string;
  /** Path relative to the scan root, with forward slashes (for classification and ignores). */
  relPath: string;
  explicit: boolean;
}

export interface DiscoveryNote {
  path: string;
  reason: string;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

/** Files that could be pipeline definitions, by name; the rest of the tree is not read. */
export function isCandidateName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.endsWith('.yml') ||
    lower.endsWith('.yaml') ||
    lower.startsWith('jenkinsfile') ||
    lower.endsWith('.jenkinsfile') ||
    lower.endsWith('.groovy') ||
    lower.startsWith('dockerfile') ||
    lower.endsWith('.dockerfile') ||
    lower.startsWith('containerfile') ||
    lower === 'dagger.json'
  );
}

/**
 * `path.join(dir, name)` for a normalized folder and a name read from it
 * (never a separator, `.` or `..`): joined as text. `path.join` normalizes
 * every result again, ~70 ms of listing 12,000 files' folders.
 */
function childPath(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/**
 * File-system calls here are synchronous: the walk is one call after another
 * either way, and the first use of `fs.promises` loads a dozen Node modules
 * (~2–5 ms of a one-file scan). Real paths come from `realpathSync.native`, as
 * `fs.promises.realpath` gave them.
 */
export async function discover(
  roots: string[],
  opts: { isIgnored?: (relPath: string) => boolean } = {},
): Promise<{ candidates: Candidate[]; notes: DiscoveryNote[] }> {
  const candidates: Candidate[] = [];
  const notes: DiscoveryNote[] = [];
  const seenFiles = new Set<string>();

  for (const root of roots) {
    const absRoot = path.resolve(root);
    let st;
    try {
      st = statSync(absRoot);
    } catch (err) {
      notes.push({ path: root, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    if (st.isFile()) {
      const real = realpathSync.native(absRoot);
      if (!seenFiles.has(real)) {
        seenFiles.add(real);
        candidates.push({ absPath: absRoot, relPath: root.split(path.sep).join('/'), explicit: true });
      }
      continue;
    }
    if (!st.isDirectory()) {
      notes.push({ path: root, reason: 'not a regular file or folder (FIFO, socket or device); not opened' });
      continue;
    }
    const realRoot = realpathSync.native(absRoot);
    const visitedDirs = new Set<string>([realRoot]);
    // Each folder carries its real path: below a real folder, an entry that is not a symlink
    // has the real path folder + name, so only symlinks cost a realpath call.
    const stack: { abs: string; rel: string; real: string }[] = [{ abs: absRoot, rel: '', real: realRoot }];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries;
      try {
        // Synchronous: one folder after another either way, and awaiting each listing cost half the walk.
        entries = readdirSync(dir.abs, { withFileTypes: true });
      } catch (err) {
        notes.push({ path: dir.abs, reason: `cannot read folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: { abs: string; rel: string; real: string }[] = [];
      for (const e of entries) {
        const abs = childPath(dir.abs, e.name);
        const rel = dir.rel ? `${dir.rel}/${e.name}` : e.name;
        let isDir = e.isDirectory();
        let isFile = e.isFile();
        let real = childPath(dir.real, e.name);
        if (e.isSymbolicLink()) {
          let target;
          try {
            real = realpathSync.native(abs);
            target = statSync(real);
          } catch {
            notes.push({ path: abs, reason: 'broken or looping symlink; not followed' });
            continue;
          }
          if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
            notes.push({ path: abs, reason: 'symlink leads outside the scanned folder; not followed' });
            continue;
          }
          isDir = target.isDirectory();
          isFile = target.isFile();
          if (isDir && visitedDirs.has(real)) continue;
          if (isFile && seenFiles.has(real)) continue;
        }
        if (isDir) {
          if (SKIP_DIRS.has(e.name)) continue;
          if (opts.isIgnored?.(rel + '/')) continue;
          if (visitedDirs.has(real)) continue;
          visitedDirs.add(real);
          subdirs.push({ abs, rel, real });
        } else if (isFile) {
          if (!isCandidateName(e.name)) continue;
          if (opts.isIgnored?.(rel)) continue;
          if (seenFiles.has(real)) continue;
          seenFiles.add(real);
          candidates.push({ absPath: abs, relPath: rel, explicit: false });
        } else if (isCandidateName(e.name) && !opts.isIgnored?.(rel)) {
          // FIFOs, sockets and devices are never opened; one with a pipeline's name is noted, not dropped silently.
          notes.push({ path: abs, reason: 'not a regular file (FIFO, socket or device); not opened' });
        }
      }
      // Depth-first in name order: push in reverse so the first name pops first.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }
  return { candidates, notes };
}
