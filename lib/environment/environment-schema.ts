import type { JSONSchemaType } from 'ajv';
import type {
  BackendSettings,
  ClusterTarget,
  ComponentSettings,
  DatabaseSettings,
  Environment,
  GatewayEdgeSettings,
  IngressSettings,
  JvmSettings,
  KafkaSettings,
  KafkaTopic,
  LoadBalancerSettings,
  NetworkSettings,
  ResourceQuantities,
  S3Settings,
} from './environment';
import {
  DNS_1123_LABEL_DESCRIPTION,
  DNS_1123_LABEL_MAX_LENGTH,
  DNS_1123_LABEL_PATTERN,
  DNS_1123_SUBDOMAIN_DESCRIPTION,
  DNS_1123_SUBDOMAIN_MAX_LENGTH,
  DNS_1123_SUBDOMAIN_PATTERN,
  HOST_NAME_DESCRIPTION,
  HOST_NAME_PATTERN,
} from '../predicates/dns-names';
import { ACM_CERTIFICATE_ARN_DESCRIPTION, ACM_CERTIFICATE_ARN_PATTERN } from '../predicates/aws-load-balancer';
import { CIDR_DESCRIPTION } from '../predicates/cidr';
import { LABEL_VALUE_DESCRIPTION, LABEL_VALUE_MAX_LENGTH, LABEL_VALUE_PATTERN } from '../predicates/label-value';
import { MAX_PORT, MIN_PORT } from '../predicates/port';
import { CPU_QUANTITY_PATTERN, MEMORY_QUANTITY_PATTERN } from '../predicates/quantity';
import { S3_BUCKET_NAME_DESCRIPTION, S3_BUCKET_NAME_MAX_LENGTH, S3_BUCKET_NAME_MIN_LENGTH, S3_BUCKET_NAME_PATTERN } from '../predicates/s3-bucket-name';
import { HTTPS_SERVER_URL_PATTERN } from '../predicates/server-url';
import { CONSUMER_GROUP_DESCRIPTION, CONSUMER_GROUP_PATTERN, PROXY_PATH_DESCRIPTION, PROXY_PATH_PATTERN } from './service-settings';
import type { ServiceSettings } from './service-settings';
import { workloadSettingsProperties } from './workload-settings';
import { PatchEntry, patchesSchema } from './patches';

/**
 * What an environment file holds: an `Environment` minus what is derived from where the file
 * is. In particular a file has no `name`: the name is the file's base name, so that the two can
 * never disagree.
 */
export type EnvironmentFile = Omit<Environment, 'name' | 'file' | 'clusters' | 'patches'> & {
  /** Several clusters at once; a file holds exactly one of `cluster` and `clusters`. */
  readonly clusters?: readonly ClusterTarget[];
  /** As written: the loader adds where each entry and operation is. */
  readonly patches?: readonly PatchEntry[];
};

// The `description` of every string field says in words what its pattern allows; the loader
// quotes it as the "allowed" part of a problem, so keep the two in step when editing either.

const memoryQuantitySchema = {
  type: 'string',
  pattern: MEMORY_QUANTITY_PATTERN,
  description:
    'a memory quantity: bytes with an optional suffix, such as "512Mi", "1Gi", "1G" or "1073741824" ' +
    '(binary Ki, Mi, Gi, Ti, Pi, Ei; decimal k, M, G, T, P, E; not "m", which means thousandths of a byte)',
} as const;

const quantitiesSchema: JSONSchemaType<ResourceQuantities> = {
  type: 'object',
  additionalProperties: false,
  required: ['cpu', 'memory'],
  properties: {
    cpu: {
      type: 'string',
      pattern: CPU_QUANTITY_PATTERN,
      description:
        'a CPU quantity: whole millicores such as "250m", or cores with at most three decimals such as "1" or "0.5"',
    },
    memory: memoryQuantitySchema,
  },
};

