import { Construct } from 'constructs';
import { IntOrString, KubeService } from '../imports/k8s';
import {
  acmCertificateArnProblem,
  AWS_LB_BACKEND_PROTOCOL,
  AWS_LB_PROXY_PROTOCOL,
  AWS_LB_SSL_CERT,
  AWS_LB_SSL_PORTS,
  TLS_LOAD_BALANCER_ANNOTATIONS,
} from '../lib/predicates/aws-load-balancer';
import { dns1123LabelProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { portProblem } from '../lib/predicates/port';
import { allowIngress } from './network-flow';
import { tcpPorts } from './network-peer';
import { IWebBackend } from './web-backend';

/**
 * Sources of load-balancer traffic: any address. With `externalTrafficPolicy: Local` the pods see
 * the client's address (or the load balancer's), so the policy must not be narrower than the
 * published port, or it silently drops connections.
 */
const ANY_ADDRESS = ['0.0.0.0/0', '::/0'];

export interface TlsLoadBalancerProps {
  /** The workload whose pods receive the traffic (a `WebService`, or any `IWebBackend`): its selector and labels are used. */
  readonly target: IWebBackend;
  /**
   * Container port the load balancer sends decrypted traffic to: a listener that reports every
   * request as HTTPS and believes no forwarded header (`ReverseProxy`'s `tlsOffloadListener`).
   * Never the port the Ingress or Gateway uses, where forwarded headers are believed.
   */
  readonly targetPort: number;
  /** ARN of the ACM certificate the load balancer terminates TLS with. */
  readonly certificateArn: string;
  /**
   * Whether the load balancer sends PROXY protocol to the pods (they must expect it).
   * @default false
   */
  readonly proxyProtocol?: boolean;
  /**
   * The one port published, TLS only.
   * @default 443
   */
  readonly port?: number;
  /** Name of the Service. @default `<target>-lb` */
  readonly name?: string;
  /** Further annotations of the Service (e.g. `…/aws-load-balancer-type`). @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A `LoadBalancer` Service that publishes one TLS port and nothing in plain HTTP, the certificate
 * and listener set through the AWS annotations that both the in-tree cloud provider
 * (kubernetes/cloud-provider-aws, classic ELB) and the AWS Load Balancer Controller (NLB) read:
 * `ssl-cert` and `ssl-ports` make the port a TLS listener, `backend-protocol: tcp` keeps it layer 4
 * (a classic ELB's HTTP listeners would not carry WebSockets), `proxy-protocol: "*"` adds PROXY
 * protocol. It also opens the network path from any address to the target port, and only to it.
 */
export class TlsLoadBalancer extends Construct {
  public readonly service: KubeService;
  public readonly name: string;
  public readonly port: number;

  constructor(scope: Construct, id: string, props: TlsLoadBalancerProps) {
    super(scope, id);
    const target = props.target;
    this.name = props.name ?? `${target.name}-lb`;
    this.port = props.port ?? 443;
    const fail = failFor('TlsLoadBalancer', this.name);
    const nameProblem = dns1123LabelProblem(this.name);
    if (nameProblem !== undefined) fail('name', this.name, nameProblem);
    for (const [field, port] of [['port', this.port], ['targetPort', props.targetPort]] as const) {
      const problem = portProblem(port);
      if (problem !== undefined) fail(field, port, problem);
    }
    const arnProblem = acmCertificateArnProblem(props.certificateArn);
    if (arnProblem !== undefined) fail('certificateArn', props.certificateArn, arnProblem);
    for (const key of Object.keys(props.annotations ?? {})) {
      if (TLS_LOAD_BALANCER_ANNOTATIONS.includes(key)) fail(`annotations["${key}"]`, props.annotations![key], 'unset: this construct writes it');
    }

    this.service = new KubeService(this, 'Service', {
      metadata: {
        name: this.name,
        namespace: target.namespace,
        labels: { ...target.labels.all },
        annotations: {
          ...(props.annotations ?? {}),
          [AWS_LB_SSL_CERT]: props.certificateArn,
          [AWS_LB_SSL_PORTS]: String(this.port),
          [AWS_LB_BACKEND_PROTOCOL]: 'tcp',
          ...(props.proxyProtocol ? { [AWS_LB_PROXY_PROTOCOL]: '*' } : {}),
        },
      },
      spec: {
        type: 'LoadBalancer',
        // Only nodes running a target pod take load-balancer traffic, and the pod sees the
        // client's address where the load balancer keeps it, not a node's.
        externalTrafficPolicy: 'Local',
        selector: { ...target.labels.selector },
        ports: [{ name: 'https', port: this.port, targetPort: IntOrString.fromNumber(props.targetPort), protocol: 'TCP' }],
      },
    });
    allowIngress(target, 'load-balancer', ANY_ADDRESS.map((cidr) => ({ ipBlock: { cidr } })), tcpPorts(props.targetPort));
  }
}
