import { Construct } from 'constructs';
import { KubePriorityClass } from '../imports/k8s';
import { RestrictedNamespace } from '../constructs/restricted-namespace';
import { ComponentChart, ComponentChartProps, PART_OF } from './component-chart';

/**
 * What every component of an environment stands on: its namespace (restricted Pod Security,
 * container defaults) and the PriorityClass of its pods.
 */
export class PlatformChart extends ComponentChart {
  public readonly namespace: RestrictedNamespace;
  /** Name of the PriorityClass the environment's workloads run with. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, props: ComponentChartProps) {
    super(scope, 'platform', props);
    const env = props.environment;
    const labels = { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/managed-by': 'cdk8s' };
    this.namespace = new RestrictedNamespace(this, 'Namespace', { name: env.namespace, labels });
    // Cluster-scoped: the environment's namespace in the name keeps environments that share a
    // cluster from overwriting each other's class.
    this.priorityClassName = `${env.namespace}-workloads`;
    new KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.priorityClassName, labels },
      value: env.priority,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Workloads of the ${env.name} chat platform`,
    });
  }
}
