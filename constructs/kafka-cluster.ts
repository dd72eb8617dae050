import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import {
  EnvVar,
  IntOrString,
  KubeConfigMap,
  KubeNetworkPolicy,
  KubePodDisruptionBudget,
  KubeService,
  KubeServiceAccount,
  KubeStatefulSet,
  NetworkPolicyPort,
  Probe,
  Quantity,
} from '../imports/k8s';
import { dns1123LabelProblem, dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { externalAnnotation } from '../lib/tree/annotations';
import { quorumSizeProblem } from '../lib/predicates/kafka-sizing';
import { portProblem } from '../lib/predicates/port';
import { ContainerResourcesProps, containerResources, restrictedContainerSecurityContext } from './container-spec';
import { chartNamespace } from './chart-namespace';
import { allowFlow } from './network-flow';
import { NetworkPeer, peerPods, tcpPorts } from './network-peer';
import { RecommendedLabels } from './recommended-labels';

export interface KafkaClusterProps {
  /**
   * Name of the StatefulSet, its pods (`<name>-<ordinal>`), the client Service and the other
   * objects; the per-pod DNS Service is `<name>-headless`. A DNS-1123 label.
   * @default 'kafka'
   */
  readonly name?: string;
  /**
   * The official `apache/kafka` image (or a mirror of it), pinned by tag or digest. Its layout is
   * relied on: Kafka in `/opt/kafka`, user `appuser` (UID 1000), a POSIX shell.
   */
  readonly image: string;
  /** `app.kubernetes.io/version` label value (usually the image tag). */
  readonly version: string;
  /**
   * Number of pods, each a combined broker and KRaft controller: 1, or an odd number so the
   * controller quorum keeps a majority through the loss of a minority.
   * @default 3
   */
  readonly replicas?: number;
  /** Persistent volume of each pod, holding its partitions and the metadata log. */
  readonly storage: {
    /** Size of each pod's volume, e.g. `20Gi`. */
    readonly size: string;
    /** StorageClass of the volumes. @default - the cluster's default StorageClass */
    readonly storageClass?: string;
  };
  /** Requests and limits of the broker container. */
  readonly resources: ContainerResourcesProps;
  /**
   * Port of the client listener (producers, consumers, admin tools and replication between brokers).
   * @default 9092
   */
  readonly clientPort?: number;
  /**
   * Port of the KRaft controller listener (quorum traffic only).
   * @default 9093
   */
  readonly controllerPort?: number;
  /**
   * KRaft cluster id: 22 characters of URL-safe base64 (16 bytes), not starting with "-". Stored
   * in every volume when it is formatted; a pod whose volume holds another id refuses to start.
   * @default - derived from the chart's namespace and the name, so it is the same on every synth
   */
  readonly clusterId?: string;
  /**
   * DNS domain of the cluster, used in the per-pod host names brokers advertise.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Extra broker settings (`server.properties` keys), e.g. `{ 'log.retention.hours': '72' }`. The
   * keys the construct derives (roles, listeners, quorum, directories, node id) are refused.
   * @default - none
   */
  readonly brokerConfig?: Record<string, string>;
  /**
   * Share of the memory limit given to the JVM heap, in percent. The rest is left to the page
   * cache Kafka reads recent messages from, and to the JVM's own memory.
   * @default 50
   */
  readonly heapPercent?: number;
  /**
   * Seconds a stopping broker gets to hand its partition leadership over (controlled shutdown)
   * before it is killed.
   * @default 120
   */
  readonly terminationGracePeriodSeconds?: number;
  /** PriorityClass of the pods. @default - the cluster default */
  readonly priorityClassName?: string;
  /** Secrets used to pull the image (created out of band, never in git). @default - none */
  readonly imagePullSecrets?: string[];
  /** Annotations of the StatefulSet itself. @default - none */
  readonly annotations?: Record<string, string>;
  /**
   * How the client listener (clients, admin tools and replication between brokers) authenticates
   * connections. The controller listener stays PLAINTEXT, reachable from the brokers only (see
   * `KafkaScramAuthentication`).
   * @default - none: PLAINTEXT, the NetworkPolicies the only control
   */
  readonly authentication?: KafkaScramAuthentication;
}

/**
 * SASL/SCRAM-SHA-512 on the client listener, for clients and between brokers. Credentials live in
 * Secrets created out of band (never in git), each with the keys `username` and `password`: both
 * must be 1 to 64 (user) or 16 to 256 (password) letters, digits, ".", "_" or "-", since
 * `kafka-storage.sh --add-scram`, `kafka-configs.sh --add-config` and JAAS each give other
 * characters (",", "=", quotes, spaces) a meaning of their own.
 *
 * The controller listener is left PLAINTEXT: Kafka 3.7 cannot authenticate controller connections
 * with SCRAM (a controller reads SCRAM credentials from the metadata log it is itself serving;
 * KAFKA-15513), and PLAIN without TLS would send a static password in clear text. The peer
 * NetworkPolicy lets only the brokers reach that port.
 */
export interface KafkaScramAuthentication {
  readonly mechanism: 'SCRAM-SHA-512';
  /**
   * Secret of the brokers' own user: written into the metadata log when a volume is formatted
   * (`kafka-storage.sh format --add-scram`), used between brokers and by the admin tools.
   */
  readonly brokerSecret: string;
  /**
   * Secrets of the users clients log in as, by the name a client asks for (`clientUser(name)`).
   * `KafkaTopics` creates each user and sets its password from its Secret on every run.
   * @default - none
   */
  readonly clientSecrets?: Readonly<Record<string, string>>;
}

/** Keys of every credentials Secret the cluster reads. */
export const KAFKA_USERNAME_KEY = 'username';
export const KAFKA_PASSWORD_KEY = 'password';
/** Iterations of the SCRAM hash; Kafka's minimum is 4096. */
export const SCRAM_ITERATIONS = 8192;

/** UID and GID of `appuser`, the user the official image runs Kafka and its tools as. */
export const KAFKA_IMAGE_UID = 1000;
const DATA_DIR = '/var/lib/kafka/data';
/** A subdirectory, so a filesystem's own entries (`lost+found`) never sit among partition folders. */
const LOG_DIR = `${DATA_DIR}/kraft`;
const TEMPLATE_DIR = '/etc/kafka/cluster';
const NODE_DIR = '/etc/kafka/node';
const CLIENT_LISTENER = 'CLIENT';
const CONTROLLER_LISTENER = 'CONTROLLER';
/** Keys the construct computes; setting them through `brokerConfig` would break the cluster. */
const DERIVED_KEYS = [
  'process.roles',
  'node.id',
  'listeners',
  'advertised.listeners',
  'listener.security.protocol.map',
  'inter.broker.listener.name',
  'security.inter.broker.protocol',
  'controller.listener.names',
  'controller.quorum.voters',
  'sasl.enabled.mechanisms',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.mechanism.controller.protocol',
  'log.dirs',
  'log.dir',
  'metadata.log.dir',
];
/** Per-listener settings (`listener.name.<listener>.…`) belong to the listeners the construct names. */
const DERIVED_PREFIX = 'listener.name.';
/** What a user name or password may hold (see `KafkaScramAuthentication`), as the start script says it. */
const CREDENTIAL_CHARACTERS = "letters, digits, '.', '_' and '-'";
const CLUSTER_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/;
const STORAGE_SIZE = /^[1-9][0-9]*(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/**
 * The KRaft cluster id of the cluster `name` in `namespace`: 16 bytes of a hash of the two,
 * written as Kafka writes a UUID (URL-safe base64, no padding). Deterministic, so a re-synth never
 * hands existing volumes a new id; distinct per namespace, so two environments never share one.
 */
export function kafkaClusterId(namespace: string, name: string): string {
  const bytes = createHash('sha256').update(`kafka-cluster-id\0${namespace}\0${name}`).digest().subarray(0, 16);
  // Clearing the top bit keeps the first character in A–f: an id starting with "-" would be read
  // as an option by kafka-storage.sh.
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('base64url');
}

/**
 * A Kafka cluster in KRaft mode (no ZooKeeper): a StatefulSet of combined broker and controller
 * pods on the official `apache/kafka` image, with a headless Service for per-pod DNS, a client
 * Service for bootstrapping, a volume per pod, a PodDisruptionBudget letting one pod go at a
 * time, and NetworkPolicies letting the brokers reach each other and nothing else reach them
 * unless allowed through `allowClient`.
 *
 * Each pod takes its node id from its ordinal; the controller quorum is every pod. At start the pod
 * writes its own `server.properties` (the shared one from a ConfigMap plus its node id and
 * advertised address) to an emptyDir, formats its volume if it is new, then starts the broker: the
 * root filesystem stays read-only.
 *
 * Its objects land in the chart's namespace, labelled with the chart's `part-of` and `managed-by`.
 */
export class KafkaCluster extends Construct implements NetworkPeer {
  public readonly name: string;
  /** The chart's namespace, where every object lands. */
  public readonly namespace: string;
  public readonly replicas: number;
  public readonly clientPort: number;
  public readonly controllerPort: number;
  public readonly clusterId: string;
  public readonly clusterDomain: string;
  /** The image, which also carries the admin tools (`kafka-topics.sh`, …). */
  public readonly image: string;
  public readonly version: string;
  public readonly labels: RecommendedLabels;
  /** The client port: what clients are let through to (the controller port is for the brokers only). */
  public readonly podPorts: readonly NetworkPolicyPort[];
  /** Name of the headless Service giving each pod its DNS name. */
  public readonly headlessServiceName: string;
  public readonly config: KubeConfigMap;
  public readonly serviceAccount: KubeServiceAccount;
  public readonly statefulSet: KubeStatefulSet;
  public readonly headlessService: KubeService;
  public readonly service: KubeService;
  public readonly disruptionBudget: KubePodDisruptionBudget;
  /** Lets the pods reach each other on both listeners, in and out. */
  public readonly peerPolicy: KubeNetworkPolicy;
  /** How the client listener authenticates; `undefined` for PLAINTEXT. */
  public readonly authentication?: KafkaScramAuthentication;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const name = props.name ?? 'kafka';
    const replicas = props.replicas ?? 3;
    const clientPort = props.clientPort ?? 9092;
    const controllerPort = props.controllerPort ?? 9093;
    const heapPercent = props.heapPercent ?? 50;
    const grace = props.terminationGracePeriodSeconds ?? 120;
    this.name = name;
    this.namespace = chartNamespace(this, `KafkaCluster "${name}"`);
    this.replicas = replicas;
    this.clientPort = clientPort;
    this.controllerPort = controllerPort;
    this.clusterDomain = props.clusterDomain ?? 'cluster.local';
    this.clusterId = props.clusterId ?? kafkaClusterId(this.namespace, name);
    this.image = props.image;
    this.version = props.version;
    this.podPorts = tcpPorts(clientPort);
    this.headlessServiceName = `${name}-headless`;
    this.authentication = props.authentication;
    validateProps(props, { name, replicas, clientPort, controllerPort, heapPercent, grace, clusterId: this.clusterId });
    const scram = props.authentication;

    this.labels = RecommendedLabels.of(this, { name, component: 'broker', version: props.version });
    const metadata = (objectName: string) => ({ name: objectName, namespace: this.namespace, labels: { ...this.labels.all } });
    const selector = { ...this.labels.selector };

    const serverProperties = this.serverProperties(props.brokerConfig ?? {});
    const log4jProperties = [
      '# Everything to the console: the container runtime keeps and rotates the logs.',
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.request.logger=WARN',
      'log4j.logger.kafka.authorizer.logger=WARN',
      'log4j.logger.state.change.logger=INFO',
      '',
    ].join('\n');
    this.config = new KubeConfigMap(this, 'Config', {
      metadata: metadata(`${name}-config`),
      data: { 'server.properties': serverProperties, 'log4j.properties': log4jProperties },
    });
    const configChecksum = createHash('sha256')
      .update(JSON.stringify([serverProperties, log4jProperties]))
      .digest('hex');

    this.serviceAccount = new KubeServiceAccount(this, 'ServiceAccount', {
      metadata: metadata(name),
      automountServiceAccountToken: false,
    });

    const ports = [
      { name: 'client', port: clientPort },
      { name: 'controller', port: controllerPort },
    ];
    this.headlessService = new KubeService(this, 'HeadlessService', {
      metadata: metadata(this.headlessServiceName),
      spec: {
        clusterIp: 'None',
        // The controllers must find each other to elect a leader, before any pod can be ready.
        publishNotReadyAddresses: true,
        selector,
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: IntOrString.fromString(p.name), protocol: 'TCP' })),
      },
    });
    this.service = new KubeService(this, 'Service', {
      metadata: metadata(name),
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'client', port: clientPort, targetPort: IntOrString.fromString('client'), protocol: 'TCP' }],
      },
    });

    const tcpProbe = (port: string, periodSeconds: number, failureThreshold: number): Probe => ({
      tcpSocket: { port: IntOrString.fromString(port) },
      periodSeconds,
      failureThreshold,
      timeoutSeconds: 5,
    });

    const annotations = {
      ...props.annotations,
      ...(scram
        ? {
            [externalAnnotation('Secret', scram.brokerSecret)]:
              `the brokers' SCRAM user (keys ${KAFKA_USERNAME_KEY} and ${KAFKA_PASSWORD_KEY}), created out of band in the namespace`,
          }
        : {}),
    };
    this.statefulSet = new KubeStatefulSet(this, 'StatefulSet', {
      metadata: { ...metadata(name), ...(Object.keys(annotations).length ? { annotations } : {}) },
      spec: {
        serviceName: this.headlessServiceName,
        replicas,
        // All pods start together: a quorum of controllers is needed before any broker is ready.
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        // Gives a restarted broker time to rejoin the in-sync replicas before the next one goes.
        minReadySeconds: 30,
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: { ...this.labels.all }, annotations: { 'checksum/config': configChecksum } },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            // A Service named "kafka" would otherwise put KAFKA_PORT & co. into the environment,
            // where Kafka's scripts and images look for their own settings.
            enableServiceLinks: false,
            ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
            ...(props.imagePullSecrets?.length ? { imagePullSecrets: props.imagePullSecrets.map((s) => ({ name: s })) } : {}),
            terminationGracePeriodSeconds: grace,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: KAFKA_IMAGE_UID,
              runAsGroup: KAFKA_IMAGE_UID,
              fsGroup: KAFKA_IMAGE_UID,
              // Large volumes: re-owning every file on each start would delay it for minutes.
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            affinity: {
              // Never two pods on one node: each pod is a quorum voter, and a node holding two of
              // three would take the quorum down with it (and two replicas of every partition).
              // A spread constraint with maxSkew 1 still allows that when fewer nodes are
              // eligible than pods; required anti-affinity leaves the extra pod Pending instead.
              // https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } }],
              },
            },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                // Soft: a volume bound in one zone must be able to bring its pod back there.
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: 'kafka',
                image: props.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '-c', this.startScript()],
                ports: [
                  { name: 'client', containerPort: clientPort, protocol: 'TCP' },
                  { name: 'controller', containerPort: controllerPort, protocol: 'TCP' },
                ],
                env: [
                  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  { name: 'CLUSTER_ID', value: this.clusterId },
                  ...(scram ? credentialsEnv(scram.brokerSecret, 'KAFKA_BROKER_USERNAME', 'KAFKA_BROKER_PASSWORD') : []),
                  // Both the storage tool and the broker size their heap from the container limit.
                  { name: 'KAFKA_HEAP_OPTS', value: `-XX:MaxRAMPercentage=${heapPercent}.0 -XX:InitialRAMPercentage=${heapPercent}.0` },
                  { name: 'KAFKA_OPTS', value: '-XX:+ExitOnOutOfMemoryError -Xlog:gc:stdout:time' },
                  { name: 'KAFKA_LOG4J_OPTS', value: `-Dlog4j.configuration=file:${TEMPLATE_DIR}/log4j.properties` },
                  // No -loggc: the default GC log is up to 1 GB of files, which an emptyDir cannot hold.
                  { name: 'EXTRA_ARGS', value: '-name kafkaServer' },
                  // kafka-run-class.sh creates this directory; the image's default is on the read-only root.
                  { name: 'LOG_DIR', value: '/tmp/kafka-logs' },
                ],
                resources: containerResources(props.resources),
                // Recovering the logs after an unclean stop can take minutes: allow up to 10.
                startupProbe: tcpProbe('client', 10, 60),
                readinessProbe: tcpProbe('client', 10, 3),
                livenessProbe: tcpProbe('client', 10, 6),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [
                  { name: 'data', mountPath: DATA_DIR },
                  { name: 'cluster-config', mountPath: TEMPLATE_DIR, readOnly: true },
                  { name: 'node-config', mountPath: NODE_DIR },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'cluster-config', configMap: { name: this.config.name } },
              // With SCRAM the per-pod file holds the brokers' password: memory, not the node's disk.
              { name: 'node-config', emptyDir: { ...(scram ? { medium: 'Memory' } : {}), sizeLimit: Quantity.fromString('1Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('256Mi') } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            // Nothing here may ever change: the API server refuses any update of a StatefulSet's
            // volumeClaimTemplates, annotations included, so the sync of every existing cluster
            // would fail. The claims are kept by the retention policy below and by their namespace.
            metadata: { name: 'data', labels: { ...this.labels.selector } },
            spec: {
              accessModes: ['ReadWriteOnce'],
              ...(props.storage.storageClass ? { storageClassName: props.storage.storageClass } : {}),
              resources: { requests: { storage: Quantity.fromString(props.storage.size) } },
            },
          },
        ],
      },
    });

    this.disruptionBudget = new KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: metadata(name),
      spec: {
        // One broker at a time: with replication factor 3 and min in-sync replicas 2, writes go on.
        maxUnavailable: IntOrString.fromNumber(1),
        selector: { matchLabels: selector },
        // A broker that is not ready already counts as down; never let it block a node drain.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    const ownPods = peerPods(this, this.namespace);
    const bothListeners = tcpPorts(clientPort, controllerPort);
    this.peerPolicy = new KubeNetworkPolicy(this, 'PeerPolicy', {
      metadata: metadata(`${name}-peers`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [ownPods], ports: bothListeners }],
        egress: [{ to: [ownPods], ports: bothListeners }],
      },
    });
  }

  /** `host:port` of the client Service, what clients bootstrap from. */
  public get bootstrapServers(): string {
    return `${this.name}.${this.namespace}.svc.${this.clusterDomain}:${this.clientPort}`;
  }

  /** The DNS name of pod `ordinal`, through the headless Service. */
  public podHost(ordinal: number): string {
    return `${this.name}-${ordinal}.${this.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}`;
  }

  /** `controller.quorum.voters`: every pod, as `<node id>@<host>:<controller port>`. */
  public get quorumVoters(): string {
    return Array.from({ length: this.replicas }, (_, i) => `${i}@${this.podHost(i)}:${this.controllerPort}`).join(',');
  }

  /** Security protocol of the client listener, what clients set as `security.protocol`. */
  public get securityProtocol(): 'PLAINTEXT' | 'SASL_PLAINTEXT' {
    return this.authentication ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  }

  /**
   * The Secret of the client user `name` (keys `username` and `password`), one of the
   * authentication's `clientSecrets`; `undefined` when the cluster has no authentication.
   */
  public clientUser(name: string): string | undefined {
    const scram = this.authentication;
    if (!scram) return undefined;
    const secret = scram.clientSecrets?.[name];
    if (secret === undefined) {
      const known = Object.keys(scram.clientSecrets ?? {});
      return failFor('KafkaCluster', this.name)('clientUser', name, `one of the client users of authentication.clientSecrets (${known.join(', ') || 'none'})`);
    }
    return secret;
  }

  /**
   * A client's SASL settings (`security.protocol`, `sasl.mechanism`, `sasl.jaas.config`), with the
   * user name and password in the JAAS login as given: references, never the values, e.g.
   * `$(KAFKA_PASSWORD)` for the kubelet to expand from an earlier entry of a container's env, or
   * `$KAFKA_PASSWORD` for a shell. Empty without authentication.
   */
  public clientSaslProperties(username: string, password: string): Record<string, string> {
    if (!this.authentication) return {};
    return {
      'security.protocol': this.securityProtocol,
      'sasl.mechanism': this.authentication.mechanism,
      'sasl.jaas.config': scramJaasConfig(username, password),
    };
  }

  /** Replication factor of internal topics and of topics created without one. */
  public get defaultReplicationFactor(): number {
    return Math.min(3, this.replicas);
  }

  /** Min in-sync replicas of internal topics and of topics created without one. */
  public get defaultMinInSyncReplicas(): number {
    return this.replicas > 1 ? Math.min(2, this.defaultReplicationFactor - 1) : 1;
  }

  /**
   * Lets `peer`'s pods connect to the brokers' client port: an ingress rule here and the matching
   * egress rule in the peer's scope, so each lands beside its owner's objects.
   */
  public allowClient(peer: NetworkPeer): void {
    allowFlow(peer, this);
  }

  private serverProperties(extra: Record<string, string>): string {
    const rf = this.defaultReplicationFactor;
    const minIsr = this.defaultMinInSyncReplicas;
    const scram = this.authentication;
    const derived: [string, string][] = [
      ['process.roles', 'broker,controller'],
      ['listeners', `${CLIENT_LISTENER}://:${this.clientPort},${CONTROLLER_LISTENER}://:${this.controllerPort}`],
      // The controller listener stays PLAINTEXT (see KafkaScramAuthentication).
      ['listener.security.protocol.map', `${CLIENT_LISTENER}:${this.securityProtocol},${CONTROLLER_LISTENER}:PLAINTEXT`],
      // Replication goes through the client listener, authenticated like any client; its
      // protocol follows from the map (security.inter.broker.protocol may not be set beside it).
      ['inter.broker.listener.name', CLIENT_LISTENER],
      ['controller.listener.names', CONTROLLER_LISTENER],
      ['controller.quorum.voters', this.quorumVoters],
      ['log.dirs', LOG_DIR],
      ...(scram
        ? ([
            ['sasl.enabled.mechanisms', scram.mechanism],
            ['sasl.mechanism.inter.broker.protocol', scram.mechanism],
          ] as [string, string][])
        : []),
    ];
    const defaults: Record<string, string> = {
      // Topics are declared and created on purpose; a typo in a client must not create one.
      'auto.create.topics.enable': 'false',
      'default.replication.factor': String(rf),
      'min.insync.replicas': String(minIsr),
      'offsets.topic.replication.factor': String(rf),
      'transaction.state.log.replication.factor': String(rf),
      'transaction.state.log.min.isr': String(minIsr),
      'unclean.leader.election.enable': 'false',
    };
    const tunables = { ...defaults, ...extra };
    const lines = [
      `# KRaft combined broker and controller, ${this.replicas} node${this.replicas === 1 ? '' : 's'}.`,
      `# Each pod appends node.id and advertised.listeners${scram ? ` and the ${CLIENT_LISTENER.toLowerCase()} listener's JAAS login (its password, from a Secret)` : ''} to its copy at start.`,
      ...derived.map(([k, v]) => `${k}=${v}`),
      ...Object.keys(tunables)
        .sort()
        .map((k) => `${k}=${tunables[k]}`),
      '',
    ];
    return lines.join('\n');
  }

  private startScript(): string {
    const domain = `${this.headlessServiceName}.${this.namespace}.svc.${this.clusterDomain}`;
    const scram = this.authentication;
    const jaasKey = `listener.name.${CLIENT_LISTENER.toLowerCase()}.${scram?.mechanism.toLowerCase()}.sasl.jaas.config`;
    return [
      'set -eu',
      // The StatefulSet names its pods <name>-<ordinal>; the ordinal is the node id.
      'node_id="${POD_NAME##*-}"',
      'case "$node_id" in',
      `  ''|*[!0-9]*) echo "kafka: pod name $POD_NAME does not end in an ordinal" >&2; exit 1 ;;`,
      'esac',
      ...(scram ? credentialChecks(scram.brokerSecret, 'KAFKA_BROKER_USERNAME', 'KAFKA_BROKER_PASSWORD', 'kafka') : []),
      `config=${NODE_DIR}/server.properties`,
      `cp ${TEMPLATE_DIR}/server.properties "$config"`,
      `printf 'node.id=%s\\nadvertised.listeners=${CLIENT_LISTENER}://%s.${domain}:${this.clientPort}\\n' "$node_id" "$POD_NAME" >> "$config"`,
      ...(scram
        ? [
            // The login the broker presents to the other brokers; the file is in memory (emptyDir medium Memory).
            `printf '%s=%s\\n' '${jaasKey}' ${doubleQuoted(scramJaasConfig('$KAFKA_BROKER_USERNAME', '$KAFKA_BROKER_PASSWORD'))} >> "$config"`,
            // The brokers' own user must exist before any broker authenticates to another: on a new
            // volume it is written into the metadata log's bootstrap records (KIP-900, Kafka 3.5+).
            // Ignored, like the whole format, on a volume formatted before.
            '/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config" \\',
            `  --add-scram "${scram.mechanism}=[name=$KAFKA_BROKER_USERNAME,iterations=${SCRAM_ITERATIONS},password=$KAFKA_BROKER_PASSWORD]"`,
          ]
        : [
            // A no-op on a volume formatted before; a volume of another cluster id makes the broker refuse to start.
            '/opt/kafka/bin/kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config"',
          ]),
      'exec /opt/kafka/bin/kafka-server-start.sh "$config"',
      '',
    ].join('\n');
  }
}

