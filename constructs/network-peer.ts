import { IConstruct } from 'constructs';
import { LabelSelector, NetworkPolicyPeer } from '../imports/k8s';

/**
 * A construct whose pods open connections to another workload: what a NetworkPolicy needs to
 * name them (namespace and stable selector labels), and a scope to hold the policy that lets them
 * out, so that policy lands beside the peer's other objects.
 *
 * `WebService` is one; so is any construct exposing these members.
 */
export interface NetworkPeer extends IConstruct {
  /** The workload's name; policies allowing it are named after it. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: {
    /** Labels selecting the workload's pods; stable for its lifetime. */
    readonly selector: Readonly<Record<string, string>>;
    /** Labels put on the objects created in the peer's scope. */
    readonly all: Readonly<Record<string, string>>;
  };
}

/** The pod selector of `peer`'s pods, as seen from a policy in namespace `from`. */
export function peerPods(peer: { readonly namespace: string; readonly labels: { readonly selector: Readonly<Record<string, string>> } }, from: string): NetworkPolicyPeer {
  const podSelector: LabelSelector = { matchLabels: { ...peer.labels.selector } };
  return peer.namespace === from
    ? { podSelector }
    : { podSelector, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } } };
}
