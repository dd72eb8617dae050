import { Construct, IConstruct } from 'constructs';
import { IntOrString, LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from '../imports/k8s';
import { dns1123LabelProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { labelKeyProblem } from '../lib/predicates/label-key';
import { labelValueProblem } from '../lib/predicates/label-value';
import { chartNamespace } from './chart-namespace';

/**
 * A workload as NetworkPolicies see it: what names its pods (namespace and stable selector
 * labels), the ports they accept connections on, and a scope to hold the policies about it, so
 * each policy lands beside the workload's other objects.
 *
 * `WebService`, `KafkaCluster`, `KafkaTopics` and `ExternalPods` are peers; so is any construct
 * exposing these members. `allowFlow` (constructs/network-flow.ts) lets one peer reach another.
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

export interface ExternalPodsProps {
  /** Names the policies about the pods (`<name>-from-<source>`): a DNS-1123 label. */
  readonly name: string;
  /** Labels the pods carry, which the policies select them by: at least one. */
  readonly podLabels: Record<string, string>;
  /** The ports the pods accept connections on. */
  readonly ports: readonly NetworkPolicyPort[];
  /** Labels of the policies about the pods, besides the chart's own. @default - the chart's labels only */
  readonly labels?: Record<string, string>;
}

/**
 * Pods that something outside the tree creates in the chart's namespace (a controller's
 * short-lived pods), known by their labels and ports only: a `NetworkPeer`, so the namespace's
 * policies can let traffic reach them. The tree holds no workload matching them, so a policy
 * about them selects no pods until the controller creates some.
 */
export class ExternalPods extends Construct implements NetworkPeer {
  public readonly name: string;
  public readonly namespace: string;
  public readonly labels: { readonly selector: Readonly<Record<string, string>>; readonly all: Readonly<Record<string, string>> };
  public readonly podPorts: readonly NetworkPolicyPort[];

  constructor(scope: Construct, id: string, props: ExternalPodsProps) {
    super(scope, id);
    const fail = failFor('ExternalPods', props.name);
    const nameProblem = dns1123LabelProblem(props.name);
    if (nameProblem !== undefined) fail('name', props.name, nameProblem);
    const entries = Object.entries(props.podLabels);
    // An empty selector would select every pod of the namespace, not the controller's.
    if (entries.length === 0) fail('podLabels', props.podLabels, 'at least one label the pods carry ({} would select every pod of the namespace)');
    for (const [key, value] of entries) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem !== undefined) fail(`podLabels[${JSON.stringify(key)}]`, key, keyProblem);
      const valueProblem = labelValueProblem(value);
      if (valueProblem !== undefined) fail(`podLabels[${JSON.stringify(key)}]`, value, valueProblem);
    }
    if (props.ports.length === 0) fail('ports', props.ports, 'at least one port the pods accept connections on');
    this.name = props.name;
    this.namespace = chartNamespace(this, `ExternalPods "${props.name}"`);
    this.labels = { selector: { ...props.podLabels }, all: { ...(props.labels ?? {}) } };
    this.podPorts = [...props.ports];
  }
}
