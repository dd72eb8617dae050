import { Construct } from 'constructs';
import { KubeLimitRange, KubeNamespace } from '../imports/k8s';
import { dns1123LabelProblem } from '../lib/predicates/dns-names';
import { invalidValue } from '../lib/predicates/invalid-value';
import { clusterScoped } from './chart-namespace';
import { ContainerResourcesProps, quantities } from './container-spec';

export interface RestrictedNamespaceProps {
  /** Namespace name (a DNS-1123 label). */
  readonly name: string;
  /** Labels of the Namespace and its LimitRange, besides the Pod Security ones and the chart's own. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Annotations of the Namespace, e.g. the sync options that keep a GitOps controller from
   * deleting it (and everything in it) on its own.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /**
   * Pod Security Standards version the admission controller enforces. Pinned, so a cluster
   * upgrade does not tighten the rules under running workloads unannounced.
   * @default 'v1.28'
   */
  readonly podSecurityVersion?: string;
  /**
   * Requests and limits given to a container that declares none, so nothing runs unbounded.
   * @default requests 50m / 64Mi, limits 500m / 256Mi
   */
  readonly containerDefaults?: ContainerResourcesProps;
}

/**
 * A Namespace that admits only pods meeting the `restricted` Pod Security Standard (enforced,
 * audited and warned), with a LimitRange giving defaults to containers that set no resources.
 */
export class RestrictedNamespace extends Construct {
  public readonly name: string;
  public readonly namespace: KubeNamespace;
  public readonly limitRange: KubeLimitRange;

  constructor(scope: Construct, id: string, props: RestrictedNamespaceProps) {
    super(scope, id);
    const nameProblem = dns1123LabelProblem(props.name);
    if (nameProblem !== undefined) throw new Error(`RestrictedNamespace: ${invalidValue('name', props.name, nameProblem)}`);
    this.name = props.name;
    const version = props.podSecurityVersion ?? 'v1.28';
    const podSecurity: Record<string, string> = {};
    for (const mode of ['enforce', 'audit', 'warn']) {
      podSecurity[`pod-security.kubernetes.io/${mode}`] = 'restricted';
      podSecurity[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    this.namespace = clusterScoped(new KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.name,
        labels: { ...(props.labels ?? {}), ...podSecurity },
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
    }));

    const defaults = props.containerDefaults ?? {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    };
    this.limitRange = new KubeLimitRange(this, 'LimitRange', {
      metadata: { name: 'container-defaults', namespace: props.name, labels: props.labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: quantities(defaults.requests),
            default: quantities(defaults.limits),
          },
        ],
      },
    });
  }
}
