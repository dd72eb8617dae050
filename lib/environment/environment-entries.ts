import * as fs from 'node:fs';
import * as path from 'node:path';
import { DNS_1123_LABEL_DESCRIPTION, dns1123LabelProblem } from '../predicates/dns-names';
import { FileKind, SYMLINKS_REFUSED, describeEntry } from './regular-file';

/** The one extension of an environment file. */
export const ENVIRONMENT_EXTENSION = '.yaml';

export const FILE_NAME_FIELD = '(file name)';
export const FILE_TYPE_FIELD = '(file type)';

/** Named like an environment file once leading dots are removed, in any letter case. */
const CANDIDATE = /.\.ya?ml$/i;

/** Why an entry of the environments folder is not loaded, in the terms of a `ConfigProblem`. */
export interface EntryRefusal {
  readonly field: typeof FILE_NAME_FIELD | typeof FILE_TYPE_FIELD;
  readonly value: string;
  readonly allowed: string;
}

/** An entry of the environments folder named like an environment file. */
export interface EnvironmentEntry {
  /** The entry's name as listed, e.g. `prod.yaml`. */
  readonly fileName: string;
  /** Absolute path of the entry. */
  readonly file: string;
  /** The environment it holds, or would hold once renamed as its refusal says. */
  readonly name: string;
  /** Why it is not loaded; empty for a regular file named `<name>.yaml`. */
  readonly refusals: readonly EntryRefusal[];
}

/** Whether `name` can name an environment: a DNS-1123 label, since it names namespaces and objects. */
export function isEnvironmentName(name: string): boolean {
  return dns1123LabelProblem(name) === undefined;
}

/**
 * Whether an entry named `fileName` could be meant as an environment file, and so must be either
 * loaded or refused: every name that, without its leading dots, ends in `.yaml` or `.yml` in any
 * letter case. Skipping one silently would drop its environment from gitops/, and Argo CD would
 * prune what it deployed.
 */
export function isEnvironmentCandidate(fileName: string): boolean {
  return CANDIDATE.test(fileName.replace(/^\.+/, ''));
}

/**
 * The candidate entries of `dir` (see `isEnvironmentCandidate`), sorted by name in code-unit
 * order, each with the reasons it is refused. Only regular files named `<name>.yaml` in lowercase,
 * not hidden, are environment files. Entries are judged from `lstat` and never opened, so a FIFO
 * cannot block the listing; symbolic links are refused, never followed (see `SYMLINKS_REFUSED`).
 * The base name's own rule (a DNS-1123 label) is left to the loader, which reports it with the
 * file's other problems, unless case is all that is wrong with it.
 */
export function environmentEntries(dir: string): EnvironmentEntry[] {
  const entries: EnvironmentEntry[] = [];
  for (const fileName of fs.readdirSync(dir)) {
    if (!isEnvironmentCandidate(fileName)) continue;
    const file = path.join(dir, fileName);
    const entry = describeEntry(file);
    // Removed since the listing: there is nothing to load or to refuse.
    if (!entry) continue;
    const naming = nameRefusal(fileName);
    const refusals: EntryRefusal[] = [];
    if (entry.kind !== 'a regular file') refusals.push(fileTypeRefusal(entry.kind, entry.linkTarget));
    if (naming.refusal) refusals.push(naming.refusal);
    entries.push({ fileName, file, name: naming.name, refusals });
  }
  // Code-unit order, not the locale's: the output must not depend on who runs the synth.
  return entries.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}

/**
 * The refusal of an entry that is not a regular file. Exported for the loader, which checks the
 * kind again when it opens a file (the entry may have changed since the listing).
 */
export function fileTypeRefusal(kind: FileKind, linkTarget?: string): EntryRefusal {
  if (kind === 'a symbolic link') {
    return {
      field: FILE_TYPE_FIELD,
      value: linkTarget === undefined ? kind : `${kind} to ${linkTarget}`,
      allowed: `a regular file; ${SYMLINKS_REFUSED}; replace the link with the file it points to`,
    };
  }
  return {
    field: FILE_TYPE_FIELD,
    value: kind,
    allowed:
      `a regular file (an entry named like an environment file is either loaded or refused, and ${kind} ` +
      'is never opened); move it out of the folder or rename it',
  };
}

/** The file name rules beyond the base name's DNS-1123 label, and the environment it names. */
function nameRefusal(fileName: string): { name: string; refusal?: EntryRefusal } {
  const visible = fileName.replace(/^\.+/, '');
  const dot = visible.lastIndexOf('.');
  const base = visible.slice(0, dot);
  const extension = visible.slice(dot);
  const lowercase = base.toLowerCase();
  const hidden = visible !== fileName;
  const caseOnly = base !== lowercase && isEnvironmentName(lowercase);
  const upperExtension = extension !== extension.toLowerCase();
  if (!hidden && !caseOnly && !upperExtension && extension === ENVIRONMENT_EXTENSION) return { name: base };

  const qualities: string[] = [];
  if (caseOnly || upperExtension) {
    qualities.push("in lowercase (the base name is the environment's name, and names differing only in case are one file on some systems)");
  }
  if (hidden) qualities.push('not hidden (a hidden file is easy to miss in review and in ls)');
  const rename = isEnvironmentName(lowercase)
    ? `rename it to ${lowercase}${ENVIRONMENT_EXTENSION}`
    : `rename it to <name>${ENVIRONMENT_EXTENSION}, <name> being ${DNS_1123_LABEL_DESCRIPTION}`;
  return {
    name: lowercase,
    refusal: {
      field: FILE_NAME_FIELD,
      value: fileName,
      allowed: `an environment file named <name>${ENVIRONMENT_EXTENSION}${qualities.map((q) => `, ${q}`).join('')}; ${rename}`,
    },
  };
}
