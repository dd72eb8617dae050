#!/usr/bin/env node
// Bundles each entry point (main.ts, commands) into dist/ with esbuild, so a run starts plain
// JavaScript with no TypeScript compiler and few module look-ups on its start-up path.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-inputs.json');
/** Source folders and files whose change makes dist/ stale. */
const INPUTS = ['main.ts', 'app', 'constructs', 'charts', 'lib', 'commands', 'imports', 'schemas', 'package-lock.json', 'scripts/build.js'];
/**
 * Kinds whose schema validators are compiled ahead of time: compiling the Deployment schema alone
 * takes ~200 ms, more than the rest of a synth. Other kinds still validate, compiled on first use.
 */
const PRECOMPILED_KINDS = [
  'argoproj.io/v1alpha1/AppProject',
  'argoproj.io/v1alpha1/Application',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'batch/v1/Job',
  'gateway.networking.k8s.io/v1/Gateway',
  'gateway.networking.k8s.io/v1/HTTPRoute',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'scheduling.k8s.io/v1/PriorityClass',
  'v1/ConfigMap',
  'v1/LimitRange',
  'v1/Namespace',
  'v1/Service',
  'v1/ServiceAccount',
];

/**
 * Packages left out of the bundles and loaded from node_modules when first needed: the CEL
 * evaluator (with the protobuf runtime it needs) is some 800 kB a bundle would read at every start
 * for the few trees that hold a custom resource with CEL rules.
 */
const LOADED_FROM_NODE_MODULES = ['@bufbuild/cel', '@bufbuild/cel/ext'];

/**
 * Modules the bundles take from elsewhere than their import says.
 *
 * `yaml`: cdk8s bundles its own copy (bundleDependencies), so npm cannot dedupe it: when that copy
 * is the very version the project depends on, every bundle uses the project's one, and a run loads
 * one YAML library instead of two. A different version is left alone.
 */
function aliases() {
  const version = (dir) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  const ours = path.join(ROOT, 'node_modules', 'yaml');
  const theirs = path.join(ROOT, 'node_modules', 'cdk8s', 'node_modules', 'yaml');
  const shared = version(ours) !== undefined && version(ours) === version(theirs) ? { yaml: ours } : {};
  return shared;
}

function entryPoints() {
  const entries = { main: path.join(ROOT, 'main.ts') };
  const commands = path.join(ROOT, 'commands');
  if (fs.existsSync(commands)) {
    for (const file of fs.readdirSync(commands).sort()) {
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entries[`commands/${file.slice(0, -3)}`] = path.join(commands, file);
    }
  }
  return entries;
}

/**
 * Size and modification time of every input file: cheap to take, and changes on any edit. It runs
 * before every command, so it reads directory entries with their types (no stat of directories)
 * and builds paths by concatenation: path.join's normalization of ~100 long paths cost ~4 ms of
 * a ~200 ms run while its code was still cold.
 */
function inputFingerprint(root = ROOT) {
  const out = {};
  const file = (rel, st) => {
    if (st !== undefined && INPUT_FILE.test(rel)) out[rel] = `${st.size}:${st.mtimeMs}`;
  };
  const visit = (abs, rel) => {
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (!st.isDirectory()) return file(rel, st);
    const entries = fs.readdirSync(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const childAbs = `${abs}/${entry.name}`;
      const childRel = `${rel}/${entry.name}`;
      if (entry.isDirectory() || entry.isSymbolicLink()) visit(childAbs, childRel);
      else if (INPUT_FILE.test(entry.name)) file(childRel, fs.statSync(childAbs, { throwIfNoEntry: false }));
    }
  };
  for (const input of INPUTS) visit(`${root}/${input}`, input);
  return out;
}

const INPUT_FILE = /\.(ts|js|json)$/;

function isCurrent(fingerprint) {
  try {
    return fs.readFileSync(STAMP, 'utf8') === JSON.stringify(fingerprint);
  } catch {
    return false;
  }
}

