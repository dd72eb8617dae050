import * as fs from 'node:fs';
import * as path from 'node:path';
import { schemasDir } from '../schema-files';

/**
 * One `x-kubernetes-validations` entry of a CRD (apiextensions/v1 ValidationRule): a CEL
 * expression over `self` that must hold, and how its failure reads.
 */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  /** Where a failure is reported, relative to the node: `.spec.port`, `.labels['app']`. */
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

/**
 * A node of a CRD's structural schema (apiextensions-apiserver pkg/apiserver/schema.Structural),
 * as scripts/generate-schemas.js writes it into schemas/crd/: the type, the `x-kubernetes-*`
 * extensions under short names, the default, and the CEL rules. Only branches that need them are
 * kept, and whole under a node with rules.
 */
export interface StructuralSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly format?: string;
  readonly nullable?: boolean;
  readonly default?: unknown;
  readonly intOrString?: boolean;
  readonly preserveUnknownFields?: boolean;
  readonly embeddedResource?: boolean;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: readonly string[];
  readonly mapType?: 'atomic' | 'granular';
  readonly rules?: readonly ValidationRule[];
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly items?: StructuralSchema;
  readonly additionalProperties?: StructuralSchema;
  readonly allOf?: readonly StructuralSchema[];
}

const FOLDER = 'crd';
let files: ReadonlySet<string> | undefined;
/** By apiVersion, then kind: looked up for every object of a tree, so with no string built. */
const loaded = new Map<string, Map<string, StructuralSchema | undefined>>();

/** `gateway.networking.k8s.io/v1` and `HTTPRoute` → `gateway.networking.k8s.io_v1_HTTPRoute.json`. */
function fileNameOf(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  // Built-in kinds of the core group (`v1`) have no CRD; a group with no dot is no CRD's either.
  if (slash < 0 || !apiVersion.slice(0, slash).includes('.')) return undefined;
  return `${apiVersion.slice(0, slash)}_${apiVersion.slice(slash + 1)}_${kind}.json`;
}

function structuralFiles(): ReadonlySet<string> {
  if (files === undefined) {
    const dir = path.join(schemasDir(), FOLDER);
    files = new Set(fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []);
  }
  return files;
}

/**
 * The structural schema of a custom resource's kind, when its CRD has defaults, list types or CEL
 * rules; undefined for built-in kinds and CRDs that have none (their JSON Schema says everything).
 * Each kind's file is read on first need only.
 */
export function structuralSchemaOf(apiVersion: unknown, kind: unknown): StructuralSchema | undefined {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  let kinds = loaded.get(apiVersion);
  if (kinds === undefined) loaded.set(apiVersion, (kinds = new Map()));
  else if (kinds.has(kind)) return kinds.get(kind);
  const fileName = fileNameOf(apiVersion, kind);
  const schema = fileName !== undefined && structuralFiles().has(fileName)
    ? (JSON.parse(fs.readFileSync(path.join(schemasDir(), FOLDER, fileName), 'utf8')) as StructuralSchema)
    : undefined;
  kinds.set(kind, schema);
  return schema;
}

/** Every kind with a structural schema, as `group/version/Kind`, sorted. */
export function structuralKinds(): string[] {
  return [...structuralFiles()]
    .map((f) => f.slice(0, -'.json'.length).split('_'))
    .map(([group, version, kind]) => `${group}/${version}/${kind}`)
    .sort();
}

/** The kind names (`HTTPRoute`) with a structural schema, sorted: what the custom-resource rules look at. */
export function structuralKindNames(): string[] {
  return [...new Set(structuralKinds().map((k) => k.slice(k.lastIndexOf('/') + 1)))].sort();
}
