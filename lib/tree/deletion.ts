/**
 * How Argo CD deletes what it deployed, and what stops it: the resources finalizer that makes
 * deleting an Application delete its objects, the per-object sync options
 * (`argocd.argoproj.io/sync-options`), and the protection every object holding state carries.
 * The one place that says what "protected from deletion" means, for the charts that set it, the
 * policy rules that check it and the diff that reports it.
 */

/**
 * The finalizer that makes deleting an Application delete every object it manages first (also
 * spelled with a `/foreground` or `/background` suffix).
 */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Whether an Application with these finalizers deletes its objects when it is deleted. */
export function cascadesOnDelete(finalizers: unknown): boolean {
  return Array.isArray(finalizers) && finalizers.some((f) => typeof f === 'string' && f.startsWith(RESOURCES_FINALIZER));
}

/** The annotation Argo CD reads an object's own sync options from: `Key=value`, comma-separated. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * What an object that must never be deleted by Argo CD on its own carries:
 *
 * - `Delete=false`: deleting the Application that manages it (for example when the root
 *   Application prunes it, through the resources finalizer) leaves the object in the cluster. Not
 *   `Delete=confirm`: a click in a UI during an incident is too small a word for a namespace and
 *   its volumes; they are deleted with kubectl, by a person, after a backup.
 * - `Prune=confirm`: dropping the object from git while its Application lives on waits, with the
 *   sync in progress, until someone confirms the prune in Argo CD. Not `Prune=false`: that would
 *   leave the Application OutOfSync for ever when the removal is deliberate.
 */
export const PROTECTED_SYNC_OPTIONS = 'Delete=false,Prune=confirm';

/** The annotations that protect an object from deletion by Argo CD. */
export const PROTECTED_FROM_DELETION: Readonly<Record<string, string>> = Object.freeze({
  [SYNC_OPTIONS_ANNOTATION]: PROTECTED_SYNC_OPTIONS,
});

/**
 * The sync options in an annotation value, by key (`Prune=confirm` → `Prune: confirm`). Argo CD
 * trims white space around each option.
 */
export function parseSyncOptions(value: unknown): Map<string, string> {
  const options = new Map<string, string>();
  if (typeof value !== 'string') return options;
  for (const part of value.split(',')) {
    const option = part.trim();
    const eq = option.indexOf('=');
    if (eq > 0) options.set(option.slice(0, eq).trim(), option.slice(eq + 1).trim());
  }
  return options;
}

/**
 * What of the protection the annotations of an object lack, in words; empty when it is protected.
 * `Delete=confirm` and `Prune=false` are accepted too: each also keeps Argo CD from deleting the
 * object without a person.
 */
export function missingProtection(annotations: Record<string, unknown> | undefined): string[] {
  const options = parseSyncOptions(annotations?.[SYNC_OPTIONS_ANNOTATION]);
  const missing: string[] = [];
  const del = options.get('Delete');
  if (del !== 'false' && del !== 'confirm') missing.push('Delete=false (kept when its Application is deleted)');
  const prune = options.get('Prune');
  if (prune !== 'confirm' && prune !== 'false') missing.push('Prune=confirm (pruned only once a person confirms)');
  return missing;
}
