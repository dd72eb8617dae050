/**
 * The settings an environment file may give any web workload (a component, an extra service):
 * extra environment variables, pod labels and annotations, where the pods are scheduled, how long
 * they get to stop, and their probes. The type, the schema fragment and the checks the schema
 * cannot express live here together, so that every section offering these settings offers them
 * alike; what a given workload's chart owns (and so refuses) comes in as a {@link WorkloadOwnership}.
 */
import type { PropertiesSchema } from 'ajv/dist/types/json-schema';
import { DNS_1123_SUBDOMAIN_DESCRIPTION, DNS_1123_SUBDOMAIN_MAX_LENGTH, DNS_1123_SUBDOMAIN_PATTERN } from '../predicates/dns-names';
import { LABEL_KEY_DESCRIPTION, labelKeyProblem } from '../predicates/label-key';
import { LABEL_VALUE_DESCRIPTION, LABEL_VALUE_MAX_LENGTH, LABEL_VALUE_PATTERN } from '../predicates/label-value';
import { MAX_PORT, MIN_PORT } from '../predicates/port';
import { ShutdownStep, shutdownSeconds, terminationGraceProblem } from '../predicates/shutdown-budget';
import { EXEMPT_PREFIX, EXTERNAL_PREFIX } from '../tree/annotations';
import { isPlainObject } from './document-value';

/** The per-workload settings of an environment file; every field optional, absent means the chart's. */
export interface WorkloadSettings {
  /**
   * Environment variables added to the container, after the chart's own. A name the chart sets
   * is refused, never overridden.
   * @default - none
   */
  readonly env?: readonly EnvVarSetting[];
  /** Annotations added to the pod template. @default - none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Labels added to the pod template (never to the selector). @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Node labels a node must carry for the pods to run on it. @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: readonly TolerationSetting[];
  /** Node affinity of the pods; pod (anti-)affinity is not a setting. @default - none */
  readonly affinity?: AffinitySetting;
  /**
   * Seconds the pod gets to stop, from the start of its pre-stop delay to SIGKILL; at least the
   * pre-stop delay plus what the workload runs after it (see {@link WorkloadStop}).
   * @default - the chart's
   */
  readonly terminationGracePeriodSeconds?: number;
  /** Seconds the pod keeps serving once it is marked terminating. @default - the chart's */
  readonly preStopDelaySeconds?: number;
  /** Fields of the chart's probes to change; each unset field keeps the chart's. @default - the chart's */
  readonly probes?: ProbesSetting;
}

/** One extra environment variable: a literal `value`, or `valueFrom` a key of an out-of-band Secret or ConfigMap. */
export interface EnvVarSetting {
  /** A C identifier (letters, digits, `_`, not starting with a digit). */
  readonly name: string;
  /** The literal value; exactly one of `value` and `valueFrom`. */
  readonly value?: string;
  /** Where the value comes from; exactly one of `value` and `valueFrom`. */
  readonly valueFrom?: EnvVarSourceSetting;
}

/** Exactly one of the two. */
export interface EnvVarSourceSetting {
  readonly secretKeyRef?: ObjectKeySetting;
  readonly configMapKeyRef?: ObjectKeySetting;
}

/** A key of a Secret or ConfigMap created out of band in the namespace. */
export interface ObjectKeySetting {
  /** Name of the object, a DNS-1123 subdomain. */
  readonly name: string;
  /** Key in its data. */
  readonly key: string;
}

/** A Kubernetes Toleration, with the API server's rules (ValidateTolerations, pkg/apis/core/validation). */
export interface TolerationSetting {
  /** Taint key; empty matches every key, and then `operator` must be `Exists`. @default - every key */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Exists' | 'Equal';
  /** Taint value; must be empty with `Exists`. @default '' */
  readonly value?: string;
  /** Taint effect matched. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** Seconds the pod stays bound to a node tainted `NoExecute`; only with effect `NoExecute`. @default - forever */
  readonly tolerationSeconds?: number;
}

/** Affinity: node affinity only. */
export interface AffinitySetting {
  readonly nodeAffinity?: NodeAffinitySetting;
}

