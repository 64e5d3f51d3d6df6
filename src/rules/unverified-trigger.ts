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
    if (pipeline.platform === 'tekton' && (kube.kind === 'EventListener' || kube.kind === 'Trigger')) {
      // A Trigger object is one trigger; an EventListener lists them (or points at Trigger objects).
      const triggers = kube.kind === 'Trigger' ? [kube.objectNode!] : y.items(y.get(spec, 'triggers'));
      for (const t of triggers) {
        const body = kube.kind === 'Trigger' ? spec : t;
        const name = y.str(y.get(kube.kind === 'Trigger' ? y.get(kube.objectNode, 'metadata') : t, 'name')) ?? '(unnamed)';
        if (kube.kind === 'EventListener' && y.get(t, 'triggerRef') !== null) continue;
        const at = kube.kind === 'Trigger' ? kube.span : y.span(t);
        const interceptors = y.items(y.get(body, 'interceptors'));
        if (interceptors.length === 0) {
          report({ span: at, message: `trigger \`${name}\` has no interceptor: any request to the listener starts it` });
          continue;
        }
        let verified = false;
        let unknown = false;
        for (const i of interceptors) {
          const kind = interceptorKind(y, i);
          if (kind === 'github' || kind === 'gitlab' || kind === 'bitbucket') {
            const legacy = y.get(i, kind);
            const hasSecret = y.items(y.get(i, 'params')).some((p) => y.str(y.get(p, 'name')) === 'secretRef') || (legacy !== null && y.get(legacy, 'secretRef') !== null);
            if (hasSecret) verified = true;
            else report({ span: y.span(i), message: `trigger \`${name}\` uses the ${kind} interceptor without \`secretRef\`, so it does not verify the webhook's signature` });
          } else if (kind === 'cel') {
            // CEL filters and overlays do not authenticate unless they compare a secret or a signature.
            const text = JSON.stringify(y.get(i, 'params') ? (y.get(i, 'params') as { toJSON(): unknown }).toJSON() : (y.get(i, 'cel') as { toJSON?(): unknown } | null)?.toJSON?.() ?? '');
            if (/compareSecret|Signature|X-Hub-Signature|X-Gitlab-Token/i.test(text)) verified = true;
          } else if (kind !== 'slack') unknown = true;
        }
        if (verified) continue;
        const reported = interceptors.some((i) => ['github', 'gitlab', 'bitbucket'].includes(interceptorKind(y, i)));
        if (reported) continue;
        report({
          span: at,
          message: unknown
            ? `trigger \`${name}\` uses only custom interceptors; check that one of them verifies who sent the request`
            : `trigger \`${name}\` has interceptors that filter or transform the event but none that verifies who sent it`,
          ...(unknown ? { confidence: 'low' as const, severity: 'medium' as const } : {}),
        });
      }
    }
    if (pipeline.platform === 'argo' && kube.kind === 'EventSource') {
      for (const [key, secretField] of Object.entries(ARGO_SECRET_FIELDS)) {
        for (const p of y.pairs(y.get(spec, key))) {
          const src = y.deref(p.value);
          if (secretField.some((f) => y.get(src, f) !== null)) continue;
          report({ span: y.pairSpan(p), message: `${key} event source \`${String((p.key as { value?: unknown }).value)}\` accepts requests without verifying who sent them` });
        }
      }
    }
  },
});

/** The field that carries the shared secret, per Argo Events webhook-style source. */
const ARGO_SECRET_FIELDS: Record<string, string[]> = {
  webhook: ['authSecret'],
  github: ['webhookSecret'],
  gitlab: ['secretToken'],
  bitbucket: ['auth', 'webhookSecret'],
  bitbucketserver: ['webhookSecret'],
  gerrit: ['auth'],
};

/** `github`, `gitlab`, `bitbucket`, `cel`, `slack` or a custom name, for new (`ref:`) and old (`github:`) forms. */
function interceptorKind(y: ReturnType<typeof yamlOf>, i: unknown): string {
  const ref = y.str(y.get(y.get(i, 'ref'), 'name'));
  if (ref) return ref.toLowerCase();
  for (const k of ['github', 'gitlab', 'bitbucket', 'cel']) if (y.get(i, k) !== null) return k;
  return 'custom';
}
