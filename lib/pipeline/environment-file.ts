import { TREE_PREFIX } from '../tree/layout';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENT_EXTENSION, EnvironmentEntry, environmentEntries, isEnvironmentName } from '../environment/environment-entries';
import { DNS_1123_LABEL_DESCRIPTION } from '../predicates/dns-names';
import { invalidValue } from '../predicates/invalid-value';
import { SYMLINKS_REFUSED, describeEntry } from '../environment/regular-file';
import { PipelineError } from './pipeline-error';

/** Folder of the environment files, relative to the project root. */
export const ENVIRONMENTS_DIR = 'environments';
/** The synthesized tree, relative to the project root. */
export const GITOPS_DIR = TREE_PREFIX;

/** Where an environment's file is: absolute, and relative to the project root (posix separators). */
export interface EnvironmentFileLocation {
  readonly environment: string;
  readonly absolute: string;
  readonly relative: string;
}

/**
 * Locates `environments/<name>.yaml` below `root`. Throws a `PipelineError` naming the
 * environments that exist when the name is not a valid environment name or has no file, and
 * refuses up front an entry that is not a regular file: commands replace the file with a rename,
 * which would turn a symbolic link into a plain file (and a failed run's restore would too).
 * Symbolic links are refused, never followed, as synth refuses them.
 */
export function environmentFile(root: string, name: string): EnvironmentFileLocation {
  const relative = `${ENVIRONMENTS_DIR}/${name}${ENVIRONMENT_EXTENSION}`;
  if (!isEnvironmentName(name)) {
    throw new PipelineError(`not a valid environment name: ${invalidValue('environment', name, DNS_1123_LABEL_DESCRIPTION)}`);
  }
  const absolute = path.join(root, ENVIRONMENTS_DIR, `${name}${ENVIRONMENT_EXTENSION}`);
  const entry = describeEntry(absolute);
  if (!entry) {
    const known = environmentNames(root);
    const misnamed = entriesOf(root).filter((e) => e.name === name && e.refusals.length > 0);
    throw new PipelineError(
      `environment ${JSON.stringify(name)} has no file ${relative}; ` +
        `${ENVIRONMENTS_DIR}/ has: ${known.length > 0 ? known.join(', ') : '(none)'}` +
        misnamed.map((e) => `; ${ENVIRONMENTS_DIR}/${e.fileName} is refused: ${e.refusals.map((r) => r.allowed).join('; ')}`).join(''),
    );
  }
  if (entry.kind === 'a symbolic link') {
    throw new PipelineError(
      `${relative} is a symbolic link${entry.linkTarget === undefined ? '' : ` to ${entry.linkTarget}`}, not a regular file: ` +
        `${SYMLINKS_REFUSED}; replace the link with the file it points to`,
    );
  }
  if (entry.kind !== 'a regular file') {
    throw new PipelineError(
      `${relative} is ${entry.kind}, not a regular file: an environment is a regular file ${relative} ` +
        `(${entry.kind} is never opened); move it away and put the environment's file in its place`,
    );
  }
  return { environment: name, absolute, relative };
}

/**
 * Names of the environments below `root` that synth would load, sorted: regular files named
 * `<name>.yaml` (see `environmentEntries`) whose base name is an environment name.
 */
export function environmentNames(root: string): string[] {
  return entriesOf(root)
    .filter((e) => e.refusals.length === 0 && isEnvironmentName(e.name))
    .map((e) => e.name)
    .sort();
}

function entriesOf(root: string): EnvironmentEntry[] {
  try {
    return environmentEntries(path.join(root, ENVIRONMENTS_DIR));
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
