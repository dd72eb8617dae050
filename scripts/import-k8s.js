#!/usr/bin/env node
// Regenerates imports/k8s.ts from a local copy of the Kubernetes schema definitions
// (the `_definitions.json` that `cdk8s import k8s@<version>` downloads), so the import
// can be reproduced offline. Online, `npx cdk8s import` with cdk8s.yaml does the same.
//
//   node scripts/import-k8s.js <path/to/_definitions.json> [version]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [definitionsPath, version = '1.28.0'] = process.argv.slice(2);
if (!definitionsPath) {
  console.error('usage: node scripts/import-k8s.js <path/to/_definitions.json> [version]');
  process.exit(2);
}
const util = require(path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'lib/util'));
util.download = async () => fs.readFileSync(path.resolve(definitionsPath), 'utf8');
const { ImportKubernetesApi } = require(path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'lib/import/k8s'));

new ImportKubernetesApi({ apiVersion: version })
  .import({ moduleNamePrefix: undefined, targetLanguage: 'typescript', outdir: 'imports' })
  .then(() => console.error(`imports/k8s.ts generated for Kubernetes ${version}`))
  .catch((e) => { console.error(e); process.exit(1); });
