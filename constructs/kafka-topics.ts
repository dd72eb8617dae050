import { Construct } from 'constructs';
import { KubeJob, NetworkPolicyPort, Quantity } from '../imports/k8s';
import { failFor } from '../lib/predicates/invalid-value';
import { minInSyncReplicasProblem, replicationFactorProblem } from '../lib/predicates/kafka-sizing';
import { ContainerResourcesProps, containerResources, restrictedContainerSecurityContext } from './container-spec';
import { KAFKA_IMAGE_UID, KAFKA_PASSWORD_KEY, KAFKA_USERNAME_KEY, KafkaCluster, SCRAM_ITERATIONS, credentialChecks, credentialsEnv } from './kafka-cluster';
import { NetworkPeer } from './network-peer';
import { RecommendedLabels } from './recommended-labels';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, externalAnnotation } from '../lib/tree/annotations';

/** One topic as it must exist on the cluster. */
export interface KafkaTopicSpec {
  /** Topic name: at most 249 letters, digits, ".", "_" and "-". */
  readonly name: string;
  /** Number of partitions (≥ 1). Raised on an existing topic; never lowered, which Kafka cannot do. */
  readonly partitions: number;
  /** Copies of each partition, at most the number of brokers. */
  readonly replicationFactor: number;
  /**
   * Replicas that must have a write before it is acknowledged to an `acks=all` producer: below
   * the replication factor when there is more than one broker, so one broker can be down.
   */
  readonly minInSyncReplicas: number;
  /** How long messages are kept, in hours. */
  readonly retentionHours: number;
}

export interface KafkaTopicsProps {
  /** The cluster the topics live on. */
  readonly cluster: KafkaCluster;
  /** The topics; at least one. */
  readonly topics: readonly KafkaTopicSpec[];
  /**
   * Name of the Job and its labels' `app.kubernetes.io/name`.
   * @default '<cluster name>-topics'
   */
  readonly name?: string;
  /**
   * Annotations of the Job, which decide when it runs.
   * @default - an Argo CD PostSync hook (runs once the cluster is synced and healthy), replaced on
   * the next sync so its logs stay until then
   */
  readonly annotations?: Record<string, string>;
  /**
   * Requests and limits of the admin tools' container.
   * @default requests 100m / 384Mi, limits 1 / 512Mi
   */
  readonly resources?: ContainerResourcesProps;
  /**
   * Retries of a failed run, with exponential back-off: brokers that are ready may still be
   * registering with the controller when the Job first runs.
   * @default 6
   */
  readonly backoffLimit?: number;
  /** Seconds after which the Job fails, whatever its retries. @default 900 */
  readonly activeDeadlineSeconds?: number;
  /** PriorityClass of the Job's pod. @default - the cluster default */
  readonly priorityClassName?: string;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const CLIENT_CONFIG_DIR = '/etc/kafka/client';
const HOUR_MS = 3_600_000;

/**
 * Creates declared topics on a `KafkaCluster` and keeps their settings, from a Job running the
 * image's own admin tools. Every step is idempotent: a topic is created only if missing, its
 * `min.insync.replicas` and `retention.ms` are set to the declared values, and its partitions are
 * raised to the declared count, so running the Job again changes nothing. What the tools cannot
 * change safely (fewer partitions, another replication factor) fails the Job with the reason.
 *
 * On a cluster with SCRAM authentication the tools log in as the brokers' user, and the Job first
 * creates each of the cluster's client users (`authentication.clientSecrets`) with the password
 * its Secret holds: a new user exists after the first sync, a changed password is applied on the
 * next one, and a cluster formatted before authentication was turned on gets its users too.
 */
export class KafkaTopics extends Construct implements NetworkPeer {
  public readonly name: string;
  /** The cluster's namespace: the Job runs beside the brokers. */
  public readonly namespace: string;
  public readonly labels: RecommendedLabels;
  /** None: the Job only connects out. */
  public readonly podPorts: readonly NetworkPolicyPort[] = [];
  public readonly job: KubeJob;
  private readonly topics: readonly KafkaTopicSpec[];

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const cluster = props.cluster;
    this.name = props.name ?? `${cluster.name}-topics`;
    this.namespace = cluster.namespace;
    this.topics = props.topics;
    validateTopics(this.name, props.topics, cluster.replicas);

