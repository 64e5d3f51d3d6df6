import { imageTagKey, isDynamic } from '../core/refs.js';
import { LOOKUP_VALUE, type Fix } from '../model/finding.js';
import type { ExternalRef, Pipeline } from '../model/pipeline.js';
import { fileOf } from '../platforms/gitlab/build.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unpinned-images',
    title: 'Container image not pinned by digest',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s', 'docker'],
    fixable: true,
    docs: {
      description:
        'An image named by tag, or by no tag at all (`latest`), is whatever the registry serves when the job starts. Whoever can push to that repository, or compromise the registry, decides what runs in your pipeline. A digest (`@sha256:…`) names exactly one image.',
      bad: 'container:\n  image: node:20',
      good: 'container:\n  image: node:20@sha256:<digest>',
      remedy:
        'Reference the image by digest (`name:tag@sha256:…`, keeping the tag for readers) and let Dependabot or Renovate update it. `pipewarden fix` looks the digests up in the registries (or in `.pipewarden/images.lock.json`) and adds them.',
    },
  },
  check({ pipeline, report }) {
    for (const ref of pipeline.references) {
      if (ref.kind !== 'image' || ref.pin === 'digest' || ref.pin === 'dynamic') continue;
      // `ko://<import path>` is replaced by ko at build time with the image it builds, pinned by digest.
      if (/^ko:\/\//.test(ref.raw.trim())) continue;
      const fix = digestFix(pipeline, ref);
      if (ref.pin === 'unpinned') {
        report({ span: ref.span, message: `image \`${ref.raw.trim()}\` has no tag or uses \`latest\`: any push to it changes what runs`, ...(fix ? { fix } : {}) });
      } else {
        report({ span: ref.span, message: `image \`${ref.raw.trim()}\` is pinned by tag \`${ref.version}\`, which can be re-pushed; pin a digest`, severity: 'low', ...(fix ? { fix } : {}) });
      }
    }
  },
});

/** A literal image reference as the source spells it: no quotes, escapes or variables inside. */
const LITERAL_IMAGE = /^(?:docker:\/\/)?[A-Za-z0-9._\-/:[\]]+$/;

/**
 * `name:tag` → `name:tag@sha256:…` (an untagged name gets `:latest` too, so the
 * pin says what it tracks). The digest is looked up at fix time. Only offered
 * when the reference is written literally at its span: a value that came from
 * a variable (a Dockerfile `ARG`, a template) is never touched.
 */
function digestFix(pipeline: Pipeline, ref: ExternalRef): Fix | undefined {
  const key = imageTagKey(ref);
  if (!key) return undefined;
  const file = (pipeline.platform === 'gitlab' ? fileOf(ref.span) : undefined) ?? pipeline.file;
  const at = file.text.slice(ref.span.offset, ref.span.endOffset);
  const written = ref.raw.trim();
  if (isDynamic(at) || !LITERAL_IMAGE.test(written)) return undefined;
  const start = at.indexOf(written);
  if (start < 0 || at.indexOf(written, start + 1) >= 0) return undefined;
  const end = ref.span.offset + start + written.length;
  const insertion = `${ref.version === undefined ? ':latest' : ''}@${LOOKUP_VALUE}`;
  return {
    description: `pin \`${written}\` to the digest its tag points to now`,
    safety: 'safe',
    edits: [],
    lookup: { kind: 'image-digest', key, edits: [{ offset: end, endOffset: end, replacement: insertion }] },
  };
}
