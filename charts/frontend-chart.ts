import { Construct } from 'constructs';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { ReverseProxy } from '../constructs/reverse-proxy';
import { TlsLoadBalancer } from '../constructs/tls-load-balancer';
import { IWebBackend } from '../constructs/web-backend';
import { WebGateway } from '../constructs/web-gateway';
import { WebIngress } from '../constructs/web-ingress';
import { WebRoute } from '../constructs/web-route';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { INGRESS_NGINX_CONTROLLER_PODS } from '../lib/environment/environment';
import { FRONTEND_PATHS } from '../lib/environment/service-settings';
import { FRONTEND_OWNERSHIP, FRONTEND_WORKER_SHUTDOWN_SECONDS } from '../lib/environment/component-workloads';
import { failFor } from '../lib/predicates/invalid-value';
import { parseCpu } from '../lib/predicates/quantity';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';
import { PlatformChart } from './platform-chart';
import { webServiceSettingsProps } from './workload-settings';

export interface FrontendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
  /** The API and WebSocket service that `/api/` and the WebSocket path are proxied to. */
  readonly backend: IWebBackend;
  /**
   * Further path prefixes proxied to services (the `proxyPath` of the environment's services),
   * after the backend's routes; each with the ingress's body size limit.
   * @default - none
   */
  readonly serviceRoutes?: readonly { readonly pathPrefix: string; readonly upstream: IWebBackend }[];
}

/** UID of the unprivileged nginx images (`nginx` user). */
const NGINX_UID = 101;
/** Where the backend's WebSocket endpoint lives, for browsers and for the proxy. */
const WEBSOCKET_PATH = FRONTEND_PATHS.webSocket;

/**
 * The single-page app, served by an unprivileged nginx on 8080 that also reverse-proxies `/api/`
 * and the WebSocket path to the backend. Outside traffic arrives through the edge the environment
 * picks, TLS terminated there: an Ingress (ingress-nginx) or a Gateway API HTTPRoute. Where the
 * environment asks for a load balancer too, it is TLS-only and reaches nginx on a listener of its
 * own, so that what arrives through it is never mistaken for traffic from the edge.
 */
export class FrontendChart extends ComponentChart {
  public readonly service: WebService;
  public readonly proxy: ReverseProxy;
  /** The Ingress, with edge `ingress`. */
  public readonly ingress?: WebIngress;
  /** The HTTPRoute, with edge `gateway`. */
  public readonly route?: WebRoute;
  /** The Gateway, with edge `gateway` and a `gatewayClassName`. */
  public readonly gateway?: WebGateway;
  /** The TLS load balancer, with `serviceType: LoadBalancer`. */
  public readonly loadBalancer?: TlsLoadBalancer;

