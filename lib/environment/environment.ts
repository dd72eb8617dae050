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
  /**
   * The cluster as the file names it with `cluster:`; absent when the file lists `clusters:`.
   * Code that deploys reads `clusters`, which holds either form.
   */
  readonly cluster?: ClusterTarget;
  /**
   * Every cluster Argo CD deploys this environment to, in the file's order: the one `cluster:`, or
   * each entry of `clusters:` (the same namespace and objects on each).
   */
  readonly clusters: readonly ClusterTarget[];
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
  /** How outside traffic reaches the frontend. */
  readonly ingress: IngressSettings;
  /** The Kafka cluster chat messages fan out through. */
  readonly kafka: KafkaSettings;
  /** The database the backend stores users and messages in. */
  readonly database: DatabaseSettings;
  /** The S3 bucket images and files are stored in. */
  readonly s3: S3Settings;
  /**
   * Whether retiring the environment takes more than a merged pull request. A protected
   * environment's Argo CD Applications carry no resources finalizer (pruning one leaves its
   * objects running) and are pruned by the root Application only once a person confirms it in
   * Argo CD. Read it through {@link isProtected}, which applies the default.
   * @default true for the environment named `prod`, false for every other
   */
  readonly protected?: boolean;
}

/** The environment protected when its file does not say: production. */
export const PROTECTED_BY_DEFAULT = 'prod';

/** Whether the environment is protected: its file's `protected`, else true for `prod` only. */
export function isProtected(env: Pick<Environment, 'name' | 'protected'>): boolean {
  return env.protected ?? env.name === PROTECTED_BY_DEFAULT;
}

export interface IngressSettings {
  /** IngressClass of the Ingress, e.g. `nginx`. */
  readonly className: string;
  /** Name of the `kubernetes.io/tls` Secret for `host` (issued out of band, e.g. by cert-manager). */
  readonly tlsSecretName: string;
  /** Type of the frontend Service. */
  readonly serviceType: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Largest request body accepted (image uploads), as nginx writes sizes: `10m`, `512k`. */
  readonly maxBodySize: string;
}

export interface KafkaSettings {
  /** Number of pods, each a combined broker and KRaft controller. */
  readonly brokers: number;
  /** The official `apache/kafka` image, pinned. */
  readonly image: string;
  readonly storage: {
    /** Size of each broker's volume, e.g. `20Gi`. */
    readonly size: string;
    /** StorageClass of the volumes. @default - the cluster's default class */
    readonly storageClass?: string;
  };
  readonly resources: {
    readonly requests: ResourceQuantities;
    readonly limits: ResourceQuantities;
  };
  /** Topics created (idempotently) once the brokers are up. */
  readonly topics: readonly KafkaTopic[];
  /** Name of the topic chat messages go through; one of `topics`. */
  readonly chatTopic: string;
}

export interface KafkaTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly minInSyncReplicas: number;
  /** How long messages are kept, in hours. */
  readonly retentionHours: number;
}

export interface DatabaseSettings {
  readonly engine: 'postgresql' | 'mysql' | 'mariadb';
  /** Host name of the (managed) database outside the cluster. */
  readonly host: string;
  readonly port: number;
  /** Database (schema) name. */
  readonly name: string;
  /**
   * Secret holding `username` and `password`, created out of band in the namespace, never in git.
   */
  readonly credentialsSecret: string;
}

export interface S3Settings {
  readonly bucket: string;
  readonly region: string;
  /** Endpoint of an S3-compatible store. @default - AWS S3 of `region` */
  readonly endpoint?: string;
  /** URL prefix of the stored objects' public URLs, as the backend returns them. */
  readonly publicUrlBase: string;
  /** IAM role the backend's ServiceAccount assumes (IRSA). @default - none */
  readonly roleArn?: string;
  /** Origins allowed to upload from browsers. @default - `https://<host>` */
  readonly allowedOrigins?: readonly string[];
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
