import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy } from '../imports/k8s';

export interface NetworkBaselineProps {
  /** Namespace the policies apply to. */
  readonly namespace: string;
  /** Labels of the policies. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Pods of the cluster DNS service, which every pod may query on port 53.
   * @default kube-dns pods (`k8s-app: kube-dns`) in `kube-system`
   */
  readonly dns?: { readonly namespace: string; readonly podLabels: Record<string, string> };
}

/**
 * Zero trust inside a namespace: all ingress and egress of every pod denied unless another
 * NetworkPolicy allows it, except DNS look-ups.
 */
export class NetworkBaseline extends Construct {
  public readonly defaultDeny: KubeNetworkPolicy;
  public readonly allowDns: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: NetworkBaselineProps) {
    super(scope, id);
    const dns = props.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    const metadata = (name: string) => ({ name, namespace: props.namespace, ...(props.labels ? { labels: props.labels } : {}) });
    this.defaultDeny = new KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny-all'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    this.allowDns = new KubeNetworkPolicy(this, 'AllowDns', {
      metadata: metadata('allow-dns-egress'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': dns.namespace } },
                podSelector: { matchLabels: dns.podLabels },
              },
            ],
            ports: ['UDP', 'TCP'].map((protocol) => ({ protocol, port: IntOrString.fromNumber(53) })),
          },
        ],
      },
    });
  }
}
