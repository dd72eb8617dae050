#!/usr/bin/env node
// Runs a bundled entry point (`node scripts/run.js main [args]`), rebuilding dist/ first only when
// a source changed since the last build.
//
// The bundle is compiled through a V8 code cache kept beside it (`<entry>.js.v8cache`): compiling
// a megabyte of JavaScript is a large share of a short run's start-up, and the cache, written after
// the first run, also holds every function that run compiled lazily. V8 rejects a cache that does
// not match the source, and the cache is then rewritten.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { build } = require('./build');

function runCached(file) {
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // A missing cache only costs the next run its compile time.
      }
    });
  }
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = mod;
  const localRequire = (id) => mod.require(id);
  localRequire.resolve = (request) => Module._resolveFilename(request, mod);
  localRequire.main = mod;
  localRequire.cache = Module._cache;
  process.mainModule = mod;
  script.runInThisContext()(mod.exports, localRequire, mod, file, path.dirname(file));
  mod.loaded = true;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.js <entry> [args...]');
  process.exit(2);
}
build({ quiet: true });
const file = path.join(__dirname, '..', 'dist', `${entry}.js`);
process.argv = [process.argv[0], file, ...args];
runCached(file);
