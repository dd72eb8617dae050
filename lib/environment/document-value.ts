/**
 * Reading a parsed YAML document before the schema has vouched for its shape: what the loader's
 * checks use to look at a field that may be missing or of the wrong type.
 */

/** Looked up once: a global read costs more inside a VM context (as under jest). */
const { isArray } = Array;

/** Whether a value is a YAML mapping (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !isArray(value);
}

/** The value at a path of keys and list indexes, or undefined where the path leaves the document. */
export function valueAt(data: unknown, segments: readonly string[]): unknown {
  let value = data;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
