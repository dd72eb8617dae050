import { cascadesOnDelete, SYNC_OPTIONS_ANNOTATION } from '../tree/deletion';
import { leafChanges, LeafChange, leafPathText, sameValue } from './leaf-changes';
import { ResourceChange } from './tree-diff';
import { compareCodePoints as compare, TreeObject } from '../tree/tree-object';
import { HOOK_ANNOTATION } from '../tree/annotations';
import { podTemplateOf } from '../tree/pod-templates';
import { selects } from '../validation/label-selector';

/** A container whose image differs. */
export interface ImageChange {
  /** `Kind/name` of the workload. */
  readonly resource: string;
  readonly container: string;
  /** Absent for a new workload or container. */
  readonly before?: string;
  readonly after: string;
}

/** What happens to the pods of one Deployment, StatefulSet or DaemonSet. */
export interface WorkloadRollout {
  readonly resource: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Whether existing pods are replaced by new ones. */
  readonly rolls: boolean;
  /** What in the pod template changed (empty when it did not). */
  readonly reasons: string[];
  /** How many pods the workload runs, as far as git says; undefined for a DaemonSet (one per node). */
  readonly pods?: number;
  /** Where {@link pods} comes from. */
  readonly podsFrom?: 'spec.replicas' | 'HPA minReplicas' | 'Kubernetes default';
  /** The HPA's maximum, when an HPA owns the count: the rollout may replace up to this many. */
  readonly podsMax?: number;
  /** Pods replaced by the rollout (0 when it does not roll). */
  readonly podsReplaced?: number;
  /** Fewest pods available during the rollout. */
  readonly floor?: number;
  /** Most pods running during the rollout. */
  readonly ceiling?: number;
  /** One sentence for readers. */
  readonly text: string;
}

export type ImpactChangeKind = 'scale' | 'hpa' | 'pdb' | 'ingress' | 'network-policy' | 'sync-policy' | 'application';

/** A change that matters to capacity, traffic or how Argo CD syncs, in words. */
export interface ImpactChange {
  readonly kind: ImpactChangeKind;
  readonly resource: string;
  readonly text: string;
}

export interface ImpactWarning {
  readonly resource: string;
  readonly text: string;
}

/** The impact on one component of one environment. */
export interface GroupImpact {
  readonly environment: string;
  readonly component: string;
  readonly images: ImageChange[];
  /** Every Deployment, StatefulSet and DaemonSet of the component, rolling or not. */
  readonly workloads: WorkloadRollout[];
  readonly changes: ImpactChange[];
  readonly warnings: ImpactWarning[];
}

export interface RolloutImpact {
  /** Only components with at least one changed resource, by environment then component. */
  readonly groups: GroupImpact[];
}

export interface ImpactOptions {
  /**
   * Environment → the environment whose images it must have run first. A new image in the key
   * environment that the other one runs neither in the base nor in the new tree is a warning.
   * @default { prod: 'staging' }
   */
  readonly promotedFrom?: Readonly<Record<string, string>>;
  /**
   * Environment → the images it ran before the base (its history, e.g. {@link imagesInPatch} of
   * `git log -p` of its folder). An image the environment itself ran before (a rollback), or that
   * the environment it is promoted from ran before, is no warning.
   */
  readonly ranBefore?: Readonly<Record<string, Iterable<string>>>;
}

/** Which environment's images each environment must have run first, unless told otherwise. */
export const DEFAULT_PROMOTED_FROM: Readonly<Record<string, string>> = { prod: 'staging' };

/**
 * Every image a patch of manifests adds or removes (`git log -p` of a tree folder): the images
 * the folder held at some commit of that history.
 */
