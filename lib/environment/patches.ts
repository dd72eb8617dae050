import { ConfigProblem } from './config-error';
import { DNS_1123_LABEL_DESCRIPTION, DNS_1123_LABEL_MAX_LENGTH, DNS_1123_LABEL_PATTERN, DNS_1123_SUBDOMAIN_MAX_LENGTH } from '../predicates/dns-names';
import { SourceMap, fieldName } from './source-map';
import { isPlainObject } from './document-value';

/**
 * The `patches` of an environment file: JSON patches (RFC 6902) in Kustomize's form, applied to the
 * environment's rendered objects for what the constructs and settings do not expose. This file
 * holds what a patch is and what the loader checks of it on its own; applying one is the app's.
 */

/** The operations of RFC 6902 §4. */
export const PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
export type PatchOp = (typeof PATCH_OPS)[number];

/** Where a patch or an operation is written in its environment file (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** The object of the environment a patch changes. */
export interface PatchTarget {
  /** `kind` of the object, e.g. `Deployment`. */
  readonly kind: string;
  /** `metadata.name` of the object. */
  readonly name: string;
  /**
   * `metadata.namespace` of the object.
   * @default - the environment's namespace, or none for a cluster-scoped kind
   */
  readonly namespace?: string;
  /**
   * The component folder (`envs/<env>/<component>/`) holding the object, for when two components
   * hold an object of the same kind and name.
   * @default - any component
   */
  readonly component?: string;
}

/** One operation of RFC 6902, as written. */
export interface PatchOperation {
  readonly op: PatchOp;
  /** JSON pointer (RFC 6901) of the location operated on. */
  readonly path: string;
  /** The value of `add`, `replace` and `test`. */
  readonly value?: unknown;
  /** JSON pointer of the location `move` and `copy` read from. */
  readonly from?: string;
}

/** One entry of `patches`, as written. */
export interface PatchEntry {
  readonly target: PatchTarget;
  readonly patch: readonly PatchOperation[];
}

/** An operation of a loaded environment: as written, and where. */
export interface LocatedPatchOperation extends PatchOperation {
  readonly at: SourcePosition;
}

/** An entry of a loaded environment's `patches`: as written, and where its target and operations are. */
export interface EnvironmentPatch {
  readonly target: PatchTarget;
  readonly patch: readonly LocatedPatchOperation[];
  /** Where the entry's `target` is written. */
  readonly at: SourcePosition;
}

/** `patches[0].patch[1]`: how messages and provenance headers name an operation. */
export function operationField(patchIndex: number, opIndex: number): string {
  return `patches[${patchIndex}].patch[${opIndex}]`;
}

/**
 * A JSON pointer (RFC 6901 §3) of at least one reference token: `/` then a key or array index,
 * with `~1` for `/` and `~0` for `~` in a key. The empty pointer (the whole object) is refused
 * since it would replace the object's identity, and so are control characters, which no field of
 * a Kubernetes object has and which would break the one-line provenance header.
 */
export const JSON_POINTER_PATTERN = '^(?:/(?:[^~/\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]|~[01])*)+$';
const JSON_POINTER_DESCRIPTION =
  'a JSON pointer (RFC 6901) to a field of the object: "/" before each key or array index, "~1" for a "/" ' +
  'and "~0" for a "~" inside a key, e.g. /spec/template/spec/containers/0/resources/limits/cpu ("/-" appends to a list)';

const pointerSchema = { type: 'string', pattern: JSON_POINTER_PATTERN, description: JSON_POINTER_DESCRIPTION } as const;

