import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvVar } from '../imports/k8s';
import { ExternalDatabase } from '../constructs/external-database';
import { KafkaCluster, credentialsEnv } from '../constructs/kafka-cluster';
import { IWebBackend, webBackendUrl } from '../constructs/web-backend';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { Environment } from '../lib/environment/environment';
import { SERVICE_PORT_NAME, SERVICE_STOP, ServiceSettings, serviceOwnership, serviceUrlVariable } from '../lib/environment/service-settings';
import { failFor } from '../lib/predicates/invalid-value';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { allowObjectStorage } from './object-storage';
import { PlatformChart } from './platform-chart';
import { webServiceSettingsProps } from './workload-settings';

/** Port every service's Service publishes, whatever its container listens on. */
export const SERVICE_PORT = 80;
/** The container port of a service whose settings name none. */
export const DEFAULT_CONTAINER_PORT = 8080;

export interface ServiceChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The service's name: a key of the environment's `services:`. */
  readonly name: string;
  /** The environment's Kafka, for a service whose `calls.kafka` is set. */
  readonly kafka: KafkaCluster;
  /** The environment's database, for a service whose `calls.database` is on. */
  readonly database: ExternalDatabase;
  /** The backend, whose URL a service with `calls.backend` is given. */
  readonly backend: IWebBackend;
  /**
   * The other services of the environment by name, asked when the manifests are rendered: a
   * service may call one declared after it.
   */
  readonly services: (name: string) => IWebBackend;
}

/**
 * One service of the environment's `services:`: a `WebService` (Deployment, Service,
 * autoscaler, disruption budget, ServiceAccount) in a component of its own, configured for what
 * its `calls` name, and let out to the Kafka brokers, the database and the object store when it
 * calls them. The paths between it and the other components (backend, frontend, services) are
 * opened by the app assembly, which sees both ends (charts/chat-platform.ts).
 */
export class ServiceChart extends ComponentChart {
  public readonly service: WebService;
  public readonly settings: ServiceSettings;

