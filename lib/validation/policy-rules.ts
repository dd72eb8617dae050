import { imageReferenceProblem } from '../environment/image-reference';
import { Rule, RuleContext } from './rule';
import { credentialShape, forEachString } from '../predicates/credentials';
import { podLabelsPath, podSpecPath } from '../tree/pod-templates';
import { TreeObject } from '../tree/tree-object';
import { FieldPath } from './api-server/field-error';
import { selects } from './label-selector';
import { containerEntries, ContainerEntry } from './pod-fields';
import { Workload } from './workloads';

/** Environments where single-replica scaling is acceptable. */
const RELAXED_ENVIRONMENTS = new Set(['dev']);

function forEachContainer(ctx: RuleContext, fn: (w: Workload, entry: ContainerEntry) => void): void {
  for (const w of ctx.workloads) for (const entry of containerEntries(w)) fn(w, entry);
}

/**
 * A container-level setting that may be inherited from the pod's security context, and the field
 * that decides it: the container's if it sets one, else the pod's if it sets one, else the
 * container's or the pod's (`unset`), where the rule's hint puts the fix.
 */
function effective(w: Workload, { container, path }: ContainerEntry, key: string, unset: 'container' | 'pod' = 'container'): { value: unknown; field: string } {
  const podField = `${podSpecPath(w.kind)}.securityContext.${key}`;
  const containerField = `${path}.securityContext.${key}`;
  if (container.securityContext?.[key] !== undefined) return { value: container.securityContext[key], field: containerField };
  if (w.podSpec.securityContext?.[key] !== undefined) return { value: w.podSpec.securityContext[key], field: podField };
  return { value: undefined, field: unset === 'pod' ? podField : containerField };
}

/**
 * An int-or-percent budget field as a pod count. The disruption controller rounds percentages up
 * (for minAvailable and maxUnavailable alike), so "60%" of 2 pods is 2.
 */
function budgetPods(value: unknown, total: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+%$/.test(value)) return Math.ceil((total * parseInt(value, 10)) / 100);
  return undefined;
}

/**
 * The volume sources restricted Pod Security admits (kubernetes.io/docs/concepts/security/
 * pod-security-standards, "Volume Types"); hostPath is also refused by baseline.
 */
const RESTRICTED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

const SECRET_KEY = /(pass(word|wd)?|secret|token|api[-_]?key|private[-_]?key|credential|access[-_]?key)/i;

/** Why a literal value looks like a credential, or undefined. */
export function secretLooking(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const shape = credentialShape(value);
  if (shape) return `its value looks like ${shape}`;
  if (SECRET_KEY.test(key)) return `its name "${key}" says it holds a secret`;
  return undefined;
}

