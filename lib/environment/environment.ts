import type { ServiceSettings } from './service-settings';
import type { EnvironmentPatch } from './patches';
import type { WorkloadSettings } from './workload-settings';

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
    readonly backend: BackendSettings;
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
  /**
   * Platform traffic the namespace's default deny lets through: metrics scrapers, cert-manager's
   * HTTP-01 solver, a node-local DNS cache, private AWS endpoints. Read it through
   * {@link networkSettings}, which applies the defaults.
   * @default - see {@link NetworkSettings}
   */
  readonly network?: NetworkSettings;
  /**
   * Further stateless web services, by name, each a component of its own built like the backend
   * and the frontend, reaching and reached by what it declares (see {@link ServiceSettings}).
   * @default - none
   */
  readonly services?: Readonly<Record<string, ServiceSettings>>;
  /**
   * JSON patches (RFC 6902) applied to this environment's rendered objects, in order, for what the
   * constructs and settings do not expose; each entry names its target object, and each operation
   * where it is written (see lib/environment/patches.ts).
   * @default - none
   */
  readonly patches?: readonly EnvironmentPatch[];
}

/** The environment protected when its file does not say: production. */
export const PROTECTED_BY_DEFAULT = 'prod';

/** Whether the environment is protected: its file's `protected`, else true for `prod` only. */
export function isProtected(env: Pick<Environment, 'name' | 'protected'>): boolean {
  return env.protected ?? env.name === PROTECTED_BY_DEFAULT;
}

export interface IngressSettings {
  /**
   * The API that routes outside traffic to the frontend: `ingress`, an Ingress served by an
   * ingress-nginx controller (with `className`); `gateway`, a Gateway API HTTPRoute attached to a
   * Gateway (with `gateway`).
   * @default 'ingress'
   */
  readonly edge?: 'ingress' | 'gateway';
  /** IngressClass of the Ingress, e.g. `nginx`. Required with edge `ingress`, refused with `gateway`. */
  readonly className?: string;
  /** The Gateway the HTTPRoute attaches to. Required with edge `gateway`, refused with `ingress`. */
  readonly gateway?: GatewayEdgeSettings;
  /** Name of the `kubernetes.io/tls` Secret for `host` (issued out of band, e.g. by cert-manager). */
  readonly tlsSecretName: string;
  /**
   * `ClusterIP`: outside traffic arrives through the edge only. `LoadBalancer`: a TLS-only load
   * balancer (`loadBalancer`) is published beside the edge too.
   */
  readonly serviceType: 'LoadBalancer' | 'ClusterIP';
  /** The TLS-terminating load balancer of `serviceType: LoadBalancer`; required with it, refused without. */
  readonly loadBalancer?: LoadBalancerSettings;
  /** Largest request body accepted (image uploads), as nginx writes sizes: `10m`, `512k`. */
  readonly maxBodySize: string;
  /**
   * Address ranges (CIDRs) of the edge's pods (the ingress controller's or the Gateway's data
   * plane): only from these does the frontend's nginx believe X-Forwarded-For, -Proto and -Host.
   * @default - the private ranges: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7
   */
  readonly trustedProxies?: readonly string[];
}

