import * as fs from 'node:fs';
import * as path from 'node:path';

let found: string | undefined;

/**
 * The project's `schemas/` folder, found from the sources (lib/validation/…) or from a bundle
 * (dist/, dist/commands/): the first folder above this file that holds one.
 */
export function schemasDir(): string {
  if (found !== undefined) return found;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas');
    if (fs.existsSync(path.join(candidate, 'api-schemas.json'))) return (found = candidate);
    if (path.dirname(dir) === dir) throw new Error(`schemas/api-schemas.json not found above ${__dirname}`);
  }
}
