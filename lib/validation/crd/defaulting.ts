import { isObject } from '../manifest-values';
import { StructuralSchema, structuralSchemaOf } from './structural-schema';

/** A null where the schema does not allow one (`nullable` unset). */
const isNonNullableNull = (value: unknown, schema: StructuralSchema | undefined): boolean =>
  value === null && schema !== undefined && schema.nullable !== true;

const copy = <T>(value: T): T => structuredClone(value);

/**
 * Applies the schema's defaults to `value` in place, as the API server does to a custom resource
 * before it validates it (Default, apiextensions-apiserver
 * pkg/apiserver/schema/defaulting/algorithm.go): a field left out, or null where the schema does
 * not allow null, takes a copy of its default, and defaults are applied inside defaults too.
 */
export function applyDefaults(value: unknown, schema: StructuralSchema | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    for (let i = 0; i < value.length; i++) {
      if (items?.default !== undefined && isNonNullableNull(value[i], items)) value[i] = copy(items.default);
      applyDefaults(value[i], items);
    }
  } else if (isObject(value)) {
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      if (property.default === undefined) continue;
      if (!(key in value) || isNonNullableNull(value[key], property)) value[key] = copy(property.default);
    }
    for (const key of Object.keys(value)) {
      const property = schema.properties?.[key];
      if (property !== undefined) {
        applyDefaults(value[key], property);
      } else if (schema.additionalProperties !== undefined) {
        const additional = schema.additionalProperties;
        if (additional.default !== undefined && isNonNullableNull(value[key], additional)) value[key] = copy(additional.default);
        applyDefaults(value[key], additional);
      }
    }
  }
}

/**
 * A custom resource as the API server validates it: a copy with the CRD's defaults applied. (The
 * server also drops non-nullable nulls that have no default; here the schema refuses them, which
 * is stricter and names the field.) The manifest itself for kinds whose CRD has no structural
 * schema of note and for built-in kinds (their defaulting is Go code that validation does not
 * need). A fresh copy each time, never cached: a manifest may be edited between two validations,
 * and the kinds with defaults are few in a tree.
 */
export function defaultedManifest<T extends Record<string, unknown>>(manifest: T): T {
  const schema = structuralSchemaOf(manifest.apiVersion, manifest.kind);
  if (schema === undefined) return manifest;
  const out = copy(manifest);
  applyDefaults(out, schema);
  return out;
}