export interface NodeAffinitySetting {
  /** Nodes the pods may run on: any one term must match. @default - every node */
  readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms: readonly NodeSelectorTermSetting[] };
  /** Nodes the scheduler prefers, each term with a weight from 1 to 100. @default - none */
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly { readonly weight: number; readonly preference: NodeSelectorTermSetting }[];
}

/** The requirements of a term all hold (AND); an empty term matches no node. */
export interface NodeSelectorTermSetting {
  readonly matchExpressions?: readonly NodeSelectorRequirementSetting[];
  readonly matchFields?: readonly NodeSelectorRequirementSetting[];
}

export interface NodeSelectorRequirementSetting {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: readonly string[];
}

/** The chart's probes, each changed field by field. */
export interface ProbesSetting {
  readonly readiness?: ProbeSetting;
  readonly liveness?: ProbeSetting;
  readonly startup?: ProbeSetting;
}

/** An HTTP GET probe's fields; each unset one keeps the chart's. */
export interface ProbeSetting {
  /** Request path, starting with `/`. */
  readonly path?: string;
  /** Container port: a number, or the name of a port the container declares. */
  readonly port?: number | string;
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
  readonly timeoutSeconds?: number;
  readonly initialDelaySeconds?: number;
}

export const PROBE_KINDS = ['readiness', 'liveness', 'startup'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/**
 * What a workload's chart itself sets in its pods, each with the guarantee an override would
 * break, and how its pods stop.
 */
export interface WorkloadOwnership {
  /**
   * Environment variables the chart sets (in `env` or through a ConfigMap in `envFrom`), each
   * with what overriding it would break. Matched without regard to case: Spring Boot's
   * `SystemEnvironmentPropertyMapper` lowercases a variable's name before it maps it to a
   * property, so `server_port` binds `server.port` as `SERVER_PORT` does.
   */
  readonly env: Readonly<Record<string, string>>;
  /** ConfigMaps the chart writes, which an `env` entry may not name as out of band. */
  readonly configMaps: Readonly<Record<string, string>>;
  /** Pod annotations the chart sets, each with the guarantee it carries. */
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Names of the container's ports a probe may name. */
  readonly portNames: readonly string[];
  /** How the pods stop. */
  readonly stop: WorkloadStop;
}

/**
 * A workload's stop: the kubelet runs the pre-stop delay, then sends the stop signal, and kills
 * the container once `terminationGracePeriodSeconds` have passed since the hook began
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination).
 */
export interface WorkloadStop {
  readonly preStopDelaySeconds: number;
  readonly terminationGracePeriodSeconds: number;
  /** Every step of the stop, the pre-stop delay first, each with the longest it may take. */
  steps(preStopDelaySeconds: number): ShutdownStep[];
  /** Seconds left for the process to exit after its last step. */
  readonly marginSeconds: number;
}

/**
 * Pod labels the constructs set on every workload, each with what it carries. The selector labels
 * are in the Deployment's selector (immutable once created: `spec.selector` of apps/v1), the
 * Service's, the PodDisruptionBudget's and the topology spread constraints'; the others are the
 * recommended labels every object of the workload carries alike
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
 */
export const CONSTRUCT_POD_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name':
    'a selector label: the Deployment (whose selector is immutable), the Service, the PodDisruptionBudget and the topology spread constraints select the pods by it',
  'app.kubernetes.io/instance':
    'a selector label: the Deployment (whose selector is immutable), the Service, the PodDisruptionBudget and the topology spread constraints select the pods by it',
  'app.kubernetes.io/component': 'a recommended label the constructs set alike on every object of the workload',
  'app.kubernetes.io/version': 'a recommended label the constructs set from the image tag on every object of the workload',
  'app.kubernetes.io/part-of': 'a recommended label the constructs set alike on every object of the workload',
  'app.kubernetes.io/managed-by': 'a recommended label the constructs set alike on every object of the workload',
  'pod-template-hash':
    'set by the Deployment controller on each ReplicaSet\'s pods; the topology spread constraints spread each revision by it',
};

