#!/usr/bin/env node
// Runs a bundled entry point (`node scripts/run.js main [args]`), rebuilding dist/ first only when
// a source changed since the last build.
//
// Every module under dist/ is compiled through a V8 code cache kept beside it (`<file>.v8cache`):
// compiling megabytes of JavaScript (the bundle, the precompiled schema validators) is most of a
// short run's start-up, and the cache, written after a run, also holds every function that run
// compiled lazily. A cache made from other source is ignored, and rewritten after the run.
'use strict';
const crypto = require('node:crypto');
const { isAscii } = require('node:buffer');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { build, MODULE_PREFIX } = require('./build');

const DIST = path.join(__dirname, '..', 'dist') + path.sep;
const pendingCaches = [];

/**
 * V8 checks a code cache against the source's length, not its content, so each cache file starts
 * with a digest of the source it was made from; a cache of another build is never handed to V8.
 */
const DIGEST_BYTES = 20;

/**
 * One buffer, grown as needed, that every dist/ module and code cache is read into: each fresh
 * allocation of a megabyte costs its page faults again, and those are slow on virtual machines.
 * What is read is used (copied into a string, or deserialized by V8) before the next read.
 */
let scratch = Buffer.allocUnsafeSlow(0);

function readIntoScratch(filename) {
  const fd = fs.openSync(filename, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(size);
    let length = 0;
    while (length < size) {
      const n = fs.readSync(fd, scratch, length, size - length, length);
      if (n === 0) break;
      length += n;
    }
    return scratch.subarray(0, length);
  } finally {
    fs.closeSync(fd);
  }
}

function compileCached(mod, filename) {
  const bytes = readIntoScratch(filename);
  // The build makes every dist/ module ASCII, which reads as a one-byte string without decoding.
  const text = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  // and writes it inside the CommonJS wrapper, so the text compiles as is.
  const source = text.startsWith(MODULE_PREFIX) ? text : Module.wrap(text);
  const digest = crypto.createHash('sha1').update(bytes).digest();
  const cacheFile = `${filename}.v8cache`;
  let cachedData;
  try {
    const cached = readIntoScratch(cacheFile);
    if (cached.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = cached.subarray(DIGEST_BYTES);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(source, { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) pendingCaches.push({ script, cacheFile, digest });
  const localRequire = (id) => mod.require(id);
  localRequire.resolve = (request) => Module._resolveFilename(request, mod);
  localRequire.main = process.mainModule;
  localRequire.cache = Module._cache;
  script.runInThisContext().call(mod.exports, mod.exports, localRequire, mod, filename, path.dirname(filename));
}

process.once('exit', () => {
  for (const { script, cacheFile, digest } of pendingCaches) {
    try {
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, Buffer.concat([digest, script.createCachedData()]));
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
