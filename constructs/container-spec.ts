import { Quantity, ResourceRequirements, SecurityContext } from '../imports/k8s';

/** CPU and memory of one container. */
export interface ResourceQuantitiesProps {
  /** Kubernetes CPU quantity, e.g. `250m`. */
  readonly cpu: string;
  /** Kubernetes memory quantity, e.g. `512Mi`. */
  readonly memory: string;
}

/** Requests and limits of one container. */
export interface ContainerResourcesProps {
  readonly requests: ResourceQuantitiesProps;
  readonly limits: ResourceQuantitiesProps;
}

/** CPU and memory as Kubernetes quantities. */
export function quantities(q: ResourceQuantitiesProps): { cpu: Quantity; memory: Quantity } {
  return { cpu: Quantity.fromString(q.cpu), memory: Quantity.fromString(q.memory) };
}

/** A container's `resources`: its requests and limits as Kubernetes quantities. */
export function containerResources(resources: ContainerResourcesProps): ResourceRequirements {
  return { requests: quantities(resources.requests), limits: quantities(resources.limits) };
}

/**
 * The container security context of the restricted Pod Security Standard, with a read-only root
 * file system: non-root, no privilege escalation, no capabilities, the runtime's seccomp profile.
 */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
