import { Construct } from 'constructs';
import { ReverseProxy } from '../constructs/reverse-proxy';
import { WebIngress } from '../constructs/web-ingress';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { parseCpu } from '../lib/environment/quantity';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps, PART_OF } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface FrontendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The API and WebSocket service that `/api/` and the WebSocket path are proxied to. */
  readonly backend: WebService;
}

/** UID of the unprivileged nginx images (`nginx` user). */
const NGINX_UID = 101;
/** Where the backend's WebSocket endpoint lives, for browsers and for the proxy. */
const WEBSOCKET_PATH = '/ws';
/**
 * Sources allowed in through a LoadBalancer or NodePort Service: any address, on the HTTP port
 * only. The Service publishes that port to the world already; the policy must not be narrower
 * than the Service, or the published port silently drops connections.
 */
const ANY_ADDRESS = ['0.0.0.0/0', '::/0'];

/**
 * The single-page app, served by an unprivileged nginx on 8080 that also reverse-proxies `/api/`
 * and the WebSocket path to the backend. Outside traffic arrives through the Ingress (TLS) and,
 * where the environment asks for one, through a LoadBalancer Service.
 */
export class FrontendChart extends ComponentChart {
  public readonly service: WebService;
  public readonly proxy: ReverseProxy;
  public readonly ingress: WebIngress;

  constructor(scope: Construct, props: FrontendChartProps) {
    super(scope, 'frontend', props);
    const env = props.environment;
    const settings = env.components.frontend;
    const name = 'frontend';

    this.proxy = new ReverseProxy(this, 'Proxy', {
      name: `${name}-nginx`,
      namespace: env.namespace,
      labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name, 'app.kubernetes.io/part-of': PART_OF },
      routes: [
        { kind: 'http', pathPrefix: '/api/', upstream: props.backend, maxBodySize: env.ingress.maxBodySize },
        { kind: 'websocket', path: WEBSOCKET_PATH, upstream: props.backend },
      ],
      // One worker per CPU of the limit; more would only contend for the same quota.
      workerProcesses: Math.max(1, Math.ceil(parseCpu(settings.resources.limits.cpu))),
    });

    const exposed = env.ingress.serviceType !== 'ClusterIP';
    this.service = new WebService(this, 'Service', {
      name,
      namespace: env.namespace,
      image: settings.image,
      version: imageVersion(settings.image),
      partOf: PART_OF,
      component: 'web',
      containerPort: this.proxy.listenPort,
      servicePort: 80,
      serviceType: env.ingress.serviceType,
      // Only nodes running a frontend pod take load-balancer traffic, and the pod sees the
      // client's address, so the NetworkPolicy below matches real sources, not node addresses.
      ...(exposed ? { externalTrafficPolicy: 'Local' as const } : {}),
      command: this.proxy.command,
      configMounts: [this.proxy.configMount],
      writablePaths: this.proxy.writablePaths,
      readinessProbe: { path: this.proxy.healthPath },
      livenessProbe: { path: this.proxy.healthPath },
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      runAsUser: NGINX_UID,
      imagePullSecrets: [env.imagePullSecret],
      annotations: props.platform.externalObjects,
      priorityClassName: props.platform.priorityClassName,
    });

    this.ingress = new WebIngress(this, 'Ingress', {
      service: this.service,
      host: env.host,
      className: env.ingress.className,
      tlsSecretName: env.ingress.tlsSecretName,
      maxBodySize: env.ingress.maxBodySize,
      annotations: {
        [externalAnnotation('Secret', env.ingress.tlsSecretName)]: 'TLS certificate of the host, issued out of band (e.g. by cert-manager)',
      },
    });

    if (exposed) {
      this.service.allowFromAddresses(env.ingress.serviceType === 'LoadBalancer' ? 'load-balancer' : 'node-port', ANY_ADDRESS);
    }
  }
}
