import { cascadesOnDelete, missingProtection, PROTECTED_SYNC_OPTIONS, SYNC_OPTIONS_ANNOTATION } from '../tree/deletion';
import { placeOf } from '../tree/layout';
import { TreeObject } from '../tree/tree-object';
import { FieldPath } from './api-server/field-error';
import { Rule } from './rule';

/**
 * Kinds whose deletion loses what no manifest can bring back: a Namespace takes every object in
 * it (the volumes and the out-of-band Secrets included), the others hold data.
 */
const STATEFUL_KINDS = new Set(['Namespace', 'StatefulSet', 'PersistentVolumeClaim', 'PersistentVolume']);

const PROTECTION = `${SYNC_OPTIONS_ANNOTATION}: ${PROTECTED_SYNC_OPTIONS}`;

/** The annotation Argo CD reads sync options from, as a field path. */
const SYNC_OPTIONS_FIELD = FieldPath.root('metadata').child('annotations').key(SYNC_OPTIONS_ANNOTATION).toString();

/** The environment an Argo CD Application deploys, from where it sits (`apps/<env>/`). */
function applicationEnvironment(object: TreeObject): string | undefined {
  const place = placeOf(object.path);
  return place.area === 'apps' ? place.environment : undefined;
}

/** Argo CD never deletes state on its own: what holds data, and protected environments, wait for a person. */
export const DELETION_RULES: Rule[] = [
  {
    id: 'ARGOCD-PROTECT-STATE',
    checks: 'Namespaces and stateful objects carry Delete=false,Prune=confirm, and StatefulSets retain their claims',
    mirrors: 'Argo CD sync options Delete and Prune (argocd.argoproj.io/sync-options)',
    hint: `annotate it ${PROTECTION} (PROTECTED_FROM_DELETION in lib/tree/deletion.ts); a StatefulSet keeps its claims with persistentVolumeClaimRetentionPolicy Retain`,
    check(ctx) {
      for (const object of ctx.objects) {
        const kind = object.manifest.kind;
        if (!STATEFUL_KINDS.has(kind)) continue;
        const missing = missingProtection(object.manifest.metadata?.annotations);
        if (missing.length > 0) {
          ctx.report(object, `${SYNC_OPTIONS_FIELD}: lacks ${missing.join(' and ')} in ${SYNC_OPTIONS_ANNOTATION}: Argo CD would delete it, and what it holds, on its own`);
        }
        if (kind !== 'StatefulSet') continue;
        // The claims made from volumeClaimTemplates are no manifests of the tree (annotation
        // tracking leaves them unmanaged), and the templates cannot carry sync options: the API
        // server refuses any change to them, so adding one would break every existing cluster's
        // sync. They are kept by the retention policy, and by the protected namespace.
        const retention = object.manifest.spec?.persistentVolumeClaimRetentionPolicy ?? {};
        for (const when of ['whenDeleted', 'whenScaled'] as const) {
          if (retention[when] !== undefined && retention[when] !== 'Retain') {
            ctx.report(
              object,
              `spec.persistentVolumeClaimRetentionPolicy.${when}: persistentVolumeClaimRetentionPolicy.${when} is ${JSON.stringify(retention[when])}: the volumes would be deleted with the StatefulSet (allowed: Retain, the default)`,
            );
          }
        }
      }
    },
  },
  {
    id: 'ARGOCD-PROTECTED-ENVIRONMENT',
    checks: "a protected environment's Applications neither cascade nor prune without a confirmation",
    mirrors: 'Argo CD resources finalizer and sync options',
    hint:
      `drop the resources finalizer from the Application and annotate it ${PROTECTION}, ` +
      'or set protected: false in the environment file if the environment really is disposable',
    check(ctx) {
      for (const object of ctx.ofKind('Application')) {
        const environment = applicationEnvironment(object);
        if (environment === undefined || !ctx.isProtected(environment)) continue;
        if (cascadesOnDelete(object.manifest.metadata?.finalizers)) {
          ctx.report(
            object,
            `metadata.finalizers: environment ${environment} is protected, but this Application carries the resources finalizer: pruning it would delete everything it deployed`,
          );
        }
        const missing = missingProtection(object.manifest.metadata?.annotations);
        if (missing.length > 0) {
          ctx.report(object, `${SYNC_OPTIONS_FIELD}: environment ${environment} is protected, but this Application lacks ${missing.join(' and ')} in ${SYNC_OPTIONS_ANNOTATION}`);
        }
      }
    },
  },
];
