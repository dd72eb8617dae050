import { duplicate, FieldError, FieldPath, GoValue, invalid } from '../api-server/field-error';
import { isObject } from '../manifest-values';
import { StructuralSchema } from './structural-schema';

/** A key a list-map item leaves out: equal only to another item that leaves it out. */
const UNSPECIFIED = Symbol('unspecified key');

/** How Go tells two unstructured values apart: scalars by value, compound values by their JSON. */
const identity = (value: unknown): unknown => (value !== null && typeof value === 'object' ? `json:${JSON.stringify(value)}` : value);

/** The indices where an item occurs for the second time (each repeated item once, as Go does). */
function nonUniqueIndices(items: readonly unknown[]): number[] {
  const times = new Map<unknown, number>();
  const out: number[] = [];
  items.forEach((item, i) => {
    const key = identity(item);
    const seen = times.get(key) ?? 0;
    times.set(key, seen + 1);
    if (seen === 1) out.push(i);
  });
  return out;
}

function validateListMap(path: FieldPath, schema: StructuralSchema, list: readonly unknown[]): FieldError[] {
  for (const [i, item] of list.entries()) {
    if (item !== null && !isObject(item)) return [invalid(path.index(i), GoValue.ofUnstructured(item), 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keyFields = schema.listMapKeys ?? [];
  if (keyFields.length === 1) {
    const field = keyFields[0]!;
    const keys = list.map((item) => (isObject(item) && field in item ? item[field] : UNSPECIFIED));
    return nonUniqueIndices(keys).map((i) =>
      duplicate(path.index(i), GoValue.ofUnstructured(keys[i] === UNSPECIFIED ? {} : { [field]: keys[i] })),
    );
  }
  const keys = list.map((item) => {
    const key: Record<string, unknown> = {};
    if (isObject(item)) for (const field of keyFields) if (field in item) key[field] = item[field];
    return key;
  });
  return nonUniqueIndices(keys.map((k) => JSON.stringify(Object.keys(k).sort().map((f) => [f, k[f]])))).map((i) =>
    duplicate(path.index(i), GoValue.ofUnstructured(keys[i])),
  );
}

function validateValue(path: FieldPath, schema: StructuralSchema, value: unknown, errors: FieldError[]): void {
  if (Array.isArray(value)) {
    if (schema.listType === 'set') {
      for (const i of nonUniqueIndices(value)) errors.push(duplicate(path.index(i), GoValue.ofUnstructured(value[i])));
    } else if (schema.listType === 'map') {
      errors.push(...validateListMap(path, schema, value));
    }
    if (schema.items !== undefined) value.forEach((item, i) => validateValue(path.index(i), schema.items!, item, errors));
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const property = schema.properties?.[key];
      if (property !== undefined) validateValue(path.child(key), property, child, errors);
      else if (schema.additionalProperties !== undefined) validateValue(path.key(key), schema.additionalProperties, child, errors);
    }
  }
}

/**
 * The uniqueness a CRD declares for its lists: no item twice in an `x-kubernetes-list-type: set`,
 * no key (the `x-kubernetes-list-map-keys` fields) twice in a `map`, whose items must be objects
 * (ValidateListSetsAndMaps, apiextensions-apiserver pkg/apiserver/schema/listtype/validation.go).
 */
export function validateListSetsAndMaps(object: Record<string, unknown>, schema: StructuralSchema): FieldError[] {
  const errors: FieldError[] = [];
  validateValue(FieldPath.root(''), schema, object, errors);
  return errors;
}
