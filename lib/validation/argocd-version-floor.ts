import { GITOPS_CONFIG_FILE } from '../environment/gitops-config';
import { ARGOCD_MIN_VERSION_ANNOTATION, compareReleases, parseRelease } from '../tree/argocd-release';
import { TreeObject } from '../tree/tree-object';
import { Rule } from './rule';

/**
 * What the tree emits that only recent Argo CD releases understand, and the release that
 * introduced each: the one table the version floor is checked against. An older Argo CD does not
 * fail loudly on all of these: a custom resource's unknown field is refused by `kubectl apply`
 * (strict field validation) but pruned by a structural schema elsewhere, and an unknown sync
 * option is ignored, so the protection it asked for is silently gone.
 *
 * Releases were read off the argoproj/argo-cd repository: the first release tag containing the
 * commit that added the field, or whose `manifests/crds/*.yaml` or `docs/user-guide/sync-options.md`
 * first has it.
 */
export interface ArgoVersionGate {
  /** What the tree uses, in words. */
  readonly feature: string;
  /** The first Argo CD release that understands it. */
  readonly since: string;
  /** What an older release does with it. */
  readonly olderReleases: string;
  /** Where in Argo CD this was introduced. */
  readonly source: string;
  /** Where a manifest uses it, as field paths; empty when it does not. */
  uses(manifest: Record<string, any>): string[];
}

const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** Where a manifest sets a sync option: its sync-options annotation and, on an Application, `spec.syncPolicy.syncOptions`. */
function syncOptionUses(option: string): (manifest: Record<string, any>) => string[] {
  return (manifest) => {
    const found: string[] = [];
    const annotation = manifest.metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION];
    if (typeof annotation === 'string' && annotation.split(',').some((o) => o.trim() === option)) {
      found.push(`metadata.annotations[${SYNC_OPTIONS_ANNOTATION}]`);
    }
    if (manifest.kind === 'Application' && Array.isArray(manifest.spec?.syncPolicy?.syncOptions)) {
      manifest.spec.syncPolicy.syncOptions.forEach((o: unknown, i: number) => {
        if (typeof o === 'string' && o.trim() === option) found.push(`spec.syncPolicy.syncOptions[${i}]`);
      });
    }
    return found;
  };
}

const IGNORED_OPTION = 'the sync option is unknown to it and ignored';

export const ARGOCD_VERSION_GATES: readonly ArgoVersionGate[] = [
  {
    feature: 'multi-source Application',
    since: '2.6.0',
    olderReleases: 'no multi-source Applications: spec.sources is dropped and the Application has no source',
    source: 'ApplicationSpec.Sources, first in the Application CRD of v2.6.0',
    uses: (m) => (m.kind === 'Application' && m.spec?.sources !== undefined ? ['spec.sources'] : []),
  },
  {
    feature: 'sync option FailOnSharedResource=true',
    since: '2.2.0',
    olderReleases: `${IGNORED_OPTION}: the Application takes over objects another Application manages`,
    source: 'docs/user-guide/sync-options.md, first in v2.2.0',
    uses: syncOptionUses('FailOnSharedResource=true'),
  },
  {
    feature: 'sync option Prune=confirm',
    since: '2.14.0',
    olderReleases: `${IGNORED_OPTION}: the object is pruned with no confirmation`,
    source: 'docs/user-guide/sync-options.md, first in v2.14.0',
    uses: syncOptionUses('Prune=confirm'),
  },
  {
    feature: 'sync option Delete=confirm',
    since: '2.14.0',
    olderReleases: `${IGNORED_OPTION}: the object is deleted with no confirmation`,
    source: 'docs/user-guide/sync-options.md, first in v2.14.0',
    uses: syncOptionUses('Delete=confirm'),
  },
  {
    feature: 'retries that sync the newest revision',
    since: '3.2.0',
    olderReleases:
      'an unknown field: `kubectl apply` refuses the Application (strict field validation), and where it is pruned instead each retry re-syncs the revision that failed',
    source: 'RetryStrategy.Refresh (argoproj/argo-cd#23038, commit 5a8b427322), first in v3.2.0',
    uses: (m) => (m.kind === 'Application' && m.spec?.syncPolicy?.retry?.refresh !== undefined ? ['spec.syncPolicy.retry.refresh'] : []),
  },
  {
    feature: 'cluster-scoped grants by name',
    since: '3.3.0',
    olderReleases:
      'an unknown field: `kubectl apply` refuses the AppProject (strict field validation), and where it is pruned instead the entry grants every object of its kind',
    source: 'ClusterResourceRestrictionItem.Name (argoproj/argo-cd#24674, commit e77acec858), first in v3.3.0',
    uses: (m) =>
      m.kind === 'AppProject' && Array.isArray(m.spec?.clusterResourceWhitelist)
        ? m.spec.clusterResourceWhitelist.flatMap((item: any, i: number) =>
            item !== null && typeof item === 'object' && item.name !== undefined ? [`spec.clusterResourceWhitelist[${i}].name`] : [],
          )
        : [],
  },
];

