import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  EnvVar,
  IntOrString,
  KubeConfigMap,
  KubeDeployment,
  KubeHorizontalPodAutoscalerV2,
  KubePodDisruptionBudget,
  KubeService,
  KubeServiceAccount,
  NetworkPolicyPort,
  NodeAffinity,
  Probe,
  Toleration,
  Volume,
  VolumeMount,
} from '../imports/k8s';
import { CIDR_DESCRIPTION, cidrProblem } from '../lib/predicates/cidr';
import { dns1123LabelProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from '../lib/tree/config-checksum';
import { labelKeyProblem } from '../lib/predicates/label-key';
import { labelValueProblem } from '../lib/predicates/label-value';
import { portProblem } from '../lib/predicates/port';
import { minReplicasProblem } from '../lib/predicates/replica-range';
import { ContainerResourcesProps, containerResources, restrictedContainerSecurityContext } from './container-spec';
import { chartNamespace } from './chart-namespace';
import { allowFlow, allowIngress } from './network-flow';
import { NetworkPeer, namespacePods, tcpPorts } from './network-peer';
import { RecommendedLabels } from './recommended-labels';
import { IWebBackend } from './web-backend';

/** An HTTP GET probe against the workload's own container. */
export interface HttpProbeOptions {
  /** Request path, e.g. `/healthz`. */
  readonly path: string;
  /**
   * Container port to probe (number or the name of a declared port).
   * @default - the container's HTTP port
   */
  readonly port?: number | string;
  /** @default - per probe kind, see WebService */
  readonly periodSeconds?: number;
  /** @default - per probe kind, see WebService */
  readonly failureThreshold?: number;
  /** @default 1 */
  readonly timeoutSeconds?: number;
  /** @default 0 */
  readonly initialDelaySeconds?: number;
}

/** A ConfigMap mounted into the container as files. */
export interface ConfigMountProps {
  /** The ConfigMap; its content feeds the pod template's configuration checksum. */
  readonly configMap: KubeConfigMap;
  /** Directory the keys are mounted in. */
  readonly mountPath: string;
  /**
   * Mount one key only, as the file at `mountPath`.
   * @default - every key, as files in `mountPath`
   */
  readonly subPath?: string;
}

export interface WebServiceProps {
  /**
   * Name of every object this construct creates, and its `app.kubernetes.io/name` and
   * `app.kubernetes.io/instance` labels. A DNS-1123 label.
   */
  readonly name: string;
  /** Container image, pinned by tag or digest. */
  readonly image: string;
  /** `app.kubernetes.io/version` label value (usually the image tag). */
  readonly version: string;
  /**
   * `app.kubernetes.io/component` label value.
   * @default 'server'
   */
  readonly component?: string;
  /**
   * Port the container listens on for HTTP; named `http`.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Further ports the container listens on, declared on it (a Service of its own may target
   * them), and not opened to the `allowFrom` peers, which reach the HTTP port only.
   * @default - none
   */
  readonly extraContainerPorts?: readonly { readonly name: string; readonly containerPort: number }[];
  /**
   * Port the Service exposes, forwarding to the container's `http` port.
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Service type.
   * @default 'ClusterIP'
   */
  readonly serviceType?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  /** Annotations on the Service (e.g. for a cloud load balancer). @default - none */
  readonly serviceAnnotations?: Record<string, string>;
  /**
   * Whether outside traffic is routed to pods on other nodes (`Cluster`, the source address
   * rewritten to a node's) or only to pods on the receiving node (`Local`, the client's address
   * kept). Only for `LoadBalancer` and `NodePort` Services.
   * @default - Kubernetes' default, `Cluster`
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /**
   * The container's command, replacing the image's entrypoint.
   * @default - the image's entrypoint and command
   */
  readonly command?: string[];
  /** Traffic gate: the pod receives requests only while this succeeds. */
  readonly readinessProbe: HttpProbeOptions;
  /** Restarts a wedged container. */
  readonly livenessProbe: HttpProbeOptions;
  /**
   * Holds liveness and readiness off until the application has started.
   * @default - the liveness probe's endpoint, every 5 s, for up to 60 s
   */
  readonly startupProbe?: HttpProbeOptions;
  /** Requests and limits of the container. */
  readonly resources: ContainerResourcesProps;
  /**
   * Replica range of the HorizontalPodAutoscaler. The Deployment leaves `spec.replicas` unset so
   * the autoscaler alone owns it and a GitOps sync never resets it.
   * @default { min: 2, max: 4 }
   */
  readonly replicas?: { readonly min: number; readonly max: number };
  /**
   * Average CPU utilization, in percent of requests, the autoscaler aims for.
   * @default 70
   */
  readonly cpuTargetPercent?: number;
  /**
   * How long the autoscaler waits on lower recommendations before it scales down, so a short lull
   * does not drop WebSocket-holding pods.
   * @default 300
   */
  readonly scaleDownStabilizationSeconds?: number;
  /** Extra environment variables of the container. @default - none */
  readonly env?: EnvVar[];
  /**
   * ConfigMaps whose keys become environment variables; their content feeds the checksum
   * annotation so a change rolls the pods.
   * @default - none
   */
  readonly envFrom?: KubeConfigMap[];
  /** ConfigMaps mounted as files; their content feeds the checksum annotation. @default - none */
  readonly configMounts?: ConfigMountProps[];
  /**
   * Directories the container may write to, each an emptyDir (the root filesystem is read-only).
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * Seconds the container keeps serving after it is marked terminating, while endpoints and load
   * balancers stop sending it new connections. 0: no pre-stop hook, the stop signal comes at once.
   * @default 10
   */
  readonly preStopDelaySeconds?: number;
  /**
   * Command the `preStop` exec hook runs to wait out `preStopDelaySeconds`, before the stop
   * signal. The image must contain it: Kubernetes 1.28 has no `sleep` hook action (alpha in 1.29,
   * feature gate PodLifecycleSleepAction), and when an exec hook fails (no such file) the kubelet
   * records a `FailedPreStopHook` event and stops the container at once, so endpoints still send
   * it connections while it shuts down. The default needs `/bin/sleep`, which images based on
   * Debian, Ubuntu or Alpine have and distroless and `scratch` images do not.
   * @default ['/bin/sleep', '<preStopDelaySeconds>']
   */
  readonly preStopCommand?: string[];
  /**
   * Total time the pod gets to stop: the pre-stop delay plus the application's own drain of
   * in-flight requests and open sockets.
   * @default preStopDelaySeconds + 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Seconds a new pod must stay ready before it counts as available in a rollout.
   * @default 10
   */
  readonly minReadySeconds?: number;
  /**
   * Seconds before a stalled rollout is reported as failed.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Old ReplicaSets kept for `kubectl rollout undo`.
   * @default 10
   */
  readonly revisionHistoryLimit?: number;
  /** Secrets used to pull the image (created out of band, never in git). @default - none */
  readonly imagePullSecrets?: string[];
  /** PriorityClass of the pods. @default - the cluster default */
  readonly priorityClassName?: string;
  /**
   * UID and GID the container runs as; must be non-zero.
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Extra pod template annotations (e.g. scraping). `checksum/config` is refused: the construct
   * writes it, and a configuration change rolls the pods through it.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Extra pod template labels, beside the recommended labels (never in a selector). A key under
   * `app.kubernetes.io/` is refused: the construct owns those, the selector labels among them,
   * which the Deployment's immutable selector, the Service and the PodDisruptionBudget match.
   * @default - none
   */
  readonly podLabels?: Record<string, string>;
  /** Node labels a node must carry for the pods to be scheduled on it. @default - any node */
  readonly nodeSelector?: Record<string, string>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: Toleration[];
  /**
   * Node affinity of the pods. Pod affinity and anti-affinity are not offered: the construct
   * spreads the pods itself (topology spread constraints over nodes and zones, per revision).
   * @default - none
   */
  readonly nodeAffinity?: NodeAffinity;
  /** Annotations of the Deployment itself. @default - none */
  readonly annotations?: Record<string, string>;
  /** Annotations of the ServiceAccount (e.g. a cloud IAM role). @default - none */
  readonly serviceAccountAnnotations?: Record<string, string>;
}


/** The absolute path of `sleep` the default pre-stop hook runs: no dependency on the image's PATH. */
export const PRE_STOP_SLEEP = '/bin/sleep';

/**
 * A stateless HTTP workload run for zero-downtime rollouts: Deployment, Service,
 * HorizontalPodAutoscaler (autoscaling/v2), PodDisruptionBudget and ServiceAccount.
 *
 * Rollouts surge one pod and never take one away before its replacement is ready; pods drain
 * before they stop; the autoscaler owns the replica count; a voluntary eviction can always take
 * at most one pod.
 *
 * Its objects land in the chart's namespace, labelled with the chart's `part-of` and `managed-by`.
 */
export class WebService extends Construct implements IWebBackend {
  /** Name shared by all objects of this workload. */
  public readonly name: string;
  /** The chart's namespace, where every object lands. */
  public readonly namespace: string;
  /** The Service's port. */
  public readonly port: number;
  /** The container's HTTP port. */
  public readonly containerPort: number;
  public readonly labels: RecommendedLabels;
  /** The container's HTTP port, what peers are let through to. */
  public readonly podPorts: readonly NetworkPolicyPort[];
  public readonly deployment: KubeDeployment;
  public readonly service: KubeService;
  public readonly autoscaler: KubeHorizontalPodAutoscalerV2;
  public readonly disruptionBudget: KubePodDisruptionBudget;
  public readonly serviceAccount: KubeServiceAccount;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const replicas = props.replicas ?? { min: 2, max: 4 };
    const containerPort = props.containerPort ?? 8080;
    const servicePort = props.servicePort ?? 80;
    const cpuTarget = props.cpuTargetPercent ?? 70;
    const preStopDelay = props.preStopDelaySeconds ?? 10;
    const grace = props.terminationGracePeriodSeconds ?? preStopDelay + 30;
    const uid = props.runAsUser ?? 10001;
    validateProps(props, { replicas, containerPort, servicePort, cpuTarget, preStopDelay, grace, uid });

    this.name = props.name;
    this.namespace = chartNamespace(this, `WebService "${props.name}"`);
    this.port = servicePort;
    this.containerPort = containerPort;
    this.podPorts = tcpPorts(containerPort);
    this.labels = RecommendedLabels.of(this, { name: props.name, component: props.component ?? 'server', version: props.version });
    const metadata = { name: props.name, namespace: this.namespace, labels: { ...this.labels.all } };
    const selector = { ...this.labels.selector };

    this.serviceAccount = new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata, ...(props.serviceAccountAnnotations ? { annotations: props.serviceAccountAnnotations } : {}) },
      automountServiceAccountToken: false,
    });

    const writablePaths = props.writablePaths ?? ['/tmp'];
    const volumes: Volume[] = [];
    const volumeMounts: VolumeMount[] = [];
    writablePaths.forEach((path, i) => {
      const volumeName = `writable-${i}`;
      volumes.push({ name: volumeName, emptyDir: {} });
      volumeMounts.push({ name: volumeName, mountPath: path });
    });
    (props.configMounts ?? []).forEach((mount, i) => {
      const volumeName = `config-${i}`;
      volumes.push({ name: volumeName, configMap: { name: mount.configMap.name } });
      volumeMounts.push({
        name: volumeName,
        mountPath: mount.mountPath,
        readOnly: true,
        ...(mount.subPath !== undefined ? { subPath: mount.subPath } : {}),
      });
    });

    const configSources = [...(props.envFrom ?? []), ...(props.configMounts ?? []).map((m) => m.configMap)];
    const podAnnotations: Record<string, string> = { ...(props.podAnnotations ?? {}) };
    if (configSources.length > 0) {
      // Resolved at synth time so every change made to the ConfigMaps after this point counts.
      podAnnotations[CONFIG_CHECKSUM_ANNOTATION] = Lazy.any({ produce: () => configMapsChecksum(configSources) }) as unknown as string;
    }

    const httpProbe = (probe: HttpProbeOptions, periodSeconds: number, failureThreshold: number): Probe => ({
      httpGet: {
        path: probe.path,
        port: typeof probe.port === 'number' ? IntOrString.fromNumber(probe.port) : IntOrString.fromString(probe.port ?? 'http'),
      },
      periodSeconds: probe.periodSeconds ?? periodSeconds,
      failureThreshold: probe.failureThreshold ?? failureThreshold,
      timeoutSeconds: probe.timeoutSeconds ?? 1,
      ...(probe.initialDelaySeconds ? { initialDelaySeconds: probe.initialDelaySeconds } : {}),
    });
    const startup = props.startupProbe ?? { path: props.livenessProbe.path, port: props.livenessProbe.port };

    this.deployment = new KubeDeployment(this, 'Deployment', {
      metadata: { ...metadata, ...(props.annotations ? { annotations: props.annotations } : {}) },
      spec: {
        // replicas left out on purpose: the HorizontalPodAutoscaler owns it (see README).
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: IntOrString.fromNumber(1), maxUnavailable: IntOrString.fromNumber(0) },
        },
        minReadySeconds: props.minReadySeconds ?? 10,
        progressDeadlineSeconds: props.progressDeadlineSeconds ?? 600,
        revisionHistoryLimit: props.revisionHistoryLimit ?? 10,
        template: {
          metadata: {
            labels: { ...this.labels.all, ...(props.podLabels ?? {}) },
            ...(Object.keys(podAnnotations).length > 0 ? { annotations: podAnnotations } : {}),
          },
          spec: {
            serviceAccountName: props.name,
            automountServiceAccountToken: false,
            ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
            ...(props.nodeSelector && Object.keys(props.nodeSelector).length > 0 ? { nodeSelector: { ...props.nodeSelector } } : {}),
            ...(props.nodeAffinity ? { affinity: { nodeAffinity: props.nodeAffinity } } : {}),
            ...(props.tolerations?.length ? { tolerations: props.tolerations.map((t) => ({ ...t })) } : {}),
            ...(props.imagePullSecrets?.length
              ? { imagePullSecrets: props.imagePullSecrets.map((name) => ({ name })) }
              : {}),
            terminationGracePeriodSeconds: grace,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              fsGroup: uid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              // Soft: a small cluster must still be able to schedule a surge pod.
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: selector },
              // Spread each revision on its own, so a rollout does not stack new pods together.
              matchLabelKeys: ['pod-template-hash'],
            })),
            containers: [
              {
                name: props.name,
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                ...(props.command ? { command: [...props.command] } : {}),
                ports: [
                  { name: 'http', containerPort, protocol: 'TCP' },
                  ...(props.extraContainerPorts ?? []).map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: 'TCP' })),
                ],
                ...(props.env?.length ? { env: props.env } : {}),
                ...(props.envFrom?.length
                  ? { envFrom: props.envFrom.map((cm) => ({ configMapRef: { name: cm.name } })) }
                  : {}),
                resources: containerResources(props.resources),
                startupProbe: httpProbe(startup, 5, 12),
                readinessProbe: httpProbe(props.readinessProbe, 5, 3),
                livenessProbe: httpProbe(props.livenessProbe, 10, 3),
                ...(preStopDelay > 0 || props.preStopCommand
                  ? { lifecycle: { preStop: { exec: { command: props.preStopCommand ?? [PRE_STOP_SLEEP, String(preStopDelay)] } } } }
                  : {}),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    });

    this.service = new KubeService(this, 'Service', {
      metadata: { ...metadata, ...(props.serviceAnnotations ? { annotations: props.serviceAnnotations } : {}) },
      spec: {
        type: props.serviceType ?? 'ClusterIP',
        ...(props.externalTrafficPolicy ? { externalTrafficPolicy: props.externalTrafficPolicy } : {}),
        selector,
        ports: [{ name: 'http', port: servicePort, targetPort: IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    this.autoscaler = new KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
        minReplicas: replicas.min,
        maxReplicas: replicas.max,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuTarget } } },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Pods', value: 2, periodSeconds: 60 },
              { type: 'Percent', value: 100, periodSeconds: 60 },
            ],
          },
          scaleDown: {
            stabilizationWindowSeconds: props.scaleDownStabilizationSeconds ?? 300,
            // One pod a minute: each drained pod's sockets reconnect elsewhere before the next.
            policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
          },
        },
      },
    });

    this.disruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata,
      spec: {
        // maxUnavailable (not minAvailable) so a drain can always proceed, whatever the replica count.
        maxUnavailable: IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        // A pod that is not ready serves nothing; never let it block a node drain.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }

  /**
   * Lets `peer`'s pods open connections to this service's pods on its HTTP port: an ingress rule
   * on this side and the matching egress rule on the peer's side, each in its owner's scope.
   */
  public allowFrom(peer: NetworkPeer): void {
    allowFlow(peer, this);
  }

  /**
   * Lets pods selected by labels in another namespace (e.g. an ingress controller) reach this
   * service's HTTP port.
   */
  public allowFromNamespace(id: string, from: { namespace: string; podLabels?: Record<string, string> }): void {
    allowIngress(this, id, [namespacePods(from)]);
  }

  /**
   * Lets connections from the given address ranges (CIDRs) reach this service's HTTP port: the
   * path of traffic that enters through a load balancer or node port rather than from a pod.
   */
  public allowFromAddresses(id: string, cidrs: readonly string[]): void {
    const fail = failFor('WebService', this.name);
    if (cidrs.length === 0) fail(`allowFromAddresses("${id}")`, cidrs, `at least one ${CIDR_DESCRIPTION}`);
    cidrs.forEach((cidr, i) => {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) fail(`allowFromAddresses("${id}")[${i}]`, cidr, problem);
    });
    allowIngress(this, id, cidrs.map((cidr) => ({ ipBlock: { cidr } })));
  }

  /** The Service's in-cluster DNS name. */
  public get serviceHost(): string {
    return `${this.name}.${this.namespace}.svc.cluster.local`;
  }
}

