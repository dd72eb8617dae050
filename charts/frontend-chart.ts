import { Construct } from 'constructs';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { ReverseProxy } from '../constructs/reverse-proxy';
import { IWebBackend } from '../constructs/web-backend';
import { WebIngress } from '../constructs/web-ingress';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { parseCpu } from '../lib/predicates/quantity';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface FrontendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The API and WebSocket service that `/api/` and the WebSocket path are proxied to. */
  readonly backend: IWebBackend;
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
    const component = 'web';
    const version = imageVersion(settings.image);

    this.proxy = new ReverseProxy(this, 'Proxy', {
      name: `${name}-nginx`,
      // The workload's labels: the configuration is part of it.
      labels: { ...RecommendedLabels.of(this, { name, component, version }).all },
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
      image: settings.image,
      version,
      component,
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
