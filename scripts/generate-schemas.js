#!/usr/bin/env node
// Generates schemas/kubernetes-<version>.json, the strict JSON Schema every synthesized object is
// validated against, from the Kubernetes definitions `cdk8s import k8s@<version>` uses.
//
//   node scripts/generate-schemas.js <path/to/_definitions.json> [version]
//
// Strict as `kubeconform -strict`: every object type with declared properties rejects unknown
// fields. Descriptions and vendor extensions are dropped; they only cost load time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [definitionsPath, version = '1.28'] = process.argv.slice(2);
if (!definitionsPath) {
  console.error('usage: node scripts/generate-schemas.js <path/to/_definitions.json> [version]');
  process.exit(2);
}

const source = JSON.parse(fs.readFileSync(definitionsPath, 'utf8')).definitions;

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
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const definitions = {};
const kinds = {};
for (const name of Object.keys(source).sort()) {
  definitions[name] = strip(source[name]);
  const gvks = source[name]['x-kubernetes-group-version-kind'] ?? [];
  // Only definitions with metadata are objects a manifest can hold (not DeleteOptions and the like).
  if (!source[name].properties?.metadata) continue;
  for (const { group, version: v, kind } of gvks) {
    kinds[`${group ? `${group}/` : ''}${v}/${kind}`] = name;
  }
}

const out = path.join(__dirname, '..', 'schemas', `kubernetes-${version}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ version, kinds, definitions }) + '\n');
console.error(`${path.relative(process.cwd(), out)}: ${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions`);