/** The JAAS login of a SCRAM client with the given user name and password (literal, or references). */
function scramJaasConfig(username: string, password: string): string {
  return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

/** `value` in double quotes for a POSIX shell: its `$VAR` references expand, nothing else does. */
function doubleQuoted(value: string): string {
  return `"${value.replace(/[\\"`]/g, (c) => `\\${c}`)}"`;
}

/** Env variables `usernameVar` and `passwordVar` read from the credentials Secret `secret`. */
export function credentialsEnv(secret: string, usernameVar: string, passwordVar: string): EnvVar[] {
  return [
    { name: usernameVar, valueFrom: { secretKeyRef: { name: secret, key: KAFKA_USERNAME_KEY } } },
    { name: passwordVar, valueFrom: { secretKeyRef: { name: secret, key: KAFKA_PASSWORD_KEY } } },
  ];
}

/**
 * Shell lines refusing a user name or password the Kafka tools would misread (see
 * `KafkaScramAuthentication`), naming the Secret and key, never the value.
 */
export function credentialChecks(secret: string, usernameVar: string, passwordVar: string, program: string): string[] {
  const refuse = (key: string, allowed: string) =>
    `echo "${program}: key ${key} of Secret ${secret} must be ${allowed}" >&2; exit 1`;
  return [
    `case "$${usernameVar}" in`,
    `  ''|*[!A-Za-z0-9._-]*) ${refuse(KAFKA_USERNAME_KEY, `1 to 64 ${CREDENTIAL_CHARACTERS}`)} ;;`,
    'esac',
    `if [ \${#${usernameVar}} -gt 64 ]; then ${refuse(KAFKA_USERNAME_KEY, `1 to 64 ${CREDENTIAL_CHARACTERS}`)}; fi`,
    `case "$${passwordVar}" in`,
    `  ''|*[!A-Za-z0-9._-]*) ${refuse(KAFKA_PASSWORD_KEY, `16 to 256 ${CREDENTIAL_CHARACTERS}`)} ;;`,
    'esac',
    `if [ \${#${passwordVar}} -lt 16 ] || [ \${#${passwordVar}} -gt 256 ]; then ${refuse(KAFKA_PASSWORD_KEY, `16 to 256 ${CREDENTIAL_CHARACTERS}`)}; fi`,
  ];
}

