import { stringify } from 'yaml';
import { parseTree } from '../tree/read-tree';
import { objectKey, TreeObject } from '../tree/tree-object';

/**
 * The objects of a tree's files keyed by {@link objectKey}: what the diff pairs the two sides by.
 * `where` names the tree in error messages (`HEAD:gitops`, `gitops`).
 */
export function keyedObjects(files: ReadonlyMap<string, string>, where: string): Map<string, TreeObject> {
  const out = new Map<string, TreeObject>();
  for (const object of parseTree(files, where)) {
    const key = objectKey(object);
    // Two documents claiming one identity: keep both visible rather than silently dropping one.
    let unique = key;
    for (let n = 2; out.has(unique); n++) unique = `${key}#${object.path}:${n}`;
    out.set(unique, object);
  }
  return out;
}

/** A manifest as YAML for a patch: stable key order and no folding, so a diff shows only real changes. */
export function manifestYaml(manifest: unknown): string {
  return stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}
