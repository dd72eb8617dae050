import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, NetworkPolicyPeer } from '../imports/k8s';
import { ipFamily } from '../lib/predicates/cidr';
import { failFor } from '../lib/predicates/invalid-value';
import { chartNamespace } from './chart-namespace';

export interface NetworkBaselineProps {
  /** Labels of the policies, besides the chart's own. @default - the chart's labels only */
  readonly labels?: Record<string, string>;
  /**
   * Pods of the cluster DNS service, which every pod may query on port 53.
   * @default kube-dns pods (`k8s-app: kube-dns`) in `kube-system`
   */
  readonly dns?: { readonly namespace: string; readonly podLabels: Record<string, string> };
  /**
   * IP addresses of a node-local DNS cache (NodeLocal DNSCache, `169.254.20.10` in its manifests),
   * which pods may also query on port 53. The cache runs on every node in the host's network, so no
   * pod selector matches it: the rule names its addresses in `ipBlock`s, as the add-on's README
   * shows (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md, "Network policy and DNS
   * connectivity"). How an `ipBlock` treats an address the pod's own node serves is up to the
   * network plugin.
   * @default - none
   */
  readonly dnsCacheAddresses?: readonly string[];
}

/**
 * Zero trust inside the chart's namespace: all ingress and egress of every pod denied unless
 * another NetworkPolicy allows it, except DNS look-ups (to the cluster DNS pods, and to a node-local
 * cache where there is one).
 */
export class NetworkBaseline extends Construct {
  public readonly defaultDeny: KubeNetworkPolicy;
  public readonly allowDns: KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: NetworkBaselineProps = {}) {
    super(scope, id);
    const dns = props.dns ?? { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };
    const namespace = chartNamespace(this, 'NetworkBaseline');
    const fail = failFor('NetworkBaseline', namespace);
    const cacheBlocks: NetworkPolicyPeer[] = (props.dnsCacheAddresses ?? []).map((address, i) => {
      const family = ipFamily(address);
      if (family === 0) fail(`dnsCacheAddresses[${i}]`, address, 'an IPv4 or IPv6 address, without a prefix length');
      return { ipBlock: { cidr: `${address}/${family === 4 ? 32 : 128}` } };
    });
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
              ...cacheBlocks,
            ],
            ports: ['UDP', 'TCP'].map((protocol) => ({ protocol, port: IntOrString.fromNumber(53) })),
          },
        ],
      },
    });
  }
}