const componentSchema: JSONSchemaType<ComponentSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['image', 'replicas', 'cpuTargetPercent', 'resources'],
  properties: {
    image: {
      type: 'string',
      // The reference's syntax and pinning are checked after the schema, with better messages
      // than a pattern could give.
      description: 'a container image reference with a tag or a digest, e.g. registry.example.com/chat/backend:1.4.2',
    },
    replicas: {
      type: 'object',
      additionalProperties: false,
      required: ['min', 'max'],
      properties: {
        min: { type: 'integer', minimum: 1, maximum: 100 },
        max: { type: 'integer', minimum: 1, maximum: 100 },
      },
    },
    cpuTargetPercent: { type: 'integer', minimum: 10, maximum: 95 },
    resources: {
      type: 'object',
      additionalProperties: false,
      required: ['requests', 'limits'],
      properties: {
        requests: quantitiesSchema,
        limits: quantitiesSchema,
      },
    },
    // env, podAnnotations, podLabels, nodeSelector, tolerations, affinity, the stop timing and
    // probes: what the loader checks beyond their shape is in workload-settings.ts too.
    ...workloadSettingsProperties,
  },
};

const jvmSchema: JSONSchemaType<JvmSettings> = {
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    // Whether it is enough, and whether the memory limit leaves a heap beside it, the loader says.
    nonHeap: { ...memoryQuantitySchema, nullable: true },
  },
};

// The component's fields and `jvm`; the cast only widens the spread of the component's
// properties, which ajv's types see as optional.
const backendSchema = {
  ...componentSchema,
  properties: { ...componentSchema.properties, jvm: { ...jvmSchema, nullable: true } },
} as JSONSchemaType<BackendSettings>;

const resourcesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['requests', 'limits'],
  properties: { requests: quantitiesSchema, limits: quantitiesSchema },
} as const;

/** An optional list of address ranges; each is checked after the schema (lib/predicates/cidr.ts). */
const optionalCidrList = {
  type: 'array',
  nullable: true,
  minItems: 1,
  items: { type: 'string', description: CIDR_DESCRIPTION },
  description: `a list of at least one CIDR, each ${CIDR_DESCRIPTION}`,
} as const;

const HTTPS_URL = '^https://[^\\s/?#]+(?:/[^\\s?#]*)?$';
const HTTP_URL = '^https?://[^\\s/?#]+(?:/[^\\s?#]*)?$';

const dns1123Subdomain = { type: 'string', maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH, pattern: DNS_1123_SUBDOMAIN_PATTERN, description: DNS_1123_SUBDOMAIN_DESCRIPTION } as const;

const gatewayEdgeSchema: JSONSchemaType<GatewayEdgeSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: dns1123Subdomain,
    namespace: { type: 'string', nullable: true, maxLength: DNS_1123_LABEL_MAX_LENGTH, pattern: DNS_1123_LABEL_PATTERN, description: DNS_1123_LABEL_DESCRIPTION },
    // A Gateway listener's name is a DNS-1123 subdomain (Gateway API's SectionName).
    sectionName: { ...dns1123Subdomain, nullable: true },
    gatewayClassName: { ...dns1123Subdomain, nullable: true },
    dataPlane: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: ['namespace'],
      properties: {
        namespace: { type: 'string', maxLength: DNS_1123_LABEL_MAX_LENGTH, pattern: DNS_1123_LABEL_PATTERN, description: DNS_1123_LABEL_DESCRIPTION },
        podLabels: {
          type: 'object',
          nullable: true,
          required: [],
          additionalProperties: { type: 'string', maxLength: LABEL_VALUE_MAX_LENGTH, pattern: LABEL_VALUE_PATTERN, description: `a label value: ${LABEL_VALUE_DESCRIPTION}` },
        },
      },
    },
  },
};

const loadBalancerSchema: JSONSchemaType<LoadBalancerSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['tlsCertificate'],
  properties: {
    tlsCertificate: {
      type: 'string',
      pattern: ACM_CERTIFICATE_ARN_PATTERN,
      description: ACM_CERTIFICATE_ARN_DESCRIPTION,
    },
    proxyProtocol: { type: 'boolean', nullable: true, description: 'true or false: whether the load balancer sends PROXY protocol (default: false)' },
    annotations: {
      type: 'object',
      nullable: true,
      required: [],
      additionalProperties: { type: 'string', description: 'an annotation value (a string)' },
    },
  },
};

