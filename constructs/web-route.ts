import { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpecRulesMatchesPathType } from '../imports/gateway.networking.k8s.io-httproute-gateway.networking.k8s.io';
import { dns1123LabelProblem, dns1123SubdomainProblem, hostNameProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { allowIngress } from './network-flow';
import { namespacePods } from './network-peer';
import { IWebBackend } from './web-backend';

/** A Gateway, or one listener of it, that a route attaches to. */
export interface GatewayListenerRef {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway. @default - the route's namespace */
  readonly namespace?: string;
  /** Listener of the Gateway. @default - every listener that admits the route */
  readonly sectionName?: string;
}

/** Pods of a Gateway's data plane, by namespace and labels. */
export interface GatewayDataPlanePods {
  readonly namespace: string;
  /** @default - every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

export interface WebRouteProps {
  /** The service every path of the host is routed to, on its Service port (a `WebService`, or any `IWebBackend`). */
  readonly service: IWebBackend;
  /** Public host name (no scheme, no port). */
  readonly host: string;
  /** The Gateway listener the route attaches to; it terminates TLS for `host`. */
  readonly gateway: GatewayListenerRef;
  /**
   * Path of the WebSocket endpoint, without a trailing `/`: it and the paths below it get no
   * request timeout, since with Gateway API implementations (Envoy's route timeout) a request
   * timeout bounds an upgraded connection's whole life.
   * @default '/ws'
   */
  readonly webSocketPath?: string;
  /**
   * Gateway API duration (GEP-2257) each other request may take, from the gateway's first byte to
   * the backend's last; long enough for the largest upload over a slow link.
   * @default '5m'
   */
  readonly requestTimeout?: string;
  /**
   * The Gateway's data-plane pods: they alone are let through to the service's pods.
   * @default - pods labelled `gateway.networking.k8s.io/gateway-name: <gateway>` in the Gateway's
   * namespace, as GEP-1762 asks of implementations that deploy a data plane per Gateway
   */
  readonly dataPlane?: GatewayDataPlanePods;
  /** Annotations of the HTTPRoute. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** GEP-2257's duration, as the v1.2.1 CRDs pattern it. */
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const EXACT_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;
/** The label GEP-1762 has implementations put on a Gateway's generated resources. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * A Gateway API HTTPRoute (gateway.networking.k8s.io/v1) for one host in front of a web backend:
 * every path to the service, the WebSocket path without a request timeout. TLS is the Gateway
 * listener's. It also opens the network path from the Gateway's data-plane pods to the service's
 * pods, the only way the route's traffic arrives.
 *
 * Gateway API has no portable request-body limit: the backend's own limit (the frontend nginx's
 * `client_max_body_size`) enforces it, and an implementation's policy may add one in front.
 */
export class WebRoute extends Construct {
  public readonly route: HttpRoute;
  public readonly host: string;
  public readonly dataPlane: GatewayDataPlanePods;

  constructor(scope: Construct, id: string, props: WebRouteProps) {
    super(scope, id);
    const svc = props.service;
    const fail = failFor('WebRoute', svc.name);
    const wsPath = props.webSocketPath ?? '/ws';
    const requestTimeout = props.requestTimeout ?? '5m';
    const hostProblem = hostNameProblem(props.host);
    if (hostProblem !== undefined) fail('host', props.host, hostProblem);
    const nameProblem = dns1123SubdomainProblem(props.gateway.name);
    if (nameProblem !== undefined) fail('gateway.name', props.gateway.name, nameProblem);
    if (props.gateway.namespace !== undefined) {
      const problem = dns1123LabelProblem(props.gateway.namespace);
      if (problem !== undefined) fail('gateway.namespace', props.gateway.namespace, problem);
    }
    if (props.gateway.sectionName !== undefined) {
      const problem = dns1123SubdomainProblem(props.gateway.sectionName);
      if (problem !== undefined) fail('gateway.sectionName', props.gateway.sectionName, problem);
    }
    if (!EXACT_PATH.test(wsPath)) fail('webSocketPath', wsPath, 'an absolute URL path without a trailing "/", e.g. "/ws"');
    if (!GATEWAY_DURATION.test(requestTimeout) || /^(0+(h|m|s|ms))+$/.test(requestTimeout)) {
      fail('requestTimeout', requestTimeout, 'a non-zero Gateway API duration: up to four <1-5 digits><h|m|s|ms> parts, e.g. "5m" or "1m30s"');
    }

    this.host = props.host;
    const gatewayNamespace = props.gateway.namespace ?? svc.namespace;
    const backendRefs = [{ name: svc.name, port: svc.port }];
    const prefix = (value: string) => [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value } }];
    this.route = new HttpRoute(this, 'HTTPRoute', {
      metadata: {
        name: svc.name,
        namespace: svc.namespace,
        labels: { ...svc.labels.all },
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: props.gateway.name,
            ...(props.gateway.namespace !== undefined ? { namespace: props.gateway.namespace } : {}),
            ...(props.gateway.sectionName !== undefined ? { sectionName: props.gateway.sectionName } : {}),
          },
        ],
        hostnames: [props.host],
        rules: [
          {
            // A PathPrefix matches whole path elements: /ws and /ws/…, never /wsx.
            matches: prefix(wsPath),
            backendRefs,
            // "0s" disables the timeout (Gateway API v1.2 HTTPRouteTimeouts): a socket lives as
            // long as it is used, its silences bounded by the implementation's idle timeout.
            timeouts: { request: '0s', backendRequest: '0s' },
          },
          { matches: prefix('/'), backendRefs, timeouts: { request: requestTimeout } },
        ],
      },
    });
    this.dataPlane = props.dataPlane ?? { namespace: gatewayNamespace, podLabels: { [GATEWAY_NAME_LABEL]: props.gateway.name } };
    allowIngress(svc, 'gateway', [namespacePods(this.dataPlane)]);
  }
}
