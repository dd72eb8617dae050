#!/usr/bin/env node
// Runs a bundled entry point (`node scripts/run.js main [args]`), rebuilding dist/ first only when
// a source changed since the last build.
'use strict';
const path = require('node:path');
const { build } = require('./build');

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.js <entry> [args...]');
  process.exit(2);
}
build({ quiet: true });
process.argv = [process.argv[0], path.join(__dirname, '..', 'dist', `${entry}.js`), ...args];
require(process.argv[1]);
