import { podSpecPath } from '../tree/pod-templates';
import { Workload } from './workloads';


/** A container of a workload's pod, with the path of its field: `spec.template.spec.containers[0]`. */
export interface ContainerEntry {
  readonly container: Record<string, any>;
  readonly path: string;
  /** An init container (`initContainers[i]`), which runs to completion before the others start. */
  readonly init: boolean;
}

/** Every container of a workload (init containers first), each with its field path. */
export function containerEntries(w: Workload): ContainerEntry[] {
  const base = podSpecPath(w.kind);
  return (['initContainers', 'containers'] as const).flatMap((field) =>
    ((w.podSpec[field] ?? []) as Record<string, any>[]).map((container, i) => ({ container, path: `${base}.${field}[${i}]`, init: field === 'initContainers' })),
  );
}

/**
 * Whether container ports declare a port reference: a string names a port (`ports[].name`), a
 * number is a `containerPort`. Services' `targetPort`s and probes resolve a port the same way.
 */
export function declaresPort(ports: readonly Record<string, any>[] | undefined, target: unknown): boolean {
  return (ports ?? []).some((p) => (typeof target === 'string' ? p.name === target : p.containerPort === target));
}
