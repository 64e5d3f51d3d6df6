import { publishes } from '../core/commands.js';
import { gitlabJobInfo, jobRunsFor } from '../platforms/gitlab/build.js';
import { jenkinsJobInfo } from '../platforms/jenkins/build.js';
import { defineRule } from './types.js';

/** Whole words only: `produce-report` is not a deployment. */
const DEPLOY_NAME = /(^|[-_ /:.])(deploy(ment)?|release|publish|prod(uction)?)($|[-_ /:.])/i;
/** Jenkins stages that ship over SSH. */
const REMOTE_SHIP = /\b(ssh|scp|rsync)\b[^\n]*@/;

export default defineRule({
  meta: {
    id: 'unprotected-deployment',
    title: 'Deployment or release without a protected environment',
    severity: 'medium',
    confidence: 'medium',
    owasp: 'CICD-SEC-1',
    platforms: ['gha', 'gitlab', 'jenkins'],
    fixable: false,
    docs: {
      description:
        'A job that deploys, releases or publishes should run in a protected environment: required reviewers, branch restrictions and environment-scoped secrets mean that a merged-but-malicious change, or a compromised collaborator account, cannot ship on its own. Without one, anyone who can push to a branch that triggers the job ships to production.',
      bad: 'jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -f k8s/',
      good: 'jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production   # with required reviewers and branch rules\n    steps:\n      - run: kubectl apply -f k8s/',
      remedy: 'Give the job an environment (GitHub `environment:`, GitLab `environment:`) that is protected: required reviewers, allowed branches, secrets scoped to it; in GitLab also keep the job out of merge request pipelines.',
    },
  },
  check({ pipeline, report }) {
    for (const job of pipeline.jobs) {
      const what = publishes(job).filter((p) => p.ecosystem !== 'image');
      const named = DEPLOY_NAME.test(job.id.value) || (pipeline.platform === 'gitlab' && DEPLOY_NAME.test(gitlabJobInfo(job)?.stage?.value ?? ''));
      if (what.length === 0 && !(pipeline.platform === 'gitlab' && named && job.steps.length > 0)) continue;
      if (pipeline.platform === 'gitlab' && gitlabJobInfo(job)?.when?.value === 'never') continue;
      const action = what[0] ? `${what[0].ecosystem === 'deploy' ? 'deploys' : what[0].ecosystem === 'release' ? 'creates a release' : `publishes to ${what[0].ecosystem}`}` : 'deploys (by its name or stage)';
      if (pipeline.platform === 'jenkins') {
        // Jenkins has no environments: an `input` approval is the gate.
        if ((jenkinsJobInfo.get(job)?.approvals.length ?? 0) > 0) continue;
        if (what.length === 0 && !(DEPLOY_NAME.test(job.id.value) && job.steps.some((s) => REMOTE_SHIP.test(s.script?.text ?? '')))) continue;
        report({ span: job.id.span, message: `stage \`${job.id.value}\` ${action} with no \`input\` approval before it` });
        continue;
      }
      if (!job.environment) {
        report({
          span: job.id.span,
          message: `job \`${job.id.value}\` ${action} without an environment, so no approval or branch protection applies`,
          // By name alone it may be a build or a dry run.
          ...(what.length > 0 ? {} : { severity: 'low' as const, confidence: 'low' as const }),
        });
        continue;
      }
      if (pipeline.platform === 'gitlab' && jobRunsFor(job).mergeRequests === true) {
        report({ span: job.environment.span, message: `job \`${job.id.value}\` ${action} and also runs in merge request pipelines, before anything is merged`, severity: 'high' });
      }
    }
  },
});
