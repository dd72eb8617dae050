import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { ComponentChart, ComponentChartProps, PART_OF } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface BackendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
}

/** Seconds Spring Boot's graceful shutdown may spend finishing requests and closing sockets. */
const SHUTDOWN_PHASE_SECONDS = 30;
const PRE_STOP_SECONDS = 10;

/**
 * The Spring Boot API, which also holds the users' WebSocket sessions. Every pod consumes every
 * chat message (its own consumer group) so it can deliver to the sockets it holds.
 */
export class BackendChart extends ComponentChart {
  public readonly service: WebService;

  constructor(scope: Construct, props: BackendChartProps) {
    super(scope, 'backend', props);
    const env = props.environment;
    const settings = env.components.backend;
    const name = 'backend';

    const config = new KubeConfigMap(this, 'Config', {
      metadata: {
        name: `${name}-config`,
        namespace: env.namespace,
        labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/part-of': PART_OF },
      },
      data: {
        SPRING_PROFILES_ACTIVE: env.name,
        SERVER_PORT: '8080',
        SERVER_SHUTDOWN: 'graceful',
        SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE: `${SHUTDOWN_PHASE_SECONDS}s`,
        MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED: 'true',
        MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE: 'health,info,prometheus',
        // Heap follows the container's memory limit instead of the node's memory.
        JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError',
      },
    });

    this.service = new WebService(this, 'Service', {
      name,
      namespace: env.namespace,
      image: settings.image,
      version: imageVersion(settings.image),
      partOf: PART_OF,
      component: 'api',
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
      ],
      envFrom: [config],
      writablePaths: ['/tmp'],
      preStopDelaySeconds: PRE_STOP_SECONDS,
      terminationGracePeriodSeconds: PRE_STOP_SECONDS + SHUTDOWN_PHASE_SECONDS + 5,
      imagePullSecrets: [env.imagePullSecret],
      annotations: props.platform.externalObjects,
      priorityClassName: props.platform.priorityClassName,
      podAnnotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
        'prometheus.io/path': '/actuator/prometheus',
      },
    });
  }
}
