import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { ExternalDatabase } from '../constructs/external-database';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { KafkaTopicSpec } from '../constructs/kafka-topics';
import { allowEgress } from '../constructs/network-flow';
import { tcpPorts } from '../constructs/network-peer';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { Environment, S3Settings } from '../lib/environment/environment';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface BackendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The cluster chat messages go through; the backend asks it for its bootstrap servers. */
  readonly kafka: KafkaCluster;
  /** The topic chat messages are published to and consumed from, one of the cluster's topics. */
  readonly chatTopic: KafkaTopicSpec;
}

/** Seconds Spring Boot's graceful shutdown may spend finishing requests and closing sockets. */
const SHUTDOWN_PHASE_SECONDS = 30;
const PRE_STOP_SECONDS = 10;

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
        ...runtimeSettings(env),
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
      readinessProbe: { path: '/actuator/health/readiness' },
      livenessProbe: { path: '/actuator/health/liveness' },
      // A JVM with a cold cache can take minutes on a busy node: allow up to 3 minutes.
      startupProbe: { path: '/actuator/health/liveness', periodSeconds: 5, failureThreshold: 36 },
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        // One consumer group per pod: every pod receives every chat message.
        { name: 'SPRING_KAFKA_CONSUMER_GROUPID', value: `${name}-$(POD_NAME)` },
        ...this.database.credentialsEnv({ username: 'SPRING_DATASOURCE_USERNAME', password: 'SPRING_DATASOURCE_PASSWORD' }),
      ],
      envFrom: [this.config],
      writablePaths: ['/tmp'],
      preStopDelaySeconds: PRE_STOP_SECONDS,
      terminationGracePeriodSeconds: PRE_STOP_SECONDS + SHUTDOWN_PHASE_SECONDS + 5,
      imagePullSecrets: [env.imagePullSecret],
      annotations: {
        ...props.platform.externalObjects,
        [externalAnnotation('Secret', this.database.credentialsSecret)]:
          'database credentials (keys username and password), created out of band in the namespace (README: "Database credentials")',
      },
      priorityClassName: props.platform.priorityClassName,
      // No static keys anywhere: the pods get AWS credentials from the ServiceAccount's IAM role.
      ...(env.s3.roleArn ? { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': env.s3.roleArn } } : {}),
      podAnnotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/actuator/prometheus',
      },
    });

    props.kafka.allowClient(this.service);
    this.database.allowFrom(this.service);
    this.allowObjectStorage(env.s3);
  }

  /**
   * Egress to the object store on its port only. AWS S3 (and STS, for the IAM role) has no fixed
   * addresses, so the rule allows HTTPS to public addresses and nothing private; an S3-compatible
   * endpoint may live on a private network, so there the rule allows that endpoint's port.
   */
  private allowObjectStorage(s3: S3Settings): void {
    const endpoint = s3.endpoint ? new URL(s3.endpoint) : undefined;
    const port = endpoint ? Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)) : 443;
    allowEgress(this.service, {
      name: 'object-storage',
      addresses: [endpoint ? { cidr: '0.0.0.0/0' } : { cidr: '0.0.0.0/0', except: PRIVATE_RANGES }],
      ports: tcpPorts(port),
    });
  }
}

/** RFC 1918 and link-local ranges: the cluster's own networks and the node metadata service. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

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

/** The Spring Boot server itself: profile, port, graceful shutdown, probes, metrics, heap. */
function runtimeSettings(env: Environment): Record<string, string> {
  return {
    SPRING_PROFILES_ACTIVE: env.name,
    SERVER_PORT: '8080',
    SERVER_SHUTDOWN: 'graceful',
    SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE: `${SHUTDOWN_PHASE_SECONDS}s`,
    MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: 'true',
    MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE: 'health,info,prometheus',
    // Heap follows the container's memory limit instead of the node's memory.
    JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError',
  };
}

/**
 * Where chat messages go. `SPRING_KAFKA_BOOTSTRAPSERVERS` is how Spring Boot's relaxed binding
 * spells `spring.kafka.bootstrap-servers` in the environment (dashes dropped, not turned into `_`).
 */
function kafkaSettings(kafka: KafkaCluster, chatTopic: KafkaTopicSpec): Record<string, string> {
  return {
    SPRING_KAFKA_BOOTSTRAPSERVERS: kafka.bootstrapServers,
    CHAT_KAFKA_TOPIC: chatTopic.name,
  };
}

/** The datasource URL; the user name and password come from the credentials Secret, not from here. */
function datasourceSettings(database: ExternalDatabase): Record<string, string> {
  return { SPRING_DATASOURCE_URL: database.jdbcUrl };
}
