/** TCP and UDP ports. */

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
/** Below this a process needs CAP_NET_BIND_SERVICE, which a restricted pod does not have. */
export const MIN_UNPRIVILEGED_PORT = 1024;

/**
 * What a port allows, or `undefined` if `value` is one. `unprivileged` for a port a process binds
 * without privileges, i.e. a container that runs as non-root with every capability dropped.
 */
export function portProblem(value: unknown, options: { unprivileged?: boolean } = {}): string | undefined {
  const min = options.unprivileged ? MIN_UNPRIVILEGED_PORT : MIN_PORT;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_PORT) return undefined;
  return options.unprivileged ? `an integer from ${min} to ${MAX_PORT} (the process runs unprivileged)` : `an integer from ${min} to ${MAX_PORT}`;
}
