import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidValue } from '../lib/predicates/invalid-value';

/**
 * The namespace of `scope`'s chart, which every namespaced object of the chart lands in (cdk8s puts
 * it on each object that names none).
 *
 * @param owner names the construct asking, in the error
 */
export function chartNamespace(scope: IConstruct, owner: string): string {
  const namespace = Chart.of(scope).namespace;
  if (namespace === undefined || namespace === '') {
    throw new Error(`${owner}: ${invalidValue('namespace of its chart', namespace, 'a Chart created with `namespace`, which its objects land in')}`);
  }
  return namespace;
}

/**
 * Keeps a cluster-scoped object (a Namespace, a PriorityClass) out of the chart's namespace,
 * which cdk8s otherwise gives every object of the chart.
 */
export function clusterScoped<T extends ApiObject>(object: T): T {
  if (object.metadata.namespace !== undefined) object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return object;
}
