/**
 * What the backend's and the frontend's charts set in their pods, and how those pods stop: what
 * the environment loader refuses a component's settings against (lib/environment/workload-settings.ts)
 * with the file's line, and what the charts build with, so that the two cannot disagree.
 */
import type { ShutdownStep } from '../predicates/shutdown-budget';
import type { WorkloadOwnership, WorkloadStop } from './workload-settings';
import { serviceUrlVariable } from './service-settings';

/**
 * The phases of the backend's Spring context that stop asynchronously, so that Spring waits for
 * each up to the phase timeout, in the order they stop. Phases that stop synchronously (closing
 * WebSocket sessions, stopping the web server's connectors) are not waited on with a timeout and
 * take no time worth counting.
 */
export const SPRING_SHUTDOWN_PHASES: readonly { readonly name: string; readonly phase: number }[] = [
  // spring-kafka: AbstractMessageListenerContainer.DEFAULT_PHASE, the KafkaListenerEndpointRegistry's phase.
  { name: 'Kafka listener containers', phase: 2_147_483_647 - 100 },
  // Spring Boot 3: WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE, SmartLifecycle.DEFAULT_PHASE - 1024.
  { name: 'graceful web server shutdown', phase: 2_147_483_647 - 1024 },
];
/** Seconds left for a process to exit after its last step: destroy callbacks, producer and pool close. */
export const EXIT_MARGIN_SECONDS = 5;

/** The steps of a backend pod's stop, each with the longest it may take, in the order they run. */
export function backendShutdownSteps(shutdown: { readonly preStopSeconds: number; readonly phaseTimeoutSeconds: number }): ShutdownStep[] {
  return [
    { name: 'pre-stop delay', seconds: shutdown.preStopSeconds },
    ...[...SPRING_SHUTDOWN_PHASES]
      .sort((a, b) => b.phase - a.phase)
      .map((p) => ({ name: `${p.name} (phase ${p.phase})`, seconds: shutdown.phaseTimeoutSeconds })),
  ];
}

/** The backend's stop defaults: 10 s of pre-stop delay, 30 s per Spring phase, 75 s in all. */
export const BACKEND_STOP_DEFAULTS = { preStopSeconds: 10, phaseTimeoutSeconds: 30, terminationGracePeriodSeconds: 75 } as const;

/** The backend's stop with a given `spring.lifecycle.timeout-per-shutdown-phase`. */
export function backendStop(phaseTimeoutSeconds: number = BACKEND_STOP_DEFAULTS.phaseTimeoutSeconds, defaults: { readonly preStopSeconds?: number; readonly terminationGracePeriodSeconds?: number } = {}): WorkloadStop {
  return {
    preStopDelaySeconds: defaults.preStopSeconds ?? BACKEND_STOP_DEFAULTS.preStopSeconds,
    terminationGracePeriodSeconds: defaults.terminationGracePeriodSeconds ?? BACKEND_STOP_DEFAULTS.terminationGracePeriodSeconds,
    steps: (preStopSeconds) => backendShutdownSteps({ preStopSeconds, phaseTimeoutSeconds }),
    marginSeconds: EXIT_MARGIN_SECONDS,
  };
}

/**
 * nginx's `worker_shutdown_timeout` in the frontend: after SIGQUIT (the nginx image's stop signal,
 * a graceful shutdown) a worker closes what is still open once this has passed
 * (https://nginx.org/en/docs/ngx_core_module.html#worker_shutdown_timeout).
 */
export const FRONTEND_WORKER_SHUTDOWN_SECONDS = 25;

/** The frontend's stop: the pre-stop delay, then nginx's worker shutdown timeout; 40 s in all. */
export const FRONTEND_STOP: WorkloadStop = {
  preStopDelaySeconds: 10,
  terminationGracePeriodSeconds: 40,
  steps: (preStopSeconds) => [
    { name: 'pre-stop delay', seconds: preStopSeconds },
    { name: 'nginx worker_shutdown_timeout', seconds: FRONTEND_WORKER_SHUTDOWN_SECONDS },
  ],
  marginSeconds: EXIT_MARGIN_SECONDS,
};

const SPRING = 'a Spring Boot property the chart sets';
const BACKEND_CONFIG = 'backend-config';

/**
 * The backend's own environment: the variables of its pod spec and the keys of `backend-config`,
 * which it takes through `envFrom` (a variable in `env` wins over one from `envFrom`: core/v1
 * Container.envFrom, "Values defined by an Env with a duplicate key will take precedence").
 */
