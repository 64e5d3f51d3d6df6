/**
 * A reader of local includes from disk, rooted at a repository: refuses paths
 * that leave the root (also through symbolic links), non-files and files
 * larger than the limit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYaml } from '../../core/yaml.js';
import { SourceFile } from '../../model/source.js';
import type { LocalFile, LocalReader } from './build.js';

export interface FsReaderOptions {
  /** Bytes; larger files are refused. Default 4 MiB. */
  maxBytes?: number;
  /** How a file's path is shown (default: relative to the repository root). */
  displayPath?: (absPath: string, relPath: string) => string;
  /** Most files listed for wildcard includes. Default 100 000. */
  maxListed?: number;
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function fsReader(rootDir: string, opts: FsReaderOptions = {}): LocalReader {
  const root = path.resolve(rootDir);
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = root;
  }
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  let listed: string[] | undefined;
  return {
    read(rel: string): LocalFile | { error: string } {
      const abs = path.resolve(root, rel);
      if (!inside(root, abs)) return { error: 'leaves the repository' };
      let real: string;
      try {
        real = fs.realpathSync(abs);
      } catch {
        return { error: 'does not exist' };
      }
      if (!inside(realRoot, real)) return { error: 'is a link to a file outside the repository' };
      let st: fs.Stats;
      try {
        st = fs.statSync(real);
      } catch (err) {
        return { error: (err as Error).message };
      }
      if (!st.isFile()) return { error: 'is not a regular file' };
      if (st.size > maxBytes) return { error: `is larger than ${maxBytes} bytes` };
      let text: string;
      try {
        text = fs.readFileSync(real, 'utf8');
      } catch (err) {
        return { error: (err as Error).message };
      }
      const shown = opts.displayPath ? opts.displayPath(abs, rel) : rel;
      const file = new SourceFile(shown, text, abs);
      const parsed = parseYaml(file);
      return { file, docs: parsed.docs, problems: parsed.problems.map((p) => ({ message: p.message, span: p.span })) };
    },
    list(): string[] {
      if (listed) return listed;
      const out: string[] = [];
      const max = opts.maxListed ?? 100_000;
      const walk = (dir: string, rel: string) => {
        let entries: fs.Dirent[];
        try {
          entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          if (out.length >= max) return;
          const r = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name)) walk(path.join(dir, e.name), r);
          } else if (e.isFile() || e.isSymbolicLink()) out.push(r);
        }
      };
      walk(root, '');
      listed = out.sort();
      return listed;
    },
  };
}