/** JSON Schema of `patches`; the rules between an operation's fields are {@link patchProblems}'. */
export const patchesSchema = {
  type: 'array',
  nullable: true,
  minItems: 1,
  description: 'a list of at least one patch, each a mapping with keys target and patch',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['target', 'patch'],
    properties: {
      target: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'name'],
        properties: {
          kind: { type: 'string', pattern: '^[A-Z][A-Za-z0-9]{0,62}$', description: 'a Kubernetes kind as manifests spell it, e.g. Deployment or ConfigMap' },
          name: {
            type: 'string',
            minLength: 1,
            maxLength: DNS_1123_SUBDOMAIN_MAX_LENGTH,
            pattern: '^[^/\\s]+$',
            description: "the object's metadata.name, e.g. backend",
          },
          namespace: { type: 'string', nullable: true, maxLength: DNS_1123_LABEL_MAX_LENGTH, pattern: DNS_1123_LABEL_PATTERN, description: DNS_1123_LABEL_DESCRIPTION },
          component: {
            type: 'string',
            nullable: true,
            maxLength: DNS_1123_LABEL_MAX_LENGTH,
            pattern: DNS_1123_LABEL_PATTERN,
            description: 'the component folder holding the object (envs/<env>/<component>/), e.g. backend',
          },
        },
      },
      patch: {
        type: 'array',
        minItems: 1,
        description: 'a list of at least one JSON patch operation (RFC 6902), each a mapping with op and path',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['op', 'path'],
          properties: {
            op: { type: 'string', enum: [...PATCH_OPS], description: `one of ${PATCH_OPS.join(', ')} (RFC 6902 §4)` },
            path: pointerSchema,
            from: { ...pointerSchema, nullable: true },
            // Any JSON value, null included: what the operation puts or expects at path.
            value: {},
          },
        },
      },
    },
  },
} as const;

const IDENTITY =
  'kind, apiVersion, metadata.name and metadata.namespace are the identity of the object (its file in the tree, its Argo CD ' +
  'resource key, what other objects refer to it by): a patch would make another object and orphan this one';

/**
 * Fields of an object a patch may not change, each with why: an object's identity, and a
 * workload's selector, which the API server refuses to change. Deployment: "In API version
 * apps/v1, a Deployment's label selector is immutable after it gets created" (Kubernetes docs,
 * Deployments, "Label selector updates"); StatefulSet: ValidateStatefulSetUpdate in
 * kubernetes/kubernetes pkg/apis/apps/validation/validation.go.
 */
const PROTECTED_FIELDS: readonly { readonly kinds?: readonly string[]; readonly tokens: readonly string[]; readonly why: string }[] = [
  { tokens: ['kind'], why: IDENTITY },
  { tokens: ['apiVersion'], why: IDENTITY },
  { tokens: ['metadata', 'name'], why: IDENTITY },
  { tokens: ['metadata', 'namespace'], why: IDENTITY },
  {
    kinds: ['Deployment'],
    tokens: ['spec', 'selector'],
    why: "a Deployment's spec.selector is immutable in apps/v1 (the API server refuses the update, so Argo CD could never sync it); change the pods' labels through the construct instead",
  },
  {
    kinds: ['StatefulSet'],
    tokens: ['spec', 'selector'],
    why: "a StatefulSet's spec.selector cannot be updated (the API server allows updates to replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds only), so Argo CD could never sync it",
  },
];

/** `/a~1b/c` → `['a/b', 'c']` (RFC 6901 §4: `~1` before `~0`). */
export function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Whether `a` is `b` or lies below it. */
function within(a: readonly string[], b: readonly string[]): boolean {
  return a.length >= b.length && b.every((t, i) => a[i] === t);
}

/**
 * Why an operation may not write `pointer` of an object of `kind`, or undefined. Writing a field,
 * something inside it, or anything holding it (replacing `/metadata` replaces the name) counts.
 */
export function protectedFieldProblem(kind: string, pointer: string): string | undefined {
  const tokens = pointerTokens(pointer);
  for (const field of PROTECTED_FIELDS) {
    if (field.kinds && !field.kinds.includes(kind)) continue;
    if (within(tokens, field.tokens) || within(field.tokens, tokens)) {
      return `not ${fieldName(field.tokens)} or a field holding it: ${field.why}`;
    }
  }
  return undefined;
}

