import { App, Chart, Testing } from 'cdk8s';

/**
 * A chart as the component charts make them: its objects land in `namespace` and carry the
 * system's `part-of` and `managed-by` labels.
 */
export function testChart(namespace = 'shop', options: { readonly app?: App; readonly id?: string; readonly partOf?: string } = {}): Chart {
  return new Chart(options.app ?? Testing.app(), options.id ?? 'test', {
    namespace,
    labels: { 'app.kubernetes.io/part-of': options.partOf ?? 'shop', 'app.kubernetes.io/managed-by': 'cdk8s' },
  });
}