/** Label key prefix of the recommended labels: the constructs own the whole prefix. */
const RECOMMENDED_LABEL_PREFIX = 'app.kubernetes.io/';

/** Pod annotations the constructs set, with the guarantee each carries. */
export const CONSTRUCT_POD_ANNOTATIONS: Readonly<Record<string, string>> = {
  'checksum/config': 'the checksum of the mounted and env ConfigMaps: a configuration change rolls the pods through it',
};

/** Annotation prefixes of the tree's own vocabulary (lib/tree/annotations.ts), never a pod setting. */
const TREE_ANNOTATION_PREFIXES: Readonly<Record<string, string>> = {
  [EXEMPT_PREFIX]: 'the prefix that waives a policy rule, which no environment setting may do',
  [EXTERNAL_PREFIX]: 'the prefix declaring an out-of-band object, which the chart writes for the Secrets and ConfigMaps env refers to',
};

/**
 * C identifiers: what core/v1 Container.envFrom requires of the keys it takes ("must be a
 * C_IDENTIFIER"), and what a POSIX shell can export, held to for `env` too.
 */
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
const ENV_NAME_DESCRIPTION = 'a C identifier: letters, digits and "_", not starting with a digit, e.g. "FEATURE_FLAGS"';
/** validation.IsConfigMapKey (k8s.io/apimachinery): the key of a ConfigMap's or Secret's data. */
const OBJECT_KEY_PATTERN = '^[-._a-zA-Z0-9]+$';
const OBJECT_KEY_DESCRIPTION = 'a key of the object\'s data: at most 253 alphanumerics, "-", "_" and "."';

const MAX_SECONDS = 3600;

const labelValue = { type: 'string', maxLength: LABEL_VALUE_MAX_LENGTH, pattern: LABEL_VALUE_PATTERN, description: `a label value: ${LABEL_VALUE_DESCRIPTION}` } as const;
const labelMap = (what: string) =>
  ({ type: 'object', nullable: true, required: [], additionalProperties: labelValue, description: `a mapping of ${what}: keys ${LABEL_KEY_DESCRIPTION}; values ${LABEL_VALUE_DESCRIPTION}` }) as const;
const objectKey = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  required: ['name', 'key'],
  properties: {
    name: { type: 'string', maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH, pattern: DNS_1123_SUBDOMAIN_PATTERN, description: DNS_1123_SUBDOMAIN_DESCRIPTION },
    key: { type: 'string', minLength: 1, maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH, pattern: OBJECT_KEY_PATTERN, description: OBJECT_KEY_DESCRIPTION },
  },
} as const;

const nodeSelectorRequirement = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'operator'],
  properties: {
    key: { type: 'string', description: LABEL_KEY_DESCRIPTION },
    operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'] },
    values: { type: 'array', nullable: true, items: { type: 'string', description: 'a string' } },
  },
} as const;

const nodeSelectorTerm = {
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    matchExpressions: { type: 'array', nullable: true, items: nodeSelectorRequirement },
    matchFields: { type: 'array', nullable: true, items: nodeSelectorRequirement },
  },
} as const;

/** Why pod (anti-)affinity is refused; what the loader says for either. */
export const POD_AFFINITY_REFUSAL =
  'unset: the constructs own pod spreading (topology spread constraints over nodes and zones, per revision), ' +
  'which a pod (anti-)affinity would contradict or make unschedulable during a surge; only nodeAffinity is a setting';

const PROBE_PORT_DESCRIPTION = `a container port: a number from ${MIN_PORT} to ${MAX_PORT}, or the name of a port the container declares`;

const probe = {
  type: 'object',
  nullable: true,
  additionalProperties: false,
  required: [],
  properties: {
    path: { type: 'string', nullable: true, pattern: '^/[^\\s]*$', description: 'an absolute request path without spaces, e.g. "/healthz"' },
    // A number or a name: what it may be the loader says (ajv's strict types refuse a union type).
    port: { description: PROBE_PORT_DESCRIPTION },
    periodSeconds: { type: 'integer', nullable: true, minimum: 1, maximum: MAX_SECONDS },
    failureThreshold: { type: 'integer', nullable: true, minimum: 1, maximum: 1000 },
    timeoutSeconds: { type: 'integer', nullable: true, minimum: 1, maximum: MAX_SECONDS },
    initialDelaySeconds: { type: 'integer', nullable: true, minimum: 0, maximum: MAX_SECONDS },
  },
} as const;

