import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unverified-trigger',
    title: 'Webhook entry point without an authenticity check',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['tekton', 'argo'],
    fixable: false,
    docs: {
      description:
        'An EventListener trigger without interceptors, or with a GitHub/GitLab interceptor that has no `secretRef`, accepts any HTTP request that reaches it: anyone who can reach the endpoint starts pipelines with parameters of their choosing. The same holds for an Argo Events webhook event source with no authentication.',
      bad: 'kind: EventListener\nspec:\n  triggers:\n    - name: on-push\n      bindings:\n        - ref: push-binding\n      template:\n        ref: build-template',
      good: 'kind: EventListener\nspec:\n  triggers:\n    - name: on-push\n      interceptors:\n        - ref:\n            name: github\n          params:\n            - name: secretRef\n              value:\n                secretName: github-webhook\n                secretKey: token\n      bindings:\n        - ref: push-binding\n      template:\n        ref: build-template',
      remedy: 'Verify every webhook: the GitHub/GitLab/Bitbucket interceptor with a `secretRef` holding the shared secret, or a CEL interceptor that checks a signature; for Argo Events set `authSecret` on the webhook.',
    },
  },
  check({ pipeline, report }) {
    const kube = pipeline.kube;
    if (!kube) return;
    const y = yamlOf(pipeline);
    const spec = y.get(kube.objectNode, 'spec');
    if (pipeline.platform === 'tekton' && kube.kind === 'EventListener') {
      const triggers = y.items(y.get(spec, 'triggers'));
      for (const t of triggers) {
        const name = y.str(y.get(t, 'name')) ?? '(unnamed)';
        // A trigger that points at a Trigger object delegates its interceptors to it.
        if (y.get(t, 'triggerRef') !== null) continue;
        const interceptors = y.items(y.get(t, 'interceptors'));
        if (interceptors.length === 0) {
          report({ span: y.span(t), message: `trigger \`${name}\` has no interceptor: any request to the listener starts it` });
          continue;
        }
        for (const i of interceptors) {
          const refName = (y.str(y.get(y.get(i, 'ref'), 'name')) ?? (y.get(i, 'github') ? 'github' : y.get(i, 'gitlab') ? 'gitlab' : y.get(i, 'bitbucket') ? 'bitbucket' : '')).toLowerCase();
          if (!['github', 'gitlab', 'bitbucket'].includes(refName)) continue;
          const legacy = y.get(i, refName);
          const hasSecret = y.items(y.get(i, 'params')).some((p) => y.str(y.get(p, 'name')) === 'secretRef') || (legacy !== null && y.get(legacy, 'secretRef') !== null);
          if (!hasSecret) report({ span: y.span(i), message: `trigger \`${name}\` uses the ${refName} interceptor without \`secretRef\`, so it does not verify the webhook's signature` });
        }
      }
    }
    if (pipeline.platform === 'argo' && kube.kind === 'EventSource') {
      for (const key of ['webhook', 'github', 'gitlab', 'bitbucket', 'bitbucketserver']) {
        for (const p of y.pairs(y.get(spec, key))) {
          const src = y.deref(p.value);
          const secret = key === 'webhook' ? y.get(src, 'authSecret') : y.get(src, 'webhookSecret') ?? y.get(src, 'secret');
          if (secret === null) report({ span: y.pairSpan(p), message: `${key} event source \`${String((p.key as { value?: unknown }).value)}\` accepts requests without verifying who sent them` });
        }
      }
    }
  },
});