/** The Gateway (Gateway API) the frontend's HTTPRoute attaches to. */
export interface GatewayEdgeSettings {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway (a platform team's shared one, say `gateway-system`).
   * @default - the environment's namespace
   */
  readonly namespace?: string;
  /** Listener of the Gateway the route attaches to, e.g. `https`. @default - every listener admitting it */
  readonly sectionName?: string;
  /**
   * GatewayClass of a Gateway this project writes itself, in the environment's namespace (an HTTPS
   * listener with `tlsSecretName`, and an HTTP one that only redirects to HTTPS).
   * @default - none: the Gateway is run by someone else
   */
  readonly gatewayClassName?: string;
  /**
   * The Gateway's data-plane pods, the only ones let through to the frontend's pods.
   * @default - pods labelled `gateway.networking.k8s.io/gateway-name: <name>` in the Gateway's namespace
   */
  readonly dataPlane?: { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> };
}

/** A TLS-only cloud load balancer in front of the frontend pods (AWS annotations). */
export interface LoadBalancerSettings {
  /** ARN of the ACM certificate the load balancer terminates TLS with. */
  readonly tlsCertificate: string;
  /**
   * Whether the load balancer speaks PROXY protocol to the pods, which then learn the client's
   * address from it.
   * @default false
   */
  readonly proxyProtocol?: boolean;
  /** Further annotations of the Service, e.g. `service.beta.kubernetes.io/aws-load-balancer-type`. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
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
  /**
   * How clients and brokers authenticate to the brokers: `none` (PLAINTEXT, NetworkPolicies the
   * only control) or `scram-sha-512` (SASL/SCRAM-SHA-512, users' passwords in Secrets created out
   * of band). Read it through {@link kafkaAuthentication}, which applies the default.
   * @default 'scram-sha-512' for the environment named `prod`, 'none' for every other
   */
  readonly authentication?: KafkaAuthentication;
}

export type KafkaAuthentication = 'none' | 'scram-sha-512';

/** The environment whose Kafka asks for authentication when its file does not say: production. */
export const KAFKA_AUTHENTICATED_BY_DEFAULT = 'prod';

/** How the environment's Kafka authenticates: its file's `kafka.authentication`, else by name. */
export function kafkaAuthentication(env: Pick<Environment, 'name' | 'kafka'>): KafkaAuthentication {
  return env.kafka.authentication ?? (env.name === KAFKA_AUTHENTICATED_BY_DEFAULT ? 'scram-sha-512' : 'none');
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

/**
 * A stateless component: its image, size and autoscaling, and the {@link WorkloadSettings} every
 * web workload accepts (env, pod labels and annotations, scheduling, stop timing, probes).
 */
export interface ComponentSettings extends WorkloadSettings {
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

/** The backend: a JVM, whose memory limit is divided between the heap and everything else. */
export interface BackendSettings extends ComponentSettings {
  /** How the JVM uses the memory limit. @default - see {@link JvmSettings} */
  readonly jvm?: JvmSettings;
}

export interface JvmSettings {
  /**
   * Memory the JVM needs beside the heap (metaspace, compiled code, direct buffers, thread stacks,
   * its own structures), a memory quantity such as `384Mi`; the heap gets the rest of the limit.
   * @default - a quarter of the memory limit, at least 320Mi
   */
  readonly nonHeap?: string;
}

export interface ResourceQuantities {
  /** Kubernetes CPU quantity, e.g. `250m` or `1`. */
  readonly cpu: string;
  /** Kubernetes memory quantity, e.g. `512Mi`. */
  readonly memory: string;
}

/** Pods of one namespace, by labels. */
export interface NamespacePods {
  readonly namespace: string;
  /** Labels the pods carry; `{}` selects every pod of the namespace. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * The `network` section of an environment file, as written: every field optional. A section that
 * is written is on unless it says `enabled: false`; an absent one takes its default.
 */
export interface NetworkSettings {
  /**
   * Who may scrape the metrics ports.
   * @default - on: Prometheus pods (`app.kubernetes.io/name: prometheus`) in namespace `monitoring`
   */
  readonly monitoring?: MonitoringSettings;
  /**
   * cert-manager's HTTP-01 solver pods, which it creates in the namespace of a Certificate.
   * @default - off
   */
  readonly certManagerHttp01?: CertManagerHttp01Settings;
  /**
   * A node-local DNS cache (NodeLocal DNSCache) that pods query besides the cluster DNS.
   * @default - off
   */
  readonly nodeLocalDns?: NodeLocalDnsSettings;
  /**
   * Address ranges (CIDRs) of the VPC interface endpoints AWS S3 and STS resolve to, which the
   * backend may reach on 443 besides public addresses.
   * @default - none
   */
  readonly privateEndpoints?: readonly string[];
}

export interface MonitoringSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** Namespace of the scraping pods. @default 'monitoring' */
  readonly namespace?: string;
  /** Labels of the scraping pods. @default { 'app.kubernetes.io/name': 'prometheus' } */
  readonly podLabels?: Readonly<Record<string, string>>;
}

export interface CertManagerHttp01Settings {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * The pods the challenge requests arrive through: the ingress controller's, or a Gateway's data
   * plane. Each field defaults on its own.
   * @default - ingress-nginx controller pods (`app.kubernetes.io/name: ingress-nginx`) in namespace `ingress-nginx`
   */
  readonly from?: { readonly namespace?: string; readonly podLabels?: Readonly<Record<string, string>> };
}

export interface NodeLocalDnsSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** IP addresses the cache listens on, which pods may query on port 53. @default ['169.254.20.10'] */
  readonly addresses?: readonly string[];
}

/** The `network` section with every default applied: what the charts build from. */
export interface ResolvedNetworkSettings {
  /** Pods allowed to scrape the metrics ports; `undefined` when scraping is off. */
  readonly metricsScrapers?: NamespacePods;
  /** Pods allowed to reach cert-manager's HTTP-01 solver pods; `undefined` when off. */
  readonly http01SolverClients?: NamespacePods;
  /** Addresses of the node-local DNS cache; empty when off. */
  readonly nodeLocalDnsAddresses: readonly string[];
  /** Private endpoint ranges of AWS S3 and STS; empty when none. */
  readonly privateEndpoints: readonly string[];
}

/**
 * The pods of the ingress-nginx controller the Ingress edge is served by, as its Helm chart labels
 * them (`app.kubernetes.io/name: ingress-nginx`) in its usual namespace: the only pods let through
 * to the frontend with `edge: ingress`, and the default source of HTTP-01 challenge requests.
 */
export const INGRESS_NGINX_CONTROLLER_PODS = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } } as const;

