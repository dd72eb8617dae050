/**
 * The time a pod needs to stop, against the time Kubernetes gives it. The kubelet runs the
 * `preStop` hook, then sends the stop signal, and sends SIGKILL once
 * `terminationGracePeriodSeconds` have passed since the hook began, whatever is still running
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination). Every step
 * that may take up to a bounded time must fit in that period, with room to spare for the process
 * to exit after its last step.
 */

/** One step of a container's stop, with the longest it may take. */
export interface ShutdownStep {
  /** What the step is, as a message names it. */
  readonly name: string;
  /** The longest it may take, in whole seconds. */
  readonly seconds: number;
}

/** The longest the steps take together, in seconds. */
export function shutdownSeconds(steps: readonly ShutdownStep[]): number {
  return steps.reduce((sum, step) => sum + step.seconds, 0);
}

/**
 * Whether `graceSeconds` covers every step and `marginSeconds` more; what is allowed, or
 * `undefined`. The message lists the steps, so that a reader sees which one to shorten.
 */
export function terminationGraceProblem(graceSeconds: number, steps: readonly ShutdownStep[], marginSeconds: number): string | undefined {
  const bad = steps.find((s) => !Number.isInteger(s.seconds) || s.seconds < 0);
  if (bad) return `a whole number of seconds for each step (${bad.name}: ${bad.seconds})`;
  const needed = shutdownSeconds(steps) + marginSeconds;
  if (Number.isInteger(graceSeconds) && graceSeconds >= needed) return undefined;
  const parts = steps.map((s) => `${s.name} ${s.seconds} s`);
  return `an integer of at least ${needed}: ${[...parts, `${marginSeconds} s to exit`].join(' + ')}`;
}
