import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compareCodePoints, TreeObject, treeObject } from './tree-object';
import { yamlErrorOffset } from './yaml-error-position';

/** A tree cannot be read: missing, unreadable, or not valid YAML. */
export class TreeReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeReadError';
  }
}

/**
 * The objects of a tree's `*.yaml` files (relative posix path → content), in path order so every
 * report is stable. A file may hold several documents (one object each); empty documents are
 * skipped. `where` names the tree in error messages (`gitops`, `HEAD:gitops`).
 *
 * Throws {@link TreeReadError} naming the file (and line) of anything that is not YAML or not an
 * object, which would otherwise make a reader silently look at less than the whole tree.
 */
export function parseTree(files: ReadonlyMap<string, string>, where: string): TreeObject[] {
  const objects: TreeObject[] = [];
  const paths = [...files.keys()].filter((p) => p.endsWith('.yaml')).sort(compareCodePoints);
  for (const rel of paths) {
    const text = files.get(rel)!;
    const file = where.endsWith('/') ? `${where}${rel}` : `${where}/${rel}`;
    for (const [index, doc] of parseAllDocuments(text).entries()) {
      const error = doc.errors[0];
      if (error) {
        // The line that is wrong, not the one where the parser noticed it (indentation errors).
        const line = lineAt(text, yamlErrorOffset(text, error));
        throw new TreeReadError(`${file}:${line}: invalid YAML: ${error.message.trimEnd()}`);
      }
      const manifest: unknown = doc.toJS();
      if (manifest === null || manifest === undefined) continue;
      if (typeof manifest !== 'object' || Array.isArray(manifest)) {
        const line = doc.contents?.range ? lineAt(text, doc.contents.range[0]) : undefined;
        throw new TreeReadError(`${file}${line !== undefined ? `:${line}` : ''}: document ${index + 1} is not a mapping, so not a Kubernetes object`);
      }
      objects.push(treeObject(rel, manifest as Record<string, any>));
    }
  }
  return objects;
}

/** Every object of the tree in folder `dir`: {@link readTreeFiles}, then {@link parseTree}. */
export function readTree(dir: string): TreeObject[] {
  return parseTree(readTreeFiles(dir), dir);
}

/**
 * The `*.yaml` files below `dir`, relative posix path → content. Symlinked folders are not
 * followed (a link to an ancestor would never end); a symlinked file is read through its link.
 */
export function readTreeFiles(dir: string): Map<string, string> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    throw new TreeReadError(`${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!stat.isDirectory()) throw new TreeReadError(`${dir}: not a directory`);
  const files = new Map<string, string>();
  const visit = (rel: string): void => {
    const abs = rel === '' ? dir : path.join(dir, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      throw new TreeReadError(`${abs}: ${(e as Error).message}`);
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(child);
      else if (entry.name.endsWith('.yaml')) {
        const file = path.join(dir, child);
        try {
          files.set(child, fs.readFileSync(file, 'utf8'));
        } catch (e) {
          throw new TreeReadError(`${file}: ${(e as Error).message}`);
        }
      }
    }
  };
  visit('');
  return files;
}

/** The 1-based line of a character offset in a file's text, as findings and errors name it. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
