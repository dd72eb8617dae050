import { Construct } from 'constructs';
import { KubePriorityClass } from '../imports/k8s';
import { clusterScoped } from '../constructs/chart-namespace';
import { NetworkBaseline } from '../constructs/network-baseline';
import { RecommendedLabels } from '../constructs/recommended-labels';
import { RestrictedNamespace } from '../constructs/restricted-namespace';
import { PROTECTED_FROM_DELETION } from '../lib/tree/deletion';
import { externalAnnotation } from '../lib/tree/annotations';
import { ComponentChart, ComponentChartProps } from './component-chart';

/**
 * What every component of an environment stands on: its namespace (restricted Pod Security,
 * container defaults) and the PriorityClass of its pods.
 */
export class PlatformChart extends ComponentChart {
  public readonly restrictedNamespace: RestrictedNamespace;
  /**
   * Annotations a workload carries to declare the objects it uses that are created out of band,
   * never in git (the registry pull Secret).
   */
  public readonly externalObjects: Record<string, string>;
  /** Name of the PriorityClass the environment's workloads run with. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, props: ComponentChartProps) {
    super(scope, 'platform', props);
    const env = props.environment;
    const labels = RecommendedLabels.of(this, { name: 'platform', component: 'platform' }).all;
    // Deleting the namespace deletes everything in it, the Kafka volumes and the out-of-band
    // Secrets included: never Argo CD's decision alone.
    this.restrictedNamespace = new RestrictedNamespace(this, 'Namespace', {
      name: env.namespace,
      labels,
      annotations: { ...PROTECTED_FROM_DELETION },
    });
    new NetworkBaseline(this, 'Network', { labels });
    // Cluster-scoped: the environment's namespace in the name keeps environments that share a
    // cluster from overwriting each other's class.
    this.priorityClassName = `${env.namespace}-workloads`;
    this.externalObjects = {
      [externalAnnotation('Secret', env.imagePullSecret)]: 'registry pull secret, created out of band in the namespace (README: "Image pull secret")',
    };
    clusterScoped(new KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.priorityClassName, labels },
      value: env.priority,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Workloads of the ${env.name} chat platform`,
    }));
  }
}
