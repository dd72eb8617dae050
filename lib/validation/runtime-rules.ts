/**
 * Run-time lint: what both the API server and Argo CD accept, and that still breaks once it runs
 * (a probe that never succeeds, a StatefulSet without pod DNS, a sync into a missing namespace,
 * two files fighting over one object, an Ingress path that never matches).
 *
 * Service `targetPort`s and ConfigMap/Secret keys are checked where their references already are:
 * REF-SERVICE-PORT and REF-POD-OBJECTS (reference-rules.ts).
 */
import { apiGroupOf, isClusterScoped } from '../tree/cluster-scoped-kinds';
import { treePathOfSource } from '../tree/layout';
import { TreeObject } from '../tree/tree-object';
import { containerEntries, declaresPort } from './pod-fields';
import { Rule, RuleContext } from './rule';

// ---------------------------------------------------------------------------------------------
// Which Application syncs which object, to which cluster and namespace

/** The API server address Argo CD calls its own cluster (`name: in-cluster`). */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Namespaces every cluster has from the start. */
const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

interface Deployer {
  readonly app: TreeObject;
  /** The folder of the tree the source syncs, e.g. `envs/dev/backend`. */
  readonly folder: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly createsNamespace: boolean;
}

/** Where one object lands: the Applications that sync it, each with its cluster and namespace. */
interface Landing {
  readonly object: TreeObject;
  readonly deployer: Deployer;
  /** `metadata.namespace`, or the Application's destination namespace for a namespaced object without one. */
  readonly namespace: string;
}

interface Placement {
  readonly landings: readonly Landing[];
  /** Objects no Application of the tree syncs (bootstrap objects, applied by hand). */
  readonly unsynced: readonly TreeObject[];
}

function isApplication(o: TreeObject): boolean {
  return o.kind === 'Application' && apiGroupOf(String(o.manifest.apiVersion ?? '')) === 'argoproj.io';
}

function clusterOf(destination: Record<string, any> | undefined): string {
  if (typeof destination?.server === 'string' && destination.server !== '') return destination.server.replace(/\/+$/, '');
  if (destination?.name === 'in-cluster') return IN_CLUSTER;
  return `name:${String(destination?.name ?? '')}`;
}

function syncOptions(app: TreeObject): string[] {
  const options = app.manifest.spec?.syncPolicy?.syncOptions;
  return Array.isArray(options) ? options.map(String) : [];
}

