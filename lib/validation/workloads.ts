import { podTemplateOf } from '../tree/pod-templates';
import { TreeObject } from '../tree/tree-object';
import { selects } from './label-selector';

/** An object that runs pods, with its pod template. */
export interface Workload {
  readonly object: TreeObject;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
  /** Labels of the pods it creates. */
  readonly podLabels: Record<string, string>;
  readonly podSpec: Record<string, any>;
  /** Runs until stopped (Deployment, StatefulSet, DaemonSet), as opposed to a Job that completes. */
  readonly longRunning: boolean;
}

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const WORKLOAD_KINDS = new Set([...LONG_RUNNING, 'Job', 'CronJob', 'Pod']);

/** The pod-running objects of a tree: Deployments, StatefulSets, DaemonSets, Jobs, CronJobs. */
export function workloadsOf(objects: readonly TreeObject[]): Workload[] {
  const out: Workload[] = [];
  for (const object of objects) {
    const m = object.manifest;
    if (!WORKLOAD_KINDS.has(m.kind)) continue;
    const template = podTemplateOf(m);
    if (!template?.spec) continue;
    out.push({
      object,
      kind: m.kind,
      name: m.metadata?.name,
      namespace: m.metadata?.namespace,
      podLabels: template.metadata?.labels ?? {},
      podSpec: template.spec,
      longRunning: LONG_RUNNING.has(m.kind),
    });
  }
  return out;
}

/** Every container of a pod spec, init containers included, with which kind it is. */
export function containersOf(podSpec: Record<string, any>): { container: Record<string, any>; init: boolean }[] {
  return [
    ...(podSpec.initContainers ?? []).map((container: Record<string, any>) => ({ container, init: true })),
    ...(podSpec.containers ?? []).map((container: Record<string, any>) => ({ container, init: false })),
  ];
}


/** Whether a plain map selector (a Service's `spec.selector`) selects the given labels. */
export function mapSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function namespaceKey(environment: string, namespace: string | undefined): string {
  return `${environment}\u0000${namespace ?? ''}`;
}

/**
 * Workloads grouped by environment and namespace, and within each by pod label, so that finding
 * what a selector selects looks at the few candidates sharing one of its labels instead of every
 * workload of the tree: validation stays linear in the number of services.
 */
export class WorkloadIndex {
  private readonly byNamespace = new Map<string, { all: Workload[]; byLabel: Map<string, Workload[]> }>();

  constructor(workloads: readonly Workload[]) {
    for (const w of workloads) {
      const key = namespaceKey(w.object.environment, w.namespace);
      let group = this.byNamespace.get(key);
      if (!group) {
        group = { all: [], byLabel: new Map() };
        this.byNamespace.set(key, group);
      }
      group.all.push(w);
      for (const [k, v] of Object.entries(w.podLabels)) {
        const label = `${k}=${v}`;
        const list = group.byLabel.get(label);
        if (list) list.push(w);
        else group.byLabel.set(label, [w]);
      }
    }
  }

  /** Workloads in the same environment and namespace as `scope`. */
  inNamespaceOf(scope: TreeObject): readonly Workload[] {
    return this.byNamespace.get(namespaceKey(scope.environment, scope.manifest.metadata?.namespace))?.all ?? [];
  }

  /**
   * Workloads of `scope`'s namespace whose pods `selector` selects: a Service's plain map
   * (`form: 'map'`, where an empty map selects nothing) or a label selector (`form: 'selector'`,
   * where an empty selector selects every pod).
   */
  selectedBy(scope: TreeObject, selector: Record<string, any> | undefined, form: 'map' | 'selector'): Workload[] {
    const group = this.byNamespace.get(namespaceKey(scope.environment, scope.manifest.metadata?.namespace));
    if (!group || !selector) return [];
    const labels: Record<string, string> = form === 'map' ? selector : selector.matchLabels ?? {};
    let candidates: readonly Workload[] = group.all;
    for (const [k, v] of Object.entries(labels)) {
      const list = group.byLabel.get(`${k}=${v}`) ?? [];
      if (list.length < candidates.length) candidates = list;
    }
    return candidates.filter((w) => (form === 'map' ? mapSelects(selector, w.podLabels) : selects(selector, w.podLabels)));
  }
}
