import { Construct } from 'constructs';
import { AppProject } from '../imports/argoproj.io-appproject-argoproj.io';
import { dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';

/** Where an Argo CD Application deploys: a cluster by its API server URL, and a namespace. */
export interface ArgoDestination {
  /** The cluster's API server URL, exactly as registered in Argo CD. */
  readonly server: string;
  /** The namespace of the Application's namespaced objects. */
  readonly namespace: string;
}

/** An API kind by group (`''` for the core group) and kind. */
export interface ArgoResourceKind {
  readonly group: string;
  readonly kind: string;
}

/** One cluster-scoped object by group, kind and name. */
export interface ArgoClusterResource extends ArgoResourceKind {
  readonly name: string;
}

export interface ArgoProjectProps {
  /** Name of the AppProject. */
  readonly name: string;
  /**
   * Namespace Argo CD runs in, where the AppProject lives.
   * @default 'argocd'
   */
  readonly argoNamespace?: string;
  /** @default - none */
  readonly description?: string;
  /**
   * Repository URLs the project's Applications may read, spelled exactly as the Applications spell
   * them. At least one; no globs.
   */
  readonly sourceRepos: readonly string[];
  /** Cluster and namespace pairs the project's Applications may deploy to. At least one; no globs. */
  readonly destinations: readonly ArgoDestination[];
  /**
   * The cluster-scoped objects the Applications may manage, each by name. Grants by name need
   * Argo CD 3.3.0 (`clusterResourceWhitelist[].name`); an older one refuses the field or, pruning
   * it, grants every object of the kind (validation rule `ARGO-VERSION-FLOOR`).
   * @default - none: no cluster-scoped object at all
   */
  readonly clusterResources?: readonly ArgoClusterResource[];
  /** The namespaced kinds the Applications may manage. At least one. */
  readonly namespacedKinds: readonly ArgoResourceKind[];
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

const GLOB = /[*?[\]!{}]/;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted and without duplicates, so the same input always gives the same bytes. */
function uniqueSorted<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), item);
  return [...byKey.keys()].sort(compare).map((k) => byKey.get(k)!);
}

const destinationKey = (d: ArgoDestination) => `${d.server} ${d.namespace}`;
const kindKey = (k: ArgoResourceKind) => `${k.group}/${k.kind}`;
const resourceKey = (r: ArgoClusterResource) => `${r.group}/${r.kind}/${r.name}`;

/**
 * An Argo CD AppProject that grants exactly what is listed: named repositories, named cluster and
 * namespace pairs, named cluster-scoped objects and listed namespaced kinds. Globs are refused
 * everywhere, so a grant can only ever be widened by naming what it adds.
 */
export class ArgoProject extends Construct {
  public readonly name: string;
  public readonly argoNamespace: string;
  public readonly apiObject: AppProject;
  private readonly sourceRepos: ReadonlySet<string>;
  private readonly destinations: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: ArgoProjectProps) {
    super(scope, id);
    const fail = failFor('ArgoProject', props.name);
    const nameProblem = dns1123SubdomainProblem(props.name);
    if (nameProblem !== undefined) fail('name', props.name, nameProblem);
    for (const [field, list] of [
      ['sourceRepos', props.sourceRepos],
      ['destinations', props.destinations],
      ['namespacedKinds', props.namespacedKinds],
    ] as const) {
      if (list.length === 0) fail(field, list, 'at least one entry (an empty list grants nothing)');
    }
    const values: [string, string][] = [
      ...props.sourceRepos.map((r, i): [string, string] => [`sourceRepos[${i}]`, r]),
      ...props.destinations.flatMap((d, i): [string, string][] => [
        [`destinations[${i}].server`, d.server],
        [`destinations[${i}].namespace`, d.namespace],
      ]),
      ...(props.clusterResources ?? []).flatMap((r, i): [string, string][] => [
        [`clusterResources[${i}].kind`, r.kind],
        [`clusterResources[${i}].name`, r.name],
      ]),
      ...props.namespacedKinds.map((k, i): [string, string] => [`namespacedKinds[${i}].kind`, k.kind]),
    ];
    for (const [field, value] of values) {
      if (value === '' || GLOB.test(value)) fail(field, value, 'an exact, non-empty value (no glob patterns such as "*")');
    }

    this.name = props.name;
    this.argoNamespace = props.argoNamespace ?? 'argocd';
    this.sourceRepos = new Set(props.sourceRepos);
    this.destinations = new Set(props.destinations.map(destinationKey));
    this.apiObject = new AppProject(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.argoNamespace,
        ...(props.labels ? { labels: props.labels } : {}),
        ...(props.annotations ? { annotations: props.annotations } : {}),
      },
      spec: {
        ...(props.description ? { description: props.description } : {}),
        sourceRepos: [...this.sourceRepos].sort(compare),
        destinations: uniqueSorted(props.destinations, destinationKey).map((d) => ({ server: d.server, namespace: d.namespace })),
        // An empty whitelist is Argo CD's way to say "no cluster-scoped object".
        clusterResourceWhitelist: uniqueSorted(props.clusterResources ?? [], resourceKey).map((r) => ({
          group: r.group,
          kind: r.kind,
          name: r.name,
        })),
        namespaceResourceWhitelist: uniqueSorted(props.namespacedKinds, kindKey).map((k) => ({ group: k.group, kind: k.kind })),
      },
    });
  }

  /** Whether an Application of this project may deploy to `destination`. */
  public permitsDestination(destination: ArgoDestination): boolean {
    return this.destinations.has(destinationKey(destination));
  }

  /** Whether an Application of this project may read `repoURL`. */
  public permitsSource(repoURL: string): boolean {
    return this.sourceRepos.has(repoURL);
  }
}
