import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TreeObject } from './finding';

/** The tree cannot be read: missing, unreadable, or not valid YAML. Nothing was validated. */
export class TreeReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeReadError';
  }
}

/**
 * Reads every `*.yaml` file below `dir` into tree objects, in path order so reports are stable.
 *
 * A file may hold several documents (one object each); empty documents are skipped. Where an
 * object sits decides its environment and component: `envs/<env>/<component>/...` as synth writes
 * it, otherwise the first folder is the environment (`bootstrap/`, `apps/`) and the second, if
 * any, the component.
 *
 * Throws {@link TreeReadError} naming the path (and line, for YAML errors) on anything that would
 * otherwise make validation silently look at less than the whole tree.
 */
export function readTree(dir: string): TreeObject[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (e) {
    throw new TreeReadError(`${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  if (!stat.isDirectory()) throw new TreeReadError(`${dir}: not a directory`);

  const objects: TreeObject[] = [];
  for (const rel of yamlFiles(dir)) {
    const file = path.join(dir, rel);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new TreeReadError(`${file}: ${(e as Error).message}`);
    }
    const { environment, component } = placeOf(rel);
    for (const [index, doc] of parseAllDocuments(text).entries()) {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0].line;
        throw new TreeReadError(`${file}${line !== undefined ? `:${line}` : ''}: invalid YAML: ${error.message.trimEnd()}`);
      }
      const manifest: unknown = doc.toJS();
      if (manifest === null || manifest === undefined) continue;
      if (typeof manifest !== 'object' || Array.isArray(manifest)) {
        const line = doc.contents?.range ? lineAt(text, doc.contents.range[0]) : undefined;
        throw new TreeReadError(
          `${file}${line !== undefined ? `:${line}` : ''}: document ${index + 1} is not a mapping, so not a Kubernetes object`,
        );
      }
      objects.push({ path: rel, environment, component, manifest: manifest as Record<string, any> });
    }
  }
  return objects;
}

/** Relative posix paths of the `*.yaml` files below `dir`, sorted by code point (not locale). */
function yamlFiles(dir: string): string[] {
  const out: string[] = [];
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
      // Symlinked folders are not followed (a link to an ancestor would never end); a symlinked
      // file is read through its link like any other.
      if (entry.isDirectory()) visit(child);
      else if (entry.name.endsWith('.yaml')) out.push(child);
    }
  };
  visit('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function placeOf(rel: string): { environment: string; component: string } {
  const folders = rel.split('/').slice(0, -1);
  if (folders[0] === 'envs' && folders.length >= 3) return { environment: folders[1]!, component: folders[2]! };
  return { environment: folders[0] ?? '-', component: folders[1] ?? '-' };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
