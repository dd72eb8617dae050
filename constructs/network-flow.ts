import { IpBlock, KubeNetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from '../imports/k8s';
import { invalidValue } from '../lib/predicates/invalid-value';
import { NetworkPeer, peerPods } from './network-peer';

/** The two policies of one allowed flow between workloads, each in its owner's scope. */
export interface Flow {
  /** `<to>-from-<from>`, in the target's scope and namespace. */
  readonly ingress: KubeNetworkPolicy;
  /** `<from>-to-<to>`, in the source's scope and namespace. */
  readonly egress: KubeNetworkPolicy;
}

/**
 * Lets `from`'s pods open connections to `to`'s pods: the Ingress policy `<to>-from-<from>` in the
 * target's scope and the Egress policy `<from>-to-<to>` in the source's scope. Under a default
 * deny both sides are needed; writing them together keeps them from drifting apart.
 *
 * @param ports the target's ports the flow opens; @default - every port `to` serves (`to.podPorts`)
 */
export function allowFlow(from: NetworkPeer, to: NetworkPeer, ports: readonly NetworkPolicyPort[] = to.podPorts): Flow {
  return {
    ingress: allowIngress(to, from.name, [peerPods(from, to.namespace)], ports, `AllowFrom-${from.node.addr}`),
    egress: policy(from, `AllowTo-${to.node.addr}`, `${from.name}-to-${to.name}`, { egress: [{ to: [peerPods(to, from.namespace)], ports: [...ports] }] }),
  };
}

/**
 * Lets the given sources (pods of another namespace, address ranges) reach `to`'s pods: the
 * Ingress policy `<to>-from-<source>` in the target's scope. For sources that are no
 * `NetworkPeer`, whose side of the flow is not ours to write.
 *
 * @param source names the policy and its construct, e.g. `ingress-controller`
 * @param ports @default - every port `to` serves (`to.podPorts`)
 */
export function allowIngress(
  to: NetworkPeer,
  source: string,
  from: readonly NetworkPolicyPeer[],
  ports: readonly NetworkPolicyPort[] = to.podPorts,
  id = `AllowFrom-${source}`,
): KubeNetworkPolicy {
  if (ports.length === 0) throw new Error(`"${to.name}" serves no port: ${invalidValue('ports', ports, 'at least one port the flow opens')}`);
  return policy(to, id, `${to.name}-from-${source}`, { ingress: [{ from: [...from], ports: [...ports] }] });
}

/** Something reached by address rather than by pod selector: outside the cluster, or not ours. */
export interface AddressTarget {
  /** Names the policy (`<from>-to-<name>`) and its construct. */
  readonly name: string;
  /** Address ranges it may be at. @default - any address */
  readonly addresses?: readonly IpBlock[];
  /** Its ports the flow opens. */
  readonly ports: readonly NetworkPolicyPort[];
}

/**
 * Lets `from`'s pods open connections to an address-based target on its ports: the Egress policy
 * `<from>-to-<target>` in the source's scope (the target's side is outside the cluster's policies).
 */
export function allowEgress(from: NetworkPeer, to: AddressTarget): KubeNetworkPolicy {
  const ports = [...to.ports];
  return policy(from, `AllowTo-${to.name}`, `${from.name}-to-${to.name}`, {
    egress: [to.addresses ? { to: to.addresses.map((ipBlock) => ({ ipBlock: { ...ipBlock } })), ports } : { ports }],
  });
}

/** One direction's policy about `owner`'s pods, in its scope. */
function policy(
  owner: NetworkPeer,
  id: string,
  name: string,
  rules: { readonly ingress: NetworkPolicyIngressRule[] } | { readonly egress: NetworkPolicyEgressRule[] },
): KubeNetworkPolicy {
  return new KubeNetworkPolicy(owner, id, {
    metadata: { name, namespace: owner.namespace, labels: { ...owner.labels.all } },
    spec: {
      podSelector: { matchLabels: { ...owner.labels.selector } },
      policyTypes: ['ingress' in rules ? 'Ingress' : 'Egress'],
      ...rules,
    },
  });
}