/** Looked up once: a global read costs more inside a VM context (as under jest). */
const { isArray } = Array;

/**
 * What the schema cannot say of `patches`: which fields go with which `op` (RFC 6902 §4: `value`
 * with add, replace and test, `from` with move and copy), a `move` into its own child (§4.4), and
 * the fields no patch may write. Operations or fields the schema refused already are not judged again.
 */
export function patchProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const patches = isPlainObject(data) ? data.patches : undefined;
  if (!isArray(patches) || flagged.has('patches')) return problems;
  const report = (segments: string[], value: unknown, allowed: string, missing = false) => {
    const offset = missing ? source.valueOffset(segments.slice(0, -1)) : source.valueOffset(segments);
    problems.push(source.problem(offset, fieldName(segments), value, allowed));
  };
  patches.forEach((entry, i) => {
    if (!isPlainObject(entry) || !isArray(entry.patch)) return;
    const kind = isPlainObject(entry.target) && typeof entry.target.kind === 'string' ? entry.target.kind : '';
    entry.patch.forEach((operation, j) => {
      const base = ['patches', String(i), 'patch', String(j)];
      if (!isPlainObject(operation) || flagged.has(fieldName(base)) || typeof operation.op !== 'string' || flagged.has(fieldName([...base, 'op']))) return;
      const op = operation.op as PatchOp;
      const has = (key: string) => Object.prototype.hasOwnProperty.call(operation, key);
      if ((op === 'add' || op === 'replace' || op === 'test') && !has('value')) {
        report([...base, 'value'], undefined, `required with op "${op}": the value ${op === 'test' ? 'expected' : 'to put'} at path (RFC 6902 §4)`, true);
      }
      if ((op === 'remove' || op === 'move' || op === 'copy') && has('value')) {
        report([...base, 'value'], operation.value, `unset with op "${op}", which takes no value (RFC 6902 §4)`);
      }
      if ((op === 'move' || op === 'copy') && !has('from')) {
        report([...base, 'from'], undefined, `required with op "${op}": the JSON pointer of the location to ${op} from (RFC 6902 §4)`, true);
      }
      if (op !== 'move' && op !== 'copy' && has('from')) {
        report([...base, 'from'], operation.from, `unset with op "${op}": only move and copy read from another location (RFC 6902 §4)`);
      }
      const path = typeof operation.path === 'string' && !flagged.has(fieldName([...base, 'path'])) ? operation.path : undefined;
      const from = typeof operation.from === 'string' && !flagged.has(fieldName([...base, 'from'])) ? operation.from : undefined;
      if (op === 'move' && path !== undefined && from !== undefined) {
        const [f, p] = [pointerTokens(from), pointerTokens(path)];
        if (p.length > f.length && within(p, f)) {
          report([...base, 'path'], path, `a location outside from (${JSON.stringify(from)}): a value cannot be moved into one of its children (RFC 6902 §4.4)`);
        }
      }
      // A test reads, and so does the source of a copy; everything else writes.
      if (op !== 'test' && path !== undefined) {
        const problem = protectedFieldProblem(kind, path);
        if (problem !== undefined) report([...base, 'path'], path, problem);
      }
      if (op === 'move' && from !== undefined) {
        const problem = protectedFieldProblem(kind, from);
        if (problem !== undefined) report([...base, 'from'], from, `${problem} (a move removes its source)`);
      }
    });
  });
  return problems;
}

/** The written patches with the position of each entry's target and of each operation. */
export function locatePatches(patches: readonly PatchEntry[], source: SourceMap): EnvironmentPatch[] {
  return patches.map((entry, i) => ({
    target: entry.target,
    at: source.position(source.valueOffset(['patches', String(i), 'target'])),
    patch: entry.patch.map((operation, j) => ({ ...operation, at: source.position(source.valueOffset(['patches', String(i), 'patch', String(j)])) })),
  }));
}
