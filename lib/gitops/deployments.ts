/**
 * What a gitops tree deploys, in the units a person names when retiring something: environments,
 * their components, the clusters they run on, and the Argo CD Application that puts one component
 * of one environment on one cluster. Read from the tree's layout (`envs/<env>/<component>/…`,
 * `apps/<env>/…`) and its Applications, so it works on any tree: the one on disk, the one synth is
 * about to write, or one at a git revision.
 */

import { DNS_1123_LABEL_FORMAT } from '../predicates/dns-names';
import { CLUSTER_ANNOTATION } from '../tree/annotations';
import { cascadesOnDelete, missingProtection } from '../tree/deletion';
import { componentOfSource, placeOf } from '../tree/layout';

/** One Application of an environment: a component on a cluster. */
export interface Deployment {
  readonly environment: string;
  readonly component: string;
  /** How a person names the cluster: the environment file's name for it, else the server URL. */
  readonly cluster: string;
  /** What the cluster is matched by across two trees: the destination server (or name). */
  readonly clusterKey: string;
  /** The Application's file, relative to the tree root. */
  readonly path: string;
  /**
   * Whether removing the Application needs a confirmation in Argo CD and leaves its objects in
   * the cluster (no resources finalizer), as a protected environment's do.
   */
  readonly guarded: boolean;
}

export interface TreeDeployments {
  /** Environments with any file in the tree, with the number of their files. */
  readonly environments: ReadonlyMap<string, number>;
  /** `<env>/<component>` of every folder `envs/<env>/<component>/`, with the number of its files. */
  readonly components: ReadonlyMap<string, number>;
  /** Every Application under `apps/<env>/`. */
  readonly applications: readonly Deployment[];
}

/**
 * The deployments of a tree, given its file paths (relative, posix) and a way to read the
 * manifest at a path. `manifestAt` is asked only for files under `apps/`.
 */
export function deploymentsOf(
  paths: Iterable<string>,
  manifestAt: (rel: string) => Record<string, any> | undefined,
): TreeDeployments {
  const environments = new Map<string, number>();
  const components = new Map<string, number>();
  const applications: Deployment[] = [];
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const rel of paths) {
    const place = placeOf(rel);
    if (place.area === 'envs') {
      count(environments, place.environment);
      count(components, `${place.environment}/${place.component}`);
    } else if (place.area === 'apps') {
      const environment = place.environment;
      count(environments, environment);
      const manifest = rel.endsWith('.yaml') ? manifestAt(rel) : undefined;
      if (manifest?.kind === 'Application') applications.push(applicationDeployment(environment, rel, manifest));
    }
  }
  return { environments, components, applications };
}

