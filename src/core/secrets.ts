/**
 * Recognisers for literal credentials: token formats with fixed prefixes (high
 * confidence) and secret-named keys holding secret-looking values (medium).
 */

export interface TokenMatch {
  kind: string;
  index: number;
  length: number;
}

const TOKEN_FORMATS: { kind: string; re: RegExp }[] = [
  { kind: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g },
  { kind: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{60,255}\b/g },
  { kind: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'GitLab token', re: /\bgl(?:pat|dt|ptt|rt)-[0-9A-Za-z_-]{20,}\b/g },
  { kind: 'Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}\b/g },
  { kind: 'Slack webhook', re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/g },
  { kind: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'PyPI token', re: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g },
  { kind: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { kind: 'Stripe secret key', re: /\b[sr]k_live_[0-9a-zA-Z]{24,}\b/g },
  { kind: 'Docker Hub token', re: /\bdckr_pat_[A-Za-z0-9_-]{27,}\b/g },
  { kind: 'private key', re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----/g },
  // Bounded parts keep this linear on long dotted text.
  { kind: 'password in URL', re: /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/$'"]{1,128}:([^\s@/$'"{}<>]{6,128})@[^\s/]+/gi },
];

/** Documentation placeholders that match the formats but are not secrets. */
const KNOWN_EXAMPLES = /EXAMPLE|XXXXXXXX|xxxxxxxx|0000000000000000|[Yy]our[_-]?([Tt]oken|[Kk]ey|[Pp]assword)/;

/**
 * Something every format above starts with: one test per value instead of
 * thirteen, as nearly no value holds a token (each format must match it).
 * A password in a URL needs an `@` after the `://` with no `/` or space
 * between: plain URLs, common in pipelines, skip the thirteen tests.
 */
const ANY_FORMAT = /gh[pousr]_|github_pat_|AKIA|ASIA|gl(?:pat|dt|ptt|rt)-|xox[abposr]-|hooks\.slack\.com|npm_|pypi-|AIza|k_live_|dckr_pat_|PRIVATE KEY|:\/\/[^\s/]*@/;

const NONE: readonly TokenMatch[] = Object.freeze([]);

export function findTokens(text: string): readonly TokenMatch[] {
  return ANY_FORMAT.test(text) ? matchFormats(text) : NONE;
}

/** Every format tried on the text, without the quick test first (exported for the test that holds the two equal). */
export function matchFormats(text: string): TokenMatch[] {
  const out: TokenMatch[] = [];
  for (const { kind, re } of TOKEN_FORMATS) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (KNOWN_EXAMPLES.test(m[0])) continue;
      if (kind === 'password in URL' && /^(password|pass|passwd|pwd|secret|token|\*+)$/i.test(m[1] ?? '')) continue;
      out.push({ kind, index: m.index, length: m[0].length });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/** Key names that say "this value is a credential". */
const SECRET_KEY = /(^|[_.-])(pass(word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|credentials?)($|[_.-])/i;
/** Names that merely mention a secret: where it lives, how it is used. */
const NOT_A_VALUE_KEY = /(file|path|names?|env|var|variable|id|url|endpoint|type|length|header|ref|arn|field|key[_-]?id|user(name)?|expires?|enabled?|required|description)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_A_VALUE_KEY.test(key);
}

/**
 * Whether a literal value looks like a real credential rather than a
 * reference, a placeholder or a flag.
 */
export function looksLikeSecretValue(value: string): boolean {
  const v = value.trim();
  if (v.length < 8 || v.length > 4096) return false;
  if (/\$\{\{|\$\{|\$\(|\$[A-Za-z_]|%[A-Za-z_]+%|\{\{|\$\[\[|<[^>]+>|^\*+$/.test(v)) return false;
  if (/\s/.test(v)) return false;
  if (/^(true|false|yes|no|null|none|required|optional|changeme|change-me|password|secret|example|placeholder|dummy|test|testing|redacted)$/i.test(v)) return false;
  if (/^(x+|\*+|\.+|-+|0+)$/i.test(v)) return false;
  // Default credentials of local test services (MinIO, databases): fixtures, not secrets.
  if (/^(minio123|minioadmin|admin123|password1|passw0rd|p@ssw0rd|secret123|test1234|changeit|root123|postgres123)$/i.test(v)) return false;
  if (/^[a-z]+(-[a-z]+)*$/.test(v) && v.length < 16) return false; // plain words such as `postgres`, `my-password`
  if (/^(secrets?|vars|env)\.[A-Za-z_]/.test(v)) return false;
  if (/^[A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*$/.test(v)) return false; // names of variables, not values
  if (/^(https?:)?\/\//.test(v) || /^\.{0,2}\//.test(v)) return false; // URLs and paths
  return true;
}
