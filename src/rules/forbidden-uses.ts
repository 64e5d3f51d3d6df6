import { compileGlob, type Glob } from '../config/glob.js';
import { defineRule } from './types.js';

interface Pattern {
  text: string;
  re: Glob;
}

/** Patterns by the list they come from (the configuration's, the same for every file): compiled once, not per file. */
const compiled = new WeakMap<object, Pattern[]>();

function patterns(value: unknown): Pattern[] {
  if (!Array.isArray(value)) return [];
  let out = compiled.get(value);
  if (!out) compiled.set(value, (out = value.filter((v): v is string => typeof v === 'string').map((text) => ({ text, re: compileGlob(text.toLowerCase()) }))));
  return out;
}

export default defineRule({
  meta: {
    id: 'forbidden-uses',
    title: 'External code outside the allow-list',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-8',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s'],
    fixable: false,
    docs: {
      description:
        'Organisations restrict which third-party actions, includes, libraries and images pipelines may use. With `rules.forbidden-uses.options.allow` (only these) or `deny` (never these) in `.pipewarden.yml`, every reference is checked against the lists: actions and includes by `owner/repo[/path]`, images by `registry/repository`. Without options the rule is silent.',
      bad: '# .pipewarden.yml\nrules:\n  forbidden-uses:\n    options:\n      allow: ["actions/*", "my-org/*", "ghcr.io/my-org/*"]\n# workflow\n- uses: random-user/deploy@<sha>',
      good: '- uses: my-org/deploy@<sha>',
      remedy: 'Use an approved alternative, or add the reference to the allow-list after review.',
    },
  },
  validateOptions(options) {
    for (const [k, v] of Object.entries(options)) {
      if (k !== 'allow' && k !== 'deny') return `unknown option \`${k}\` (expected allow, deny)`;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return `\`${k}\` must be a list of patterns`;
    }
    return undefined;
  },
  check({ pipeline, report, options }) {
    const allow = patterns(options['allow']);
    const deny = patterns(options['deny']);
    if (allow.length === 0 && deny.length === 0) return;
    for (const ref of pipeline.references) {
      if (ref.pin === 'local' || ref.pin === 'dynamic') continue;
      const name = `${ref.name}${ref.path ? '/' + ref.path : ''}`.toLowerCase();
      const matches = (p: Pattern) => p.re.test(name) || p.re.test(ref.name.toLowerCase());
      const denied = deny.find(matches);
      if (denied) {
        report({ span: ref.span, message: `\`${ref.raw.trim()}\` is on the deny-list (\`${denied.text}\`)` });
      } else if (allow.length > 0 && !allow.some(matches)) {
        report({ span: ref.span, message: `\`${ref.raw.trim()}\` is not on the allow-list` });
      }
    }
  },
});