function validateProps(
  props: KafkaClusterProps,
  v: { name: string; replicas: number; clientPort: number; controllerPort: number; heapPercent: number; grace: number; clusterId: string },
): void {
  const fail = failFor('KafkaCluster', v.name);
  // Room for "-headless" and for pod names with an ordinal, which must stay DNS labels.
  const nameProblem = dns1123LabelProblem(v.name, 50);
  if (nameProblem !== undefined) fail('name', v.name, nameProblem);
  const quorumProblem = quorumSizeProblem(v.replicas);
  if (quorumProblem !== undefined) fail('replicas', v.replicas, quorumProblem);
  for (const [field, port] of [['clientPort', v.clientPort], ['controllerPort', v.controllerPort]] as const) {
    const problem = portProblem(port, { unprivileged: true });
    if (problem !== undefined) fail(field, port, problem);
  }
  if (v.clientPort === v.controllerPort) fail('controllerPort', v.controllerPort, `a port other than clientPort (${v.clientPort})`);
  if (!CLUSTER_ID.test(v.clusterId)) {
    fail('clusterId', v.clusterId, '22 characters of URL-safe base64 (A–Z, a–z, 0–9, "-", "_"), not starting with "-"');
  }
  if (!Number.isInteger(v.heapPercent) || v.heapPercent < 10 || v.heapPercent > 90) fail('heapPercent', v.heapPercent, 'an integer from 10 to 90');
  if (!Number.isInteger(v.grace) || v.grace < 1) fail('terminationGracePeriodSeconds', v.grace, 'an integer ≥ 1');
  if (!STORAGE_SIZE.test(props.storage.size)) fail('storage.size', props.storage.size, 'a Kubernetes storage quantity such as "20Gi" or "500G"');
  for (const key of Object.keys(props.brokerConfig ?? {})) {
    if (DERIVED_KEYS.includes(key) || key.startsWith(DERIVED_PREFIX)) {
      fail(`brokerConfig["${key}"]`, props.brokerConfig![key], `no value: the construct derives it; keys it derives: ${DERIVED_KEYS.join(', ')}, ${DERIVED_PREFIX}*`);
    }
  }
  const scram = props.authentication;
  if (scram) {
    if (scram.mechanism !== 'SCRAM-SHA-512') fail('authentication.mechanism', scram.mechanism, 'SCRAM-SHA-512');
    const secretProblem = dns1123SubdomainProblem(scram.brokerSecret);
    if (secretProblem !== undefined) fail('authentication.brokerSecret', scram.brokerSecret, secretProblem);
    for (const [user, secret] of Object.entries(scram.clientSecrets ?? {})) {
      const problem = dns1123SubdomainProblem(secret);
      if (problem !== undefined) fail(`authentication.clientSecrets["${user}"]`, secret, problem);
      if (secret === scram.brokerSecret) fail(`authentication.clientSecrets["${user}"]`, secret, `a Secret other than brokerSecret: a client must not log in as the brokers`);
    }
  }
}
