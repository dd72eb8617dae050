/** One value that differs between two versions of an object, at a readable path. */
export interface LeafChange {
  /**
   * Segments from the root: keys, `[name]` for an element of a list of named objects (containers,
   * env, ports), `[index]` otherwise.
   */
  readonly path: string[];
  /** The value before, as JSON, or undefined when absent. */
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/**
 * Every leaf value that differs between `a` and `b`. Lists whose items all carry a `name` are
 * matched by name, so inserting an env var reads as one addition, not as every later entry
 * changing.
 */
export function leafChanges(a: unknown, b: unknown): LeafChange[] {
  const left = flatten(a);
  const right = flatten(b);
  const out: LeafChange[] = [];
  const seen = new Set<string>();
  for (const [key, { path, json }] of left) {
    seen.add(key);
    const other = right.get(key)?.json;
    if (other !== json) out.push({ path, before: json, after: other });
  }
  for (const [key, { path, json }] of right) if (!seen.has(key)) out.push({ path, before: undefined, after: json });
  return out;
}

/** Whether two parsed manifests (or parts) are equal as data, whatever the key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return leafChanges(a, b).length === 0;
}

/** Whether a list's items are all objects with distinct `name`s: such a list is read by name. */
function namedItems(v: readonly unknown[]): boolean {
  const named = v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string');
  return named && new Set(v.map((x) => (x as { name: string }).name)).size === v.length;
}

/** The path segment of item `index` of a list: `[name]` in a list of named objects, else `[index]`. */
export function itemSegment(list: readonly unknown[], index: number): string {
  return namedItems(list) ? `[${(list[index] as { name: string }).name}]` : `[${index}]`;
}

/** `spec.template.spec.containers[backend].image`: a leaf path as reports show it. */
export function leafPathText(path: readonly string[]): string {
  let text = '';
  for (const segment of path) text += segment.startsWith('[') || text === '' ? segment : `.${segment}`;
  return text;
}

function flatten(value: unknown): Map<string, { path: string[]; json: string }> {
  const out = new Map<string, { path: string[]; json: string }>();
  const visit = (v: unknown, path: string[]): void => {
    if (Array.isArray(v)) {
      const byName = namedItems(v);
      if (v.length === 0) out.set(JSON.stringify(path), { path, json: '[]' });
      v.forEach((x, i) => visit(x, [...path, byName ? `[${x.name}]` : `[${i}]`]));
      return;
    }
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 0) out.set(JSON.stringify(path), { path, json: '{}' });
      for (const key of keys) visit((v as Record<string, unknown>)[key], [...path, key]);
      return;
    }
    if (v !== undefined) out.set(JSON.stringify(path), { path, json: JSON.stringify(v) });
  };
  visit(value, []);
  return out;
}
