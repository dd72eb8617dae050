import { EXTERNAL_PREFIX } from '../tree/annotations';
import { Rule, RuleContext } from './rule';
import { podSpecPath } from '../tree/pod-templates';
import { containerEntries, declaresPort } from './pod-fields';
import { containersOf, Workload } from './workloads';

function containerPorts(w: Workload): { name?: string; containerPort: number }[] {
  return containersOf(w.podSpec).flatMap(({ container }) => container.ports ?? []);
}

/** The keys a ConfigMap or Secret of the tree holds. */
function keysOf(object: { manifest: Record<string, any> }): string[] {
  const m = object.manifest;
  const fields = m.kind === 'Secret' ? [m.data, m.stringData] : [m.data, m.binaryData];
  return [...new Set(fields.flatMap((f) => (f && typeof f === 'object' ? Object.keys(f) : [])))].sort();
}

/** A reference to one key of a ConfigMap or Secret, and the field that makes it. */
interface KeyRef {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  readonly key: string;
  readonly path: string;
}

/**
 * Cross-references between objects: each must point at something that exists. An Argo CD
 * Application's source path is checked with Argo CD's rules (`argocd-rules.ts`, REF-ARGO-PATH).
 */
export const REFERENCE_RULES: Rule[] = [
  {
    id: 'REF-SERVICE-SELECTOR',
    checks: "a Service's selector matches the pods of a workload",
    kinds: ['Service'],
    hint: "make the Service's selector equal to the pod template labels of the workload it fronts",
    check(ctx: RuleContext) {
      for (const svc of ctx.ofKind('Service')) {
        const selector = svc.manifest.spec?.selector;
        if (svc.manifest.spec?.type === 'ExternalName' || !selector) continue;
        const selected = ctx.workloadIndex.selectedBy(svc, selector, 'map');
        if (selected.length === 0) ctx.report(svc, `spec.selector: selector ${JSON.stringify(selector)} matches no pods`);
      }
    },
  },
  {
    id: 'REF-SERVICE-PORT',
    checks: "a Service's targetPort is a port every selected container declares, by name or number",
    kinds: ['Service'],
    hint: 'point targetPort at a port a selected container declares (by name or number)',
    check(ctx) {
      for (const svc of ctx.ofKind('Service')) {
        const selector = svc.manifest.spec?.selector;
        const selected = ctx.workloadIndex.selectedBy(svc, selector, 'map');
        if (selected.length === 0) continue;
        (svc.manifest.spec?.ports ?? []).forEach((port: Record<string, any>, i: number) => {
          const target = port.targetPort ?? port.port;
          const missing = selected.filter((w) => !declaresPort(containerPorts(w), target));
          if (missing.length > 0) {
            ctx.report(
              svc,
              `spec.ports[${i}]: targetPort ${JSON.stringify(target)} of port "${port.name ?? port.port}" is not declared by every selected container (not by ${missing.map((w) => `${w.kind}/${w.name}`).join(', ')})`,
            );
          }
        });
      }
    },
  },
  {
    id: 'REF-INGRESS-BACKEND',
    checks: "an Ingress backend names a Service of its namespace and one of its ports",
    kinds: ['Ingress'],
    hint: 'name an existing Service of the same namespace and one of its ports',
    check(ctx) {
      for (const ing of ctx.ofKind('Ingress')) {
        const backends: { backend: any; field: string }[] = [
          ...(ing.manifest.spec?.defaultBackend ? [{ backend: ing.manifest.spec.defaultBackend, field: 'spec.defaultBackend' }] : []),
          ...(ing.manifest.spec?.rules ?? []).flatMap((r: any, i: number) =>
            (r.http?.paths ?? []).map((p: any, j: number) => ({ backend: p.backend, field: `spec.rules[${i}].http.paths[${j}].backend` })),
          ),
        ];
        for (const { backend, field } of backends) {
          if (!backend?.service) continue;
          const svc = ctx.findInNamespace('Service', backend.service.name, ing);
          if (!svc) {
            ctx.report(ing, `${field}.service.name: backend Service "${backend.service.name}" does not exist`);
            continue;
          }
          const want = backend.service.port ?? {};
          const ok = (svc.manifest.spec?.ports ?? []).some((p: any) => (want.name !== undefined ? p.name === want.name : p.port === want.number));
          const port = `${field}.service.port.${want.name !== undefined ? 'name' : 'number'}`;
          if (!ok) ctx.report(ing, `${port}: backend Service "${backend.service.name}" has no port ${JSON.stringify(want.name ?? want.number)}`);
        }
      }
    },
  },
  {
    id: 'REF-ROUTE-BACKEND',
    checks: "a Gateway API route's Service backendRef names a Service of its namespace and one of its ports",
    mirrors: 'Gateway API: a backendRef that does not resolve sets ResolvedRefs=False (BackendNotFound) and its share of requests gets a 500',
    kinds: ['HTTPRoute', 'GRPCRoute'],
    hint: 'name an existing Service of the same namespace and one of its port numbers',
    check(ctx) {
      for (const route of [...ctx.ofKind('HTTPRoute'), ...ctx.ofKind('GRPCRoute')]) {
        const own = route.manifest.metadata?.namespace;
        for (const [i, rule] of ((route.manifest.spec?.rules ?? []) as any[]).entries()) {
          for (const [j, ref] of ((rule?.backendRefs ?? []) as any[]).entries()) {
            // Only core Services of the route's own namespace: another namespace's needs a
            // ReferenceGrant there, and other kinds are the implementation's.
            if ((ref?.group ?? '') !== '' || (ref?.kind ?? 'Service') !== 'Service') continue;
            if (ref.namespace !== undefined && ref.namespace !== own) continue;
            const field = `spec.rules[${i}].backendRefs[${j}]`;
            const svc = ctx.findInNamespace('Service', ref.name, route);
            if (!svc) {
              ctx.report(route, `${field}.name: backend Service "${ref.name}" does not exist`);
              continue;
            }
            if (!(svc.manifest.spec?.ports ?? []).some((p: any) => p.port === ref.port)) {
              ctx.report(route, `${field}.port: backend Service "${ref.name}" has no port ${JSON.stringify(ref.port)}`);
            }
          }
        }
      }
    },
  },
  {
    id: 'REF-SCALE-TARGET',
    checks: "an autoscaler's scaleTargetRef is exactly one Deployment or StatefulSet of its namespace",
    kinds: ['HorizontalPodAutoscaler'],
    hint: 'point scaleTargetRef at exactly one Deployment or StatefulSet of the same namespace',
    check(ctx) {
      for (const hpa of ctx.ofKind('HorizontalPodAutoscaler')) {
        const ref = hpa.manifest.spec?.scaleTargetRef ?? {};
        const targets = ctx.workloadIndex.inNamespaceOf(hpa).filter((w) => w.kind === ref.kind && w.name === ref.name);
        if (targets.length !== 1) ctx.report(hpa, `spec.scaleTargetRef: scaleTargetRef ${ref.kind}/${ref.name} matches ${targets.length} workloads`);
      }
    },
  },
  {
    id: 'REF-PDB-SELECTOR',
    checks: "a PodDisruptionBudget's selector matches the pods of exactly one workload",
    kinds: ['PodDisruptionBudget'],
    hint: "make the PodDisruptionBudget's selector match the pod labels of exactly one workload",
    check(ctx) {
      for (const pdb of ctx.ofKind('PodDisruptionBudget')) {
        const matched = ctx.workloadIndex.selectedBy(pdb, pdb.manifest.spec?.selector, 'selector');
        if (matched.length !== 1) ctx.report(pdb, `spec.selector: selector matches ${matched.length} workloads${matched.length ? ` (${matched.map((w) => `${w.kind}/${w.name}`).join(', ')})` : ''}`);
      }
    },
  },
  {
    id: 'REF-NETPOL-SELECTOR',
    checks: "a NetworkPolicy's podSelector matches a workload's pods, or is {}",
    kinds: ['NetworkPolicy'],
    hint: "make podSelector match the pod labels of a workload, or use {} for the namespace's pods",
    check(ctx) {
      for (const np of ctx.ofKind('NetworkPolicy')) {
        const selector = np.manifest.spec?.podSelector ?? {};
        const isAll = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
        if (isAll) continue;
        if (ctx.workloadIndex.selectedBy(np, selector, 'selector').length === 0) {
          ctx.report(np, `spec.podSelector: podSelector ${JSON.stringify(selector)} selects no pods`);
        }
      }
    },
  },
  {
    id: 'REF-POD-OBJECTS',
    checks: "every ConfigMap, Secret, ServiceAccount and key a pod uses is in the tree, or declared as created out of band",
    hint: `add the object to the tree, or declare it on the workload as created out of band: annotation "${EXTERNAL_PREFIX}<Kind>.<name>: <reason>"; a key must be one the object holds (data, stringData, binaryData), or the ref optional: true`,
    check(ctx) {
      for (const w of ctx.workloads) {
        const external = new Set(
          Object.keys(w.object.manifest.metadata?.annotations ?? {})
            .filter((k) => k.startsWith(EXTERNAL_PREFIX) && String(w.object.manifest.metadata.annotations[k]).trim() !== '')
            .map((k) => k.slice(EXTERNAL_PREFIX.length)),
        );
        const exists = (kind: string, name: string) =>
          external.has(`${kind}.${name}`) || ctx.findInNamespace(kind, name, w.object) !== undefined;
        const need: [kind: string, name: string, field: string][] = [];
        const spec = w.podSpec;
        const base = podSpecPath(w.kind);
        if (spec.serviceAccountName && spec.serviceAccountName !== 'default') need.push(['ServiceAccount', spec.serviceAccountName, `${base}.serviceAccountName`]);
        (spec.imagePullSecrets ?? []).forEach((s: Record<string, any>, i: number) => need.push(['Secret', s.name, `${base}.imagePullSecrets[${i}].name`]));
        const keyRefs: KeyRef[] = [];
        (spec.volumes ?? []).forEach((v: Record<string, any>, i: number) => {
          const items = (kind: KeyRef['kind'], name: string, list: Record<string, any>[] | undefined, field: string) =>
            (list ?? []).forEach((item, j) => keyRefs.push({ kind, name, key: item.key, path: `${base}.volumes[${i}].${field}.items[${j}].key` }));
          if (v.configMap && !v.configMap.optional) {
            need.push(['ConfigMap', v.configMap.name, `${base}.volumes[${i}].configMap.name`]);
            items('ConfigMap', v.configMap.name, v.configMap.items, 'configMap');
          }
          if (v.secret && !v.secret.optional) {
            need.push(['Secret', v.secret.secretName, `${base}.volumes[${i}].secret.secretName`]);
            items('Secret', v.secret.secretName, v.secret.items, 'secret');
          }
          if (v.persistentVolumeClaim) {
            const templates = (w.object.manifest.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name);
            if (!templates.includes(v.persistentVolumeClaim.claimName)) need.push(['PersistentVolumeClaim', v.persistentVolumeClaim.claimName, `${base}.volumes[${i}].persistentVolumeClaim.claimName`]);
          }
        });
        for (const { container, path } of containerEntries(w)) {
          (container.envFrom ?? []).forEach((from: Record<string, any>, j: number) => {
            if (from.configMapRef && !from.configMapRef.optional) need.push(['ConfigMap', from.configMapRef.name, `${path}.envFrom[${j}].configMapRef.name`]);
            if (from.secretRef && !from.secretRef.optional) need.push(['Secret', from.secretRef.name, `${path}.envFrom[${j}].secretRef.name`]);
          });
          (container.env ?? []).forEach((env: Record<string, any>, i: number) => {
            const cm = env.valueFrom?.configMapKeyRef;
            const sec = env.valueFrom?.secretKeyRef;
            if (cm && !cm.optional) {
              need.push(['ConfigMap', cm.name, `${path}.env[${i}].valueFrom.configMapKeyRef.name`]);
              keyRefs.push({ kind: 'ConfigMap', name: cm.name, key: cm.key, path: `${path}.env[${i}].valueFrom.configMapKeyRef.key` });
            }
            if (sec && !sec.optional) {
              need.push(['Secret', sec.name, `${path}.env[${i}].valueFrom.secretKeyRef.name`]);
              keyRefs.push({ kind: 'Secret', name: sec.name, key: sec.key, path: `${path}.env[${i}].valueFrom.secretKeyRef.key` });
            }
          });
        }
        const reported = new Set<string>();
        for (const [kind, name, field] of need) {
          const key = `${kind}.${name}`;
          if (reported.has(key) || exists(kind, name)) continue;
          reported.add(key);
          ctx.report(w.object, `${field}: references ${kind} "${name}", which is neither in the tree nor declared external`);
        }
        // A key of an object created out of band cannot be known here; a missing object is reported above.
        for (const ref of keyRefs) {
          if (external.has(`${ref.kind}.${ref.name}`)) continue;
          const object = ctx.findInNamespace(ref.kind, ref.name, w.object);
          if (!object) continue;
          const keys = keysOf(object);
          if (!keys.includes(ref.key)) {
            ctx.report(w.object, `${ref.path}: "${ref.key}" is not a key of ${ref.kind} "${ref.name}" (${keys.length ? `it has ${keys.join(', ')}` : 'it has no keys'})`);
          }
        }
      }
    },
  },
];
