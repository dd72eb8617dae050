import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Environment } from '../lib/environment/environment';

/** The labels every object of the platform carries. */
export const PART_OF = 'chat-platform';

export interface ComponentChartProps {
  readonly environment: Environment;
}

/**
 * One deployable component of one environment. Its objects land together in
 * `gitops/envs/<environment>/<component>/`, the folder one Argo CD Application syncs.
 */
export abstract class ComponentChart extends Chart {
  public readonly environment: Environment;

  constructor(scope: Construct, public readonly component: string, props: ComponentChartProps) {
    super(scope, `${props.environment.name}-${component}`, { disableResourceNameHashes: true });
    this.environment = props.environment;
  }
}