const ingressSchema: JSONSchemaType<IngressSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['tlsSecretName', 'serviceType', 'maxBodySize'],
  properties: {
    // Which of className and gateway goes with which edge: the loader says.
    edge: { type: 'string', nullable: true, enum: ['ingress', 'gateway'] },
    className: { ...dns1123Subdomain, nullable: true },
    gateway: { ...gatewayEdgeSchema, nullable: true },
    tlsSecretName: dns1123Subdomain,
    serviceType: {
      type: 'string',
      enum: ['LoadBalancer', 'ClusterIP'],
      description:
        'one of "ClusterIP" (outside traffic through the edge only) or "LoadBalancer" (with loadBalancer.tlsCertificate: ' +
        'a TLS-only load balancer); "NodePort" is not offered, since it publishes plain HTTP on every node',
    },
    loadBalancer: { ...loadBalancerSchema, nullable: true },
    maxBodySize: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,5}[kKmMgG]?$',
      description: 'an nginx size: a positive number of bytes with an optional k, m or g suffix, e.g. "10m"',
    },
    trustedProxies: optionalCidrList,
  },
};

const topicSchema: JSONSchemaType<KafkaTopic> = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'partitions', 'replicationFactor', 'minInSyncReplicas', 'retentionHours'],
  properties: {
    name: {
      type: 'string',
      maxLength: 249,
      pattern: '^[a-zA-Z0-9._-]+$',
      description: 'a Kafka topic name: at most 249 letters, digits, ".", "_" and "-"',
    },
    partitions: { type: 'integer', minimum: 1, maximum: 1000 },
    replicationFactor: { type: 'integer', minimum: 1, maximum: 9 },
    minInSyncReplicas: { type: 'integer', minimum: 1, maximum: 9 },
    retentionHours: { type: 'integer', minimum: 1, maximum: 87600 },
  },
};

const kafkaSchema: JSONSchemaType<KafkaSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers', 'image', 'storage', 'resources', 'topics', 'chatTopic'],
  properties: {
    brokers: { type: 'integer', minimum: 1, maximum: 9 },
    image: { type: 'string', description: 'the apache/kafka image with a tag or a digest, e.g. apache/kafka:3.7.1' },
    storage: {
      type: 'object',
      additionalProperties: false,
      required: ['size'],
      properties: {
        size: memoryQuantitySchema,
        storageClass: { type: 'string', nullable: true, maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH, pattern: DNS_1123_SUBDOMAIN_PATTERN, description: DNS_1123_SUBDOMAIN_DESCRIPTION },
      },
    },
    resources: resourcesSchema,
    topics: { type: 'array', minItems: 1, items: topicSchema },
    chatTopic: { type: 'string', description: 'the name of one of the topics' },
    authentication: {
      type: 'string',
      nullable: true,
      enum: ['none', 'scram-sha-512'],
      description: 'none or scram-sha-512: how clients and brokers authenticate to the brokers (default: scram-sha-512 for prod only)',
    },
  },
};

const databaseSchema: JSONSchemaType<DatabaseSettings> = {
  type: 'object',
  additionalProperties: false,
  required: ['engine', 'host', 'port', 'name', 'credentialsSecret'],
  properties: {
    engine: { type: 'string', enum: ['postgresql', 'mysql', 'mariadb'] },
    host: {
      type: 'string',
      maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH,
      pattern: HOST_NAME_PATTERN,
      description: HOST_NAME_DESCRIPTION,
    },
    port: { type: 'integer', minimum: MIN_PORT, maximum: MAX_PORT },
    name: {
      type: 'string',
      maxLength: 63,
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      description: 'a database name: letters, digits and "_", not starting with a digit',
    },
    credentialsSecret: { type: 'string', maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH, pattern: DNS_1123_SUBDOMAIN_PATTERN, description: DNS_1123_SUBDOMAIN_DESCRIPTION },
  },
};