  constructor(scope: Construct, props: FrontendChartProps) {
    super(scope, 'frontend', props);
    const env = props.environment;
    const settings = env.components.frontend;
    const name = 'frontend';
    const component = 'web';
    const version = imageVersion(settings.image);
    const lb = env.ingress.serviceType === 'LoadBalancer' ? env.ingress.loadBalancer : undefined;
    if (env.ingress.serviceType === 'LoadBalancer' && !lb) {
      // The loader refuses such a file; an Environment built in code must not slip past it.
      throw new Error(`${env.file}: ingress.serviceType "LoadBalancer" needs ingress.loadBalancer.tlsCertificate: a load balancer without TLS would bypass the edge's`);
    }

    this.proxy = new ReverseProxy(this, 'Proxy', {
      name: `${name}-nginx`,
      // The workload's labels: the configuration is part of it.
      labels: { ...RecommendedLabels.of(this, { name, component, version }).all },
      routes: [
        { kind: 'http', pathPrefix: FRONTEND_PATHS.api, upstream: props.backend, maxBodySize: env.ingress.maxBodySize },
        { kind: 'websocket', path: WEBSOCKET_PATH, upstream: props.backend },
        ...(props.serviceRoutes ?? []).map((route) => ({ kind: 'http' as const, pathPrefix: route.pathPrefix, upstream: route.upstream, maxBodySize: env.ingress.maxBodySize })),
      ],
      hashedAssetsPath: FRONTEND_PATHS.assets,
      // One worker per CPU of the limit; more would only contend for the same quota.
      workerProcesses: Math.max(1, Math.ceil(parseCpu(settings.resources.limits.cpu))),
      ...(env.ingress.trustedProxies ? { trustedProxies: env.ingress.trustedProxies } : {}),
      ...(lb ? { tlsOffloadListener: { proxyProtocol: lb.proxyProtocol ?? false } } : {}),
      // What the termination grace period is sized for, with the pre-stop delay before it.
      shutdownTimeoutSeconds: FRONTEND_WORKER_SHUTDOWN_SECONDS,
    });

    // Always ClusterIP: the edge and the load balancer reach the pods on different ports, and a
    // LoadBalancer Service publishes every port it has.
    this.service = new WebService(this, 'Service', {
      name,
      image: settings.image,
      version,
      component,
      containerPort: this.proxy.listenPort,
      ...(this.proxy.tlsOffloadPort !== undefined ? { extraContainerPorts: [{ name: 'tls-offload', containerPort: this.proxy.tlsOffloadPort }] } : {}),
      servicePort: 80,
      command: this.proxy.command,
      configMounts: [this.proxy.configMount],
      writablePaths: this.proxy.writablePaths,
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      runAsUser: NGINX_UID,
      imagePullSecrets: [env.imagePullSecret],
      priorityClassName: props.platform.priorityClassName,
      // What the environment's components.frontend settings may add to or change.
      ...webServiceSettingsProps(settings, {
        field: ['components', 'frontend'],
        ownership: FRONTEND_OWNERSHIP,
        fail: failFor('FrontendChart', name),
        readinessProbe: { path: this.proxy.healthPath },
        livenessProbe: { path: this.proxy.healthPath },
        preStopDelaySeconds: FRONTEND_OWNERSHIP.stop.preStopDelaySeconds,
        terminationGracePeriodSeconds: FRONTEND_OWNERSHIP.stop.terminationGracePeriodSeconds,
        annotations: props.platform.externalObjects,
      }),
    });

    const tlsSecret = { [externalAnnotation('Secret', env.ingress.tlsSecretName)]: 'TLS certificate of the host, issued out of band (e.g. by cert-manager)' };
    const gatewayEdge = env.ingress.gateway;
    if ((env.ingress.edge ?? 'ingress') === 'gateway' && gatewayEdge) {
      if (gatewayEdge.gatewayClassName !== undefined) {
        this.gateway = new WebGateway(this, 'Gateway', {
          name: gatewayEdge.name,
          gatewayClassName: gatewayEdge.gatewayClassName,
          host: env.host,
          tlsSecretName: env.ingress.tlsSecretName,
          annotations: tlsSecret,
        });
      }
      this.route = new WebRoute(this, 'Route', {
        service: this.service,
        host: env.host,
        gateway: this.gateway?.httpsListener ?? { name: gatewayEdge.name, namespace: gatewayEdge.namespace, sectionName: gatewayEdge.sectionName },
        webSocketPath: WEBSOCKET_PATH,
        ...(gatewayEdge.dataPlane ? { dataPlane: gatewayEdge.dataPlane } : {}),
      });
    } else {
      this.ingress = new WebIngress(this, 'Ingress', {
        service: this.service,
        host: env.host,
        className: env.ingress.className,
        tlsSecretName: env.ingress.tlsSecretName,
        maxBodySize: env.ingress.maxBodySize,
        controller: INGRESS_NGINX_CONTROLLER_PODS,
        annotations: tlsSecret,
      });
    }

    if (lb) {
      this.loadBalancer = new TlsLoadBalancer(this, 'LoadBalancer', {
        target: this.service,
        targetPort: this.proxy.tlsOffloadPort!,
        certificateArn: lb.tlsCertificate,
        proxyProtocol: lb.proxyProtocol ?? false,
        ...(lb.annotations ? { annotations: lb.annotations } : {}),
      });
    }
  }
}