    this.labels = RecommendedLabels.of(this, { name: this.name, component: 'topic-setup', version: cluster.version });
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '384Mi' }, limits: { cpu: '1', memory: '512Mi' } };
    const scram = cluster.authentication;
    const users = Object.entries(scram?.clientSecrets ?? {});
    const secrets = scram ? [scram.brokerSecret, ...users.map(([, secret]) => secret)] : [];
    const annotations = {
      ...(props.annotations ?? {
        [HOOK_ANNOTATION]: 'PostSync',
        [HOOK_DELETE_POLICY_ANNOTATION]: 'BeforeHookCreation',
      }),
      ...Object.fromEntries(
        secrets.map((secret, i) => [
          externalAnnotation('Secret', secret),
          `${i === 0 ? "the brokers' SCRAM user, which the admin tools log in as" : `the SCRAM user "${users[i - 1]![0]}"`} (keys ${KAFKA_USERNAME_KEY} and ${KAFKA_PASSWORD_KEY}), created out of band in the namespace`,
        ]),
      ),
    };

    this.job = new KubeJob(this, 'Job', {
      metadata: { name: this.name, namespace: this.namespace, labels: { ...this.labels.all }, annotations },
      spec: {
        backoffLimit: props.backoffLimit ?? 6,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 900,
        template: {
          metadata: { labels: { ...this.labels.all } },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
            securityContext: {
              runAsNonRoot: true,
              runAsUser: KAFKA_IMAGE_UID,
              runAsGroup: KAFKA_IMAGE_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'topics',
                image: cluster.image,
                imagePullPolicy: 'IfNotPresent',
                command: ['/bin/sh', '-c', this.script(cluster)],
                env: [
                  { name: 'BOOTSTRAP_SERVERS', value: cluster.bootstrapServers },
                  ...(scram ? credentialsEnv(scram.brokerSecret, 'KAFKA_ADMIN_USERNAME', 'KAFKA_ADMIN_PASSWORD') : []),
                  ...users.flatMap(([, secret], i) => credentialsEnv(secret, `KAFKA_USER_${i}_USERNAME`, `KAFKA_USER_${i}_PASSWORD`)),
                  { name: 'KAFKA_HEAP_OPTS', value: '-XX:MaxRAMPercentage=50.0' },
                  // kafka-run-class.sh creates this directory; the image's default is on the read-only root.
                  { name: 'LOG_DIR', value: '/tmp/kafka-logs' },
                ],
                resources: containerResources(resources),
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  ...(scram ? [{ name: 'client-config', mountPath: CLIENT_CONFIG_DIR }] : []),
                ],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } },
              // The admin tools' login, password included: memory, not the node's disk.
              ...(scram ? [{ name: 'client-config', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('1Mi') } }] : []),
            ],
          },
        },
      },
    });
    cluster.allowClient(this);
  }

  /** The declared topic `name`; throws, listing the declared names, if there is none. */
  public topic(name: string): KafkaTopicSpec {
    const found = this.topics.find((t) => t.name === name);
    if (!found) return failFor('KafkaTopics', this.name)('topic', name, `one of the declared topics (${this.topics.map((t) => t.name).join(', ')})`);
    return found;
  }

  private script(cluster: KafkaCluster): string {
    const scram = cluster.authentication;
    const users = Object.entries(scram?.clientSecrets ?? {});
    // Every tool call connects the same way: through the bootstrap servers, logged in when the cluster asks for it.
    const connect = `--bootstrap-server "$BOOTSTRAP_SERVERS"${scram ? ' --command-config "$client_config"' : ''}`;
    const login = Object.entries(cluster.clientSaslProperties('$KAFKA_ADMIN_USERNAME', '$KAFKA_ADMIN_PASSWORD'));
    const lines = [
      'set -eu',
      'bin=/opt/kafka/bin',
      ...(scram
        ? [
            ...credentialChecks(scram.brokerSecret, 'KAFKA_ADMIN_USERNAME', 'KAFKA_ADMIN_PASSWORD', 'topics'),
            ...users.flatMap(([, secret], i) => credentialChecks(secret, `KAFKA_USER_${i}_USERNAME`, `KAFKA_USER_${i}_PASSWORD`, 'topics')),
            `client_config=${CLIENT_CONFIG_DIR}/client.properties`,
            ...login.map(([k, v], i) => `printf '%s\\n' "${k}=${v.replace(/"/g, '\\"')}" ${i === 0 ? '>' : '>>'} "$client_config"`),
          ]
        : []),
      'ensure_partitions() {',
      '  # Kafka can add partitions but not remove them, and changing the replication factor',
      '  # needs a reassignment plan: the first is applied, the others are reported.',
      `  description=$("$bin/kafka-topics.sh" ${connect} --describe --topic "$1")`,
      `  partitions=$(printf '%s\\n' "$description" | sed -n 's/.*PartitionCount: *\\([0-9][0-9]*\\).*/\\1/p' | head -n 1)`,
      `  replication=$(printf '%s\\n' "$description" | sed -n 's/.*ReplicationFactor: *\\([0-9][0-9]*\\).*/\\1/p' | head -n 1)`,
      '  if [ -z "$partitions" ] || [ -z "$replication" ]; then',
      '    echo "topic $1: cannot read its partition count and replication factor from: $description" >&2; return 1',
      '  fi',
      '  if [ "$replication" -ne "$3" ]; then',
      '    echo "topic $1: replication factor is $replication, declared $3; change it with kafka-reassign-partitions.sh" >&2; return 1',
      '  fi',
      '  if [ "$partitions" -gt "$2" ]; then',
      '    echo "topic $1: has $partitions partitions, declared $2; Kafka cannot remove partitions" >&2; return 1',
      '  elif [ "$partitions" -lt "$2" ]; then',
      '    echo "topic $1: raising partitions from $partitions to $2"',
      `    "$bin/kafka-topics.sh" ${connect} --alter --topic "$1" --partitions "$2"`,
      '  fi',
      '}',
    ];
    users.forEach(([user, secret], i) => {
      lines.push(
        '',
        `echo "user $KAFKA_USER_${i}_USERNAME (${user}, Secret ${secret}): ${scram!.mechanism} credentials set from its Secret"`,
        `"$bin/kafka-configs.sh" ${connect} --alter --entity-type users --entity-name "$KAFKA_USER_${i}_USERNAME" ` +
          `--add-config "${scram!.mechanism}=[iterations=${SCRAM_ITERATIONS},password=$KAFKA_USER_${i}_PASSWORD]"`,
      );
    });
    for (const t of this.topics) {
      const configs = [`min.insync.replicas=${t.minInSyncReplicas}`, `retention.ms=${t.retentionHours * HOUR_MS}`];
      lines.push(
        '',
        `echo "topic ${t.name}: ${t.partitions} partitions, replication factor ${t.replicationFactor}, ${configs.join(', ')}"`,
        `"$bin/kafka-topics.sh" ${connect} --create --if-not-exists --topic '${t.name}' ` +
          `--partitions ${t.partitions} --replication-factor ${t.replicationFactor} ${configs.map((c) => `--config ${c}`).join(' ')}`,
        `"$bin/kafka-configs.sh" ${connect} --alter --entity-type topics --entity-name '${t.name}' ` +
          `--add-config ${configs.join(',')}`,
        `ensure_partitions '${t.name}' ${t.partitions} ${t.replicationFactor}`,
      );
    }
    lines.push('', `echo "${this.topics.length} topic${this.topics.length === 1 ? '' : 's'} in place on ${cluster.bootstrapServers}"`, '');
    return lines.join('\n');
  }
}

