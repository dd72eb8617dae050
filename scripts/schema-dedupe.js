// Hoists the subschemas a CRD schema repeats into shared definitions.
//
// A CRD's openAPIV3Schema is one tree with no `$ref`s: Argo CD's Application spells out its
// ApplicationSource four times (spec.source, spec.sources[], operation.sync.source,
// operation.sync.sources[]), and a compiled validator holds code for each copy. Replacing each
// repeat with a `$ref` to one definition accepts and refuses exactly the same documents, with the
// same instance paths in errors, and makes the compiled validators about a third smaller, which is
// what a synth pays to load them.
'use strict';

/** Subschemas smaller than this (as JSON) are left in place: a function call costs more. */
const MIN_SHARED_SIZE = 400;

/** Calls `fn(holder, key)` for every direct subschema of `schema`. */
function forEachSubschema(schema, fn) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return;
  if (schema.properties) for (const name of Object.keys(schema.properties)) fn(schema.properties, name);
  if (schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) fn(schema, 'items');
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') fn(schema, 'additionalProperties');
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    if (Array.isArray(schema[keyword])) schema[keyword].forEach((_, i) => fn(schema[keyword], i));
  }
}

/**
 * Rewrites `schema` (the definition `name`) in place: every subschema of at least `minSize`
 * characters that occurs more than once becomes `{ $ref: '#/definitions/<name>.<path>' }`, the
 * path being where it first occurs, and its one copy is added to `definitions`. Deterministic:
 * the same schema gives the same names. Returns the names added.
 */
function hoistRepeatedSubschemas(name, schema, definitions, minSize = MIN_SHARED_SIZE) {
  const counts = new Map();
  const count = (node) =>
    forEachSubschema(node, (holder, key) => {
      const json = JSON.stringify(holder[key]);
      if (json.length < minSize) return count(holder[key]);
      const seen = counts.has(json);
      counts.set(json, (counts.get(json) ?? 0) + 1);
      // What a repeat holds is counted once: it is shared along with the repeat.
      if (!seen) count(holder[key]);
    });
  count(schema);

  const shared = new Map();
  const replace = (node, at) =>
    forEachSubschema(node, (holder, key) => {
      const json = JSON.stringify(holder[key]);
      const where = `${at}.${key}`;
      if ((counts.get(json) ?? 0) < 2) {
        replace(holder[key], where);
        return;
      }
      let ref = shared.get(json);
      if (ref === undefined) {
        ref = `${name}.${where.slice(1)}`;
        if (definitions[ref] !== undefined) throw new Error(`schema-dedupe: definition ${ref} already exists`);
        shared.set(json, ref);
        const copy = JSON.parse(json);
        replace(copy, where);
        definitions[ref] = copy;
      }
      holder[key] = { $ref: `#/definitions/${ref}` };
    });
  replace(schema, '');
  return [...shared.values()];
}

module.exports = { hoistRepeatedSubschemas, MIN_SHARED_SIZE };
