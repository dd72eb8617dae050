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
  /** `app.kubernetes.io/part-of`: the larger system this workload belongs to. */
  readonly partOf: string;
  /** `app.kubernetes.io/version`: the running version, usually the image tag. */
  readonly version?: string;
  /**
   * `app.kubernetes.io/managed-by`.
   * @default 'cdk8s'
   */
  readonly managedBy?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export class RecommendedLabels {
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
      'app.kubernetes.io/part-of': props.partOf,
      ...(props.version !== undefined ? { 'app.kubernetes.io/version': props.version } : {}),
      'app.kubernetes.io/managed-by': props.managedBy ?? 'cdk8s',
    };
    for (const [key, value] of Object.entries(all)) {
      if (value.length > 63 || !LABEL_VALUE.test(value)) {
        throw new Error(
          `label ${key}: "${value}" is not a valid label value; allowed: at most 63 characters, ` +
            'alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric',
        );
      }
    }
    this.selector = selector;
    this.all = all;
  }
}
