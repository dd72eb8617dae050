import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ValidateFunction } from 'ajv';

const loaded = new Map<string, Record<string, ValidateFunction> | null>();

/**
 * A module of validators compiled ahead of time by scripts/build.js into dist/: beside the main
 * bundle, or one folder up from the command bundles in dist/commands/. Run from sources (tests)
 * there is none and callers compile the same schema with the same options at first use, which is
 * slower to start but validates identically.
 */
export function precompiledValidators(fileName: string): Record<string, ValidateFunction> | null {
  let module = loaded.get(fileName);
  if (module !== undefined) return module;
  module = null;
  for (const dir of [__dirname, path.dirname(__dirname)]) {
    const file = path.join(dir, fileName);
    if (fs.existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file found at run time, not a module of the bundle
      module = require(file) as Record<string, ValidateFunction>;
      break;
    }
  }
  loaded.set(fileName, module);
  return module;
}

/**
 * The ajv compiler, for the schemas no validator was compiled for ahead of time: loaded on first
 * need only, since most runs never compile a schema and loading ajv is a noticeable part of start-up.
 */
export function loadAjv(): typeof import('ajv').default {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose: see above
  return (require('ajv') as typeof import('ajv')).default;
}
