/**
 * Minimal glob matching for ignore patterns: `**` spans folders, `*` and `?`
 * stay within one path segment; a pattern ending in `/` matches a folder and
 * everything below it; a pattern with no `/` matches at any depth.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.trim().replace(/\\/g, '/');
  if (p.startsWith('./')) p = p.slice(2);
  const anyDepth = !p.replace(/\/$/, '').includes('/');
  // A trailing `/` names a folder; the `(?:/.*)?` tail below already matches everything in it.
  if (p.endsWith('/')) p = p.slice(0, -1);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      // `**/` matches zero or more folders.
      if (p[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const prefix = anyDepth ? '(?:^|.*/)' : '^';
  return new RegExp(`${prefix}${re}(?:/.*)?$`);
}

export function matchesAny(relPath: string, patterns: RegExp[]): boolean {
  const p = relPath.replace(/\\/g, '/').replace(/^\.\//, '');
  return patterns.some((re) => re.test(p) || re.test(p.replace(/\/$/, '')));
}
