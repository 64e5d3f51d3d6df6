import type { TrustLevel } from '../../model/pipeline.js';

export interface EventTrust {
  actor: TrustLevel;
  /** Runs with repository secrets and a token that can write, even when an outsider caused it. */
  privileged: boolean;
}

/**
 * Who can cause each GitHub event, and whether the run is privileged.
 * Pull request events from forks get a read-only token and no secrets;
 * `pull_request_target`, comment and issue events run in the base repository
 * with full privileges although anyone can cause them.
 */
const EVENTS: Record<string, EventTrust> = {
  pull_request: { actor: 'external', privileged: false },
  pull_request_review: { actor: 'external', privileged: false },
  pull_request_review_comment: { actor: 'external', privileged: false },
  pull_request_target: { actor: 'external', privileged: true },
  workflow_run: { actor: 'external', privileged: true },
  issue_comment: { actor: 'external', privileged: true },
  issues: { actor: 'external', privileged: true },
  discussion: { actor: 'external', privileged: true },
  discussion_comment: { actor: 'external', privileged: true },
  fork: { actor: 'external', privileged: true },
  watch: { actor: 'external', privileged: true },
  gollum: { actor: 'external', privileged: true },
  push: { actor: 'collaborator', privileged: true },
  workflow_dispatch: { actor: 'collaborator', privileged: true },
  repository_dispatch: { actor: 'collaborator', privileged: true },
  workflow_call: { actor: 'collaborator', privileged: true },
  merge_group: { actor: 'collaborator', privileged: true },
  create: { actor: 'collaborator', privileged: true },
  delete: { actor: 'collaborator', privileged: true },
  label: { actor: 'collaborator', privileged: true },
  milestone: { actor: 'collaborator', privileged: true },
  project: { actor: 'collaborator', privileged: true },
  project_card: { actor: 'collaborator', privileged: true },
  project_column: { actor: 'collaborator', privileged: true },
  check_run: { actor: 'collaborator', privileged: true },
  check_suite: { actor: 'collaborator', privileged: true },
  status: { actor: 'collaborator', privileged: true },
  deployment: { actor: 'collaborator', privileged: true },
  deployment_status: { actor: 'collaborator', privileged: true },
  page_build: { actor: 'collaborator', privileged: true },
  registry_package: { actor: 'collaborator', privileged: true },
  release: { actor: 'maintainer', privileged: true },
  branch_protection_rule: { actor: 'maintainer', privileged: true },
  public: { actor: 'maintainer', privileged: true },
  schedule: { actor: 'system', privileged: true },
};

export function eventTrust(event: string): EventTrust {
  return EVENTS[event] ?? { actor: 'collaborator', privileged: true };
}
