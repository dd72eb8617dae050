import { Construct } from 'constructs';
import { KubeIngress } from '../imports/k8s';
import { dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { allowIngress } from './network-flow';
import { namespacePods } from './network-peer';
import { IWebBackend } from './web-backend';

/** Pods of an ingress controller, by namespace and labels. */
export interface IngressControllerPods {
  readonly namespace: string;
  /** @default - every pod of the namespace */
  readonly podLabels?: Record<string, string>;
}

export interface WebIngressProps {
  /** The service every path of the host is routed to, on its Service port (a `WebService`, or any `IWebBackend`). */
  readonly service: IWebBackend;
  /** Public host name (no scheme, no port). */
  readonly host: string;
  /**
   * IngressClass of the controller serving it: an ingress-nginx class, since the annotations are
   * ingress-nginx's.
   * @default 'nginx'
   */
  readonly className?: string;
  /**
   * `kubernetes.io/tls` Secret holding the host's certificate, in the service's namespace. Plain
   * HTTP is redirected to HTTPS.
   */
  readonly tlsSecretName: string;
  /**
   * Largest request body the controller passes on, as nginx writes sizes (`20m`).
   * @default '1m' (ingress-nginx's own default)
   */
  readonly maxBodySize?: string;
  /**
   * Seconds a proxied connection may stay silent in either direction before the controller
   * closes it. Long, so WebSockets survive quiet periods; the pods' own proxy keeps plain HTTP
   * requests to its shorter timeouts.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * The controller's pods: they alone are let through to the service's pods.
   * @default - pods labelled `app.kubernetes.io/name: ingress-nginx` in namespace `ingress-nginx`
   */
  readonly controller?: IngressControllerPods;
  /** Further annotations of the Ingress. @default - none */
  readonly annotations?: Record<string, string>;
}

const NGINX_SIZE = /^[1-9][0-9]{0,5}[kKmMgG]?$/;
const INGRESS_NGINX = 'nginx.ingress.kubernetes.io';

/**
 * A TLS-only Ingress for one host in front of a web backend (a `WebService`), tuned for ingress-nginx: long idle
 * timeouts for WebSockets, an upload limit, HTTPS redirect. It also opens the network path from
 * the controller's pods to the service's pods, the only way the Ingress's traffic arrives.
 */
export class WebIngress extends Construct {
  public readonly ingress: KubeIngress;
  public readonly host: string;

  constructor(scope: Construct, id: string, props: WebIngressProps) {
    super(scope, id);
    const svc = props.service;
    const fail = failFor('WebIngress', svc.name);
    const className = props.className ?? 'nginx';
    const idleTimeout = props.idleTimeoutSeconds ?? 3600;
    for (const [field, value] of [['host', props.host], ['className', className], ['tlsSecretName', props.tlsSecretName]] as const) {
      const problem = dns1123SubdomainProblem(value);
      if (problem !== undefined) fail(field, value, problem);
    }
    if (props.maxBodySize !== undefined && !NGINX_SIZE.test(props.maxBodySize)) {
      fail('maxBodySize', props.maxBodySize, 'an nginx size: a positive number of bytes with an optional k, m or g suffix, e.g. "10m"');
    }
    if (!Number.isInteger(idleTimeout) || idleTimeout < 1 || idleTimeout > 86400) fail('idleTimeoutSeconds', idleTimeout, 'an integer from 1 to 86400');

    this.host = props.host;
    const annotations: Record<string, string> = {
      [`${INGRESS_NGINX}/ssl-redirect`]: 'true',
      [`${INGRESS_NGINX}/proxy-read-timeout`]: String(idleTimeout),
      [`${INGRESS_NGINX}/proxy-send-timeout`]: String(idleTimeout),
      ...(props.maxBodySize !== undefined ? { [`${INGRESS_NGINX}/proxy-body-size`]: props.maxBodySize } : {}),
      ...(props.annotations ?? {}),
    };
    this.ingress = new KubeIngress(this, 'Ingress', {
      metadata: { name: svc.name, namespace: svc.namespace, labels: { ...svc.labels.all }, annotations },
      spec: {
        ingressClassName: className,
        tls: [{ hosts: [props.host], secretName: props.tlsSecretName }],
        rules: [
          {
            host: props.host,
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: svc.name, port: { number: svc.port } } } }],
            },
          },
        ],
      },
    });
    const controller = props.controller ?? { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
    allowIngress(svc, 'ingress-controller', [namespacePods(controller)]);
  }
}
