import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { loadAjv, precompiledValidators } from '../runtime/precompiled-validators';
import { FieldPath } from './api-server/field-error';
import { schemasDir } from './schema-files';

/** The generated schemas: Kubernetes definitions and CRDs, and the definition of each kind. */
interface ApiSchemas {
  readonly kubernetesVersion: string;
  readonly kinds: Record<string, string>;
  readonly definitions: Record<string, unknown>;
}
let schemas: ApiSchemas | undefined;
function apiSchemas(): ApiSchemas {
  // Read on first need only (not bundled): with precompiled validators a synth never parses it.
  schemas ??= JSON.parse(fs.readFileSync(path.join(schemasDir(), 'api-schemas.json'), 'utf8')) as ApiSchemas;
  return schemas;
}

/** One way an object breaks the Kubernetes API schema. */
export interface SchemaViolation {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/ports/0`. */
  readonly path: string;
  /**
   * The same place as the API server writes a field path (`spec.template.spec.containers[0].ports[0]`);
   * at the root, where the pointer is empty, the root field the violation is about (`spec`, `kind`).
   */
  readonly field: string;
  readonly message: string;
}

const SCHEMA_ID = 'kubernetes';
let ajv: import('ajv').default | undefined;
const validators = new Map<string, ValidateFunction>();

/** The Kubernetes version the schemas describe. */
export const KUBERNETES_VERSION = '1.28';

function precompiled(key: string): ValidateFunction | undefined {
  return precompiledValidators('kubernetes-validators.js')?.[key];
}

function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  let validate = validators.get(key) ?? precompiled(key);
  if (validate) {
    validators.set(key, validate);
    return validate;
  }
  const { kinds, definitions } = apiSchemas();
  const definition = kinds[key];
  if (!definition) return undefined;
  if (!ajv) {
    // Compiled lazily and per kind: only the kinds a tree holds are ever compiled.
    ajv = new (loadAjv())({ allErrors: true, strict: false, validateSchema: false });
    ajv.addSchema({ $id: SCHEMA_ID, definitions });
  }
  validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${definition}`)!;
  validators.set(key, validate);
  return validate;
}

/** Where an error is, as a field path; a root error names the root field it is about. */
function fieldOf(error: ErrorObject): string {
  const field = FieldPath.fromPointer(error.instancePath).toString();
  if (field !== '') return field;
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const about = params.missingProperty ?? params.additionalProperty;
  return about === undefined ? '(the object)' : FieldPath.of([about]).toString();
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `missing required field "${(error.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `must be one of ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/**
 * Validates one manifest against the Kubernetes 1.28 API schema, rejecting unknown fields.
 * Returns no violation for a valid object.
 */
export function validateKubernetesSchema(manifest: Record<string, unknown>): SchemaViolation[] {
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ path: '', field: typeof apiVersion !== 'string' ? 'apiVersion' : 'kind', message: 'apiVersion and kind must be strings' }];
  }
  const validate = validatorFor(apiVersion, kind);
  if (!validate) {
    return [{ path: '', field: 'kind', message: `${apiVersion} ${kind} is not a kind of the Kubernetes ${KUBERNETES_VERSION} API or a known CRD` }];
  }
  if (validate(manifest)) return [];
  // oneOf branches (int-or-string, quantities) repeat the same failure; report each place once.
  const seen = new Set<string>();
  const violations: SchemaViolation[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'oneOf') continue;
    const violation = { path: error.instancePath, field: fieldOf(error), message: describe(error) };
    const key = `${violation.path} ${violation.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      violations.push(violation);
    }
  }
  return violations;
}
