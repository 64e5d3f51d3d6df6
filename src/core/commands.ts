/**
 * What a job does, read from its steps: publishing packages, deploying,
 * pushing images. Several rules (unprotected-deployment, use-trusted-publishing,
 * cache-poisoning, long-lived-cloud-credentials) ask the same questions.
 */
import type { Job, Step } from '../model/pipeline.js';
import { actionKey } from '../platforms/github/uses.js';
import { FileScopedMap } from './file-scoped.js';

export interface Publish {
  ecosystem: 'npm' | 'pypi' | 'crates' | 'rubygems' | 'nuget' | 'image' | 'release' | 'deploy';
  step: Step;
  /** The publish uses a stored token (not OIDC trusted publishing). */
  storedToken: boolean;
}

const SCRIPT_PUBLISH: { ecosystem: Publish['ecosystem']; re: RegExp; token: RegExp }[] = [
  { ecosystem: 'npm', re: /\b(npm|pnpm|yarn)\s+(publish|npm\s+publish)\b/, token: /NPM_TOKEN|NODE_AUTH_TOKEN|_authToken/ },
  { ecosystem: 'pypi', re: /\btwine\s+upload\b|\b(uv|poetry|flit|hatch)\s+publish\b/, token: /TWINE_PASSWORD|PYPI_(API_)?TOKEN|POETRY_PYPI_TOKEN|UV_PUBLISH_TOKEN|--password|--token/ },
  { ecosystem: 'crates', re: /\bcargo\s+publish\b/, token: /CARGO_REGISTRY_TOKEN|--token/ },
  { ecosystem: 'rubygems', re: /\bgem\s+push\b/, token: /GEM_HOST_API_KEY|RUBYGEMS_API_KEY|--key/ },
  { ecosystem: 'nuget', re: /\b(dotnet\s+nuget|nuget)\s+push\b/, token: /--api-key|-ApiKey|-k\s/ },
  { ecosystem: 'image', re: /\b(docker|podman|buildah)\s+push\b|\bcrane\s+(push|copy)\b|\/kaniko\/executor\b[^\n]*--destination/, token: /$^/ },
  { ecosystem: 'release', re: /\bgh\s+release\s+(create|upload)\b|\bgoreleaser\b[^\n]*\brelease\b|\bsemantic-release\b/, token: /$^/ },
  { ecosystem: 'deploy', re: /\b(kubectl\b[^\n|;&]{0,200}?\s(apply|set\s+image|rollout)|helm\b[^\n|;&]{0,200}?\s(upgrade|install)|terraform\s+apply|pulumi\s+up|aws\s+(s3\s+sync|ecs\s+update-service|lambda\s+update-function-code|cloudformation\s+deploy)|gcloud\s+(run\s+deploy|app\s+deploy|functions\s+deploy)|az\s+(webapp|functionapp)\s+deploy|firebase\s+deploy|vercel\s+(deploy\s+)?--prod|flyctl\s+deploy|serverless\s+deploy)\b/, token: /$^/ },
];

/** Actions that publish or deploy, by lower-case `owner/repo`. */
const ACTION_PUBLISH: Record<string, Publish['ecosystem']> = {
  'pypa/gh-action-pypi-publish': 'pypi',
  'js-devtools/npm-publish': 'npm',
  'docker/build-push-action': 'image',
  'softprops/action-gh-release': 'release',
  'ncipollo/release-action': 'release',
  'goreleaser/goreleaser-action': 'release',
  'azure/webapps-deploy': 'deploy',
  'azure/functions-action': 'deploy',
  'aws-actions/amazon-ecs-deploy-task-definition': 'deploy',
  'google-github-actions/deploy-cloudrun': 'deploy',
  'google-github-actions/deploy-appengine': 'deploy',
  'cloudflare/wrangler-action': 'deploy',
  'amondnet/vercel-action': 'deploy',
  'peaceiris/actions-gh-pages': 'deploy',
  'actions/deploy-pages': 'deploy',
  'rubygems/release-gem': 'rubygems',
};

const publishesOf = new FileScopedMap<Job, readonly Publish[]>();

/** What a job publishes or deploys; worked out once per job, since several rules ask. */
export function publishes(job: Job): readonly Publish[] {
  let known = publishesOf.get(job);
  if (!known) publishesOf.set(job, (known = readPublishes(job)));
  return known;
}

function readPublishes(job: Job): Publish[] {
  const out: Publish[] = [];
  const env = job.env.map((e) => `${e.name.value}=${e.value?.value ?? ''}`).join('\n');
  for (const step of job.steps) {
    const key = actionKey(step.uses);
    const viaAction = key ? ACTION_PUBLISH[key] : undefined;
    if (viaAction) {
      const inputs = [...step.with.keys()].join(' ');
      // pypi-publish with `password:` (an API token) instead of trusted publishing.
      const stored = viaAction === 'pypi' ? /\bpassword\b/i.test(inputs) : false;
      out.push({ ecosystem: viaAction, step, storedToken: stored });
      continue;
    }
    const text = step.script?.kind === 'run' ? step.script.text : '';
    if (!text) continue;
    const stepEnv = step.env.map((e) => `${e.name.value}=${e.value?.value ?? ''}`).join('\n');
    for (const p of SCRIPT_PUBLISH) {
      if (!p.re.test(text)) continue;
      // GitHub Packages is published to with the job's own token: nothing long-lived to replace.
      const jobToken = /(NODE_AUTH_TOKEN|NPM_TOKEN)=\$\{\{\s*(secrets\.GITHUB_TOKEN|github\.token)\s*\}\}/i.test(`${stepEnv}\n${env}`);
      out.push({ ecosystem: p.ecosystem, step, storedToken: !jobToken && (p.token.test(text) || p.token.test(stepEnv) || p.token.test(env)) });
    }
  }
  return out;
}