const s3Schema: JSONSchemaType<S3Settings> = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket', 'region', 'publicUrlBase'],
  properties: {
    bucket: {
      type: 'string',
      minLength: S3_BUCKET_NAME_MIN_LENGTH,
      maxLength: S3_BUCKET_NAME_MAX_LENGTH,
      pattern: S3_BUCKET_NAME_PATTERN,
      description: S3_BUCKET_NAME_DESCRIPTION,
    },
    region: { type: 'string', pattern: '^[a-z]{2}(?:-[a-z]+)+-[0-9]+$', description: 'an AWS region such as ap-northeast-2' },
    endpoint: { type: 'string', nullable: true, pattern: HTTP_URL, description: 'an http(s):// URL of an S3-compatible endpoint' },
    publicUrlBase: { type: 'string', pattern: HTTPS_URL, description: 'an https:// URL prefix of the stored objects' },
    roleArn: {
      type: 'string',
      nullable: true,
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$',
      description: 'an IAM role ARN, e.g. arn:aws:iam::123456789012:role/chat-backend',
    },
    allowedOrigins: {
      type: 'array',
      nullable: true,
      minItems: 1,
      items: { type: 'string', pattern: '^https?://[^\\s/?#]+$', description: 'an origin: scheme and host[:port], no path' },
    },
  },
};

// The network section's label keys, IP addresses and CIDRs are judged after the schema, by the
// predicates the constructs use (the loader's networkProblems); the schema sees their shape.
const namespaceName = { type: 'string', maxLength: DNS_1123_LABEL_MAX_LENGTH, pattern: DNS_1123_LABEL_PATTERN, description: DNS_1123_LABEL_DESCRIPTION } as const;
const podLabelsSchema = {
  type: 'object',
  nullable: true,
  required: [],
  additionalProperties: { type: 'string', maxLength: LABEL_VALUE_MAX_LENGTH, pattern: LABEL_VALUE_PATTERN, description: `a label value: ${LABEL_VALUE_DESCRIPTION}` },
  description: 'a mapping of label keys to label values ({} for every pod of the namespace)',
} as const;
const enabledSchema = { type: 'boolean', nullable: true, description: 'true or false (default: true once the section is written)' } as const;

const networkSchema: JSONSchemaType<NetworkSettings> = {
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    monitoring: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: { enabled: enabledSchema, namespace: { ...namespaceName, nullable: true }, podLabels: podLabelsSchema },
    },
    certManagerHttp01: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        enabled: enabledSchema,
        from: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: { namespace: { ...namespaceName, nullable: true }, podLabels: podLabelsSchema },
        },
      },
    },
    nodeLocalDns: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        enabled: enabledSchema,
        addresses: {
          type: 'array',
          nullable: true,
          minItems: 1,
          items: { type: 'string', description: 'an IPv4 or IPv6 address such as "169.254.20.10"' },
          description: 'a list of at least one IP address, such as ["169.254.20.10"]',
        },
      },
    },
    privateEndpoints: optionalCidrList,
  },
};

