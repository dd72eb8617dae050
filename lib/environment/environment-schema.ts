import type { JSONSchemaType } from 'ajv';
import type { ComponentSettings, Environment, ResourceQuantities } from './environment';
import { CPU_QUANTITY_PATTERN, MEMORY_QUANTITY_PATTERN } from './quantity';

/**
 * What an environment file holds: an `Environment` minus what is derived from where the file
 * is. In particular a file has no `name`: the name is the file's base name, so that the two can
 * never disagree.
 */
export type EnvironmentFile = Omit<Environment, 'name' | 'file'>;

// The `description` of every string field says in words what its pattern allows; the loader
// quotes it as the "allowed" part of a problem, so keep the two in step when editing either.

const DNS_1123_LABEL = '^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$';
const DNS_1123_SUBDOMAIN = '^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$';
const HOST_NAME = '^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$';
// Argo CD matches the destination server against its cluster list as a plain string, so a
// trailing slash or a default port spelled out would point at a cluster it does not know.
const HTTPS_SERVER_URL =
  '^https://(?:[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])' +
  '(?::[0-9]{1,5})?(?:/[^\\s/?#]+)*$';

export const DNS_1123_LABEL_DESCRIPTION =
  'a DNS-1123 label: at most 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit';
const DNS_1123_SUBDOMAIN_DESCRIPTION =
  'a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, "-" and ".", ' +
  'each dot-separated part starting and ending with a letter or digit';

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
    memory: {
      type: 'string',
      pattern: MEMORY_QUANTITY_PATTERN,
      description:
        'a memory quantity: bytes with an optional suffix, such as "512Mi", "1Gi", "1G" or "1073741824" ' +
        '(binary Ki, Mi, Gi, Ti, Pi, Ei; decimal k, M, G, T, P, E; not "m", which means thousandths of a byte)',
    },
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
  },
};

/** JSON Schema (draft-07) of `environments/<name>.yaml`. */
export const environmentSchema: JSONSchemaType<EnvironmentFile> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Chat platform environment',
  type: 'object',
  additionalProperties: false,
  required: ['namespace', 'cluster', 'host', 'imagePullSecret', 'priority', 'components'],
  properties: {
    namespace: {
      type: 'string',
      maxLength: 63,
      pattern: DNS_1123_LABEL,
      description: DNS_1123_LABEL_DESCRIPTION,
    },
    cluster: {
      type: 'object',
      additionalProperties: false,
      required: ['server', 'name'],
      properties: {
        server: {
          type: 'string',
          pattern: HTTPS_SERVER_URL,
          description:
            'an https:// URL of the cluster API server, e.g. https://kubernetes.default.svc: host, optional port ' +
            'and path, no trailing slash, query or fragment (Argo CD matches it exactly)',
        },
        name: {
          type: 'string',
          maxLength: 253,
          pattern: DNS_1123_SUBDOMAIN,
          description: DNS_1123_SUBDOMAIN_DESCRIPTION,
        },
      },
    },
    host: {
      type: 'string',
      maxLength: 253,
      pattern: HOST_NAME,
      description:
        'a lowercase DNS host name such as chat.example.com: dot-separated labels of at most 63 letters, ' +
        'digits and "-", without scheme, port or path',
    },
    imagePullSecret: {
      type: 'string',
      maxLength: 253,
      pattern: DNS_1123_SUBDOMAIN,
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
        backend: componentSchema,
        frontend: componentSchema,
      },
    },
  },
};

/** A DNS-1123 label; an environment's name (its file's base name) must be one. */
export const ENVIRONMENT_NAME_PATTERN = DNS_1123_LABEL;
