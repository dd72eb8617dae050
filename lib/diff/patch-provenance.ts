import { itemSegment, leafChanges, leafPathText } from './leaf-changes';
import { leafValueText } from './rollout-impact';
import { PatchOrigin } from '../tree/manifest-file';

/**
 * A changed value of a resource that an environment file's patch put there (or synth recomputed
 * because of one): what reviewers need to see why a value differs from the construct's default.
 */
export interface PatchedChange {
  /** The value's path as reports show it: `spec.template.spec.containers[backend].resources.limits.cpu`. */
  readonly field: string;
  /** As reports show values: strings bare, `(unset)` when absent. */
  readonly before: string;
  readonly after: string;
  /** The operation the value comes from (the last one that wrote it). */
  readonly origin: PatchOrigin;
}

/** `environments/staging.yaml:88 patches[0].patch[1]`, and why for a recomputed value. */
export function originText(origin: PatchOrigin): string {
  return `${origin.file}:${origin.line} ${origin.field}${origin.recomputed !== undefined ? ` (recomputed: ${origin.recomputed})` : ''}`;
}

/** `/a~1b/c` → `['a/b', 'c']` (RFC 6901 §4). */
function tokensOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The leaf path (as {@link leafChanges} names paths) of the location a pointer names in `manifest`,
 * as far as the location exists there: a removed key still names the key, a removed list item
 * the list, and `-` the list's last item (what an append added).
 */
function leafPathOf(manifest: unknown, pointer: string): string[] {
  const out: string[] = [];
  let node: unknown = manifest;
  for (const token of tokensOf(pointer)) {
    if (Array.isArray(node)) {
      const index = token === '-' ? node.length - 1 : /^(?:0|[1-9][0-9]*)$/.test(token) ? Number(token) : -1;
      if (index < 0 || index >= node.length) return out;
      out.push(itemSegment(node, index));
      node = node[index];
    } else if (node !== null && typeof node === 'object') {
      out.push(token);
      if (!Object.prototype.hasOwnProperty.call(node, token)) return out;
      node = (node as Record<string, unknown>)[token];
    } else {
      return out;
    }
  }
  return out;
}

function within(path: readonly string[], prefix: readonly string[]): boolean {
  return path.length >= prefix.length && prefix.every((s, i) => path[i] === s);
}

/**
 * The changed values of a resource (base manifest → new manifest) that lie under a location the
 * new file's patches wrote, each with the operation that wrote it last. A `test` writes nothing;
 * a `move` writes its target and empties its source. Locations a patch removed are looked up in
 * the base manifest, which held them unless the base had the patch too (and then nothing there
 * changed).
 */
export function patchedChanges(before: unknown, after: unknown, origins: readonly PatchOrigin[]): PatchedChange[] {
  if (origins.length === 0) return [];
  const written: { path: string[]; origin: PatchOrigin }[] = [];
  const add = (path: string[], origin: PatchOrigin) => {
    if (path.length > 0) written.push({ path, origin });
  };
  for (const origin of origins) {
    if (origin.op === 'test') continue;
    // A removed location is named by the manifest it was removed from: in the new one, its list
    // index names the next item.
    add(origin.op === 'remove' ? leafPathOf(before, origin.path) : leafPathOf(after, origin.path), origin);
    if (origin.op === 'move' && origin.from !== undefined) add(leafPathOf(before, origin.from), origin);
  }
  const out: PatchedChange[] = [];
  for (const change of leafChanges(before ?? {}, after ?? {})) {
    let origin: PatchOrigin | undefined;
    for (const w of written) if (within(change.path, w.path)) origin = w.origin;
    if (origin !== undefined) out.push({ field: leafPathText(change.path), before: leafValueText(change.before), after: leafValueText(change.after), origin });
  }
  return out;
}