/**
 * The schema of the settings, as properties to spread into a workload section's schema (which
 * keeps `additionalProperties: false`).
 */
export const workloadSettingsProperties = {
  env: {
    type: 'array',
    nullable: true,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: ENV_NAME_PATTERN, description: ENV_NAME_DESCRIPTION },
        value: { type: 'string', nullable: true, description: 'a string (quote numbers and booleans)' },
        valueFrom: {
          type: 'object',
          nullable: true,
          additionalProperties: false,
          required: [],
          properties: { secretKeyRef: objectKey, configMapKeyRef: objectKey },
        },
      },
    },
  },
  podAnnotations: {
    type: 'object',
    nullable: true,
    required: [],
    additionalProperties: { type: 'string', description: 'an annotation value (a string)' },
    description: `a mapping of annotations: keys ${LABEL_KEY_DESCRIPTION}; values strings`,
  },
  podLabels: labelMap('labels'),
  nodeSelector: labelMap('node labels'),
  tolerations: {
    type: 'array',
    nullable: true,
    items: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: {
        key: { type: 'string', nullable: true, description: LABEL_KEY_DESCRIPTION },
        operator: { type: 'string', nullable: true, enum: ['Exists', 'Equal'] },
        value: { ...labelValue, nullable: true },
        effect: { type: 'string', nullable: true, enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
        tolerationSeconds: { type: 'integer', nullable: true, minimum: 0, maximum: 2_147_483_647 },
      },
    },
  },
  affinity: {
    type: 'object',
    nullable: true,
    additionalProperties: false,
    required: [],
    properties: {
      nodeAffinity: {
        type: 'object',
        nullable: true,
        additionalProperties: false,
        required: [],
        properties: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            required: ['nodeSelectorTerms'],
            properties: { nodeSelectorTerms: { type: 'array', minItems: 1, items: nodeSelectorTerm } },
          },
          preferredDuringSchedulingIgnoredDuringExecution: {
            type: 'array',
            nullable: true,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['weight', 'preference'],
              properties: { weight: { type: 'integer', minimum: 1, maximum: 100 }, preference: nodeSelectorTerm },
            },
          },
        },
      },
      // Named so that the refusal says why rather than "unknown field".
      podAffinity: { not: {}, description: POD_AFFINITY_REFUSAL },
      podAntiAffinity: { not: {}, description: POD_AFFINITY_REFUSAL },
    },
  },
  terminationGracePeriodSeconds: { type: 'integer', nullable: true, minimum: 1, maximum: MAX_SECONDS },
  preStopDelaySeconds: { type: 'integer', nullable: true, minimum: 0, maximum: MAX_SECONDS },
  probes: {
    type: 'object',
    nullable: true,
    additionalProperties: false,
    required: [],
    properties: { readiness: probe, liveness: probe, startup: probe },
  },
  // Typed for spreading into a JSONSchemaType of a section: the refused pod affinity keys and the
  // untyped probe port have no JSONSchemaType of their own.
} as const as unknown as PropertiesSchema<WorkloadSettings>;

/** One refused setting: where it is (`at: 'key'` points at a mapping key rather than its value). */
export interface WorkloadSettingProblem {
  readonly segments: readonly string[];
  readonly value: unknown;
  readonly allowed: string;
  readonly at: 'key' | 'value';
}

/**
 * The checks the schema cannot express, of settings that passed it (fields it refused come in
 * `flagged`, dotted as `fieldName` spells them, and are not judged again). `fieldPrefix` is where
 * the settings are in the file, e.g. `['components', 'backend']`.
 */