/** The ConfigMaps' checksum, by the one formula the patch step also recomputes it with. */
function configMapsChecksum(configMaps: KubeConfigMap[]): string {
  return configChecksum(
    configMaps.map((cm) => {
      const json = cm.toJson() as { data?: unknown; binaryData?: unknown };
      return { name: cm.name, data: json.data, binaryData: json.binaryData };
    }),
  );
}

function validateProps(
  props: WebServiceProps,
  v: { replicas: { min: number; max: number }; containerPort: number; servicePort: number; cpuTarget: number; preStopDelay: number; grace: number; uid: number },
): void {
  const fail = failFor('WebService', props.name);
  const nameProblem = dns1123LabelProblem(props.name);
  if (nameProblem !== undefined) fail('name', props.name, nameProblem);
  if (!Number.isInteger(v.replicas.max) || v.replicas.max < 1) fail('replicas.max', v.replicas.max, 'an integer ≥ 1');
  const minProblem = minReplicasProblem(v.replicas.min, v.replicas.max, 'replicas.max');
  if (minProblem !== undefined) fail('replicas.min', v.replicas.min, minProblem);
  for (const [field, port] of [['containerPort', v.containerPort], ['servicePort', v.servicePort]] as const) {
    const problem = portProblem(port);
    if (problem !== undefined) fail(field, port, problem);
  }
  if (!Number.isInteger(v.cpuTarget) || v.cpuTarget < 1 || v.cpuTarget > 100) {
    fail('cpuTargetPercent', v.cpuTarget, 'an integer from 1 to 100');
  }
  if (!Number.isInteger(v.preStopDelay) || v.preStopDelay < 0) fail('preStopDelaySeconds', v.preStopDelay, 'an integer ≥ 0');
  if (!Number.isInteger(v.grace) || v.grace <= v.preStopDelay) {
    fail('terminationGracePeriodSeconds', v.grace, `an integer greater than preStopDelaySeconds (${v.preStopDelay})`);
  }
  if (!Number.isInteger(v.uid) || v.uid < 1) fail('runAsUser', v.uid, 'a non-zero UID');
  if (props.externalTrafficPolicy !== undefined && (props.serviceType ?? 'ClusterIP') === 'ClusterIP') {
    fail('externalTrafficPolicy', props.externalTrafficPolicy, 'unset for a ClusterIP Service (only LoadBalancer and NodePort Services route outside traffic)');
  }
  if (props.preStopCommand !== undefined && props.preStopCommand.length === 0) {
    fail('preStopCommand', props.preStopCommand, 'a non-empty command, or unset for the default sleep');
  }
  if (props.command !== undefined && props.command.length === 0) fail('command', props.command, 'a non-empty list, or unset for the image\'s entrypoint');
  if (props.podAnnotations?.[CONFIG_CHECKSUM_ANNOTATION] !== undefined) {
    fail(`podAnnotations.${CONFIG_CHECKSUM_ANNOTATION}`, props.podAnnotations[CONFIG_CHECKSUM_ANNOTATION], 'unset: the construct writes it from its ConfigMaps, and a configuration change rolls the pods through it');
  }
  for (const [field, labels] of [['podLabels', props.podLabels], ['nodeSelector', props.nodeSelector]] as const) {
    for (const [key, value] of Object.entries(labels ?? {})) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem !== undefined) fail(`${field}.${key}`, key, keyProblem);
      const valueProblem = labelValueProblem(value);
      if (valueProblem !== undefined) fail(`${field}.${key}`, value, `a label value: ${valueProblem}`);
      if (field === 'podLabels' && (key.startsWith(RECOMMENDED_LABEL_PREFIX) || key === 'pod-template-hash')) {
        fail(`${field}.${key}`, key, `a key outside ${RECOMMENDED_LABEL_PREFIX} and other than pod-template-hash: the construct and the Deployment controller own these, the selector labels among them`);
      }
    }
  }
}

/** The recommended labels' prefix: every label under it is the construct's. */
const RECOMMENDED_LABEL_PREFIX = 'app.kubernetes.io/';
