/**
 * Minimal glob matching for ignore patterns and action policies: `**` spans
 * folders, `*` and `?` stay within one path segment; a pattern ending in `/`
 * matches a folder and everything below it; a pattern with no `/` matches at
 * any depth.
 *
 * Matched by walking the path once with the set of pattern positions it can
 * be at, not with a regular expression: the names matched are chosen by
 * whoever writes the repository (file names, action names), and `*-*-*-*`
 * compiled to a backtracking expression took seconds on one long name.
 */
export interface Glob {
  /** The pattern as written. */
  readonly source: string;
  test(path: string): boolean;
}

type Token =
  | { kind: 'char'; c: string }
  /** One character other than `/` (`?`). */
  | { kind: 'one' }
  /** Any run of characters other than `/` (`*`). */
  | { kind: 'segment' }
  /** Any run of characters but line breaks (`**`, as a regular expression's `.*` reads it). */
  | { kind: 'any' }
  /** Any run of characters at all (what precedes a pattern that may start at any depth). */
  | { kind: 'all' }
  /** Either skip to `to`, or go on (starts an optional group). */
  | { kind: 'optional'; to: number };

export function compileGlob(pattern: string): Glob {
  let p = pattern.trim().replace(/\\/g, '/');
  if (p.startsWith('./')) p = p.slice(2);
  const anyDepth = !p.replace(/\/$/, '').includes('/');
  // A trailing `/` names a folder; a match may end at any `/` of the path (see `test`), which covers everything in it.
  if (p.endsWith('/')) p = p.slice(0, -1);
  const tokens: Token[] = [];
  /** `(?:.*\/)?`: no folders, or any text ending in `/`. */
  const folders = (run: 'any' | 'all' = 'any') => {
    const at = tokens.length;
    tokens.push({ kind: 'optional', to: at + 3 }, { kind: run }, { kind: 'char', c: '/' });
  };
  // With no `/` in the pattern, it may start after any `/` of the path, whatever comes before it.
  if (anyDepth) folders('all');
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      if (p[i + 2] === '/') {
        // `**/` matches zero or more folders.
        folders();
        i += 2;
      } else {
        tokens.push({ kind: 'any' });
        i += 1;
      }
    } else if (c === '*') tokens.push({ kind: 'segment' });
    else if (c === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'char', c });
  }
  // Most patterns start with a name (`my-org/*`, `vendor/`): a path that does not start with it is out at once.
  let prefix = '';
  for (const t of tokens) {
    if (t.kind !== 'char') break;
    prefix += t.c;
  }
  return { source: pattern, test: (path) => path.startsWith(prefix) && matches(tokens, path) };
}

/**
 * Whether the tokens match the path, or the path up to one of its `/` (the
 * rest is then inside what matched). Time: path length × pattern length.
 */
function matches(tokens: readonly Token[], path: string): boolean {
  const end = tokens.length;
  let states = new Uint8Array(end + 1);
  let next = new Uint8Array(end + 1);
  const add = (set: Uint8Array, i: number): void => {
    if (set[i]) return;
    set[i] = 1;
    const t = tokens[i];
    if (!t) return;
    // Runs may be empty; an optional group may be skipped.
    if (t.kind === 'segment' || t.kind === 'any' || t.kind === 'all') add(set, i + 1);
    else if (t.kind === 'optional') {
      add(set, i + 1);
      add(set, t.to);
    }
  };
  add(states, 0);
  // What follows a match that ends at a `/` is read as `.*` too: it may hold no line break.
  let lastBreak = -1;
  for (let i = 0; i < path.length; i++) if (LINE_BREAK.test(path[i]!)) lastBreak = i;
  for (let pos = 0; ; pos++) {
    const c = path[pos];
    if (states[end] && (c === undefined || (c === '/' && pos > lastBreak))) return true;
    if (c === undefined) return false;
    next.fill(0);
    let alive = false;
    for (let i = 0; i < end; i++) {
      if (!states[i]) continue;
      const t = tokens[i]!;
      let to = -1;
      if (t.kind === 'char') to = t.c === c ? i + 1 : -1;
      else if (t.kind === 'one') to = c !== '/' ? i + 1 : -1;
      else if (t.kind === 'segment') to = c !== '/' ? i : -1;
      else if (t.kind === 'any') to = LINE_BREAK.test(c) ? -1 : i;
      else if (t.kind === 'all') to = i;
      if (to >= 0) {
        add(next, to);
        alive = true;
      }
    }
    if (!alive) return false;
    [states, next] = [next, states];
  }
}

/** The characters a regular expression's `.` does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

export function matchesAny(relPath: string, patterns: readonly Glob[]): boolean {
  const p = relPath.replace(/\\/g, '/').replace(/^\.\//, '');
  return patterns.some((g) => g.test(p) || g.test(p.replace(/\/$/, '')));
}
