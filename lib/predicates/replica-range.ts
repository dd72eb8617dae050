/** A workload's replica range, as an autoscaler takes it: a floor of at least one, not above the ceiling. */

/**
 * What the minimum of a replica range allows, or `undefined` if `min` fits under `max`; `maxField`
 * names the ceiling as the caller's reader knows it (`replicas.max`, `components.backend.replicas.max`).
 */
export function minReplicasProblem(min: unknown, max: number, maxField: string): string | undefined {
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) return 'an integer ≥ 1';
  return min > max ? `at most ${maxField} (${max})` : undefined;
}
