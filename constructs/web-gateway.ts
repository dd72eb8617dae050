import { Construct } from 'constructs';
import { Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode } from '../imports/gateway.networking.k8s.io-gateway-gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersType,
} from '../imports/gateway.networking.k8s.io-httproute-gateway.networking.k8s.io';
import { dns1123SubdomainProblem, hostNameProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { chartNamespace } from './chart-namespace';
import { GatewayListenerRef } from './web-route';

export interface WebGatewayProps {
  /** Name of the Gateway (and, suffixed `-https-redirect`, of its redirect route). A DNS-1123 subdomain. */
  readonly name: string;
  /** GatewayClass of the implementation that runs it. */
  readonly gatewayClassName: string;
  /** Host name both listeners serve. */
  readonly host: string;
  /** `kubernetes.io/tls` Secret of the host's certificate, in the chart's namespace. */
  readonly tlsSecretName: string;
  /** Labels of the Gateway and its route, besides the chart's. @default - the chart's only */
  readonly labels?: Readonly<Record<string, string>>;
  /** Annotations of the Gateway. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The listener names of a `WebGateway`. */
export const HTTPS_LISTENER = 'https';
export const HTTP_LISTENER = 'http';

/**
 * A Gateway (gateway.networking.k8s.io/v1) for one host in the chart's namespace: an HTTPS
 * listener on 443 that terminates TLS with the host's Secret, and an HTTP listener on 80 whose
 * only route answers every request with a permanent redirect to HTTPS. Both admit routes of the
 * Gateway's own namespace only; attach routes to `httpsListener`.
 */
export class WebGateway extends Construct {
  public readonly gateway: Gateway;
  public readonly redirectRoute: HttpRoute;
  /** The HTTPS listener, for a route's `gateway`. */
  public readonly httpsListener: GatewayListenerRef;
  public readonly name: string;
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: WebGatewayProps) {
    super(scope, id);
    const fail = failFor('WebGateway', props.name);
    for (const [field, value] of [['name', props.name], ['gatewayClassName', props.gatewayClassName], ['tlsSecretName', props.tlsSecretName]] as const) {
      const problem = dns1123SubdomainProblem(value);
      if (problem !== undefined) fail(field, value, problem);
    }
    const hostProblem = hostNameProblem(props.host);
    if (hostProblem !== undefined) fail('host', props.host, hostProblem);

    this.name = props.name;
    this.namespace = chartNamespace(this, `WebGateway "${props.name}"`);
    const labels = props.labels ? { labels: { ...props.labels } } : {};
    const sameNamespace = { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } };
    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { name: props.name, namespace: this.namespace, ...labels, ...(props.annotations ? { annotations: { ...props.annotations } } : {}) },
      spec: {
        gatewayClassName: props.gatewayClassName,
        listeners: [
          {
            name: HTTPS_LISTENER,
            protocol: 'HTTPS',
            port: 443,
            hostname: props.host,
            tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: props.tlsSecretName }] },
            allowedRoutes: sameNamespace,
          },
          { name: HTTP_LISTENER, protocol: 'HTTP', port: 80, hostname: props.host, allowedRoutes: sameNamespace },
        ],
      },
    });
    this.redirectRoute = new HttpRoute(this, 'HttpsRedirect', {
      metadata: { name: `${props.name}-https-redirect`, namespace: this.namespace, ...labels },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: props.name, sectionName: HTTP_LISTENER }],
        hostnames: [props.host],
        rules: [
          {
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                requestRedirect: { scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS, statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301 },
              },
            ],
          },
        ],
      },
    });
    this.httpsListener = { name: props.name, sectionName: HTTPS_LISTENER };
  }
}
