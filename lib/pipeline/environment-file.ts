import * as fs from 'node:fs';
import * as path from 'node:path';
import { DNS_1123_LABEL_DESCRIPTION, ENVIRONMENT_NAME_PATTERN } from '../environment/environment-schema';
import { PipelineError } from './pipeline-error';

/** Folder of the environment files, relative to the project root. */
export const ENVIRONMENTS_DIR = 'environments';
/** The synthesized tree, relative to the project root. */
export const GITOPS_DIR = 'gitops';

/** Where an environment's file is: absolute, and relative to the project root (posix separators). */
export interface EnvironmentFileLocation {
  readonly environment: string;
  readonly absolute: string;
  readonly relative: string;
}

/**
 * Locates `environments/<name>.yaml` below `root`. Throws a `PipelineError` naming the
 * environments that exist when the name is not a valid environment name or has no file.
 */
export function environmentFile(root: string, name: string): EnvironmentFileLocation {
  const relative = `${ENVIRONMENTS_DIR}/${name}.yaml`;
  if (!new RegExp(ENVIRONMENT_NAME_PATTERN).test(name) || name.length > 63) {
    throw new PipelineError(`environment ${JSON.stringify(name)} is not a valid environment name: ${DNS_1123_LABEL_DESCRIPTION}`);
  }
  const absolute = path.join(root, ENVIRONMENTS_DIR, `${name}.yaml`);
  if (!fs.existsSync(absolute)) {
    const known = environmentNames(root);
    throw new PipelineError(
      `environment ${JSON.stringify(name)} has no file ${relative}; ` +
        `${ENVIRONMENTS_DIR}/ has: ${known.length > 0 ? known.join(', ') : '(none)'}`,
    );
  }
  return { environment: name, absolute, relative };
}

/** Names of the environments with a file below `root`, sorted. */
export function environmentNames(root: string): string[] {
  try {
    return fs
      .readdirSync(path.join(root, ENVIRONMENTS_DIR))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Replaces a file's content with a rename, so a reader (or a crash) sees the old bytes or the new
 * ones, never a mix. Keeps the file's permission bits.
 */
export function replaceFile(file: string, content: string): void {
  const mode = fs.statSync(file).mode & 0o777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
