import * as path from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import schema from '../../schemas/kubernetes-1.28.json';

/** One way an object breaks the Kubernetes API schema. */
export interface SchemaViolation {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/ports/0`. */
  readonly path: string;
  readonly message: string;
}

const SCHEMA_ID = 'kubernetes';
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The Kubernetes version the schema describes. */
export const KUBERNETES_VERSION: string = schema.version;

let precompiled: Record<string, ValidateFunction> | null | undefined;

/**
 * Validators compiled ahead of time by scripts/build.js into dist/: next to the main bundle, one
 * folder up from the command bundles in dist/commands/. Run from sources (tests), there are none
 * and every kind compiles on first use: same schema, same options.
 */
function precompiledValidators(): Record<string, ValidateFunction> | null {
  if (precompiled === undefined) {
    precompiled = null;
    for (const dir of [__dirname, path.dirname(__dirname)]) {
      try {
        precompiled = require(path.join(dir, 'kubernetes-validators.js')) as Record<string, ValidateFunction>;
        break;
      } catch {
        // not in this folder
      }
    }
  }
  return precompiled;
}

function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  let validate = validators.get(key) ?? precompiledValidators()?.[key];
  if (validate) return validate;
  const definition = (schema.kinds as Record<string, string>)[key];
  if (!definition) return undefined;
  if (!ajv) {
    // Compiled lazily and per kind: only the kinds a tree holds are ever compiled.
    ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    ajv.addSchema({ $id: SCHEMA_ID, definitions: schema.definitions });
  }
  validate = ajv.getSchema(`${SCHEMA_ID}#/definitions/${definition}`)!;
  validators.set(key, validate);
  return validate;
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
    return [{ path: '', message: 'apiVersion and kind must be strings' }];
  }
  const validate = validatorFor(apiVersion, kind);
  if (!validate) {
    return [{ path: '', message: `${apiVersion} ${kind} is not a kind of the Kubernetes ${KUBERNETES_VERSION} API` }];
  }
  if (validate(manifest)) return [];
  // oneOf branches (int-or-string, quantities) repeat the same failure; report each place once.
  const seen = new Set<string>();
  const violations: SchemaViolation[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'oneOf') continue;
    const violation = { path: error.instancePath, message: describe(error) };
    const key = `${violation.path} ${violation.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      violations.push(violation);
    }
  }
  return violations;
}
