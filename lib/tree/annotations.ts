/**
 * The annotations the tree's objects speak with, besides Argo CD's deletion vocabulary
 * (`deletion.ts`).
 */

/**
 * Annotation prefix that waives a policy rule for one object: `exempt.policy/<RULE-ID>: <reason>`.
 * The reason is mandatory and shows in every report.
 */
export const EXEMPT_PREFIX = 'exempt.policy/';

/**
 * Annotation prefix declaring an object a pod needs that is created outside git:
 * `external.policy/<Kind>.<name>: <reason>`, e.g. `external.policy/Secret.regcred`.
 */
export const EXTERNAL_PREFIX = 'external.policy/';

/** The annotation declaring `kind`/`name` as created out of band. */
export function externalAnnotation(kind: string, name: string): string {
  return `${EXTERNAL_PREFIX}${kind}.${name}`;
}

/** Annotation of an Application naming the destination cluster as the environment file does. */
export const CLUSTER_ANNOTATION = 'cluster';

/** Argo CD's sync wave of an object: an integer in a string; lower waves sync first. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Argo CD's hook types of an object (comma-separated): PreSync, Sync, PostSync, SyncFail, Skip, … */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';

/** When Argo CD deletes a hook (comma-separated): HookSucceeded, HookFailed, BeforeHookCreation. */
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
