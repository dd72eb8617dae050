import { isObject } from '../manifest-values';
import { StructuralSchema } from './structural-schema';

/** The CEL lexer's reserved words: a property so named is `__<word>__` in a rule (`self.__namespace__`). */
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

const ESCAPES: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/**
 * A property name as a CEL rule spells it (Escape, k8s.io/apiserver/pkg/cel/escaping.go):
 * reserved words as `__<word>__`; `__`, `.`, `-` and `/` as `__underscores__`, `__dot__`,
 * `__dash__` and `__slash__`. Undefined for a name no rule can reach (empty, a leading digit,
 * any other character): such a property is left out of `self`.
 */
export function escapeFieldName(name: string): string | undefined {
  if (name === '' || (name[0]! >= '0' && name[0]! <= '9')) return undefined;
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  if (!/^[A-Za-z0-9_./-]*$/.test(name)) return undefined;
  return name.replace(/__|[./-]/g, (s) => ESCAPES[s]!);
}

/** A JSON number as CEL sees a field of the schema's type: `int` (a bigint) for integers. */
function numberValue(value: number, schema: StructuralSchema | undefined): number | bigint {
  const integer = Number.isInteger(value);
  if (schema?.type === 'number') return value;
  if (schema?.type === 'integer' || schema?.intOrString || schema === undefined) return integer ? BigInt(value) : value;
  return value;
}

/**
 * Only name and generateName of an object's metadata are visible to CEL rules, at the root of a
 * resource and of an embedded one (WithTypeAndObjectMeta, pkg/apiserver/schema/cel/model).
 */
function objectMetaValue(metadata: unknown): Map<string, unknown> | undefined {
  if (!isObject(metadata)) return undefined;
  const out = new Map<string, unknown>();
  for (const field of ['name', 'generateName']) if (typeof metadata[field] === 'string') out.set(field, metadata[field]);
  return out;
}

/**
 * A decoded manifest value as a CEL value of its schema (UnstructuredToVal,
 * apiextensions-apiserver pkg/apiserver/schema/cel/values.go): objects with declared properties
 * as messages of escaped field names (unknown fields left out), maps and unknown objects by their
 * keys, integers as CEL `int`, numbers as `double`, int-or-string as whichever it holds.
 */
export function celValueOf(value: unknown, schema: StructuralSchema | undefined, isResourceRoot = false): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return numberValue(value, schema);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((item) => celValueOf(item, schema?.items));
  if (!isObject(value)) return value;
  const out = new Map<string, unknown>();
  const root = isResourceRoot || schema?.embeddedResource === true;
  const properties = schema?.properties;
  if (properties !== undefined && (Object.keys(properties).length > 0 || schema?.additionalProperties === undefined)) {
    for (const [key, child] of Object.entries(value)) {
      if (root && (key === 'apiVersion' || key === 'kind')) {
        if (typeof child === 'string') out.set(key, child);
        continue;
      }
      if (root && key === 'metadata') {
        const meta = objectMetaValue(child);
        if (meta !== undefined) out.set(key, meta);
        continue;
      }
      const property = properties[key];
      const name = escapeFieldName(key);
      if (name === undefined) continue;
      if (property !== undefined) out.set(name, celValueOf(child, property));
      else if (schema?.preserveUnknownFields) out.set(name, celValueOf(child, undefined));
    }
    return out;
  }
  const items = schema?.additionalProperties;
  for (const [key, child] of Object.entries(value)) out.set(key, celValueOf(child, items));
  return out;
}