export function imagesInPatch(patch: string): Set<string> {
  const images = new Set<string>();
  for (const match of patch.matchAll(/^[+-](?![+-]{2} )[ \t]*(?:-[ \t]+)?image:[ \t]*(["']?)([^"'\s#]+)\1[ \t]*$/gm)) {
    images.add(match[2]!);
  }
  return images;
}

const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
const ROLLING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function label(r: { kind: string; name: string }): string {
  return `${r.kind}/${r.name}`;
}


function imagesOf(m: Record<string, any>): Map<string, string> {
  const spec = podTemplateOf(m)?.spec ?? {};
  const out = new Map<string, string>();
  for (const c of spec.initContainers ?? []) if (typeof c?.image === 'string') out.set(`${c.name} (init)`, c.image);
  for (const c of spec.containers ?? []) if (typeof c?.image === 'string') out.set(c.name, c.image);
  return out;
}

/** A leaf's JSON as a report shows it: strings bare, `(unset)` when absent. */
export function leafValueText(json: string | undefined): string {
  if (json === undefined) return '(unset)';
  try {
    const v = JSON.parse(json);
    return typeof v === 'string' ? v : json;
  } catch {
    return json;
  }
}

function describeLeaf(c: LeafChange): string {
  return `${leafPathText(c.path)}: ${leafValueText(c.before)} → ${leafValueText(c.after)}`;
}

/** A Kubernetes int-or-percent as a pod count; surge rounds up, unavailability down, as the controller does. */
function intOrPercent(value: unknown, total: number, round: 'up' | 'down', fallback: string): number {
  const v = value ?? fallback;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (!m) return Number(v) || 0;
  const exact = (total * Number(m[1])) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What in a pod template changed, named for readers: "image of backend", "annotation checksum/config". */
function templateReasons(before: Record<string, any> | undefined, after: Record<string, any> | undefined): string[] {
  const reasons: string[] = [];
  for (const c of leafChanges(before ?? {}, after ?? {})) {
    const [top, section, key, field] = c.path;
    let reason: string;
    if (top === 'metadata' && section === 'annotations' && key !== undefined) reason = `annotation ${key}`;
    else if (top === 'metadata' && section === 'labels') reason = 'pod labels';
    else if (top === 'spec' && (section === 'containers' || section === 'initContainers') && key?.startsWith('[')) {
      reason = `${field ?? 'container'} of ${key.slice(1, -1)}${section === 'initContainers' ? ' (init)' : ''}`;
    } else reason = [top, section].filter((s) => s !== undefined).join('.');
    if (!reasons.includes(reason)) reasons.push(reason);
  }
  return reasons;
}

function isKafka(m: Record<string, any>): boolean {
  const names = [m.metadata?.name, m.metadata?.labels?.['app.kubernetes.io/name'], ...imagesOf(m).values()];
  return names.some((n) => typeof n === 'string' && /kafka/i.test(n));
}

interface Scope {
  readonly base: ReadonlyMap<string, TreeObject>;
  readonly head: ReadonlyMap<string, TreeObject>;
}

/** The HPA scaling a workload, in the same tree, environment and namespace. */
function hpaFor(tree: ReadonlyMap<string, TreeObject>, w: TreeObject): TreeObject | undefined {
  for (const r of tree.values()) {
    if (r.kind !== 'HorizontalPodAutoscaler' || r.environment !== w.environment || r.namespace !== w.namespace) continue;
    const ref = r.manifest.spec?.scaleTargetRef;
    if (ref?.kind === w.kind && ref?.name === w.name) return r;
  }
  return undefined;
}

function replicasOf(tree: ReadonlyMap<string, TreeObject>, w: TreeObject): Pick<WorkloadRollout, 'pods' | 'podsFrom' | 'podsMax'> {
  const replicas = w.manifest.spec?.replicas;
  if (typeof replicas === 'number') return { pods: replicas, podsFrom: 'spec.replicas' };
  const hpa = hpaFor(tree, w);
  if (hpa) {
    const min = hpa.manifest.spec?.minReplicas ?? 1;
    const max = hpa.manifest.spec?.maxReplicas;
    return { pods: min, podsFrom: 'HPA minReplicas', ...(typeof max === 'number' && max > min ? { podsMax: max } : {}) };
  }
  return { pods: 1, podsFrom: 'Kubernetes default' };
}

function countText(r: Pick<WorkloadRollout, 'pods' | 'podsFrom' | 'podsMax'>): string {
  const base = plural(r.pods!, 'pod');
  if (r.podsFrom === 'HPA minReplicas') return `${base} (the HPA minimum${r.podsMax !== undefined ? `; up to ${r.podsMax} when scaled out` : ''})`;
  if (r.podsFrom === 'Kubernetes default') return `${base} (no replicas and no HPA: the Kubernetes default)`;
  return base;
}

function analyzeWorkload(scope: Scope, change: ResourceChange | undefined, current: TreeObject, group: GroupImpact): void {
  const before = change ? change.before : current;
  const after = change ? change.after : current;
  const status: WorkloadRollout['status'] = change ? change.status : 'unchanged';
  const resource = label(current);
  const m = (after ?? before)!.manifest;
  const count = replicasOf(after ? scope.head : scope.base, (after ?? before)!);

  if (status === 'removed') {
    const pods = current.kind === 'DaemonSet' ? 'its pods on every node' : `its ${countText(count)}`;
    group.workloads.push({ resource, status, rolls: false, reasons: [], text: `${resource} is removed: ${pods} stop once Argo CD prunes it` });
    return;
  }
  if (status === 'added') {
    const pods = current.kind === 'DaemonSet' ? 'a pod on every node' : countText(count);
    group.workloads.push({ resource, status, rolls: false, reasons: [], ...count, podsReplaced: 0, text: `${resource} is new: starts ${pods}` });
    if (current.kind === 'Deployment') checkUnavailable(group, resource, m, count.pods!, true);
    return;
  }

  const oldM = before!.manifest;
  const reasons = templateReasons(podTemplateOf(oldM), podTemplateOf(m));
  const templateChanged = reasons.length > 0;

  if (!sameValue(oldM.spec?.selector, m.spec?.selector)) {
    group.warnings.push({
      resource,
      text:
        `spec.selector changes (${JSON.stringify(oldM.spec?.selector ?? null)} → ${JSON.stringify(m.spec?.selector ?? null)}): ` +
        `the selector of a live ${current.kind} is immutable, so Kubernetes rejects the update and the sync fails; ` +
        `keep the selector, or replace the ${current.kind} under a new name`,
    });
  }

  if (typeof oldM.spec?.replicas === 'number' && typeof m.spec?.replicas === 'number' && oldM.spec.replicas !== m.spec.replicas) {
    group.changes.push({ kind: 'scale', resource, text: `replicas ${oldM.spec.replicas} → ${m.spec.replicas}` });
  }

  let text: string;
  let rollout: Partial<WorkloadRollout> = {};
  const pods = count.pods ?? 0;
  if (current.kind === 'Deployment') {
    const strategy = m.spec?.strategy ?? {};
    if ((strategy.type ?? 'RollingUpdate') === 'Recreate') {
      rollout = { floor: 0, ceiling: pods, podsReplaced: templateChanged ? pods : 0 };
      text = templateChanged
        ? `pods roll: replaces ${countText(count)}, all at once (strategy Recreate): capacity drops to 0 pods until the new ones are ready`
        : 'pods do not roll (pod template unchanged)';
      if (templateChanged) group.warnings.push({ resource, text: `strategy Recreate stops all ${plural(pods, 'pod')} before any new one starts: downtime` });
    } else {
      const { surge, unavailable } = rollingBudget(strategy.rollingUpdate, pods);
      rollout = { floor: Math.max(0, pods - unavailable), ceiling: pods + surge, podsReplaced: templateChanged ? pods : 0 };
      text = templateChanged
        ? `pods roll: replaces ${countText(count)}; ${capacityText(rollout.floor!, rollout.ceiling!)} (maxSurge ${surge}, maxUnavailable ${unavailable})`
        : 'pods do not roll (pod template unchanged)';
      checkUnavailable(group, resource, m, pods, templateChanged || !sameValue(oldM.spec?.strategy, m.spec?.strategy));
    }
  } else if (current.kind === 'StatefulSet') {
    const strategy = m.spec?.updateStrategy ?? {};
    const partition = Math.min(pods, Number(strategy.rollingUpdate?.partition ?? 0) || 0);
    if ((strategy.type ?? 'RollingUpdate') === 'OnDelete') {
      rollout = { floor: pods, ceiling: pods, podsReplaced: 0 };
      text = templateChanged
        ? `pod template changes, but updateStrategy OnDelete replaces no pod until it is deleted by hand (${plural(pods, 'pod')} keep the old template)`
        : 'pods do not roll (pod template unchanged)';
    } else {
      const replaced = templateChanged ? pods - partition : 0;
      rollout = { floor: Math.max(0, pods - 1), ceiling: pods, podsReplaced: replaced };
      text = templateChanged
        ? `pods roll one at a time, highest ordinal first: replaces ${replaced === pods ? countText(count) : `${replaced} of ${plural(pods, 'pod')} (partition ${partition})`}; ` +
          capacityText(rollout.floor!, rollout.ceiling!)
        : 'pods do not roll (pod template unchanged)';
    }
    statefulSetWarnings(group, resource, oldM, m);
  } else {
    const rolling = m.spec?.updateStrategy?.rollingUpdate ?? {};
    text = templateChanged
      ? `pods roll on every node (maxUnavailable ${rolling.maxUnavailable ?? 1}, maxSurge ${rolling.maxSurge ?? 0})`
      : 'pods do not roll (pod template unchanged)';
  }
  const rolls = templateChanged && (rollout.podsReplaced ?? 1) > 0;
  const recreate = current.kind === 'Deployment' && m.spec?.strategy?.type === 'Recreate';
  if (rolls && rollout.floor === 0 && !recreate) {
    group.warnings.push({
      resource,
      text:
        pods === 1
          ? 'its only pod is replaced with none serving meanwhile: downtime'
          : `capacity drops to 0 of ${pods} pods during the rollout: downtime`,
    });
  }
  group.workloads.push({
    resource,
    status,
    rolls,
    reasons,
    ...(current.kind === 'DaemonSet' ? {} : count),
    ...rollout,
    text: `${resource}: ${text}${templateChanged ? `; template changes: ${reasons.slice(0, 6).join(', ')}${reasons.length > 6 ? `, and ${reasons.length - 6} more` : ''}` : ''}`,
  });
}

/** The capacity floor and ceiling during a rollout, in words. */
function capacityText(floor: number, ceiling: number): string {
  return `at least ${plural(floor, 'pod')} stay${floor === 1 ? 's' : ''} available and at most ${ceiling} run meanwhile`;
}

function rollingBudget(rolling: Record<string, any> | undefined, pods: number): { surge: number; unavailable: number } {
  const surge = intOrPercent(rolling?.maxSurge, pods, 'up', '25%');
  let unavailable = intOrPercent(rolling?.maxUnavailable, pods, 'down', '25%');
  // The controller's rule: with both rounding to zero, one pod may be unavailable so it can progress.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function checkUnavailable(group: GroupImpact, resource: string, m: Record<string, any>, pods: number, relevant: boolean): void {
  const strategy = m.spec?.strategy ?? {};
  if ((strategy.type ?? 'RollingUpdate') !== 'RollingUpdate' || !relevant) return;
  const { unavailable } = rollingBudget(strategy.rollingUpdate, pods);
  if (unavailable > 0) {
    const given = strategy.rollingUpdate?.maxUnavailable ?? '25% (the default)';
    group.warnings.push({
      resource,
      text: `maxUnavailable ${given}: the rollout takes up to ${plural(unavailable, 'pod')} of ${pods} out of service before replacements are ready`,
    });
  }
}

function storageOf(m: Record<string, any>): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of m.spec?.volumeClaimTemplates ?? []) out.set(t?.metadata?.name ?? '?', String(t?.spec?.resources?.requests?.storage ?? '?'));
  return out;
}

function statefulSetWarnings(group: GroupImpact, resource: string, oldM: Record<string, any>, m: Record<string, any>): void {
  const kafka = isKafka(m) || isKafka(oldM);
  const oldReplicas = oldM.spec?.replicas ?? 1;
  const newReplicas = m.spec?.replicas ?? 1;
  if (kafka && oldReplicas !== newReplicas) {
    group.warnings.push({
      resource,
      text:
        `Kafka brokers ${oldReplicas} → ${newReplicas}: ` +
        (newReplicas < oldReplicas
          ? 'removed brokers take their partition replicas and controller votes with them; reassign partitions off them (and check replication factors and the KRaft quorum) before merging'
          : 'new brokers get no partitions until they are reassigned, and the KRaft controller quorum does not grow by itself'),
    });
  }
  if (!sameValue(oldM.spec?.volumeClaimTemplates, m.spec?.volumeClaimTemplates)) {
    const before = storageOf(oldM);
    const after = storageOf(m);
    const sizes = [...new Set([...before.keys(), ...after.keys()])]
      .filter((n) => before.get(n) !== after.get(n))
      .map((n) => `${n} ${before.get(n) ?? '(none)'} → ${after.get(n) ?? '(none)'}`);
    group.warnings.push({
      resource,
      text:
        `volumeClaimTemplates change${sizes.length > 0 ? ` (storage ${sizes.join(', ')})` : ''}: Kubernetes rejects changes to a StatefulSet's ` +
        `volumeClaimTemplates, so the sync fails; resize the existing PVCs (if the StorageClass allows expansion) and recreate the ` +
        `StatefulSet with --cascade=orphan${kafka ? ', one broker at a time' : ''}`,
    });
  }
}

function jobWarnings(group: GroupImpact, change: ResourceChange): void {
  if (change.kind !== 'Job' || change.status !== 'changed') return;
  const m = change.after!.manifest;
  if (sameValue(podTemplateOf(change.before!.manifest), podTemplateOf(m))) return;
  const annotations = m.metadata?.annotations ?? {};
  const replaced = annotations[HOOK_ANNOTATION] !== undefined || /Replace=true/.test(annotations[SYNC_OPTIONS_ANNOTATION] ?? '');
  if (!replaced) {
    group.warnings.push({
      resource: label(change),
      text: "the pod template of a Job is immutable: the sync fails unless Argo CD replaces the Job (a hook, or sync-options Replace=true)",
    });
  }
}

function hpaChange(group: GroupImpact, change: ResourceChange): void {
  const resource = label(change);
  const b = change.before?.manifest.spec ?? {};
  const a = change.after?.manifest.spec ?? {};
  const target = (s: Record<string, any>) => `${s.scaleTargetRef?.kind}/${s.scaleTargetRef?.name}`;
  if (change.status === 'added') {
    group.changes.push({ kind: 'hpa', resource, text: `new HPA: ${target(a)} scales between ${a.minReplicas ?? 1} and ${a.maxReplicas} pods` });
    return;
  }
  if (change.status === 'removed') {
    group.changes.push({ kind: 'hpa', resource, text: `HPA removed: ${target(b)} keeps its current pod count and no longer scales` });
    return;
  }
  const parts: string[] = [];
  const [oldMin, newMin] = [b.minReplicas ?? 1, a.minReplicas ?? 1];
  if (oldMin !== newMin) parts.push(`min ${oldMin} → ${newMin}${newMin > oldMin ? ` (scales up to at least ${newMin} pods)` : ''}`);
  if (b.maxReplicas !== a.maxReplicas) parts.push(`max ${b.maxReplicas} → ${a.maxReplicas}${a.maxReplicas < b.maxReplicas ? ` (scales down to at most ${a.maxReplicas} pods)` : ''}`);
  if (target(b) !== target(a)) parts.push(`target ${target(b)} → ${target(a)}`);
  for (const c of leafChanges({ metrics: b.metrics }, { metrics: a.metrics })) parts.push(describeLeaf(c));
  if (!sameValue(b.behavior, a.behavior)) parts.push('scaling behavior changes');
  if (parts.length > 0) group.changes.push({ kind: 'hpa', resource, text: `HPA ${oldMin}–${b.maxReplicas} → ${newMin}–${a.maxReplicas} pods: ${parts.join('; ')}` });
}

function pdbChange(scope: Scope, group: GroupImpact, change: ResourceChange): void {
  const resource = label(change);
  const budget = (s: Record<string, any>) =>
    s.maxUnavailable !== undefined ? `maxUnavailable ${s.maxUnavailable}` : s.minAvailable !== undefined ? `minAvailable ${s.minAvailable}` : 'no budget';
  if (change.status === 'added') {
    group.changes.push({ kind: 'pdb', resource, text: `new PDB: ${budget(change.after!.manifest.spec ?? {})}` });
    return;
  }
  if (change.status === 'removed') {
    const old = change.before!;
    const stillRunning = [...scope.head.values()].filter(
      (r) =>
        ROLLING_KINDS.has(r.kind) &&
        r.environment === old.environment &&
        r.namespace === old.namespace &&
        selects(old.manifest.spec?.selector, podTemplateOf(r.manifest)?.metadata?.labels ?? {}),
    );
    if (stillRunning.length > 0) {
      group.warnings.push({
        resource,
        text: `PDB removed while ${stillRunning.map(label).join(', ')} still runs: a node drain or cluster upgrade may evict all its pods at once`,
      });
    } else group.changes.push({ kind: 'pdb', resource, text: 'PDB removed, together with the pods it protected' });
    return;
  }
  const b = change.before!.manifest.spec ?? {};
  const a = change.after!.manifest.spec ?? {};
  const parts = leafChanges(b, a).map((c) => describeLeaf(c));
  if (parts.length > 0) group.changes.push({ kind: 'pdb', resource, text: `PDB ${budget(b)} → ${budget(a)}: ${parts.join('; ')}` });
}


function routesOf(m: Record<string, any> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const backend = (b: Record<string, any> | undefined) =>
    b?.service ? `${b.service.name}:${b.service.port?.number ?? b.service.port?.name}` : b?.resource ? `${b.resource.kind}/${b.resource.name}` : '?';
  if (!m) return out;
  if (m.spec?.defaultBackend) out.set('(default backend)', backend(m.spec.defaultBackend));
  for (const rule of m.spec?.rules ?? []) {
    for (const p of rule.http?.paths ?? []) out.set(`${rule.host ?? '*'}${p.path ?? '/'}`, `${backend(p.backend)} (${p.pathType ?? 'ImplementationSpecific'})`);
  }
  return out;
}

function tlsHostsOf(m: Record<string, any> | undefined): Set<string> {
  return new Set((m?.spec?.tls ?? []).flatMap((t: Record<string, any>) => (t.hosts ?? []).map((h: string) => `${h} (${t.secretName ?? 'no secret'})`)));
}

function ingressChange(group: GroupImpact, change: ResourceChange): void {
  const resource = label(change);
  const before = routesOf(change.before?.manifest);
  const after = routesOf(change.after?.manifest);
  const parts: string[] = [];
  for (const [route, to] of after) {
    const was = before.get(route);
    if (was === undefined) parts.push(`+ ${route} → ${to}`);
    else if (was !== to) parts.push(`~ ${route}: ${was} → ${to}`);
  }
  for (const [route, was] of before) if (!after.has(route)) parts.push(`- ${route} (was → ${was})`);
  const tlsBefore = tlsHostsOf(change.before?.manifest);
  const tlsAfter = tlsHostsOf(change.after?.manifest);
  for (const h of tlsAfter) if (!tlsBefore.has(h)) parts.push(`+ TLS ${h}`);
  for (const h of tlsBefore) if (!tlsAfter.has(h)) parts.push(`- TLS ${h}`);
  if (change.status === 'changed') {
    const b = change.before!.manifest;
    const a = change.after!.manifest;
    if (b.spec?.ingressClassName !== a.spec?.ingressClassName) parts.push(`class ${b.spec?.ingressClassName ?? '(default)'} → ${a.spec?.ingressClassName ?? '(default)'}`);
    for (const c of leafChanges(b.metadata?.annotations ?? {}, a.metadata?.annotations ?? {})) parts.push(`annotation ${describeLeaf(c)}`);
  }
  const what = change.status === 'added' ? 'new Ingress' : change.status === 'removed' ? 'Ingress removed' : 'Ingress';
  if (parts.length > 0 || change.status !== 'changed') group.changes.push({ kind: 'ingress', resource, text: `${what}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}` });
}

/** `name=kafka,instance=kafka`: the recommended labels' common prefix left out for reading. */
function selectorText(selector: Record<string, any> | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k.replace(/^app\.kubernetes\.io\//, '')}=${v}`);
  for (const e of selector?.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(', ')})` : ''}`);
  return parts.length > 0 ? parts.join(',') : 'all';
}

function peerText(peer: Record<string, any>): string {
  if (peer.ipBlock) return `${peer.ipBlock.cidr}${peer.ipBlock.except?.length ? ` except ${peer.ipBlock.except.join(', ')}` : ''}`;
  const pods = peer.podSelector ? `pods ${selectorText(peer.podSelector)}` : 'all pods';
  return peer.namespaceSelector ? `${pods} in namespaces ${selectorText(peer.namespaceSelector)}` : pods;
}

function ruleText(rule: Record<string, any>, direction: 'ingress' | 'egress'): string {
  const peers: Record<string, any>[] = (direction === 'ingress' ? rule.from : rule.to) ?? [];
  const ports: Record<string, any>[] = rule.ports ?? [];
  const who = peers.length > 0 ? peers.map(peerText).join(' or ') : 'anywhere';
  const where = ports.length > 0 ? ports.map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 'any'}${p.endPort ? `-${p.endPort}` : ''}`).join(', ') : 'any port';
  return `${direction === 'ingress' ? 'from' : 'to'} ${who} on ${where}`;
}

/** What a NetworkPolicy allows, in words: `pods name=backend: egress to pods name=kafka on TCP 9092`. */
function policyText(spec: Record<string, any>): string {
  const types: string[] = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  const sections = types.map((t) => {
    const direction = t.toLowerCase() as 'ingress' | 'egress';
    const rules: Record<string, any>[] = spec[direction] ?? [];
    return `${direction} ${rules.length === 0 ? 'denied' : rules.map((r) => ruleText(r, direction)).join('; ')}`;
  });
  return `pods ${selectorText(spec.podSelector)}: ${sections.join('; ')}`;
}

function networkPolicyChange(group: GroupImpact, change: ResourceChange): void {
  const resource = label(change);
  if (change.status === 'added') {
    group.changes.push({ kind: 'network-policy', resource, text: `new NetworkPolicy: ${policyText(change.after!.manifest.spec ?? {})}` });
  } else if (change.status === 'removed') {
    group.changes.push({ kind: 'network-policy', resource, text: `NetworkPolicy removed (${policyText(change.before!.manifest.spec ?? {})}): what only it allowed is now denied` });
  } else {
    const b = change.before!.manifest.spec ?? {};
    const a = change.after!.manifest.spec ?? {};
    if (!sameValue(b, a)) group.changes.push({ kind: 'network-policy', resource, text: `NetworkPolicy ${policyText(b)} → ${policyText(a)}` });
  }
}

function applicationChange(group: GroupImpact, change: ResourceChange): void {
  const resource = label(change);
  if (change.status === 'added') {
    const s = change.after!.manifest.spec ?? {};
    const sources: Record<string, any>[] = s.sources ?? (s.source ? [s.source] : []);
    const from = sources.map((x) => x.path ?? x.chart ?? x.repoURL ?? '?').join(' + ') || '(no source)';
    const auto = s.syncPolicy?.automated;
    group.changes.push({
      kind: 'application',
      resource,
      text:
        `new Application: ${from} → cluster ${s.destination?.name ?? s.destination?.server ?? '?'}, namespace ${s.destination?.namespace ?? '(none)'}, ` +
        (auto ? `auto-sync (prune ${auto.prune === true ? 'on' : 'off'}, self-heal ${auto.selfHeal === true ? 'on' : 'off'})` : 'manual sync'),
    });
    return;
  }
  if (change.status === 'removed') {
    const finalizers: string[] = change.before!.manifest.metadata?.finalizers ?? [];
    const cascade = cascadesOnDelete(finalizers);
    group.warnings.push({
      resource,
      text: cascade
        ? 'Application removed with the resources finalizer: Argo CD deletes every resource it manages'
        : 'Application removed: its resources stay in the cluster, no longer synced from git',
    });
    return;
  }
  const b = change.before!.manifest.spec ?? {};
  const a = change.after!.manifest.spec ?? {};
  const sync = leafChanges(b.syncPolicy ?? {}, a.syncPolicy ?? {});
  if (sync.length > 0) group.changes.push({ kind: 'sync-policy', resource, text: `sync policy: ${sync.map((c) => describeLeaf(c)).join('; ')}` });
  if (b.syncPolicy?.automated && !a.syncPolicy?.automated) {
    group.warnings.push({ resource, text: 'automated sync is turned off: the cluster stops following git until someone syncs by hand' });
  }
  const source = leafChanges({ source: b.source, sources: b.sources }, { source: a.source, sources: a.sources });
  if (source.length > 0) group.changes.push({ kind: 'application', resource, text: `source ${source.map((c) => describeLeaf(c)).join('; ')}` });
  const destination = leafChanges(b.destination ?? {}, a.destination ?? {});
  if (destination.length > 0) {
    group.warnings.push({
      resource,
      text: `destination changes (${destination.map((c) => describeLeaf(c)).join('; ')}): Argo CD deploys everything anew there and leaves or prunes what ran at the old one`,
    });
  }
}

function isApplication(r: { kind: string; manifest: Record<string, any> } | undefined): boolean {
  return r !== undefined && r.kind === 'Application' && String(r.manifest.apiVersion ?? '').startsWith('argoproj.io/');
}

function imagesOfEnvironment(tree: ReadonlyMap<string, TreeObject>, environment: string): Set<string> {
  const out = new Set<string>();
  for (const r of tree.values()) {
    if (r.environment === environment && POD_TEMPLATE_KINDS.has(r.kind)) for (const image of imagesOf(r.manifest).values()) out.add(image);
  }
  return out;
}

/**
 * What merging the change does to the running system, per environment and component: images,
 * rollouts with the number of pods replaced and the capacity they run at meanwhile, autoscaling,
 * disruption budgets, routes, network policies and Argo CD sync, plus warnings for changes that
 * fail to apply or cost availability.
 */
export function analyzeImpact(
  changes: readonly ResourceChange[],
  base: ReadonlyMap<string, TreeObject>,
  head: ReadonlyMap<string, TreeObject>,
  options: ImpactOptions = {},
): RolloutImpact {
  const scope: Scope = { base, head };
  const groups = new Map<string, GroupImpact>();
  const groupOf = (environment: string, component: string): GroupImpact => {
    const key = `${environment}\0${component}`;
    let g = groups.get(key);
    if (!g) {
      g = { environment, component, images: [], workloads: [], changes: [], warnings: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const c of changes) groupOf(c.environment, c.component);

  const changed = new Map(changes.map((c) => [c.key, c]));
  // Workloads of the touched components, so each says whether it rolls, changed or not.
  const workloads = new Map<string, TreeObject>();
  for (const tree of [head, base]) {
    for (const [key, r] of tree) {
      if (ROLLING_KINDS.has(r.kind) && groups.has(`${r.environment}\0${r.component}`) && !workloads.has(key)) workloads.set(key, r);
    }
  }
  for (const [key, r] of [...workloads].sort(([a], [b]) => compare(a, b))) {
    analyzeWorkload(scope, changed.get(key), r, groupOf(r.environment, r.component));
  }

  for (const c of changes) {
    const g = groupOf(c.environment, c.component);
    if (POD_TEMPLATE_KINDS.has(c.kind) && c.after) {
      const before = c.before ? imagesOf(c.before.manifest) : new Map<string, string>();
      for (const [container, image] of imagesOf(c.after.manifest)) {
        const was = before.get(container);
        if (was !== image) g.images.push({ resource: label(c), container, ...(was !== undefined ? { before: was } : {}), after: image });
      }
    }
    jobWarnings(g, c);
    if (c.kind === 'HorizontalPodAutoscaler') hpaChange(g, c);
    else if (c.kind === 'PodDisruptionBudget') pdbChange(scope, g, c);
    else if (c.kind === 'Ingress') ingressChange(g, c);
    else if (c.kind === 'NetworkPolicy') networkPolicyChange(g, c);
    else if (isApplication(c.after ?? c.before)) applicationChange(g, c);
  }

  const promotedFrom = options.promotedFrom ?? DEFAULT_PROMOTED_FROM;
  const history = options.ranBefore;
  for (const g of groups.values()) {
    const earlier = promotedFrom[g.environment];
    if (earlier === undefined) continue;
    const ran = new Set([...imagesOfEnvironment(base, earlier), ...imagesOfEnvironment(head, earlier)]);
    // What either environment ran before the base: a rollback goes back to an image the
    // environment ran itself, and a promotion may bring what the earlier one ran a while ago.
    const ranEarlier = new Set(history?.[earlier] ?? []);
    const ranHere = new Set(history?.[g.environment] ?? []);
    for (const image of new Set(g.images.map((i) => i.after))) {
      if (!ran.has(image) && !ranEarlier.has(image) && !ranHere.has(image)) {
        const users = g.images.filter((i) => i.after === image).map((i) => i.resource);
        const where = history
          ? `neither in the base, nor in this change, nor before in the history of ${earlier} or ${g.environment}`
          : 'neither in the base nor in this change';
        g.warnings.push({ resource: [...new Set(users)].join(', '), text: `${g.environment} image ${image} has not run in ${earlier} (${where})` });
      }
    }
  }

  return {
    groups: [...groups.values()].sort((a, b) => compare(a.environment, b.environment) || compare(a.component, b.component)),
  };
}
