import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unpinned-images',
    title: 'Container image not pinned by digest',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s', 'docker'],
    fixable: false,
    docs: {
      description:
        'An image named by tag, or by no tag at all (`latest`), is whatever the registry serves when the job starts. Whoever can push to that repository, or compromise the registry, decides what runs in your pipeline. A digest (`@sha256:…`) names exactly one image.',
      bad: 'container:\n  image: node:20',
      good: 'container:\n  image: node:20@sha256:<digest>',
      remedy: 'Reference the image by digest (`name:tag@sha256:…`, keeping the tag for readers) and let Dependabot or Renovate update it.',
    },
  },
  check({ pipeline, report }) {
    for (const ref of pipeline.references) {
      if (ref.kind !== 'image' || ref.pin === 'digest' || ref.pin === 'dynamic') continue;
      if (ref.pin === 'unpinned') {
        report({ span: ref.span, message: `image \`${ref.raw.trim()}\` has no tag or uses \`latest\`: any push to it changes what runs` });
      } else {
        report({ span: ref.span, message: `image \`${ref.raw.trim()}\` is pinned by tag \`${ref.version}\`, which can be re-pushed; pin a digest`, severity: 'low' });
      }
    }
  },
});
