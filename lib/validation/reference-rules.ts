import { EXTERNAL_PREFIX } from '../tree/annotations';
import { TREE_PREFIX, treePathOfSource } from '../tree/layout';
import { Rule, RuleContext } from './rule';
import { containersOf, Workload } from './workloads';

function containerPorts(w: Workload): { name?: string; containerPort: number }[] {
  return containersOf(w.podSpec).flatMap(({ container }) => container.ports ?? []);
}

/**
 * Where the tree sits in its git repository: an Argo CD Application's `path` under this prefix
 * must be a folder of the tree.
 */

/** Cross-references between objects: each must point at something that exists. */
export const REFERENCE_RULES: Rule[] = [
  {
    id: 'REF-ARGO-PATH',
    hint: `point the Application's source path at a folder of the tree that holds manifests (${TREE_PREFIX}/…)`,
    check(ctx) {
      const folders = new Set<string>();
      for (const o of ctx.objects) {
        const parts = o.path.split('/');
        for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
      }
      for (const app of ctx.ofKind('Application')) {
        const spec = app.manifest.spec ?? {};
        const sources: Record<string, any>[] = spec.source ? [spec.source] : spec.sources ?? [];
        for (const source of sources) {
          const p = typeof source.path === 'string' ? source.path.replace(/^\.\//, '').replace(/\/+$/, '') : undefined;
          const inTree = p === undefined ? undefined : treePathOfSource(p);
          if (inTree === undefined) continue;
          if (!folders.has(inTree)) ctx.report(app, `source path "${source.path}" is not a folder of the tree`);
        }
      }
    },
  },
  {
    id: 'REF-SERVICE-SELECTOR',
    hint: "make the Service's selector equal to the pod template labels of the workload it fronts",
    check(ctx: RuleContext) {
      for (const svc of ctx.ofKind('Service')) {
        const selector = svc.manifest.spec?.selector;
        if (svc.manifest.spec?.type === 'ExternalName' || !selector) continue;
        const selected = ctx.workloadIndex.selectedBy(svc, selector, 'map');
        if (selected.length === 0) ctx.report(svc, `selector ${JSON.stringify(selector)} matches no pods`);
      }
    },
  },
  {
    id: 'REF-SERVICE-PORT',
    hint: 'point targetPort at a port a selected container declares (by name or number)',
    check(ctx) {
      for (const svc of ctx.ofKind('Service')) {
        const selector = svc.manifest.spec?.selector;
        const selected = ctx.workloadIndex.selectedBy(svc, selector, 'map');
        if (selected.length === 0) continue;
        for (const port of svc.manifest.spec?.ports ?? []) {
          const target = port.targetPort ?? port.port;
          const found = selected.every((w) =>
            containerPorts(w).some((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target)),
          );
          if (!found) ctx.report(svc, `targetPort ${JSON.stringify(target)} of port "${port.name ?? port.port}" is not declared by every selected container`);
        }
      }
    },
  },
  {
    id: 'REF-INGRESS-BACKEND',
    hint: 'name an existing Service of the same namespace and one of its ports',
    check(ctx) {
      for (const ing of ctx.ofKind('Ingress')) {
        const backends = [
          ...(ing.manifest.spec?.defaultBackend ? [ing.manifest.spec.defaultBackend] : []),
          ...(ing.manifest.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend)),
        ];
        for (const backend of backends) {
          if (!backend?.service) continue;
          const svc = ctx.findInNamespace('Service', backend.service.name, ing);
          if (!svc) {
            ctx.report(ing, `backend Service "${backend.service.name}" does not exist`);
            continue;
          }
          const want = backend.service.port ?? {};
          const ok = (svc.manifest.spec?.ports ?? []).some((p: any) => (want.name !== undefined ? p.name === want.name : p.port === want.number));
          if (!ok) ctx.report(ing, `backend Service "${backend.service.name}" has no port ${JSON.stringify(want.name ?? want.number)}`);
        }
      }
    },
  },
  {
    id: 'REF-SCALE-TARGET',
    hint: 'point scaleTargetRef at exactly one Deployment or StatefulSet of the same namespace',
    check(ctx) {
      for (const hpa of ctx.ofKind('HorizontalPodAutoscaler')) {
        const ref = hpa.manifest.spec?.scaleTargetRef ?? {};
        const targets = ctx.workloadIndex.inNamespaceOf(hpa).filter((w) => w.kind === ref.kind && w.name === ref.name);
        if (targets.length !== 1) ctx.report(hpa, `scaleTargetRef ${ref.kind}/${ref.name} matches ${targets.length} workloads`);
      }
    },
  },
  {
    id: 'REF-PDB-SELECTOR',
    hint: "make the PodDisruptionBudget's selector match the pod labels of exactly one workload",
    check(ctx) {
      for (const pdb of ctx.ofKind('PodDisruptionBudget')) {
        const matched = ctx.workloadIndex.selectedBy(pdb, pdb.manifest.spec?.selector, 'selector');
        if (matched.length !== 1) ctx.report(pdb, `selector matches ${matched.length} workloads${matched.length ? ` (${matched.map((w) => `${w.kind}/${w.name}`).join(', ')})` : ''}`);
      }
    },
  },
  {
    id: 'REF-NETPOL-SELECTOR',
    hint: "make podSelector match the pod labels of a workload, or use {} for the namespace's pods",
    check(ctx) {
      for (const np of ctx.ofKind('NetworkPolicy')) {
        const selector = np.manifest.spec?.podSelector ?? {};
        const isAll = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
        if (isAll) continue;
        if (ctx.workloadIndex.selectedBy(np, selector, 'selector').length === 0) {
          ctx.report(np, `podSelector ${JSON.stringify(selector)} selects no pods`);
        }
      }
    },
  },
  {
    id: 'REF-POD-OBJECTS',
    hint: `add the object to the tree, or declare it on the workload as created out of band: annotation "${EXTERNAL_PREFIX}<Kind>.<name>: <reason>"`,
    check(ctx) {
      for (const w of ctx.workloads) {
        const external = new Set(
          Object.keys(w.object.manifest.metadata?.annotations ?? {})
            .filter((k) => k.startsWith(EXTERNAL_PREFIX) && String(w.object.manifest.metadata.annotations[k]).trim() !== '')
            .map((k) => k.slice(EXTERNAL_PREFIX.length)),
        );
        const exists = (kind: string, name: string) =>
          external.has(`${kind}.${name}`) || ctx.findInNamespace(kind, name, w.object) !== undefined;
        const need: [string, string][] = [];
        const spec = w.podSpec;
        if (spec.serviceAccountName && spec.serviceAccountName !== 'default') need.push(['ServiceAccount', spec.serviceAccountName]);
        for (const s of spec.imagePullSecrets ?? []) need.push(['Secret', s.name]);
        for (const v of spec.volumes ?? []) {
          if (v.configMap && !v.configMap.optional) need.push(['ConfigMap', v.configMap.name]);
          if (v.secret && !v.secret.optional) need.push(['Secret', v.secret.secretName]);
          if (v.persistentVolumeClaim) {
            const templates = (w.object.manifest.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name);
            if (!templates.includes(v.persistentVolumeClaim.claimName)) need.push(['PersistentVolumeClaim', v.persistentVolumeClaim.claimName]);
          }
        }
        for (const { container } of containersOf(spec)) {
          for (const from of container.envFrom ?? []) {
            if (from.configMapRef && !from.configMapRef.optional) need.push(['ConfigMap', from.configMapRef.name]);
            if (from.secretRef && !from.secretRef.optional) need.push(['Secret', from.secretRef.name]);
          }
          for (const env of container.env ?? []) {
            const cm = env.valueFrom?.configMapKeyRef;
            const sec = env.valueFrom?.secretKeyRef;
            if (cm && !cm.optional) need.push(['ConfigMap', cm.name]);
            if (sec && !sec.optional) need.push(['Secret', sec.name]);
          }
        }
        const reported = new Set<string>();
        for (const [kind, name] of need) {
          const key = `${kind}.${name}`;
          if (reported.has(key) || exists(kind, name)) continue;
          reported.add(key);
          ctx.report(w.object, `references ${kind} "${name}", which is neither in the tree nor declared external`);
        }
      }
    },
  },
];