function build({ force = false, quiet = false } = {}) {
  const fingerprint = inputFingerprint();
  if (!force && isCurrent(fingerprint)) return false;
  const esbuild = require('esbuild');
  // Everything is written to a scratch folder and then renamed into dist/ file by file, so a
  // command started meanwhile (say, by a parallel pipeline step) never loads a half-written file.
  const out = path.join(DIST, `.build-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  esbuild.buildSync({
    entryPoints: entryPoints(),
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifySyntax: true,
    keepNames: false,
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
    logOverride: { 'direct-eval': 'silent' },
    alias: aliases(),
    external: LOADED_FROM_NODE_MODULES,
  });
  writeSchemaValidators(out);
  writeConfigValidators(esbuild, out);
  finishModules(out);
  moveInto(out, DIST);
  fs.rmSync(out, { recursive: true, force: true });
  fs.writeFileSync(`${STAMP}.${process.pid}`, JSON.stringify(fingerprint));
  fs.renameSync(`${STAMP}.${process.pid}`, STAMP);
  if (!quiet) console.error(`build: bundled ${Object.keys(entryPoints()).join(', ')} into dist/`);
  return true;
}

/**
 * dist/kubernetes-validators.js: standalone ajv code for the precompiled kinds, one export per
 * `<apiVersion>/<kind>`. One module, with each schema definition compiled once as a function of
 * its own (no inlining), so kinds sharing a PodSpec share its code.
 */
function writeSchemaValidators(out) {
  const Ajv = require('ajv').default;
  const standalone = require('ajv/dist/standalone').default;
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'api-schemas.json'), 'utf8'));
  // Same options as lib/validation/kubernetes-schema.ts uses at run time, but for inlining, which
  // changes the code's shape and not what it accepts.
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, inlineRefs: false, code: { source: true } });
  ajv.addSchema({ $id: 'kubernetes', definitions: schema.definitions });
  const refs = {};
  for (const kind of PRECOMPILED_KINDS) refs[kind] = `kubernetes#/definitions/${schema.kinds[kind]}`;
  fs.writeFileSync(path.join(out, 'kubernetes-validators.js'), standalone(ajv, refs));
}

/**
 * dist/config-validators.js: the environment-file and gitops-config validators, compiled ahead of
 * time with the very schemas and options the loaders use (taken from the sources through a
 * throw-away bundle), so a synth does not compile them at start-up.
 */
function writeConfigValidators(esbuild, out) {
  const Ajv = require('ajv').default;
  const standalone = require('ajv/dist/standalone').default;
  const { outputFiles } = esbuild.buildSync({
    stdin: {
      contents:
        "const env = require('./lib/environment/load-environments');\n" +
        "const envSchema = require('./lib/environment/environment-schema');\n" +
        "const gitops = require('./lib/environment/gitops-config');\n" +
        'module.exports = { environment: [envSchema.environmentSchema, env.ENVIRONMENT_AJV_OPTIONS], ' +
        'gitopsConfig: [gitops.gitopsConfigSchema, gitops.GITOPS_CONFIG_AJV_OPTIONS] };',
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'error',
  });
  const Module = require('node:module');
  const holder = new Module(path.join(DIST, 'config-schemas.js'));
  holder.paths = Module._nodeModulePaths(ROOT);
  holder._compile(outputFiles[0].text, path.join(DIST, 'config-schemas.js'));
  const parts = [];
  for (const [name, [schema, options]] of Object.entries(holder.exports)) {
    const ajv = new Ajv({ ...options, code: { ...(options.code ?? {}), source: true } });
    const code = standalone(ajv, ajv.compile(schema));
    // Each standalone module is CommonJS of its own: keep them apart in one file.
    parts.push(`exports[${JSON.stringify(name)}] = (function () { const module = { exports: {} }; const exports = module.exports;\n${code}\nreturn module.exports; })();`);
  }
  fs.writeFileSync(path.join(out, 'config-validators.js'), `'use strict';\n${parts.join('\n')}\n`);
}

/**
 * The CommonJS wrapper every module under dist/ is written inside, so run.js compiles the file's
 * own text as is (wrapping it at run time would copy a megabyte of source into a new string): as
 * a script, the text's value is the module function, which run.js calls. Loaded by Node itself
 * (`node dist/commands/<name>.js`), where `module` is defined, it runs the module at once.
 */
const MODULE_PREFIX =
  '(function (run) { return typeof module === "undefined" ? run : run.call(exports, exports, require, module, __filename, __dirname); })' +
  '(function (exports, require, module, __filename, __dirname) { ';
const MODULE_SUFFIX = '\n});\n';

/**
 * Makes each bundled module what run.js loads fastest: ASCII only, by escaping the few non-ASCII
 * characters esbuild leaves in comments (`\uXXXX` means the same in a comment, string, template or
 * regular expression), so it reads straight into a one-byte string; and inside MODULE_PREFIX and
 * MODULE_SUFFIX, its source-map comment kept last.
 */
function finishModules(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) finishModules(file);
    else if (entry.name.endsWith('.js')) {
      const source = fs.readFileSync(file, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      const mapComment = /\n(\/\/# sourceMappingURL=[^\n]*)\n?$/.exec(source);
      const body = mapComment ? source.slice(0, mapComment.index + 1) : source;
      fs.writeFileSync(file, `${MODULE_PREFIX}${body}${MODULE_SUFFIX}${mapComment ? `${mapComment[1]}\n` : ''}`);
    }
  }
}

/** Renames every file of `from` to the same place under `to`: each one replaced atomically. */
function moveInto(from, to) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      moveInto(source, target);
    } else {
      fs.renameSync(source, target);
    }
  }
}

module.exports = { build, MODULE_PREFIX, inputFingerprint, INPUTS };

if (require.main === module) build({ force: process.argv.includes('--force') });