// A service of `services:` (lib/environment/service-settings.ts): a component's fields, the
// workload settings every web workload takes, and what it calls. Its name, callers, calls and
// proxy path against the rest of the file, and its required probe paths, the loader judges.
const serviceSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...componentSchema.required],
  properties: {
    ...componentSchema.properties,
    // Unprivileged: the container runs without capabilities, as a non-root user.
    port: { type: 'integer', nullable: true, minimum: 1024, maximum: MAX_PORT },
    callers: {
      type: 'array',
      nullable: true,
      minItems: 1,
      items: { type: 'string', description: 'a component name: backend, frontend or another service of this file' },
      description: 'a list of at least one component name: backend, frontend or another service of this file',
    },
    calls: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        backend: { type: 'boolean', nullable: true, description: "true or false: whether the service calls the backend's API (default: false)" },
        kafka: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: ['consumerGroup'],
          properties: { consumerGroup: { type: 'string', pattern: CONSUMER_GROUP_PATTERN, description: CONSUMER_GROUP_DESCRIPTION } },
        },
        database: { type: 'boolean', nullable: true, description: "true or false: whether the service uses the environment's database (default: false)" },
        s3: { type: 'boolean', nullable: true, description: "true or false: whether the service uses the environment's S3 bucket (default: false)" },
        services: {
          type: 'array',
          nullable: true,
          minItems: 1,
          items: { type: 'string', description: 'the name of another service of this file' },
          description: 'a list of at least one name of another service of this file',
        },
      },
    },
    proxyPath: { type: 'string', nullable: true, pattern: PROXY_PATH_PATTERN, description: PROXY_PATH_DESCRIPTION },
    roleArn: { ...s3Schema.properties!.roleArn, description: 'an IAM role ARN, e.g. arn:aws:iam::123456789012:role/chat-media' },
  },
} as unknown as JSONSchemaType<ServiceSettings>;

const clusterSchema: JSONSchemaType<ClusterTarget> = {
  type: 'object',
  additionalProperties: false,
  required: ['server', 'name'],
  properties: {
    server: {
      type: 'string',
      pattern: HTTPS_SERVER_URL_PATTERN,
      description:
        'an https:// URL of the cluster API server, e.g. https://kubernetes.default.svc: host, optional port ' +
        'and path, no trailing slash, query or fragment (Argo CD matches it exactly)',
    },
    name: {
      type: 'string',
      maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH,
      pattern: DNS_1123_SUBDOMAIN_PATTERN,
      description: DNS_1123_SUBDOMAIN_DESCRIPTION,
    },
  },
};

/** JSON Schema (draft-07) of `environments/<name>.yaml`. */
export const environmentSchema: JSONSchemaType<EnvironmentFile> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Chat platform environment',
  type: 'object',
  additionalProperties: false,
  required: ['namespace', 'host', 'imagePullSecret', 'priority', 'components', 'ingress', 'kafka', 'database', 's3'],
  properties: {
    namespace: {
      type: 'string',
      maxLength: DNS_1123_LABEL_MAX_LENGTH,
      pattern: DNS_1123_LABEL_PATTERN,
      description: DNS_1123_LABEL_DESCRIPTION,
    },
    // Exactly one of the two; the loader says so when a file has both or neither.
    cluster: { ...clusterSchema, nullable: true },
    clusters: {
      type: 'array',
      nullable: true,
      minItems: 1,
      maxItems: 20,
      items: clusterSchema,
      description: 'a list of 1 to 20 clusters, each a mapping with name and server',
    },
    host: {
      type: 'string',
      maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH,
      pattern: HOST_NAME_PATTERN,
      description: HOST_NAME_DESCRIPTION,
    },
    imagePullSecret: {
      type: 'string',
      maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH,
      pattern: DNS_1123_SUBDOMAIN_PATTERN,
      description: DNS_1123_SUBDOMAIN_DESCRIPTION,
    },
    // User-defined PriorityClasses may not exceed one billion; higher values are reserved for
    // system-cluster-critical and system-node-critical.
    priority: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
    components: {
      type: 'object',
      additionalProperties: false,
      required: ['backend', 'frontend'],
      properties: {
        backend: backendSchema,
        frontend: componentSchema,
      },
    },
    ingress: ingressSchema,
    kafka: kafkaSchema,
    database: databaseSchema,
    s3: s3Schema,
    protected: {
      type: 'boolean',
      nullable: true,
      description: 'true or false: whether retiring the environment needs a confirmation in Argo CD (default: true for prod only)',
    },
    network: { ...networkSchema, nullable: true },
    services: {
      type: 'object',
      nullable: true,
      required: [],
      additionalProperties: serviceSchema,
      description: 'a mapping of service names to services',
    },
    // Any JSON value in `value` is more than ajv's schema types express; the shape is patches.ts'.
    patches: patchesSchema as unknown as JSONSchemaType<readonly PatchEntry[]> & { nullable: true },
  },
};
