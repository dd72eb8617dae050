#!/usr/bin/env node
// Generates schemas/api-schemas.json, the strict JSON Schemas every synthesized object is
// validated against: the Kubernetes API from the definitions `cdk8s import k8s@<version>` uses,
// plus the CustomResourceDefinitions given (Argo CD's, Gateway API's).
//
// Also schemas/crd/<group>_<version>_<Kind>.json, for each served CRD version whose schema has
// what JSON Schema cannot express and the API server still applies: defaults, list types (`set`,
// `map` and its keys) and `x-kubernetes-validations` CEL rules. Those files hold the structural
// schema (types and the extensions) of the branches that carry them, and whole under a CEL rule,
// whose `self` is typed by it.
//
//   node scripts/generate-schemas.js <path/to/_definitions.json> [--version 1.28] [--crd <crd.yaml>]...
//
// Strict as `kubeconform -strict`: every object type with declared properties rejects unknown
// fields, except where a CRD says `x-kubernetes-preserve-unknown-fields`. Descriptions and vendor
// extensions are dropped; they only cost load time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { parseAllDocuments } = require('yaml');
const { hoistRepeatedSubschemas } = require('./schema-dedupe');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { version: { type: 'string', default: '1.28' }, crd: { type: 'string', multiple: true, default: [] } },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/generate-schemas.js <path/to/_definitions.json> [--version 1.28] [--crd <crd.yaml>]...');
  process.exit(2);
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function strip(schema) {
  if (Array.isArray(schema)) return schema.map(strip);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const key of Object.keys(schema).sort()) {
    if (key === 'description' || key === 'format' || key.startsWith('x-kubernetes-')) continue;
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.keys(schema.properties).sort().map((p) => [p, strip(schema.properties[p])]))
      : strip(schema[key]);
  }
  if (out.properties && out.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const source = JSON.parse(fs.readFileSync(positionals[0], 'utf8')).definitions;

/**
 * A top-level kind without `status`: the tree holds desired state only, and a status written into
 * git would be overwritten by the controllers (and is refused here as an unknown field).
 */
function withoutStatus(schema) {
  if (!schema.properties?.status) return schema;
  const { status: _status, ...properties } = schema.properties;
  return { ...schema, properties };
}
const definitions = {};
const kinds = {};
for (const name of Object.keys(source).sort()) {
  definitions[name] = strip(source[name]);
  // Only definitions with metadata are objects a manifest can hold (not DeleteOptions and the like).
  if (!source[name].properties?.metadata) continue;
  definitions[name] = withoutStatus(definitions[name]);
  for (const { group, version, kind } of source[name]['x-kubernetes-group-version-kind'] ?? []) {
    kinds[`${group ? `${group}/` : ''}${version}/${kind}`] = name;
  }
}

/** The extensions a structural node keeps, by the name the validators read them under. */
const EXTENSIONS = {
  'x-kubernetes-int-or-string': 'intOrString',
  'x-kubernetes-preserve-unknown-fields': 'preserveUnknownFields',
  'x-kubernetes-embedded-resource': 'embeddedResource',
  'x-kubernetes-list-type': 'listType',
  'x-kubernetes-list-map-keys': 'listMapKeys',
  'x-kubernetes-map-type': 'mapType',
};

/** Whether a schema node, or one below it, needs the API server's structural validation. */
function needsStructural(schema) {
  if (schema === null || typeof schema !== 'object') return false;
  if (schema['x-kubernetes-validations'] || schema.default !== undefined) return true;
  if (schema['x-kubernetes-list-type'] === 'set' || schema['x-kubernetes-list-type'] === 'map') return true;
  return Object.values(schema.properties ?? {}).some(needsStructural)
    || needsStructural(schema.items)
    || needsStructural(schema.additionalProperties)
    || (schema.allOf ?? []).some(needsStructural);
}

/**
 * The structural node of a CRD schema node: its type and extensions, its CEL rules, and the
 * children that need structural validation; every child under a node with rules.
 */
function structural(schema, whole = false) {
  const out = {};
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.format !== undefined) out.format = schema.format;
  if (schema.nullable === true) out.nullable = true;
  if (schema.default !== undefined) out.default = schema.default;
  for (const [key, name] of Object.entries(EXTENSIONS)) {
    if (schema[key] !== undefined && schema[key] !== false) out[name] = schema[key];
  }
  const rules = schema['x-kubernetes-validations'];
  if (rules) {
    out.rules = rules.map((r) => Object.fromEntries(
      ['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf'].filter((k) => r[k] !== undefined).map((k) => [k, r[k]]),
    ));
    whole = true;
  }
  const keep = (child) => whole || needsStructural(child);
  if (schema.properties) {
    const properties = {};
    for (const name of Object.keys(schema.properties).sort()) {
      if (keep(schema.properties[name])) properties[name] = structural(schema.properties[name], whole);
    }
    if (Object.keys(properties).length > 0 || whole) out.properties = properties;
  }
  if (schema.items && typeof schema.items === 'object' && keep(schema.items)) out.items = structural(schema.items, whole);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object' && keep(schema.additionalProperties)) {
    out.additionalProperties = structural(schema.additionalProperties, whole);
  }
  if (schema.allOf?.some(needsStructural)) out.allOf = schema.allOf.filter(needsStructural).map((s) => structural(s, whole));
  return out;
}

const structuralDir = path.join(__dirname, '..', 'schemas', 'crd');
fs.rmSync(structuralDir, { recursive: true, force: true });
const structuralKinds = [];

const crds = [];
/** The CRDs' cluster-scoped kinds, as `<group>/<kind>` (lib/tree/cluster-scoped-kinds.ts must list them). */
const clusterScoped = [];
for (const file of values.crd) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const openAPI = withoutStatus(version.schema.openAPIV3Schema);
      if (needsStructural(openAPI)) {
        fs.mkdirSync(structuralDir, { recursive: true });
        const fileName = `${group}_${version.name}_${names.kind}.json`;
        fs.writeFileSync(path.join(structuralDir, fileName), JSON.stringify(structural(openAPI)) + '\n');
        structuralKinds.push(fileName);
      }
      const schema = withoutStatus(strip(version.schema.openAPIV3Schema));
      // CRDs declare metadata as a bare object; the API server validates it as ObjectMeta.
      schema.properties.metadata = { $ref: `#/definitions/${OBJECT_META}` };
      schema.properties.apiVersion = { enum: [`${group}/${version.name}`], type: 'string' };
      schema.properties.kind = { enum: [names.kind], type: 'string' };
      const name = `${group.split('.').reverse().join('.')}.${version.name}.${names.kind}`;
      definitions[name] = schema;
      hoistRepeatedSubschemas(name, schema, definitions);
      kinds[`${group}/${version.name}/${names.kind}`] = name;
    }
    crds.push(`${names.kind}.${group}`);
    if (crd.spec.scope === 'Cluster') clusterScoped.push(`${group}/${names.kind}`);
  }
}

const out = path.join(__dirname, '..', 'schemas', 'api-schemas.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ kubernetesVersion: values.version, crds: crds.sort(), clusterScoped: clusterScoped.sort(), kinds, definitions }) + '\n');
console.error(`${path.relative(process.cwd(), out)}: Kubernetes ${values.version} and ${crds.length} CRDs; ${Object.keys(kinds).length} kinds`);
console.error(`${path.relative(process.cwd(), structuralDir)}/: the structural schemas of ${structuralKinds.length} CRD versions with defaults, list types or CEL rules`);
