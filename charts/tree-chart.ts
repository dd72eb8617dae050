import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

export interface TreeChartProps {
  /**
   * Folder of the gitops tree the chart's objects are written to, relative to the tree's root:
   * lowercase DNS-style segments separated by "/", e.g. `bootstrap` or `apps/dev`.
   */
  readonly treePath: string;
  /** The files the chart's objects are made from, named in each file's provenance header. */
  readonly sources: readonly string[];
}

const SEGMENT = /^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/;

/**
 * A chart whose objects land together in one folder of the gitops tree other than
 * `envs/<env>/<component>/` (where component charts go): Argo CD's own objects in `bootstrap/` and
 * `apps/<env>/`.
 */
export abstract class TreeChart extends Chart {
  public readonly treePath: string;
  public readonly sources: readonly string[];

  constructor(scope: Construct, id: string, props: TreeChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const segments = props.treePath.split('/');
    if (segments[0] === 'envs' || !segments.every((s) => SEGMENT.test(s))) {
      throw new Error(
        `treePath: "${props.treePath}" is not allowed; allowed: "/"-separated lowercase segments of letters, digits, "-" and ".", ` +
          'outside envs/ (which belongs to component charts)',
      );
    }
    if (props.sources.length === 0) throw new Error('sources: [] is not allowed; allowed: at least one file the objects come from');
    this.treePath = props.treePath;
    this.sources = props.sources;
  }
}
