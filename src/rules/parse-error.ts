import { defineRule } from './types.js';

/** Reported by the scan engine itself, never by a check: the model could not be built. */
export const parseErrorRule = defineRule({
  meta: {
    id: 'parse-error',
    title: 'Pipeline file cannot be parsed',
    severity: 'medium',
    confidence: 'high',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo', 'k8s', 'docker', 'dagger', 'dependabot'],
    fixable: false,
    docs: {
      description:
        'The file is a pipeline definition but is not valid YAML, or does not have the shape the platform expects. The platform would reject it or read it differently from what it looks like, and pipewarden cannot check what it cannot read.',
      bad: 'jobs:\n  build:\n    steps: "run: make"   # steps must be a list',
      good: 'jobs:\n  build:\n    steps:\n      - run: make',
      remedy: 'Fix the syntax or shape at the reported location; the platform would reject or misread it.',
    },
  },
  check() {},
});