/**
 * The defaults of the `network` section: what an EKS cluster running kube-prometheus-stack and
 * ingress-nginx has. Prometheus pods carry `app.kubernetes.io/name: prometheus`, a selector label
 * the Prometheus Operator sets on every pod it runs (pkg/prometheus/server/statefulset.go);
 * ingress-nginx labels its controller pods `app.kubernetes.io/name: ingress-nginx`
 * ({@link INGRESS_NGINX_CONTROLLER_PODS}). 169.254.20.10 is the link-local address NodeLocal DNSCache listens on by
 * default (kubernetes/kubernetes cluster/addons/dns/nodelocaldns/README.md).
 */
export const NETWORK_DEFAULTS = {
  monitoring: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  http01SolverClients: INGRESS_NGINX_CONTROLLER_PODS,
  nodeLocalDnsAddresses: ['169.254.20.10'],
} as const;

/** The environment's `network` section with the defaults applied. */
export function networkSettings(env: Pick<Environment, 'network'>): ResolvedNetworkSettings {
  const { monitoring, certManagerHttp01: solver, nodeLocalDns, privateEndpoints } = env.network ?? {};
  const pods = (given: { readonly namespace?: string; readonly podLabels?: Readonly<Record<string, string>> } | undefined, defaults: NamespacePods): NamespacePods => ({
    namespace: given?.namespace ?? defaults.namespace,
    podLabels: { ...(given?.podLabels ?? defaults.podLabels) },
  });
  return {
    ...(monitoring?.enabled !== false ? { metricsScrapers: pods(monitoring, NETWORK_DEFAULTS.monitoring) } : {}),
    ...(solver && solver.enabled !== false ? { http01SolverClients: pods(solver.from, NETWORK_DEFAULTS.http01SolverClients) } : {}),
    nodeLocalDnsAddresses: nodeLocalDns && nodeLocalDns.enabled !== false ? [...(nodeLocalDns.addresses ?? NETWORK_DEFAULTS.nodeLocalDnsAddresses)] : [],
    privateEndpoints: [...(privateEndpoints ?? [])],
  };
}
