#!/usr/bin/env node
// Generates schemas/api-schemas.json, the strict JSON Schemas every synthesized object is
// validated against: the Kubernetes API from the definitions `cdk8s import k8s@<version>` uses,
// plus the CustomResourceDefinitions given (Argo CD's).
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

const crds = [];
for (const file of values.crd) {
  for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
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
  }
}

const out = path.join(__dirname, '..', 'schemas', 'api-schemas.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ kubernetesVersion: values.version, crds: crds.sort(), kinds, definitions }) + '\n');
console.error(`${path.relative(process.cwd(), out)}: Kubernetes ${values.version} and ${crds.length} CRDs; ${Object.keys(kinds).length} kinds`);