  constructor(scope: Construct, props: ServiceChartProps) {
    super(scope, props.name, props);
    const env = props.environment;
    const settings = env.services?.[props.name];
    if (settings === undefined) {
      // The app assembly creates one chart per key of services:; anything else is a bug.
      throw new Error(`${env.file}: services.${props.name} is not declared; declared: ${Object.keys(env.services ?? {}).join(', ') || '(none)'}`);
    }
    this.settings = settings;
    const calls = settings.calls ?? {};
    const fail = failFor('ServiceChart', props.name);
    const kafka = calls.kafka ? kafkaClient(props.kafka, props.name, calls.kafka.consumerGroup) : { env: [], annotations: {} };
    const database = calls.database ? databaseClient(props.database) : { env: [], annotations: {} };
    const readiness = settings.probes?.readiness?.path;
    const liveness = settings.probes?.liveness?.path;
    if (readiness === undefined || liveness === undefined) {
      // The loader refuses such a file; an Environment built in code must not slip past it.
      fail(`probes.${readiness === undefined ? 'readiness' : 'liveness'}.path`, undefined, 'a request path: a service has no default probe');
    }
    const workload = webServiceSettingsProps(settings, {
      field: ['services', props.name],
      ownership: serviceOwnership(calls),
      fail,
      env: [
        ...(calls.backend ? [{ name: serviceUrlVariable('backend'), value: webBackendUrl(props.backend) }] : []),
        ...(calls.services ?? []).map((target) => ({
          name: serviceUrlVariable(target),
          // Resolved when the manifests are rendered, once every service exists.
          value: Lazy.any({ produce: () => webBackendUrl(props.services(target)) }) as unknown as string,
        })),
        ...kafka.env,
        ...database.env,
        ...(calls.s3 ? objectStorageEnv(env) : []),
      ],
      annotations: { ...props.platform.externalObjects, ...kafka.annotations, ...database.annotations },
      readinessProbe: { path: readiness!, port: SERVICE_PORT_NAME },
      livenessProbe: { path: liveness!, port: SERVICE_PORT_NAME },
      preStopDelaySeconds: SERVICE_STOP.preStopDelaySeconds,
      terminationGracePeriodSeconds: SERVICE_STOP.terminationGracePeriodSeconds,
    });

    this.service = new WebService(this, 'Service', {
      name: props.name,
      image: settings.image,
      version: imageVersion(settings.image),
      containerPort: settings.port ?? DEFAULT_CONTAINER_PORT,
      servicePort: SERVICE_PORT,
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      imagePullSecrets: [env.imagePullSecret],
      priorityClassName: props.platform.priorityClassName,
      // No static keys: the pods get AWS credentials from the ServiceAccount's IAM role (IRSA).
      ...(settings.roleArn ? { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': settings.roleArn } } : {}),
      ...workload,
    });

    if (calls.kafka) props.kafka.allowClient(this.service);
    if (calls.database) props.database.allowFrom(this.service);
    if (calls.s3) allowObjectStorage(this.service, env);
  }
}

/**
 * A Kafka client's settings, in client-neutral names (a service need not be a Spring
 * application): the bootstrap servers, the security protocol and its own consumer group, and with
 * SASL on, its own user (the Secret `kafka-<service>-credentials`, which `KafkaTopics` creates as a
 * SCRAM user) and the JAAS login built from it by the kubelet (`$(VAR)` references to the entries
 * before it), so no password is in git.
 */
function kafkaClient(kafka: KafkaCluster, name: string, consumerGroup: string): { env: EnvVar[]; annotations: Record<string, string> } {
  const base: EnvVar[] = [
    { name: 'KAFKA_BOOTSTRAP_SERVERS', value: kafka.bootstrapServers },
    { name: 'KAFKA_SECURITY_PROTOCOL', value: kafka.securityProtocol },
    { name: 'KAFKA_CONSUMER_GROUP', value: consumerGroup },
  ];
  const secret = kafka.clientUser(name);
  if (secret === undefined) return { env: base, annotations: {} };
  const sasl = kafka.clientSaslProperties('$(KAFKA_SASL_USERNAME)', '$(KAFKA_SASL_PASSWORD)');
  return {
    env: [
      ...base,
      { name: 'KAFKA_SASL_MECHANISM', value: sasl['sasl.mechanism']! },
      ...credentialsEnv(secret, 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'),
      { name: 'KAFKA_SASL_JAAS_CONFIG', value: sasl['sasl.jaas.config']! },
    ],
    annotations: {
      [externalAnnotation('Secret', secret)]: `the Kafka user the service ${name} logs in as (keys username and password), created out of band in the namespace (README: "Kafka authentication")`,
    },
  };
}

/** Where the database is, through its in-cluster name, and its credentials from the Secret. */
function databaseClient(database: ExternalDatabase): { env: EnvVar[]; annotations: Record<string, string> } {
  return {
    env: [
      { name: 'DATABASE_ENGINE', value: database.engine },
      { name: 'DATABASE_HOST', value: database.serviceHost },
      { name: 'DATABASE_PORT', value: String(database.port) },
      { name: 'DATABASE_NAME', value: database.databaseName },
      ...database.credentialsEnv({ username: 'DATABASE_USERNAME', password: 'DATABASE_PASSWORD' }),
    ],
    annotations: {
      [externalAnnotation('Secret', database.credentialsSecret)]:
        'database credentials (keys username and password), created out of band in the namespace (README: "Database credentials")',
    },
  };
}

/**
 * The bucket, in the names the AWS SDKs' default chain (`AWS_REGION`) and a generic S3 client
 * read; an S3-compatible endpoint is usually addressed by path, not by virtual host.
 */
function objectStorageEnv(env: Environment): EnvVar[] {
  const s3 = env.s3;
  return [
    { name: 'AWS_REGION', value: s3.region },
    { name: 'S3_BUCKET', value: s3.bucket },
    { name: 'S3_REGION', value: s3.region },
    { name: 'S3_PUBLIC_URL_BASE', value: s3.publicUrlBase },
    ...(s3.endpoint ? [{ name: 'S3_ENDPOINT', value: s3.endpoint }, { name: 'S3_FORCE_PATH_STYLE', value: 'true' }] : []),
  ];
}