export function workloadSettingsProblems(
  settings: unknown,
  fieldPrefix: readonly string[],
  ownership: WorkloadOwnership,
  flagged: (segments: readonly string[]) => boolean = () => false,
): WorkloadSettingProblem[] {
  const problems: WorkloadSettingProblem[] = [];
  if (!isPlainObject(settings)) return problems;
  const report = (path: readonly (string | number)[], value: unknown, allowed: string, at: 'key' | 'value' = 'value') => {
    const segments = [...fieldPrefix, ...path.map(String)];
    if (!flagged(segments)) problems.push({ segments, value, allowed, at });
  };
  envProblems(settings.env, ownership, report);
  metadataProblems(settings, ownership, report);
  schedulingProblems(settings, report);
  stopProblems(settings, ownership.stop, report);
  probeProblems(settings.probes, ownership, report);
  return problems;
}

type Report = (path: readonly (string | number)[], value: unknown, allowed: string, at?: 'key' | 'value') => void;

function envProblems(env: unknown, ownership: WorkloadOwnership, report: Report): void {
  if (!Array.isArray(env)) return;
  const owned = new Map(Object.entries(ownership.env).map(([name, why]) => [name.toUpperCase(), { name, why }]));
  const seen = new Map<string, number>();
  env.forEach((entry, i) => {
    if (!isPlainObject(entry)) return;
    const name = entry.name;
    if (typeof name === 'string') {
      const mine = owned.get(name.toUpperCase());
      const earlier = seen.get(name);
      if (mine) {
        report(['env', i, 'name'], name, `a name the chart does not set: the chart sets ${mine.name} (${mine.why}); overriding it would break that`);
      } else if (earlier !== undefined) {
        report(['env', i, 'name'], name, `a name not already in env (env[${earlier}] sets it): the container would get only one of the two values`);
      } else seen.set(name, i);
    }
    const hasValue = entry.value !== undefined;
    const from = entry.valueFrom;
    if (hasValue === (from !== undefined)) {
      report(['env', i], entry, 'exactly one of value (a literal) and valueFrom (a secretKeyRef or configMapKeyRef)');
      return;
    }
    if (!isPlainObject(from)) return;
    const refs = (['secretKeyRef', 'configMapKeyRef'] as const).filter((k) => from[k] !== undefined);
    if (refs.length !== 1) {
      report(['env', i, 'valueFrom'], from, 'exactly one of secretKeyRef and configMapKeyRef');
      return;
    }
    const ref = from.configMapKeyRef;
    if (isPlainObject(ref) && typeof ref.name === 'string' && ownership.configMaps[ref.name] !== undefined) {
      report(
        ['env', i, 'valueFrom', 'configMapKeyRef', 'name'],
        ref.name,
        `a ConfigMap created out of band: ${ref.name} is the chart's own (${ownership.configMaps[ref.name]}), whose keys it sets itself`,
      );
    }
  });
}

function metadataProblems(settings: Record<string, unknown>, ownership: WorkloadOwnership, report: Report): void {
  const labels = settings.podLabels;
  if (isPlainObject(labels)) {
    for (const key of Object.keys(labels)) {
      const problem = labelKeyProblem(key);
      if (problem !== undefined) report(['podLabels', key], key, problem, 'key');
      else if (CONSTRUCT_POD_LABELS[key] !== undefined) {
        report(['podLabels', key], key, `a label the constructs do not set: ${key} is ${CONSTRUCT_POD_LABELS[key]}`, 'key');
      } else if (key.startsWith(RECOMMENDED_LABEL_PREFIX)) {
        report(['podLabels', key], key, `a label outside ${RECOMMENDED_LABEL_PREFIX}: the constructs own the recommended labels, which every object of the workload carries alike`, 'key');
      }
    }
  }
  const annotations = settings.podAnnotations;
  if (isPlainObject(annotations)) {
    for (const key of Object.keys(annotations)) {
      const problem = labelKeyProblem(key);
      const owned = CONSTRUCT_POD_ANNOTATIONS[key] ?? ownership.podAnnotations[key];
      const prefix = Object.keys(TREE_ANNOTATION_PREFIXES).find((p) => key.startsWith(p));
      if (problem !== undefined) report(['podAnnotations', key], key, problem.replace('a label key', 'an annotation key'), 'key');
      else if (owned !== undefined) report(['podAnnotations', key], key, `an annotation the chart does not set: ${key} is ${owned}`, 'key');
      else if (prefix !== undefined) report(['podAnnotations', key], key, `an annotation outside ${prefix}: ${TREE_ANNOTATION_PREFIXES[prefix]}`, 'key');
    }
  }
  const nodeSelector = settings.nodeSelector;
  if (isPlainObject(nodeSelector)) {
    for (const key of Object.keys(nodeSelector)) {
      const problem = labelKeyProblem(key);
      if (problem !== undefined) report(['nodeSelector', key], key, problem, 'key');
    }
  }
}

