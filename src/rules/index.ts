/** Every rule, in catalog order. A rule is one file; adding one means adding it here. */
import artipacked from './artipacked.js';
import dangerousTriggers from './dangerous-triggers.js';
import excessivePermissions from './excessive-permissions.js';
import hardcodedCredentials from './hardcoded-credentials.js';
import { invalidIgnoreRule } from './invalid-ignore.js';
import overprovisionedSecrets from './overprovisioned-secrets.js';
import { parseErrorRule } from './parse-error.js';
import secretsInherit from './secrets-inherit.js';
import selfHostedRunner from './self-hosted-runner.js';
import templateInjection from './template-injection.js';
import type { Rule } from './types.js';
import unpinnedImages from './unpinned-images.js';
import unpinnedUses from './unpinned-uses.js';
import untrustedCheckout from './untrusted-checkout.js';
import privilegedContainer from './privileged-container.js';
import missingSecurityContext from './missing-security-context.js';
import runAsRoot from './run-as-root.js';
import missingResourceLimits from './missing-resource-limits.js';
import defaultServiceAccount from './default-service-account.js';
import automountToken from './automount-token.js';
import unverifiedTrigger from './unverified-trigger.js';
import unsignedArtifacts from './unsigned-artifacts.js';
import overprivilegedServiceAccount from './overprivileged-service-account.js';
import sharedWorkspace from './shared-workspace.js';
import credentialWorkspaceExposure from './credential-workspace-exposure.js';
import unrestrictedEgress from './unrestricted-egress.js';
import debugLogging from './debug-logging.js';
import unverifiedScriptExec from './unverified-script-exec.js';
import unprotectedDeployment from './unprotected-deployment.js';
import useTrustedPublishing from './use-trusted-publishing.js';
import longLivedCloudCredentials from './long-lived-cloud-credentials.js';
import secretInterpolation from './secret-interpolation.js';
import insecureCommands from './insecure-commands.js';
import unsoundCondition from './unsound-condition.js';
import unsoundContains from './unsound-contains.js';
import botConditions from './bot-conditions.js';
import unredactedSecrets from './unredacted-secrets.js';
import githubEnv from './github-env.js';
import dependabotExecution from './dependabot-execution.js';
import dependabotCooldown from './dependabot-cooldown.js';
import typosquatUses from './typosquat-uses.js';
import forbiddenUses from './forbidden-uses.js';
import obfuscation from './obfuscation.js';
import unpinnedPackages from './unpinned-packages.js';
import cachePoisoning from './cache-poisoning.js';
import concurrencyLimits from './concurrency-limits.js';
import anonymousDefinition from './anonymous-definition.js';
import undocumentedPermissions from './undocumented-permissions.js';
import githubApp from './github-app.js';
import unverifiedDownload from './unverified-download.js';
import secretAsPlainEnv from './secret-as-plain-env.js';
import knownVulnerableActions from './known-vulnerable-actions.js';
import archivedUses from './archived-uses.js';
import missingProvenance from './missing-provenance.js';
import unsoundTernary from './unsound-ternary.js';
import unpinnedTools from './unpinned-tools.js';
import secretsOutsideEnv from './secrets-outside-env.js';
import superfluousActions from './superfluous-actions.js';
import selfRepository from './self-repository.js';
import misfeature from './misfeature.js';
import refConfusion from './ref-confusion.js';
import impostorCommit from './impostor-commit.js';
import staleActionRefs from './stale-action-refs.js';
import refVersionMismatch from './ref-version-mismatch.js';

export const allRules: Rule[] = [
  templateInjection,
  untrustedCheckout,
  dangerousTriggers,
  excessivePermissions,
  selfHostedRunner,
  hardcodedCredentials,
  overprovisionedSecrets,
  secretsInherit,
  artipacked,
  unpinnedUses,
  unpinnedImages,
  privilegedContainer,
  missingSecurityContext,
  runAsRoot,
  missingResourceLimits,
  defaultServiceAccount,
  automountToken,
  unverifiedTrigger,
  unsignedArtifacts,
  overprivilegedServiceAccount,
  sharedWorkspace,
  credentialWorkspaceExposure,
  unrestrictedEgress,
  debugLogging,
  unverifiedScriptExec,
  unprotectedDeployment,
  useTrustedPublishing,
  longLivedCloudCredentials,
  secretInterpolation,
  insecureCommands,
  unsoundCondition,
  unsoundContains,
  botConditions,
  unredactedSecrets,
  githubEnv,
  dependabotExecution,
  dependabotCooldown,
  typosquatUses,
  forbiddenUses,
  obfuscation,
  unpinnedPackages,
  cachePoisoning,
  concurrencyLimits,
  anonymousDefinition,
  undocumentedPermissions,
  githubApp,
  unverifiedDownload,
  secretAsPlainEnv,
  knownVulnerableActions,
  archivedUses,
  missingProvenance,
  unsoundTernary,
  unpinnedTools,
  secretsOutsideEnv,
  superfluousActions,
  selfRepository,
  misfeature,
  refConfusion,
  impostorCommit,
  staleActionRefs,
  refVersionMismatch,
  parseErrorRule,
  invalidIgnoreRule,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
