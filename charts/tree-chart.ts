import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { PLATFORM_LABELS } from './component-chart';
import { failFor } from '../lib/predicates/invalid-value';

export interface TreeChartProps {
  /**
   * Folder of the gitops tree the chart's objects are written to, relative to the tree's root:
   * lowercase DNS-style segments separated by "/", e.g. `bootstrap` or `apps/dev`.
   */
  readonly treePath: string;
  /** The files the chart's objects are made from, named in each file's provenance header. */
  readonly sources: readonly string[];
}

/**
 * A chart whose objects land together in one folder of the gitops tree other than
 * `envs/<env>/<component>/` (where component charts go): Argo CD's own objects in `bootstrap/` and
 * `apps/<env>/`. Every object is labelled with `PLATFORM_LABELS`; the namespace is each object's
 * own (Argo CD's, as its constructs take it).
 */
export abstract class TreeChart extends Chart {
  /** Whether a construct is a tree chart (by prototype, as {@link ComponentChart.isComponentChart}). */
  public static isTreeChart(x: object): x is TreeChart {
    return Object.prototype.isPrototypeOf.call(TreeChart.prototype, x);
  }

  public readonly treePath: string;
  public readonly sources: readonly string[];

  constructor(scope: Construct, id: string, props: TreeChartProps) {
    super(scope, id, { disableResourceNameHashes: true, labels: { ...PLATFORM_LABELS } });
    const segments = props.treePath.split('/');
    const fail = failFor('TreeChart', id);
    if (segments[0] === 'envs' || !segments.every((s) => dns1123SubdomainProblem(s) === undefined)) {
      fail('treePath', props.treePath, '"/"-separated lowercase segments of letters, digits, "-" and ".", outside envs/ (which belongs to component charts)');
    }
    if (props.sources.length === 0) fail('sources', props.sources, 'at least one file the objects come from');
    this.treePath = props.treePath;
    this.sources = props.sources;
  }
}