/** The API server's ValidateTolerations and ValidateNodeSelectorRequirement/Term (pkg/apis/core/validation/validation.go). */
function schedulingProblems(settings: Record<string, unknown>, report: Report): void {
  const tolerations = settings.tolerations;
  if (Array.isArray(tolerations)) {
    tolerations.forEach((t, i) => {
      if (!isPlainObject(t)) return;
      const key = typeof t.key === 'string' ? t.key : '';
      const operator = t.operator ?? 'Equal';
      if (key !== '') {
        const problem = labelKeyProblem(key);
        if (problem !== undefined) report(['tolerations', i, 'key'], key, problem);
      } else if (operator !== 'Exists') {
        const allowed = '"Exists" when key is empty (which matches every taint key)';
        if (t.operator === undefined) report(['tolerations', i], t, `operator ${allowed}; the default is "Equal"`);
        else report(['tolerations', i, 'operator'], t.operator, allowed);
      }
      if (operator === 'Exists' && t.value !== undefined && t.value !== '') {
        report(['tolerations', i, 'value'], t.value, 'unset with operator "Exists", which matches every value');
      }
      if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
        report(['tolerations', i, 'tolerationSeconds'], t.tolerationSeconds, 'unset unless effect is "NoExecute": only a NoExecute taint evicts, after that time');
      }
    });
  }
  const affinity = settings.affinity;
  if (isPlainObject(affinity)) {
    // The schema refuses these in a file; this refuses them in settings built in code.
    for (const kind of ['podAffinity', 'podAntiAffinity']) {
      if (affinity[kind] !== undefined) report(['affinity', kind], affinity[kind], POD_AFFINITY_REFUSAL);
    }
  }
  const node = isPlainObject(affinity) && isPlainObject(affinity.nodeAffinity) ? affinity.nodeAffinity : undefined;
  if (!node) return;
  const base = ['affinity', 'nodeAffinity'];
  const required = node.requiredDuringSchedulingIgnoredDuringExecution;
  if (isPlainObject(required) && Array.isArray(required.nodeSelectorTerms)) {
    required.nodeSelectorTerms.forEach((term, i) =>
      nodeSelectorTermProblems(term, [...base, 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms', i], report),
    );
  }
  const preferred = node.preferredDuringSchedulingIgnoredDuringExecution;
  if (Array.isArray(preferred)) {
    preferred.forEach((p, i) => {
      if (isPlainObject(p)) nodeSelectorTermProblems(p.preference, [...base, 'preferredDuringSchedulingIgnoredDuringExecution', i, 'preference'], report);
    });
  }
}

function nodeSelectorTermProblems(term: unknown, path: readonly (string | number)[], report: Report): void {
  if (!isPlainObject(term)) return;
  const expressions = Array.isArray(term.matchExpressions) ? term.matchExpressions : [];
  const fields = Array.isArray(term.matchFields) ? term.matchFields : [];
  if (expressions.length === 0 && fields.length === 0) {
    // core/v1 NodeSelectorTerm: "A null or empty node selector term matches no objects."
    report(path, term, 'at least one matchExpressions or matchFields entry: an empty term matches no node');
    return;
  }
  expressions.forEach((r, j) => {
    if (!isPlainObject(r)) return;
    const at = [...path, 'matchExpressions', j];
    const problem = labelKeyProblem(r.key);
    if (problem !== undefined) report([...at, 'key'], r.key, problem);
    const values = Array.isArray(r.values) ? r.values : [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) report([...at, 'values'], r.values, `at least one value with operator "${r.operator}"`);
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) report([...at, 'values'], r.values, `unset with operator "${r.operator}"`);
        break;
      case 'Gt':
      case 'Lt':
        if (values.length !== 1 || !/^-?[0-9]+$/.test(String(values[0]))) {
          report([...at, 'values'], r.values, `exactly one integer with operator "${r.operator}" (the node label is compared as a number)`);
        }
        break;
    }
  });
  fields.forEach((r, j) => {
    if (!isPlainObject(r)) return;
    const at = [...path, 'matchFields', j];
    if (r.key !== 'metadata.name') report([...at, 'key'], r.key, '"metadata.name", the one node field a selector can match');
    if (r.operator !== 'In' && r.operator !== 'NotIn') report([...at, 'operator'], r.operator, '"In" or "NotIn" for a node field');
    if (!Array.isArray(r.values) || r.values.length !== 1) report([...at, 'values'], r.values, 'exactly one node name');
  });
}

