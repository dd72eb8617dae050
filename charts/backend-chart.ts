import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvVar, KubeConfigMap } from '../imports/k8s';
import { ExternalDatabase } from '../constructs/external-database';
import { KafkaCluster, credentialsEnv } from '../constructs/kafka-cluster';
import { KafkaTopicSpec } from '../constructs/kafka-topics';
import { allowIngress } from '../constructs/network-flow';
import { namespacePods, tcpPorts } from '../constructs/network-peer';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { IWebBackend, webBackendUrl } from '../constructs/web-backend';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { BackendSettings, Environment, NamespacePods, S3Settings, networkSettings } from '../lib/environment/environment';
import { Fail, failFor } from '../lib/predicates/invalid-value';
import { JvmMemory, defaultNonHeapBytes, jvmMemory, jvmMemoryOptions, memoryLimitProblem, nonHeapProblem } from '../lib/predicates/jvm-memory';
import { parseMemory } from '../lib/predicates/quantity';
import { terminationGraceProblem } from '../lib/predicates/shutdown-budget';
import { BACKEND_METRICS_ANNOTATIONS, BACKEND_STOP_DEFAULTS, EXIT_MARGIN_SECONDS, backendOwnership, backendShutdownSteps, backendStop } from '../lib/environment/component-workloads';
import { externalAnnotation } from '../lib/tree/annotations';
import { servicesCalledBy, serviceUrlVariable } from '../lib/environment/service-settings';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { KAFKA_BACKEND_USER } from './kafka-chart';
import { allowObjectStorage } from './object-storage';
import { PlatformChart } from './platform-chart';
import { webServiceSettingsProps } from './workload-settings';

export interface BackendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The cluster chat messages go through; the backend asks it for its bootstrap servers. */
  readonly kafka: KafkaCluster;
  /** The topic chat messages are published to and consumed from, one of the cluster's topics. */
  readonly chatTopic: KafkaTopicSpec;
  /** How the pods stop. @default - see {@link BackendShutdown} */
  readonly shutdown?: BackendShutdown;
}

/**
 * How a backend pod stops: the kubelet runs the pre-stop delay, then sends SIGTERM; Spring stops
 * its `SmartLifecycle` beans phase by phase, highest phase first, waiting for each phase up to
 * `spring.lifecycle.timeout-per-shutdown-phase` (Spring Framework's `DefaultLifecycleProcessor`);
 * the kubelet sends SIGKILL once the grace period has passed since the pre-stop hook began.
 */
export interface BackendShutdown {
  /** Seconds the pod keeps serving after it is marked terminating, while endpoints drop it. @default 10 */
  readonly preStopSeconds?: number;
  /** `spring.lifecycle.timeout-per-shutdown-phase`, in seconds. @default 30 */
  readonly phaseTimeoutSeconds?: number;
  /**
   * `terminationGracePeriodSeconds`; refused when shorter than the pre-stop delay, plus the phase
   * timeout for each Spring phase that runs, plus the exit margin (`backendShutdownSteps` and
   * `EXIT_MARGIN_SECONDS` in lib/environment/component-workloads.ts).
   * @default 75
   */
  readonly terminationGracePeriodSeconds?: number;
}

/**
 * The Spring Boot API, which also holds the users' WebSocket sessions. Every pod consumes every
 * chat message (its own consumer group) so it can deliver to the sockets it holds.
 *
 * Its configuration is assembled from one settings function per concern (runtime, Kafka,
 * datasource); a new dependency adds its own function and, for what it reaches over the network,
 * its own policy.
 */
export class BackendChart extends ComponentChart {
  public readonly service: WebService;
  /** The database users and messages are stored in, reached through a stable in-cluster name. */
  public readonly database: ExternalDatabase;
  /** Non-secret settings, as environment variables; a change rolls the pods. */
  public readonly config: KubeConfigMap;

