#!/usr/bin/env node
// Runs a bundled entry point (`node scripts/run.js main [args]`), rebuilding dist/ first only when
// a source changed since the last build.
//
// Every module under dist/ is compiled through a V8 code cache kept beside it (`<file>.v8cache`):
// compiling megabytes of JavaScript (the bundle, the precompiled schema validators) is most of a
// short run's start-up, and the cache, written after a run, also holds every function that run
// compiled lazily. V8 rejects a cache that does not match its source; it is then rewritten.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { build } = require('./build');

const DIST = path.join(__dirname, '..', 'dist') + path.sep;
const pendingCaches = [];

function compileCached(mod, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const cacheFile = `${filename}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) pendingCaches.push({ script, cacheFile });
  const localRequire = (id) => mod.require(id);
  localRequire.resolve = (request) => Module._resolveFilename(request, mod);
  localRequire.main = process.mainModule;
  localRequire.cache = Module._cache;
  script.runInThisContext().call(mod.exports, mod.exports, localRequire, mod, filename, path.dirname(filename));
}

process.once('exit', () => {
  for (const { script, cacheFile } of pendingCaches) {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // A missing cache only costs the next run its compile time.
    }
  }
});

const loadJs = Module._extensions['.js'];
Module._extensions['.js'] = function loadWithCodeCache(mod, filename) {
  if (!filename.startsWith(DIST)) return loadJs(mod, filename);
  return compileCached(mod, filename);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.js <entry> [args...]');
  process.exit(2);
}
build({ quiet: true });
const file = path.join(DIST, `${entry}.js`);
process.argv = [process.argv[0], file, ...args];
const main = new Module(file, null);
main.filename = file;
main.paths = Module._nodeModulePaths(path.dirname(file));
main.id = '.';
process.mainModule = main;
Module._cache[file] = main;
compileCached(main, file);
main.loaded = true;