function validateTopics(name: string, topics: readonly KafkaTopicSpec[], brokers: number): void {
  const fail = failFor('KafkaTopics', name);
  if (topics.length === 0) fail('topics', [], 'at least one topic');
  const seen = new Set<string>();
  topics.forEach((t, i) => {
    const at = `topics[${i}]`;
    if (!TOPIC_NAME.test(t.name) || t.name === '.' || t.name === '..') fail(`${at}.name`, t.name, 'at most 249 letters, digits, ".", "_" and "-"');
    if (seen.has(t.name)) fail(`${at}.name`, t.name, 'a name no other topic has');
    seen.add(t.name);
    if (!Number.isInteger(t.partitions) || t.partitions < 1) fail(`${at}.partitions`, t.partitions, 'an integer ≥ 1');
    const rfProblem = replicationFactorProblem(t.replicationFactor, brokers);
    if (rfProblem !== undefined) fail(`${at}.replicationFactor`, t.replicationFactor, rfProblem);
    const isrProblem = minInSyncReplicasProblem(t.minInSyncReplicas, t.replicationFactor, brokers);
    if (isrProblem !== undefined) fail(`${at}.minInSyncReplicas`, t.minInSyncReplicas, isrProblem);
    if (!Number.isInteger(t.retentionHours) || t.retentionHours < 1) fail(`${at}.retentionHours`, t.retentionHours, 'an integer ≥ 1');
  });
}
