#!/usr/bin/env node
// Regenerates imports/gateway.networking.k8s.io-{httproute,gateway}-gateway.networking.k8s.io.ts
// from a local copy of the Gateway API standard-channel CRDs (`config/crd/standard/` of
// kubernetes-sigs/gateway-api, v1.2.1), with the project's own cdk8s-cli. Only the kinds the edge
// writes are imported. Online, `npx cdk8s import` with cdk8s.yaml does the same.
//
//   node scripts/import-gateway-api.js <path/to/config/crd/standard>
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [crdDir] = process.argv.slice(2);
if (!crdDir) {
  console.error('usage: node scripts/import-gateway-api.js <path/to/config/crd/standard>');
  process.exit(2);
}
const ROOT = path.resolve(__dirname, '..');
const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
for (const [name, file] of [['httproute', 'httproutes'], ['gateway', 'gateways']]) {
  const crd = path.resolve(crdDir, `gateway.networking.k8s.io_${file}.yaml`);
  if (!fs.existsSync(crd)) {
    console.error(`${crd} not found: give the folder holding the Gateway API CRDs`);
    process.exit(2);
  }
  // One source per run: with several, cdk8s import writes only the first.
  const run = spawnSync(process.execPath, [cli, 'import', '--no-save', '--output', 'imports', `gateway.networking.k8s.io-${name}:=${crd}`], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
console.error('imports/gateway.networking.k8s.io-*.ts generated');