const BACKEND_ENV: Readonly<Record<string, string>> = {
  POD_NAME: 'the pod\'s name, which the Kafka consumer group is made from',
  POD_NAMESPACE: 'the pod\'s namespace, from the downward API',
  SPRING_KAFKA_CONSUMER_GROUPID: 'one consumer group per pod, so that every pod receives every chat message',
  SPRING_DATASOURCE_USERNAME: 'the database user, from the credentials Secret',
  SPRING_DATASOURCE_PASSWORD: 'the database password, from the credentials Secret, never in git',
  SPRING_DATASOURCE_URL: 'the JDBC URL of the database the NetworkPolicy lets the pods reach',
  KAFKA_SASL_USERNAME: 'the Kafka user, from its Secret',
  KAFKA_SASL_PASSWORD: 'the Kafka password, from its Secret, never in git',
  SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG: 'the Kafka login built from the Kafka user\'s Secret',
  SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL: 'the protocol the brokers\' listener speaks',
  SPRING_KAFKA_PROPERTIES_SASL_MECHANISM: 'the SASL mechanism the brokers accept',
  SPRING_KAFKA_BOOTSTRAPSERVERS: 'the brokers of the environment\'s Kafka cluster, which the NetworkPolicy lets the pods reach',
  CHAT_KAFKA_TOPIC: 'the topic chat messages go through, created by the Kafka chart',
  SPRING_PROFILES_ACTIVE: `${SPRING}: the profile named after the environment`,
  SERVER_PORT: 'the port the Service, the probes, the metrics annotations and the NetworkPolicies use',
  SERVER_SHUTDOWN: 'graceful shutdown, which the termination grace period is sized for',
  SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE: 'the shutdown phase timeout the termination grace period is sized for',
  MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: 'the liveness and readiness endpoints the probes call',
  MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE: 'readiness including the database, so that a rollout that cannot reach it stops',
  MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE: 'the health and prometheus endpoints the probes and the scrapers call',
  JAVA_TOOL_OPTIONS: 'the JVM\'s heap and non-heap caps, sized to the memory limit (set components.backend.jvm to change them)',
  AWS_REGION: 'the region of the S3 bucket, read by the AWS SDK',
  CHAT_S3_BUCKET: 'the bucket of the s3 section',
  CHAT_S3_REGION: 'the region of the s3 section',
  CHAT_S3_PUBLIC_URL_BASE: 'the public URL base of the s3 section',
  CHAT_S3_ENDPOINT: 'the endpoint of the s3 section, which the NetworkPolicy opens',
  CHAT_S3_PATH_STYLE_ACCESS: 'path-style access, which an S3-compatible endpoint needs',
};

/**
 * Where Prometheus finds the backend's metrics: the annotations its annotation-based pod discovery
 * reads, and the port the scrape policy opens.
 */
export const BACKEND_METRICS_ANNOTATIONS = {
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': '8080',
  'prometheus.io/path': '/actuator/prometheus',
} as const;

const METRICS = 'a metrics annotation the chart sets: the scrape NetworkPolicy opens the port it names to the monitoring pods';

/**
 * What the backend's chart owns in its pods, with a given Spring phase timeout and stop defaults,
 * and the URLs of the services it calls.
 */
export function backendOwnership(stop: WorkloadStop = backendStop(), calledServices: readonly string[] = []): WorkloadOwnership {
  return {
    env: {
      ...BACKEND_ENV,
      ...Object.fromEntries(
        calledServices.map((name) => [serviceUrlVariable(name), `the URL of service ${name}, which the backend calls (services.${name}.callers)`]),
      ),
    },
    configMaps: { [BACKEND_CONFIG]: 'the backend\'s settings, taken whole through envFrom' },
    podAnnotations: Object.fromEntries(Object.keys(BACKEND_METRICS_ANNOTATIONS).map((key) => [key, METRICS])),
    portNames: ['http'],
    stop,
  };
}

/** What the frontend's chart owns in its pods. */
export const FRONTEND_OWNERSHIP: WorkloadOwnership = {
  env: {},
  configMaps: { 'frontend-nginx': 'the nginx configuration, mounted as files' },
  podAnnotations: {},
  portNames: ['http'],
  stop: FRONTEND_STOP,
};