const FLOOR_FIELD = `metadata.annotations[${ARGOCD_MIN_VERSION_ANNOTATION}]`;

/**
 * `ARGO-VERSION-FLOOR`: the tree uses no Argo CD field newer than the release it states as its
 * floor (the root Application's `argocd-min-version`, which synth writes from
 * `argocd.minVersion`). A tree stating none (a folder of the tree without bootstrap/) is not
 * checked: there is no release to compare with.
 */
export const ARGO_VERSION_FLOOR_RULE: Rule = {
  id: 'ARGO-VERSION-FLOOR',
  kinds: '*',
  checks:
    'every Argo CD field or sync option the tree uses that only recent Argo CD releases understand (multi-source Applications, FailOnSharedResource, Prune=confirm, Delete=confirm, retry.refresh, clusterResourceWhitelist[].name) was introduced at or before the release the tree states as its floor (the root Application\'s argocd-min-version, from argocd.minVersion), and the tree states one floor',
  mirrors: 'the Argo CD release that introduced each field (CRDs in manifests/crds, docs/user-guide/sync-options.md)',
  hint: `upgrade Argo CD and raise argocd.minVersion in ${GITOPS_CONFIG_FILE} to the release named, or stop using the field`,
  check(ctx) {
    const stating = ctx.objects.filter((o) => o.manifest.metadata?.annotations?.[ARGOCD_MIN_VERSION_ANNOTATION] !== undefined);
    const valid = new Map<string, TreeObject[]>();
    for (const o of stating) {
      const value = o.manifest.metadata.annotations[ARGOCD_MIN_VERSION_ANNOTATION];
      if (typeof value !== 'string' || parseRelease(value) === undefined) {
        ctx.report(
          o,
          `${FLOOR_FIELD}: ${JSON.stringify(value)} is no Argo CD release; allowed: MAJOR.MINOR.PATCH, e.g. "3.3.0" (synth writes it from argocd.minVersion in ${GITOPS_CONFIG_FILE})`,
        );
        continue;
      }
      valid.set(value, [...(valid.get(value) ?? []), o]);
    }
    if (valid.size > 1) {
      const all = [...valid.keys()].sort(compareReleases);
      for (const [value, objects] of valid) {
        for (const o of objects) ctx.report(o, `${FLOOR_FIELD}: "${value}" is one of several floors (${all.join(', ')}); allowed: one floor for the whole tree`);
      }
    }
    // No floor, or a wrong one (reported above): nothing to compare with.
    if (valid.size !== 1 || [...valid.values()][0]!.length !== stating.length) return;
    const floor = [...valid.keys()][0]!;

    // Only the fields newer than the floor can be refused; at a current floor, none is.
    const newer = ARGOCD_VERSION_GATES.filter((gate) => compareReleases(gate.since, floor) > 0);
    if (newer.length === 0) return;
    for (const o of ctx.objects) {
      for (const gate of newer) {
        const uses = gate.uses(o.manifest);
        if (uses.length === 0) continue;
        ctx.report(
          o,
          `${uses[0]}: needs Argo CD ${gate.since} or later (${gate.feature}${uses.length > 1 ? `; ${uses.length} uses in this object` : ''}), ` +
            `but the floor is ${floor} (argocd.minVersion in ${GITOPS_CONFIG_FILE}); on older releases, ${gate.olderReleases}`,
        );
      }
    }
  },
};
