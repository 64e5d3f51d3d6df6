/** Files of the shared corpus, for tests that load every file of one kind. */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/helpers → the repository root → its sibling `shared/corpus`.
export const CORPUS = process.env.PIPEWARDEN_CORPUS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus');

/** Like `find dir -type f`, keeping files whose base name matches. */
export function findCorpusFiles(matches: (name: string) => boolean, dir = CORPUS, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) findCorpusFiles(matches, p, out);
    else if (st.isFile() && matches(name)) out.push(p);
  }
  return out;
}