/**
 * The pre-stop delay and the grace period against each other and against what runs after the
 * delay: one computation, {@link workloadStopProblem}, for the loader and the charts alike.
 */
function stopProblems(settings: Record<string, unknown>, stop: WorkloadStop, report: Report): void {
  const preStop = settings.preStopDelaySeconds;
  const grace = settings.terminationGracePeriodSeconds;
  if (preStop === undefined && grace === undefined) return;
  if ((preStop !== undefined && !Number.isInteger(preStop)) || (grace !== undefined && !Number.isInteger(grace))) return;
  const problem = workloadStopProblem(stop, preStop as number | undefined, grace as number | undefined);
  if (problem === undefined) return;
  if (grace !== undefined) report(['terminationGracePeriodSeconds'], grace, problem);
  else {
    const most = stop.terminationGracePeriodSeconds - shutdownSeconds(stop.steps(0)) - stop.marginSeconds;
    report(
      ['preStopDelaySeconds'],
      preStop,
      `at most ${most} with the chart's terminationGracePeriodSeconds of ${stop.terminationGracePeriodSeconds}; for this delay set terminationGracePeriodSeconds to ${problem}`,
    );
  }
}

/**
 * What the grace period allows, or `undefined`: it must cover every step of the stop (the
 * pre-stop delay, then what the workload runs after the stop signal) and the exit margin. Unset
 * values are the workload's defaults.
 */
export function workloadStopProblem(stop: WorkloadStop, preStopDelaySeconds: number | undefined, terminationGracePeriodSeconds: number | undefined): string | undefined {
  const preStop = preStopDelaySeconds ?? stop.preStopDelaySeconds;
  const grace = terminationGracePeriodSeconds ?? stop.terminationGracePeriodSeconds;
  return terminationGraceProblem(grace, stop.steps(preStop), stop.marginSeconds);
}

function probeProblems(probes: unknown, ownership: WorkloadOwnership, report: Report): void {
  if (!isPlainObject(probes)) return;
  for (const kind of PROBE_KINDS) {
    const probe = probes[kind];
    if (!isPlainObject(probe)) continue;
    const port = probe.port;
    if (port !== undefined && typeof port !== 'number' && typeof port !== 'string') {
      report(['probes', kind, 'port'], port, PROBE_PORT_DESCRIPTION);
    } else if (typeof port === 'number' && (!Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT)) {
      report(['probes', kind, 'port'], port, `a port number from ${MIN_PORT} to ${MAX_PORT}, or one of the container's port names (${ownership.portNames.join(', ')})`);
    } else if (typeof port === 'string' && !ownership.portNames.includes(port)) {
      report(
        ['probes', kind, 'port'],
        port,
        `one of the container's port names (${ownership.portNames.join(', ')}) or a port number: a probe of a port the container does not declare always fails`,
      );
    }
  }
}

