import { IConstruct } from 'constructs';
import { IntOrString, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../imports/k8s';

/**
 * A workload as NetworkPolicies see it: what names its pods (namespace and stable selector
 * labels), the ports they accept connections on, and a scope to hold the policies about it, so
 * each policy lands beside the workload's other objects.
 *
 * `WebService`, `KafkaCluster` and `KafkaTopics` are peers; so is any construct exposing these
 * members. `allowFlow` (constructs/network-flow.ts) lets one peer reach another.
 */
export interface NetworkPeer extends IConstruct {
  /** The workload's name; policies about it are named after it. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: {
    /** Labels selecting the workload's pods; stable for its lifetime. */
    readonly selector: Readonly<Record<string, string>>;
    /** Labels put on the objects created in the peer's scope. */
    readonly all: Readonly<Record<string, string>>;
  };
  /**
   * The ports its pods accept other workloads' connections on, as a policy names them: the pods'
   * own ports, not a Service's. Empty for a workload that serves nothing (a Job).
   */
  readonly podPorts: readonly NetworkPolicyPort[];
}

/** The pod selector of `peer`'s pods, as seen from a policy in namespace `from`. */
export function peerPods(peer: { readonly namespace: string; readonly labels: { readonly selector: Readonly<Record<string, string>> } }, from: string): NetworkPolicyPeer {
  const podSelector: LabelSelector = { matchLabels: { ...peer.labels.selector } };
  return peer.namespace === from
    ? { podSelector }
    : { podSelector, namespaceSelector: namespaceSelector(peer.namespace) };
}

/** Pods of another namespace, all of them or those carrying `podLabels`. */
export function namespacePods(from: { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> }): NetworkPolicyPeer {
  return {
    namespaceSelector: namespaceSelector(from.namespace),
    ...(from.podLabels ? { podSelector: { matchLabels: { ...from.podLabels } } } : {}),
  };
}

/** Kubernetes labels every Namespace with its own name, so a selector on it is exact. */
function namespaceSelector(namespace: string): LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
}

/** TCP on each of `ports`, as policy ports. */
export function tcpPorts(...ports: number[]): NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: IntOrString.fromNumber(port) }));
}