function applicationDeployment(environment: string, rel: string, manifest: Record<string, any>): Deployment {
  const spec = manifest.spec ?? {};
  const sourcePaths: unknown[] = [spec.source?.path, ...(Array.isArray(spec.sources) ? spec.sources.map((s: any) => s?.path) : [])];
  let component: string | undefined;
  for (const p of sourcePaths) {
    component = typeof p === 'string' ? componentOfSource(p, environment) : undefined;
    if (component !== undefined) break;
  }
  component ??= stringOr(manifest.metadata?.labels?.['app.kubernetes.io/component'], stringOr(manifest.metadata?.name, rel));
  const destination = spec.destination ?? {};
  const clusterKey = stringOr(destination.server, stringOr(destination.name, '(no destination)'));
  const cluster = stringOr(manifest.metadata?.annotations?.[CLUSTER_ANNOTATION], stringOr(destination.name, clusterKey));
  const guarded = !cascadesOnDelete(manifest.metadata?.finalizers) && missingProtection(manifest.metadata?.annotations).length === 0;
  return { environment, component, cluster, clusterKey, path: rel, guarded };
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** Something deployed that a tree no longer has. */
export interface Removal {
  readonly kind: 'environment' | 'component' | 'cluster' | 'application';
  /** How `--allow-removal` names it: `prod`, `prod/kafka`, `prod@eu-west`, `prod/kafka@eu-west`. */
  readonly unit: string;
  /** Other names that allow it too (the cluster by its server URL). */
  readonly aliases: readonly string[];
  /** What goes, in words: files, folders, Applications. */
  readonly detail: string;
}

/**
 * What `before` deploys and `after` does not, coarsest first: a whole environment is one removal
 * (not one per component), a component gone from every cluster is one, a cluster gone from every
 * component is one, and what remains is a single Application.
 */
export function removalsBetween(before: TreeDeployments, after: TreeDeployments): Removal[] {
  const removals: Removal[] = [];
  for (const [environment, files] of before.environments) {
    if (after.environments.has(environment)) continue;
    const apps = before.applications.filter((a) => a.environment === environment);
    removals.push({
      kind: 'environment',
      unit: environment,
      aliases: [],
      detail: `${files} file${plural(files)} under envs/${environment}/ and apps/${environment}/, ${apps.length} Application${plural(apps.length)}${consequence(apps)}`,
    });
  }
  const stillThere = (environment: string) => after.environments.has(environment);

  const componentsOf = (side: TreeDeployments, environment: string) => {
    const set = new Set<string>();
    for (const key of side.components.keys()) if (key.startsWith(`${environment}/`)) set.add(key.slice(environment.length + 1));
    for (const a of side.applications) if (a.environment === environment) set.add(a.component);
    return set;
  };
  const clustersOf = (side: TreeDeployments, environment: string) =>
    new Set(side.applications.filter((a) => a.environment === environment).map((a) => a.clusterKey));

  const environments = [...new Set(before.applications.map((a) => a.environment)), ...before.environments.keys()];
  for (const environment of [...new Set(environments)].sort(compare)) {
    if (!stillThere(environment)) continue;
    const afterComponents = componentsOf(after, environment);
    const goneComponents = [...componentsOf(before, environment)].filter((c) => !afterComponents.has(c)).sort(compare);
    for (const component of goneComponents) {
      const files = before.components.get(`${environment}/${component}`) ?? 0;
      const apps = before.applications.filter((a) => a.environment === environment && a.component === component);
      removals.push({
        kind: 'component',
        unit: `${environment}/${component}`,
        aliases: [],
        detail: `${files} file${plural(files)} under envs/${environment}/${component}/, ${apps.length} Application${plural(apps.length)}${consequence(apps)}`,
      });
    }
    const afterClusters = clustersOf(after, environment);
    const goneClusters = new Set([...clustersOf(before, environment)].filter((c) => !afterClusters.has(c)));
    for (const key of [...goneClusters].sort(compare)) {
      const apps = before.applications.filter((a) => a.environment === environment && a.clusterKey === key);
      const name = apps[0]!.cluster;
      removals.push({
        kind: 'cluster',
        unit: `${environment}@${name}`,
        aliases: name === key ? [] : [`${environment}@${key}`],
        detail: `${apps.length} Application${plural(apps.length)} deploying to ${key}: ${apps.map((a) => a.path).join(', ')}${consequence(apps)}`,
      });
    }
    const kept = new Set(after.applications.filter((a) => a.environment === environment).map((a) => `${a.component}\u0000${a.clusterKey}`));
    for (const app of before.applications) {
      if (app.environment !== environment || goneClusters.has(app.clusterKey) || goneComponents.includes(app.component)) continue;
      if (kept.has(`${app.component}\u0000${app.clusterKey}`)) continue;
      removals.push({
        kind: 'application',
        unit: `${environment}/${app.component}@${app.cluster}`,
        aliases: app.cluster === app.clusterKey ? [] : [`${environment}/${app.component}@${app.clusterKey}`],
        detail: `the Application ${app.path} deploying ${app.component} to ${app.clusterKey}${consequence([app])}`,
      });
    }
  }
  return removals;
}

/** The removals none of `allowed` covers. A name covers its unit and everything inside it. */
export function unallowedRemovals(removals: readonly Removal[], allowed: readonly string[]): Removal[] {
  const words = new Set(allowed);
  return removals.filter((r) => !coveringNames(r).some((name) => words.has(name)));
}

/** The entries of `allowed` that cover none of `removals`: most likely a typo or a stale flag. */
export function unusedAllowances(removals: readonly Removal[], allowed: readonly string[]): string[] {
  const used = new Set(removals.flatMap(coveringNames));
  return allowed.filter((name) => !used.has(name));
}

/** `prod/kafka@eu` is covered by itself, `prod/kafka`, `prod@eu` and `prod`. */
function coveringNames(removal: Removal): string[] {
  const names: string[] = [];
  for (const unit of [removal.unit, ...removal.aliases]) {
    names.push(unit);
    const at = unit.indexOf('@');
    const place = at === -1 ? unit : unit.slice(0, at);
    const slash = place.indexOf('/');
    const environment = slash === -1 ? place : place.slice(0, slash);
    if (at !== -1 && slash !== -1) names.push(place, `${environment}${unit.slice(at)}`);
    names.push(environment);
  }
  return [...new Set(names)];
}

/** A name `--allow-removal` accepts: `<env>`, `<env>/<component>`, `<env>@<cluster>`, `<env>/<component>@<cluster>`. */
export const REMOVAL_NAME = new RegExp(`^${DNS_1123_LABEL_FORMAT}(?:/${DNS_1123_LABEL_FORMAT})?(?:@\\S+)?$`);

/**
 * What Argo CD does once the root Application syncs the removal of these Applications: cascade
 * through the resources finalizer, or wait for a confirmation and leave the objects running.
 */
function consequence(apps: readonly Deployment[]): string {
  if (apps.length === 0) return '';
  if (apps.every((a) => a.guarded)) return '; Argo CD waits for a confirmation to prune its Applications, then leaves their objects running';
  if (apps.some((a) => a.guarded)) return '; some of its Applications delete everything they deployed once pruned';
  return '; pruning its Applications deletes everything they deployed (Namespaces and volumes stay: Delete=false)';
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