/** Production policy: what every workload must do to run safely and roll out without downtime. */
export const POLICY_RULES: Rule[] = [
  {
    id: 'POD-NON-ROOT',
    checks: 'pods run as a non-root user',
    mirrors: 'Pod Security Standards, restricted: runAsNonRoot',
    hint: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser',
    check(ctx) {
      forEachContainer(ctx, (w, entry) => {
        const nonRoot = effective(w, entry, 'runAsNonRoot');
        const user = effective(w, entry, 'runAsUser');
        const field = nonRoot.value !== true ? nonRoot.field : user.value === 0 ? user.field : undefined;
        if (field !== undefined) ctx.report(w.object, `${field}: container "${entry.container.name}" may run as root`);
      });
    },
  },
  {
    id: 'POD-NO-PRIVILEGE-ESCALATION',
    checks: 'containers cannot gain privileges',
    mirrors: 'Pod Security Standards, restricted: allowPrivilegeEscalation',
    hint: 'set securityContext.allowPrivilegeEscalation: false on the container',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        const field = c.securityContext?.privileged === true ? 'privileged' : c.securityContext?.allowPrivilegeEscalation !== false ? 'allowPrivilegeEscalation' : undefined;
        if (field !== undefined) ctx.report(w.object, `${path}.securityContext.${field}: container "${c.name}" allows privilege escalation`);
      });
    },
  },
  {
    id: 'POD-DROP-ALL-CAPABILITIES',
    checks: 'containers drop every Linux capability',
    mirrors: 'Pod Security Standards, restricted: capabilities',
    hint: 'set securityContext.capabilities.drop: [ALL] on the container and add back nothing',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        const caps = c.securityContext?.capabilities ?? {};
        const added = (caps.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
        const field = !(caps.drop ?? []).includes('ALL') ? 'drop' : added.length > 0 ? 'add' : undefined;
        if (field !== undefined) ctx.report(w.object, `${path}.securityContext.capabilities.${field}: container "${c.name}" keeps Linux capabilities`);
      });
    },
  },
  {
    id: 'POD-SECCOMP',
    checks: 'pods run under the RuntimeDefault seccomp profile',
    mirrors: 'Pod Security Standards, restricted: seccompProfile',
    hint: 'set securityContext.seccompProfile.type: RuntimeDefault on the pod',
    check(ctx) {
      forEachContainer(ctx, (w, entry) => {
        const profile = effective(w, entry, 'seccompProfile', 'pod');
        const type = (profile.value as { type?: string } | undefined)?.type;
        if (type !== 'RuntimeDefault' && type !== 'Localhost') {
          ctx.report(w.object, `${profile.field}.type: container "${entry.container.name}" runs without a seccomp profile`);
        }
      });
    },
  },
  {
    id: 'POD-VOLUME-TYPES',
    checks: 'pods mount only the volume types the restricted standard allows (no hostPath)',
    mirrors: 'Pod Security Standards, restricted: volume types; baseline: HostPath volumes',
    hint: `use one of ${RESTRICTED_VOLUME_TYPES.join(', ')}; a node's filesystem is never mounted`,
    check(ctx) {
      for (const w of ctx.workloads) {
        for (const [i, volume] of ((w.podSpec.volumes ?? []) as Record<string, unknown>[]).entries()) {
          const types = Object.keys(volume ?? {}).filter((k) => k !== 'name');
          for (const type of types.filter((t) => !RESTRICTED_VOLUME_TYPES.includes(t))) {
            ctx.report(w.object, `${podSpecPath(w.kind)}.volumes[${i}].${type}: volume "${String(volume.name)}" is of type ${type}, which restricted Pod Security refuses`);
          }
        }
      }
    },
  },
  {
    id: 'POD-HOST-ACCESS',
    checks: "pods share none of the node's namespaces and bind no host port",
    mirrors: 'Pod Security Standards, baseline: host namespaces, host ports',
    hint: 'remove hostNetwork, hostPID, hostIPC and hostPort: a Service publishes ports',
    check(ctx) {
      for (const w of ctx.workloads) {
        for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
          if (w.podSpec[key] === true) ctx.report(w.object, `${podSpecPath(w.kind)}.${key}: the pod shares the node's ${key.slice(4)} namespace`);
        }
      }
      forEachContainer(ctx, (w, { container: c, path }) => {
        for (const [i, port] of ((c.ports ?? []) as Record<string, unknown>[]).entries()) {
          if (port?.hostPort !== undefined && port.hostPort !== 0) {
            ctx.report(w.object, `${path}.ports[${i}].hostPort: container "${c.name}" binds host port ${String(port.hostPort)}`);
          }
        }
      });
    },
  },
  {
    id: 'POD-READONLY-ROOT',
    checks: 'containers have a read-only root filesystem',
    hint: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        if (c.securityContext?.readOnlyRootFilesystem !== true) {
          ctx.report(w.object, `${path}.securityContext.readOnlyRootFilesystem: container "${c.name}" has a writable root filesystem`);
        }
      });
    },
  },
  {
    id: 'CONTAINER-RESOURCES',
    checks: 'containers request and limit cpu and memory',
    hint: 'set resources.requests and resources.limits for cpu and memory',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        const missing = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'].filter((p) => {
          const [group, res] = p.split('.') as [string, string];
          return c.resources?.[group]?.[res] === undefined;
        });
        const field = missing.length === 1 ? `${path}.resources.${missing[0]}` : `${path}.resources`;
        if (missing.length > 0) ctx.report(w.object, `${field}: container "${c.name}" has no ${missing.join(', ')}`);
      });
    },
  },
  {
    id: 'CONTAINER-PROBES',
    checks: 'long-running containers have readiness and liveness probes',
    hint: 'give every long-running container a readinessProbe and a livenessProbe',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path, init }) => {
        if (!w.longRunning || init) return;
        const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !c[p]);
        const field = missing.length === 1 ? `${path}.${missing[0]}` : path;
        if (missing.length > 0) ctx.report(w.object, `${field}: container "${c.name}" has no ${missing.join(' or ')}`);
      });
    },
  },
  {
    id: 'IMAGE-PINNED',
    checks: 'images are pinned by a tag other than latest, or a digest',
    hint: 'pin the image by a version tag or a digest; never "latest" or no tag',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        const problem = typeof c.image === 'string' ? imageReferenceProblem(c.image) : 'no image';
        if (problem) ctx.report(w.object, `${path}.image: container "${c.name}" image ${JSON.stringify(c.image)}: ${problem}`);
      });
    },
  },
  {
    id: 'DEPLOYMENT-ZERO-DOWNTIME',
    checks: 'Deployments roll with maxUnavailable 0 and maxSurge at least 1',
    hint: 'use strategy RollingUpdate with maxUnavailable: 0 and maxSurge ≥ 1',
    check(ctx) {
      for (const d of ctx.ofKind('Deployment')) {
        const strategy = d.manifest.spec?.strategy ?? {};
        const rolling = strategy.rollingUpdate ?? {};
        // Kubernetes defaults an absent strategy to RollingUpdate with 25% unavailable. Any non-zero
        // percentage amounts to at least one pod once the Deployment is large enough.
        const unavailable = rolling.maxUnavailable ?? '25%';
        const zeroUnavailable = unavailable === 0 || (typeof unavailable === 'string' && /^0+%$/.test(unavailable));
        const field =
          strategy.type !== 'RollingUpdate' ? 'spec.strategy.type'
            : !zeroUnavailable ? 'spec.strategy.rollingUpdate.maxUnavailable'
              : rolling.maxSurge === 0 || rolling.maxSurge === '0%' ? 'spec.strategy.rollingUpdate.maxSurge'
                : undefined;
        if (field !== undefined) {
          ctx.report(d, `${field}: strategy ${strategy.type ?? 'default'} with maxUnavailable ${JSON.stringify(rolling.maxUnavailable ?? (strategy.type === 'Recreate' ? 'all' : '25%'))} can take serving pods away during a rollout`);
        }
      }
    },
  },
  {
    id: 'HPA-BOUNDS',
    checks: 'outside dev, autoscalers keep at least 2 replicas and room to scale',
    hint: 'outside dev, set minReplicas ≥ 2 and maxReplicas > minReplicas',
    check(ctx) {
      for (const hpa of ctx.ofKind('HorizontalPodAutoscaler')) {
        if (RELAXED_ENVIRONMENTS.has(hpa.environment)) continue;
        const min = hpa.manifest.spec?.minReplicas ?? 1;
        const max = hpa.manifest.spec?.maxReplicas;
        if (min < 2 || !(max > min)) ctx.report(hpa, `${min < 2 ? 'spec.minReplicas' : 'spec.maxReplicas'}: minReplicas ${min} / maxReplicas ${max} leaves no redundancy or no room to scale`);
      }
    },
  },
  {
    id: 'PDB-ALLOWS-EVICTION',
    checks: 'PodDisruptionBudgets leave room for a node drain',
    hint: 'use maxUnavailable ≥ 1, or a minAvailable below the workload\'s minimum replicas',
    check(ctx) {
      const autoscalerOf = new Map<Workload, TreeObject>();
      for (const hpa of ctx.ofKind('HorizontalPodAutoscaler')) {
        const ref = hpa.manifest.spec?.scaleTargetRef ?? {};
        const target = ctx.workloadIndex.inNamespaceOf(hpa).find((w) => w.kind === ref.kind && w.name === ref.name);
        if (target && !autoscalerOf.has(target)) autoscalerOf.set(target, hpa);
      }
      for (const pdb of ctx.ofKind('PodDisruptionBudget')) {
        const spec = pdb.manifest.spec ?? {};
        const workload = ctx.workloadIndex.selectedBy(pdb, spec.selector, 'selector')[0];
        const hpa = workload && autoscalerOf.get(workload);
        const floor: number = hpa?.manifest.spec?.minReplicas ?? workload?.object.manifest.spec?.replicas ?? 1;
        if (spec.maxUnavailable !== undefined) {
          const n = budgetPods(spec.maxUnavailable, floor);
          if (n === undefined || n < 1) ctx.report(pdb, `spec.maxUnavailable: maxUnavailable ${JSON.stringify(spec.maxUnavailable)} blocks every eviction`);
        } else if (spec.minAvailable !== undefined) {
          const n = budgetPods(spec.minAvailable, floor);
          if (n === undefined || n >= floor) ctx.report(pdb, `spec.minAvailable: minAvailable ${JSON.stringify(spec.minAvailable)} is not below the minimum of ${floor} replicas: it blocks every eviction`);
        } else {
          ctx.report(pdb, 'spec: sets neither maxUnavailable nor minAvailable');
        }
      }
    },
  },
  {
    id: 'TOPOLOGY-SPREAD',
    checks: 'replicated workloads spread their pods across nodes',
    hint: 'add topologySpreadConstraints over kubernetes.io/hostname selecting the pod labels',
    check(ctx) {
      for (const w of ctx.workloads) {
        if (!w.longRunning) continue;
        const spread = (w.podSpec.topologySpreadConstraints ?? []).some(
          (c: any) => c.topologyKey === 'kubernetes.io/hostname' && selects(c.labelSelector, w.podLabels),
        );
        const antiAffinity = (w.podSpec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).length > 0 ||
          (w.podSpec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
        if (!spread && !antiAffinity) ctx.report(w.object, `${podSpecPath(w.kind)}.topologySpreadConstraints: pods may all land on one node`);
      }
    },
  },
  {
    id: 'NETWORKPOLICY-COVERAGE',
    checks: 'every workload is selected by NetworkPolicies for Ingress and Egress',
    hint: 'select the workload\'s pods by NetworkPolicies covering both Ingress and Egress',
    check(ctx) {
      const governed = new Map<Workload, Set<string>>();
      for (const np of ctx.ofKind('NetworkPolicy')) {
        // Without policyTypes, Kubernetes takes Ingress always, and Egress when there are egress rules.
        const types: string[] = np.manifest.spec?.policyTypes ?? ['Ingress', ...(np.manifest.spec?.egress ? ['Egress'] : [])];
        for (const w of ctx.workloadIndex.selectedBy(np, np.manifest.spec?.podSelector ?? {}, 'selector')) {
          const set = governed.get(w) ?? new Set<string>();
          for (const t of types) set.add(t);
          governed.set(w, set);
        }
      }
      for (const w of ctx.workloads) {
        const types = governed.get(w) ?? new Set<string>();
        const missing = ['Ingress', 'Egress'].filter((t) => !types.has(t));
        // What a NetworkPolicy's podSelector would select: the fix is a policy selecting these labels.
        if (missing.length > 0) ctx.report(w.object, `${podLabelsPath(w.kind)}: no NetworkPolicy governs its ${missing.join(' and ')} traffic`);
      }
    },
  },
  {
    id: 'INGRESS-TLS',
    checks: 'every Ingress host is covered by TLS',
    hint: 'add spec.tls with a secretName covering every host of the Ingress',
    check(ctx) {
      for (const ing of ctx.ofKind('Ingress')) {
        const tlsHosts = new Set((ing.manifest.spec?.tls ?? []).flatMap((t: any) => (t.secretName ? t.hosts ?? [] : [])));
        const hosts = (ing.manifest.spec?.rules ?? []).map((r: any) => r.host ?? '(any host)');
        const bare = hosts.filter((h: string) => !tlsHosts.has(h));
        if (hosts.length === 0 || bare.length > 0) ctx.report(ing, `spec.tls: serves ${bare.length ? bare.join(', ') : 'traffic'} without TLS`);
      }
    },
  },
  {
    id: 'NO-SECRET-IN-GIT',
    checks: 'no Secret object is in git',
    hint: 'create the Secret out of band (or through a secret operator) and declare it external on the workload',
    check(ctx) {
      for (const s of ctx.ofKind('Secret')) {
        const keys = [...Object.keys(s.manifest.data ?? {}), ...Object.keys(s.manifest.stringData ?? {})];
        const field = Object.keys(s.manifest.data ?? {}).length > 0 ? 'data' : 'stringData';
        if (keys.length > 0) ctx.report(s, `${field}: holds secret data in git (${keys.join(', ')})`);
      }
    },
  },
  {
    id: 'NO-SECRET-VALUES',
    checks: 'no secret-looking value sits in an env var or ConfigMap',
    hint: 'read the value from a Secret (valueFrom.secretKeyRef) instead of writing it into git',
    check(ctx) {
      forEachContainer(ctx, (w, { container: c, path }) => {
        (c.env ?? []).forEach((env: Record<string, any>, i: number) => {
          const why = secretLooking(env.name, env.value);
          if (why) ctx.report(w.object, `${path}.env[${i}].value: container "${c.name}" env ${env.name}: ${why}`);
        });
      });
      for (const cm of ctx.ofKind('ConfigMap')) {
        for (const [key, value] of Object.entries(cm.manifest.data ?? {})) {
          const why = secretLooking(key, value);
          if (why) ctx.report(cm, `${FieldPath.root('data').key(key)}: key ${key}: ${why}`);
        }
      }
    },
  },
  {
    id: 'NO-CREDENTIALS',
    checks: 'no credential-shaped string (keys, tokens, passwords in URLs) is in any manifest',
    hint: 'take the credential out of git: keep it in a Secret created out of band (declared external) and reference it',
    check(ctx) {
      for (const object of ctx.objects) {
        forEachString(object.manifest, (value, place) => {
          const shape = credentialShape(value);
          if (!shape) return;
          const { keys, isKey } = place();
          // Env values and ConfigMap entries are NO-SECRET-VALUES' to report, with their names.
          const [container, , env, , field] = keys.slice(-5);
          if (!isKey && (container === 'initContainers' || container === 'containers') && env === 'env' && field === 'value') return;
          if (!isKey && object.manifest.kind === 'ConfigMap' && keys.length === 2 && keys[0] === 'data') return;
          // A key is named by the map it is in: the key itself is what must not be echoed.
          if (isKey) ctx.report(object, `${FieldPath.of(keys.slice(0, -1)).toString() || '(the object)'}: a key holds what looks like ${shape}`);
          else ctx.report(object, `${FieldPath.of(keys)}: holds what looks like ${shape}`);
        });
      }
    },
  },
  {
    id: 'LABEL-INSTANCE',
    checks: "app.kubernetes.io/instance is the workload's own name on the object and its pods",
    hint: 'set app.kubernetes.io/instance to the workload\'s own name, on the object and its pods',
    check(ctx) {
      for (const w of ctx.workloads) {
        const onObject = w.object.manifest.metadata?.labels?.['app.kubernetes.io/instance'];
        const onPods = w.podLabels['app.kubernetes.io/instance'];
        if (onObject !== w.name || onPods !== w.name) {
          const labels = onObject !== w.name ? 'metadata.labels' : podLabelsPath(w.kind);
          ctx.report(w.object, `${labels}[app.kubernetes.io/instance]: app.kubernetes.io/instance is ${JSON.stringify(onObject)} on the object and ${JSON.stringify(onPods)} on its pods, not "${w.name}"`);
        }
      }
    },
  },
];