  constructor(scope: Construct, props: BackendChartProps) {
    super(scope, 'backend', props);
    const env = props.environment;
    const settings = env.components.backend;
    const name = 'backend';
    const component = 'api';
    const version = imageVersion(settings.image);
    const fail = failFor('BackendChart', name);
    const shutdown = {
      preStopSeconds: props.shutdown?.preStopSeconds ?? BACKEND_STOP_DEFAULTS.preStopSeconds,
      phaseTimeoutSeconds: props.shutdown?.phaseTimeoutSeconds ?? BACKEND_STOP_DEFAULTS.phaseTimeoutSeconds,
      terminationGracePeriodSeconds: props.shutdown?.terminationGracePeriodSeconds ?? BACKEND_STOP_DEFAULTS.terminationGracePeriodSeconds,
    };
    const graceProblem = terminationGraceProblem(shutdown.terminationGracePeriodSeconds, backendShutdownSteps(shutdown), EXIT_MARGIN_SECONDS);
    if (graceProblem !== undefined) fail('shutdown.terminationGracePeriodSeconds', shutdown.terminationGracePeriodSeconds, graceProblem);

    this.database = new ExternalDatabase(this, 'Database', {
      engine: env.database.engine,
      host: env.database.host,
      port: env.database.port,
      databaseName: env.database.name,
      credentialsSecret: env.database.credentialsSecret,
    });

    this.config = new KubeConfigMap(this, 'Config', {
      metadata: {
        name: `${name}-config`,
        // The workload's labels: the ConfigMap is part of it.
        labels: { ...RecommendedLabels.of(this, { name, component, version }).all },
      },
      data: {
        ...runtimeSettings(env, shutdown.phaseTimeoutSeconds, fail),
        ...kafkaSettings(props.kafka, props.chatTopic),
        ...datasourceSettings(this.database),
        ...objectStorageSettings(env.s3),
      },
    });

    this.service = new WebService(this, 'Service', {
      name,
      image: settings.image,
      version,
      component,
      containerPort: 8080,
      servicePort: 8080,
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      envFrom: [this.config],
      writablePaths: ['/tmp'],
      imagePullSecrets: [env.imagePullSecret],
      priorityClassName: props.platform.priorityClassName,
      // No static keys anywhere: the pods get AWS credentials from the ServiceAccount's IAM role.
      ...(env.s3.roleArn ? { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': env.s3.roleArn } } : {}),
      // What the environment's components.backend settings may add to or change.
      ...webServiceSettingsProps(settings, {
        field: ['components', 'backend'],
        ownership: backendOwnership(backendStop(shutdown.phaseTimeoutSeconds, shutdown), servicesCalledBy(name, env.services)),
        fail,
        readinessProbe: { path: '/actuator/health/readiness' },
        livenessProbe: { path: '/actuator/health/liveness' },
        // A JVM with a cold cache can take minutes on a busy node: allow up to 3 minutes.
        startupProbe: { path: '/actuator/health/liveness', periodSeconds: 5, failureThreshold: 36 },
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          // One consumer group per pod: every pod receives every chat message.
          { name: 'SPRING_KAFKA_CONSUMER_GROUPID', value: `${name}-$(POD_NAME)` },
          ...this.database.credentialsEnv({ username: 'SPRING_DATASOURCE_USERNAME', password: 'SPRING_DATASOURCE_PASSWORD' }),
          ...kafkaCredentials(props.kafka).env,
        ],
        envFrom: [this.config],
        preStopDelaySeconds: shutdown.preStopSeconds,
        terminationGracePeriodSeconds: shutdown.terminationGracePeriodSeconds,
        annotations: {
          ...props.platform.externalObjects,
          [externalAnnotation('Secret', this.database.credentialsSecret)]:
            'database credentials (keys username and password), created out of band in the namespace (README: "Database credentials")',
          ...kafkaCredentials(props.kafka).annotations,
        },
        podAnnotations: { ...BACKEND_METRICS_ANNOTATIONS },
      }),
    });

    props.kafka.allowClient(this.service);
    this.database.allowFrom(this.service);
    const network = networkSettings(env);
    allowObjectStorage(this.service, env);
    if (network.metricsScrapers) this.allowMetricsScrapers(network.metricsScrapers);
  }

  /**
   * Lets the monitoring pods in on the port the scrape annotations name, from their namespace (the
   * scrapers' egress is their namespace's to allow). Spring Boot serves the metrics on the server's
   * port, so the policy opens the API's port to them as well: a NetworkPolicy tells ports, not paths.
   */
  private allowMetricsScrapers(scrapers: NamespacePods): void {
    allowIngress(this.service, 'monitoring', [namespacePods(scrapers)], tcpPorts(Number(BACKEND_METRICS_ANNOTATIONS['prometheus.io/port'])));
  }

  /**
   * Tells the backend where a service it calls (one naming `backend` among its `callers`) is
   * found: `<NAME>_URL` in the backend's ConfigMap, so the change rolls the pods.
   */
  public callService(service: IWebBackend): void {
    if (!servicesCalledBy('backend', this.environment.services).includes(service.name)) {
      throw new Error(`BackendChart "backend": service "${service.name}" does not name backend among its callers in ${this.environment.file}`);
    }
    this.config.addJsonPatch(JsonPatch.add(`/data/${serviceUrlVariable(service.name)}`, webBackendUrl(service)));
  }
}

/**
 * Where Prometheus finds the metrics: the annotations its annotation-based pod discovery reads,
 * and the port the scrape policy opens.
 */

/**
 * Where images and files are stored. `AWS_REGION` is what the AWS SDK's default chain reads; the
 * `CHAT_S3_*` settings are the application's own. The public URL base is what the backend puts in
 * front of an object key in the URLs it returns.
 */
function objectStorageSettings(s3: S3Settings): Record<string, string> {
  return {
    AWS_REGION: s3.region,
    CHAT_S3_BUCKET: s3.bucket,
    CHAT_S3_REGION: s3.region,
    CHAT_S3_PUBLIC_URL_BASE: s3.publicUrlBase,
    ...(s3.endpoint ? { CHAT_S3_ENDPOINT: s3.endpoint, CHAT_S3_PATH_STYLE_ACCESS: 'true' } : {}),
  };
}

/**
 * The Spring Boot server itself: profile, port, graceful shutdown, probes, metrics, memory.
 *
 * Readiness includes the database (`db`, Spring Boot's DataSource health indicator) beside the
 * application's own readiness state: a pod that cannot reach the database (wrong credentials,
 * a missing network path) never becomes ready, so a rollout that would break it stops with the
 * old pods serving. The cost: while the database is down for every pod, every pod is unready and
 * the frontend answers `/api/` with 502 instead of the backend answering 500s, which changes
 * little for a chat whose every request reads or writes it. Kafka is not part of readiness:
 * Spring Boot has no Kafka health indicator, and a pod that cannot reach the brokers still serves
 * the API. Liveness stays on the application's own state only, so no outage restarts pods
 * (Spring Boot reference, "Kubernetes Probes" and "Checking External State With Kubernetes Probes").
 */
function runtimeSettings(env: Environment, phaseTimeoutSeconds: number, fail: Fail): Record<string, string> {
  return {
    SPRING_PROFILES_ACTIVE: env.name,
    SERVER_PORT: '8080',
    SERVER_SHUTDOWN: 'graceful',
    SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE: `${phaseTimeoutSeconds}s`,
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: 'true',
    MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE: 'readinessState,db',
    MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE: 'health,info,prometheus',
    JAVA_TOOL_OPTIONS: [...jvmMemoryOptions(backendJvmMemory(env.components.backend, fail)), '-XX:+ExitOnOutOfMemoryError'].join(' '),
  };
}

/**
 * The heap is the memory limit less a non-heap budget, and every non-heap part the JVM can cap
 * is capped (lib/predicates/jvm-memory.ts). The environment loader refuses the same values with
 * the file's line; this refuses them for environments built in code.
 */
function backendJvmMemory(settings: BackendSettings, fail: Fail): JvmMemory {
  const limit = parseMemory(settings.resources.limits.memory);
  const configured = settings.jvm?.nonHeap !== undefined ? parseMemory(settings.jvm.nonHeap) : undefined;
  if (configured !== undefined) {
    const problem = nonHeapProblem(configured);
    if (problem !== undefined) fail('components.backend.jvm.nonHeap', settings.jvm?.nonHeap, problem);
  }
  const nonHeap = configured ?? defaultNonHeapBytes(limit);
  const problem = memoryLimitProblem(limit, nonHeap, configured !== undefined ? 'components.backend.jvm.nonHeap' : 'the default for this limit');
  if (problem !== undefined) fail('components.backend.resources.limits.memory', settings.resources.limits.memory, problem);
  return jvmMemory(limit, nonHeap);
}

/**
 * Where chat messages go. `SPRING_KAFKA_BOOTSTRAPSERVERS` is how Spring Boot's relaxed binding
 * spells `spring.kafka.bootstrap-servers` in the environment (dashes dropped, not turned into `_`).
 */
function kafkaSettings(kafka: KafkaCluster, chatTopic: KafkaTopicSpec): Record<string, string> {
  // spring.kafka.properties.* is a map handed to every producer, consumer and admin client; from
  // the environment its keys are spelled with "_" for "." (SPRING_KAFKA_PROPERTIES_SASL_MECHANISM
  // is sasl.mechanism), Spring Boot's rule for binding maps from environment variables.
  // The JAAS login holds the password, so it is in the pod's env (kafkaCredentials), not here.
  const scram = kafka.authentication;
  return {
    SPRING_KAFKA_BOOTSTRAPSERVERS: kafka.bootstrapServers,
    CHAT_KAFKA_TOPIC: chatTopic.name,
    ...(scram ? { SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL: kafka.securityProtocol, SPRING_KAFKA_PROPERTIES_SASL_MECHANISM: scram.mechanism } : {}),
  };
}

/**
 * The backend's Kafka login when the cluster asks for one: the user name and password from the
 * backend user's Secret, and `spring.kafka.properties.sasl.jaas.config` built from them by the
 * kubelet (`$(VAR)` references to the two entries before it), so no password is in git.
 */
function kafkaCredentials(kafka: KafkaCluster): { env: EnvVar[]; annotations: Record<string, string> } {
  const secret = kafka.clientUser(KAFKA_BACKEND_USER);
  if (secret === undefined) return { env: [], annotations: {} };
  const jaas = kafka.clientSaslProperties('$(KAFKA_SASL_USERNAME)', '$(KAFKA_SASL_PASSWORD)')['sasl.jaas.config']!;
  return {
    env: [
      ...credentialsEnv(secret, 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'),
      { name: 'SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG', value: jaas },
    ],
    annotations: {
      [externalAnnotation('Secret', secret)]:
        'the Kafka user the backend logs in as (keys username and password), created out of band in the namespace (README: "Kafka authentication")',
    },
  };
}

/** The datasource URL; the user name and password come from the credentials Secret, not from here. */
function datasourceSettings(database: ExternalDatabase): Record<string, string> {
  return { SPRING_DATASOURCE_URL: database.jdbcUrl };
}
