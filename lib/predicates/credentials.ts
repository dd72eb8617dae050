/**
 * What a credential looks like when it is pasted where it does not belong: the shapes of keys,
 * tokens and secret-bearing URLs, named so a report says which one it saw (never the value).
 */
const CREDENTIAL_SHAPES: readonly [string, RegExp][] = [
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['a Discord webhook URL', /https:\/\/(?:\w+\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[\w-]+/],
  ['a Slack webhook URL', /https:\/\/hooks\.slack\.com\/services\/[\w/]+/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{30,}\b/],
  ['a Slack token', /\bxox[abpr]-[A-Za-z0-9-]{10,}\b/],
  ['a JSON web token', /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['a URL with a password', /:\/\/[^/\s:@]+:[^/\s@]+@/],
  ['a signed URL', /[?&]X-Amz-(?:Signature|Credential)=/i],
];

/** Every shape at once: one pass over a string tells whether any of them is worth a closer look. */
const ANY_SHAPE = new RegExp(CREDENTIAL_SHAPES.map(([, re]) => `(?:${re.source})`).join('|'), 'i');

/** The kind of credential `value` looks like, or undefined. */
export function credentialShape(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 8 || !ANY_SHAPE.test(value)) return undefined;
  for (const [name, re] of CREDENTIAL_SHAPES) if (re.test(value)) return name;
  return undefined;
}

/** Where a string sits in a value: the keys from its root to it, and whether it is a map's key (the last of them). */
export interface StringPlace {
  readonly keys: readonly (string | number)[];
  readonly isKey: boolean;
}

/**
 * Calls `visit` with every string inside a value, keys and values alike, and a function that gives
 * its place (`['spec', 'template', 0]`; `['metadata', 'labels', 'app']` and `isKey` for a key;
 * `[]` for the value itself). The place is built only when asked for: a scan looks at thousands
 * of strings and reports few.
 */
export function forEachString(value: unknown, visit: (value: string, place: () => StringPlace) => void): void {
  const keys: (string | number)[] = [];
  const placeOf = (key?: string): StringPlace => (key === undefined ? { keys: [...keys], isKey: false } : { keys: [...keys, key], isKey: true });
  const walk = (node: unknown): void => {
    if (typeof node === 'string') visit(node, () => placeOf());
    else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        keys.push(i);
        walk(node[i]);
        keys.pop();
      }
    } else if (node !== null && typeof node === 'object') {
      for (const k of Object.keys(node)) {
        visit(k, () => placeOf(k));
        keys.push(k);
        walk((node as Record<string, unknown>)[k]);
        keys.pop();
      }
    }
  };
  walk(value);
}
