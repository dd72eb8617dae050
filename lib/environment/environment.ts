/**
 * The values of one environment, as read from `environments/<name>.yaml` and validated.
 * Everything the charts need that differs between environments lives here; everything else is a
 * construct default.
 */
export interface Environment {
  /** Environment name; equals the file's base name (`dev` for `environments/dev.yaml`). */
  readonly name: string;
  /** Path of the file this environment was read from, relative to the project root. */
  readonly file: string;
  /** Kubernetes namespace every namespaced resource of this environment lives in. */
  readonly namespace: string;
  /** The cluster Argo CD deploys this environment to. */
  readonly cluster: ClusterTarget;
  /** Public host name the platform is served on (no scheme, no path). */
  readonly host: string;
  /**
   * Name of the `kubernetes.io/dockerconfigjson` Secret that pulls from the private registry.
   * It is created out of band in the namespace; it is never in git.
   */
  readonly imagePullSecret: string;
  /** Value of the PriorityClass given to the platform's pods in this environment. */
  readonly priority: number;
  /** The stateless components, keyed by component name. */
  readonly components: {
    readonly backend: ComponentSettings;
    readonly frontend: ComponentSettings;
  };
}

export interface ClusterTarget {
  /** Argo CD destination server URL, e.g. `https://kubernetes.default.svc`. */
  readonly server: string;
  /** A readable cluster name (Argo CD's destination name). */
  readonly name: string;
}

export interface ComponentSettings {
  /** Container image: registry path with a tag or a digest (`:latest` and untagged are refused). */
  readonly image: string;
  readonly replicas: { readonly min: number; readonly max: number };
  /** Average CPU utilization (percent of requests) the HorizontalPodAutoscaler aims for. */
  readonly cpuTargetPercent: number;
  readonly resources: {
    readonly requests: ResourceQuantities;
    readonly limits: ResourceQuantities;
  };
}

export interface ResourceQuantities {
  /** Kubernetes CPU quantity, e.g. `250m` or `1`. */
  readonly cpu: string;
  /** Kubernetes memory quantity, e.g. `512Mi`. */
  readonly memory: string;
}
