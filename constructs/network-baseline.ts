import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy } from '../imports/k8s';
import { chartNamespace } from './chart-namespace';

export interface NetworkBaselineProps {
  /** Labels of the policies, besides the chart's own. @default - the chart's labels only */
  readonly labels?: Record<string, string>;
  /**
   * Pods of the cluster DNS service, which every pod may query on port 53.
   * @default kube-dns pods (`k8s-app: kube-dns`) in `kube-system`
   */
  readonly dns?: { readonly namespace: string; readonly podLabels: Record<string, string> };
}

/**
 * Zero trust inside the chart's namespace: all ingress and egress of every pod denied unless
 * another NetworkPolicy allows it, except DNS look-ups.
 */
export class NetworkBaseline extends Construct {
  public readonly defaultDeny: KubeNetworkPolicy;
  public readonly allowDns: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: NetworkBaselineProps = {}) {
    super(scope, id);
    const dns = props.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    const namespace = chartNamespace(this, 'NetworkBaseline');
    const metadata = (name: string) => ({ name, namespace, ...(props.labels ? { labels: props.labels } : {}) });
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
