import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Environment } from '../lib/environment/environment';

/** `app.kubernetes.io/part-of` of every object of the platform. */
export const PART_OF = 'chat-platform';

/**
 * The labels every object of the platform carries, given to each chart so cdk8s puts them on all
 * its objects; workloads copy them onto their pod templates through `RecommendedLabels.of`.
 */
export const PLATFORM_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/part-of': PART_OF,
  'app.kubernetes.io/managed-by': 'cdk8s',
};

export interface ComponentChartProps {
  readonly environment: Environment;
}

/**
 * One deployable component of one environment. Its objects land together in
 * `gitops/envs/<environment>/<component>/`, the folder one Argo CD Application syncs, and in the
 * environment's namespace (cluster-scoped ones aside), labelled with `PLATFORM_LABELS`.
 */
export abstract class ComponentChart extends Chart {
  /**
   * Whether a construct is a component chart. By prototype: cdk8s makes `instanceof` of any Chart
   * subclass true for every chart.
   */
  public static isComponentChart(x: object): x is ComponentChart {
    return Object.prototype.isPrototypeOf.call(ComponentChart.prototype, x);
  }

  public readonly environment: Environment;

  constructor(scope: Construct, public readonly component: string, props: ComponentChartProps) {
    super(scope, `${props.environment.name}-${component}`, {
      disableResourceNameHashes: true,
      namespace: props.environment.namespace,
      labels: { ...PLATFORM_LABELS },
    });
    this.environment = props.environment;
  }
}
