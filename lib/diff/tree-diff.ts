import { createTwoFilesPatch } from 'diff';
import { sameValue } from './leaf-changes';
import { Redactor } from './redact';
import { compareCodePoints as compare, TreeObject } from '../tree/tree-object';
import { manifestYaml } from './keyed-objects';
import type { PatchedChange } from './patch-provenance';

export type ChangeStatus = 'added' | 'removed' | 'changed';

/** A resource that differs between the base tree and the new one. */
export interface ResourceChange {
  readonly key: string;
  readonly status: ChangeStatus;
  readonly environment: string;
  readonly component: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Absent when added. */
  readonly before?: TreeObject;
  /** Absent when removed. */
  readonly after?: TreeObject;
  /**
   * Unified diff of the two manifests as YAML, secret values redacted; the whole manifest as added
   * or removed lines when one side is absent.
   */
  readonly patch: string;
  /**
   * The changed values an environment file's patch wrote, each with the operation (from the new
   * file's provenance header). @default - none
   */
  readonly patched?: readonly PatchedChange[];
}

export interface TreeDiffOptions {
  /** Names the two sides in patch headers. @default 'base', 'new' */
  readonly baseLabel?: string;
  readonly headLabel?: string;
  /** Lines of context around each change. @default 3 */
  readonly context?: number;
}

/**
 * Pairs the resources of two trees by key and returns those added, removed or changed, in key
 * order. Equality is of the parsed objects, so a header comment or key order is not a change.
 */
export function diffTrees(
  base: ReadonlyMap<string, TreeObject>,
  head: ReadonlyMap<string, TreeObject>,
  options: TreeDiffOptions = {},
): ResourceChange[] {
  const keys = [...new Set([...base.keys(), ...head.keys()])].sort(compare);
  const out: ResourceChange[] = [];
  for (const key of keys) {
    const before = base.get(key);
    const after = head.get(key);
    if (before && after && sameValue(before.manifest, after.manifest)) continue;
    const status: ChangeStatus = !before ? 'added' : !after ? 'removed' : 'changed';
    const id = (after ?? before)!;
    out.push({
      key,
      status,
      environment: id.environment,
      component: id.component,
      kind: id.kind,
      namespace: id.namespace,
      name: id.name,
      ...(before ? { before } : {}),
      ...(after ? { after } : {}),
      patch: resourcePatch(before, after, options),
    });
  }
  return out;
}

/** The unified diff of one resource, redacted. */
export function resourcePatch(before: TreeObject | undefined, after: TreeObject | undefined, options: TreeDiffOptions = {}): string {
  const redactor = new Redactor();
  const oldText = before ? manifestYaml(redactor.redact(before.manifest)) : '';
  const newText = after ? manifestYaml(redactor.redact(after.manifest)) : '';
  const oldName = before ? `${options.baseLabel ?? 'base'}/${before.path}` : '/dev/null';
  const newName = after ? `${options.headLabel ?? 'new'}/${after.path}` : '/dev/null';
  const patch = createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, { context: options.context ?? 3 });
  // jsdiff starts with a row of "=" that no diff viewer expects.
  return patch.replace(/^=+\n/, '');
}
