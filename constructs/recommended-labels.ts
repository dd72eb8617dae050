import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidValue } from '../lib/predicates/invalid-value';
import { labelValueProblem } from '../lib/predicates/label-value';

/**
 * The Kubernetes recommended labels (`app.kubernetes.io/*`) of one workload, split into the
 * stable subset used in selectors and the full set put on every object.
 *
 * Selectors are immutable on a live Deployment or StatefulSet, so they carry only what never
 * changes for a workload's lifetime: its name and instance. Version and component live on the
 * objects but never in a selector.
 */
export interface RecommendedLabelsProps {
  /** `app.kubernetes.io/name`: the application's name. */
  readonly name: string;
  /**
   * `app.kubernetes.io/instance`: the workload's own name, unique within the namespace.
   * @default - same as `name`
   */
  readonly instance?: string;
  /** `app.kubernetes.io/component`, e.g. `server`, `web`, `broker`. */
  readonly component: string;
  /**
   * `app.kubernetes.io/part-of`: the larger system this workload belongs to.
   * @default - none; `RecommendedLabels.of` takes its chart's
   */
  readonly partOf?: string;
  /** `app.kubernetes.io/version`: the running version, usually the image tag. */
  readonly version?: string;
  /**
   * `app.kubernetes.io/managed-by`.
   * @default 'cdk8s'; `RecommendedLabels.of` takes its chart's
   */
  readonly managedBy?: string;
}

const PART_OF_LABEL = 'app.kubernetes.io/part-of';
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

export class RecommendedLabels {
  /**
   * The labels of a workload in `scope`, with `part-of` and `managed-by` taken from the chart's own
   * labels (the chart puts them on every object's metadata, but not on pod templates).
   */
  public static of(scope: IConstruct, props: Omit<RecommendedLabelsProps, 'partOf' | 'managedBy'>): RecommendedLabels {
    const chart = Chart.of(scope).labels;
    return new RecommendedLabels({ ...props, partOf: chart[PART_OF_LABEL], managedBy: chart[MANAGED_BY_LABEL] });
  }

  /** Labels that select this workload's pods. Stable for the workload's lifetime. */
  public readonly selector: Readonly<Record<string, string>>;
  /** Every recommended label, for metadata of all objects and the pod template. */
  public readonly all: Readonly<Record<string, string>>;

  constructor(props: RecommendedLabelsProps) {
    const selector: Record<string, string> = {
      'app.kubernetes.io/name': props.name,
      'app.kubernetes.io/instance': props.instance ?? props.name,
    };
    const all: Record<string, string> = {
      ...selector,
      'app.kubernetes.io/component': props.component,
      ...(props.partOf !== undefined ? { [PART_OF_LABEL]: props.partOf } : {}),
      ...(props.version !== undefined ? { 'app.kubernetes.io/version': props.version } : {}),
      [MANAGED_BY_LABEL]: props.managedBy ?? 'cdk8s',
    };
    for (const [key, value] of Object.entries(all)) {
      const problem = labelValueProblem(value);
      if (problem !== undefined) throw new Error(`RecommendedLabels: ${invalidValue(`label ${key}`, value, problem)}`);
    }
    this.selector = selector;
    this.all = all;
  }
}