function deployersOf(app: TreeObject): { deployer: Deployer; recurse: boolean }[] {
  const spec = app.manifest.spec ?? {};
  const sources: Record<string, any>[] = spec.source ? [spec.source] : Array.isArray(spec.sources) ? spec.sources : [];
  const out: { deployer: Deployer; recurse: boolean }[] = [];
  // An Application without a destination cluster is refused before it syncs (ARGOCD-DESTINATION).
  if (!spec.destination?.server && !spec.destination?.name) return out;
  for (const source of sources) {
    if (typeof source?.path !== 'string') continue;
    const folder = treePathOfSource(source.path.replace(/^\.\//, '').replace(/\/+$/, ''));
    if (folder === undefined) continue;
    out.push({
      recurse: source.directory?.recurse === true,
      deployer: {
        app,
        folder,
        cluster: clusterOf(spec.destination),
        namespace: typeof spec.destination?.namespace === 'string' ? spec.destination.namespace : '',
        createsNamespace: syncOptions(app).some((o) => o.replace(/\s+/g, '') === 'CreateNamespace=true'),
      },
    });
  }
  return out;
}

// Keyed by the context: one validation run, whose manifests do not change while its rules run.
const placements = new WeakMap<RuleContext, Placement>();

/**
 * Each object with the Applications whose source folder holds it: the folder itself, or an
 * ancestor synced with `directory.recurse`. One pass over the Applications, one over the objects
 * (each looks up its few ancestor folders), computed once per tree for every rule that asks.
 */
function placementOf(ctx: RuleContext): Placement {
  const cached = placements.get(ctx);
  if (cached) return cached;
  const exact = new Map<string, Deployer[]>();
  const recursive = new Map<string, Deployer[]>();
  for (const app of ctx.ofKind('Application')) {
    if (!isApplication(app)) continue;
    for (const { deployer, recurse } of deployersOf(app)) {
      const map = recurse ? recursive : exact;
      map.set(deployer.folder, [...(map.get(deployer.folder) ?? []), deployer]);
    }
  }
  const landings: Landing[] = [];
  const unsynced: TreeObject[] = [];
  for (const object of ctx.objects) {
    const folders = object.path.split('/').slice(0, -1);
    const own = folders.join('/');
    const deployers = [...(exact.get(own) ?? [])];
    for (let i = folders.length; i >= 0; i--) deployers.push(...(recursive.get(folders.slice(0, i).join('/')) ?? []));
    if (deployers.length === 0) unsynced.push(object);
    const namespaced = !isClusterScoped(apiGroupOf(String(object.manifest.apiVersion ?? '')), object.kind);
    for (const deployer of deployers) {
      landings.push({ object, deployer, namespace: namespaced ? object.namespace || deployer.namespace : '' });
    }
  }
  const placement = { landings, unsynced };
  placements.set(ctx, placement);
  return placement;
}

// ---------------------------------------------------------------------------------------------

const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

/** Characters that make a path a pattern; `.` is left out, being common in literal paths. */
const REGEX_CHARACTERS = /[\^$*+?()[\]{}|\\]/g;

export const RUNTIME_RULES: Rule[] = [
  {
    id: 'LINT-PROBE-PORT',
    checks: 'every probe and lifecycle hook port (httpGet, tcpSocket, grpc) names a port of its container, or a containerPort of the pod',
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'],
    hint: "name a port the container declares in its ports (a probe's named port resolves in its own container), or use a declared containerPort",
    check(ctx) {
      for (const w of ctx.workloads) {
        const entries = containerEntries(w);
        const podPorts = entries.flatMap(({ container }) => container.ports ?? []);
        for (const { container, path } of entries) {
          const handlers: [string, Record<string, any> | undefined][] = [
            ...PROBES.map((p): [string, Record<string, any> | undefined] => [`${path}.${p}`, container[p]]),
            ...HOOKS.map((h): [string, Record<string, any> | undefined] => [`${path}.lifecycle.${h}`, container.lifecycle?.[h]]),
          ];
          for (const [field, handler] of handlers) {
            for (const action of ['httpGet', 'tcpSocket', 'grpc'] as const) {
              const port = handler?.[action]?.port;
              if (port === undefined) continue;
              const at = `${field}.${action}.port`;
              if (typeof port === 'string') {
                if (!declaresPort(container.ports, port)) ctx.report(w.object, `${at}: "${port}" is not a port of container "${container.name}"`);
              } else if (typeof port === 'number' && !declaresPort(podPorts, port)) {
                ctx.report(w.object, `${at}: ${port} is not a containerPort of any container of the pod`);
              }
            }
          }
        }
      }
    },
  },
  {
    id: 'LINT-STATEFULSET-SERVICE',
    checks: 'the serviceName of a StatefulSet is a headless Service of its namespace',
    kinds: ['StatefulSet'],
    hint: 'add a headless Service (clusterIP: None) of that name selecting the pods, in the namespace of the StatefulSet',
    check(ctx) {
      for (const sts of ctx.ofKind('StatefulSet')) {
        const name = sts.manifest.spec?.serviceName;
        if (typeof name !== 'string' || name === '') continue;
        const svc = ctx.findInNamespace('Service', name, sts);
        const at = 'spec.serviceName';
        if (!svc) {
          ctx.report(sts, `${at}: Service "${name}" does not exist in namespace "${sts.namespace}", so the pods get no stable DNS names`);
        } else if (svc.manifest.spec?.clusterIP !== 'None') {
          ctx.report(sts, `${at}: Service "${name}" is not headless (clusterIP: None), so the pods get no stable DNS names`);
        }
      }
    },
  },
  {
    id: 'LINT-NAMESPACE-EXISTS',
    checks: 'every namespace an Application syncs into is a Namespace of the tree on that cluster, or created by the Application (CreateNamespace=true)',
    kinds: '*',
    hint: 'add the Namespace to the tree, or set syncOptions CreateNamespace=true on the Application whose destination.namespace it is',
    check(ctx) {
      const { landings, unsynced } = placementOf(ctx);
      const exists = new Set<string>();
      const anywhere = new Set<string>(BUILT_IN_NAMESPACES);
      const key = (cluster: string, ns: string) => `${cluster}\u0000${ns}`;
      for (const { object, deployer } of landings) {
        if (object.kind === 'Namespace' && apiGroupOf(String(object.manifest.apiVersion ?? '')) === '') exists.add(key(deployer.cluster, object.name));
      }
      // A Namespace applied by hand lands on a cluster the tree does not say: count it everywhere.
      for (const o of unsynced) if (o.kind === 'Namespace') anywhere.add(o.name);
      for (const app of ctx.ofKind('Application')) {
        if (!isApplication(app)) continue;
        // Argo CD's own namespace, where it reads Applications, exists on the cluster it runs in.
        if (app.namespace) exists.add(key(IN_CLUSTER, app.namespace));
        for (const { deployer } of deployersOf(app)) if (deployer.createsNamespace && deployer.namespace) exists.add(key(deployer.cluster, deployer.namespace));
      }
      const reported = new Set<TreeObject>();
      for (const { object, deployer, namespace } of landings) {
        if (namespace === '' || reported.has(object) || anywhere.has(namespace) || exists.has(key(deployer.cluster, namespace))) continue;
        reported.add(object);
        const field = object.namespace ? 'metadata.namespace' : `metadata.namespace (unset, so the destination.namespace of Application "${deployer.app.name}")`;
        ctx.report(
          object,
          `${field}: namespace "${namespace}" is not a Namespace of the tree on ${deployer.cluster}, and Application "${deployer.app.name}" (syncing ${deployer.folder}) does not create it (its syncOptions lack CreateNamespace=true, or its destination.namespace is another)`,
        );
      }
    },
  },
  {
    id: 'LINT-DUPLICATE-OBJECT',
    checks: 'no object (API group, kind, namespace, name, cluster) is in two files of the tree',
    kinds: '*',
    hint: 'keep one file per object: rename one of them, or drop the copy',
    check(ctx) {
      const { landings, unsynced } = placementOf(ctx);
      const byIdentity = new Map<string, { object: TreeObject; cluster: string; namespace: string }[]>();
      const add = (object: TreeObject, cluster: string, namespace: string) => {
        const id = [cluster, apiGroupOf(String(object.manifest.apiVersion ?? '')), object.kind, namespace, object.name].join('\u0000');
        byIdentity.set(id, [...(byIdentity.get(id) ?? []), { object, cluster, namespace }]);
      };
      for (const { object, deployer, namespace } of landings) add(object, deployer.cluster, namespace);
      // Without an Application of the tree, an environment is a cluster of its own.
      for (const object of unsynced) add(object, `environment ${object.environment}`, object.namespace);
      const reported = new Set<TreeObject>();
      for (const copies of byIdentity.values()) {
        const paths = [...new Set(copies.map((c) => c.object.path))];
        if (paths.length < 2) continue;
        for (const { object, cluster, namespace } of copies) {
          if (reported.has(object)) continue;
          reported.add(object);
          const group = apiGroupOf(String(object.manifest.apiVersion ?? '')) || 'core';
          const others = paths.filter((p) => p !== object.path);
          ctx.report(
            object,
            `metadata.name: ${group} ${object.kind} ${namespace ? `${namespace}/` : ''}${object.name} on ${cluster} is also in ${others.join(', ')}; the copies overwrite each other`,
          );
        }
      }
    },
  },
  {
    id: 'LINT-INGRESS-PATH-REGEX',
    checks: 'an Ingress path of pathType Exact or Prefix holds no regex characters',
    kinds: ['Ingress'],
    hint: 'write the path as a literal prefix, or use pathType: ImplementationSpecific with the nginx.ingress.kubernetes.io/use-regex annotation',
    check(ctx) {
      for (const ing of ctx.ofKind('Ingress')) {
        const rules: Record<string, any>[] = Array.isArray(ing.manifest.spec?.rules) ? ing.manifest.spec.rules : [];
        rules.forEach((rule, r) => {
          const paths: Record<string, any>[] = Array.isArray(rule?.http?.paths) ? rule.http.paths : [];
          paths.forEach((p, i) => {
            if ((p?.pathType !== 'Exact' && p?.pathType !== 'Prefix') || typeof p.path !== 'string') return;
            const found = [...new Set(p.path.match(REGEX_CHARACTERS) ?? [])];
            if (found.length === 0) return;
            ctx.report(
              ing,
              `spec.rules[${r}].http.paths[${i}].path: "${p.path}" holds regex characters ${found.map((c) => JSON.stringify(c)).join(', ')}, which pathType ${p.pathType} matches literally`,
            );
          });
        });
      }
    },
  },
];
