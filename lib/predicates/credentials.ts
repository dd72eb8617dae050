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

/**
 * Calls `visit` with every string inside a value, keys and values alike, and a function that gives
 * its JSON-pointer-like path (`/spec/template/0`, `/metadata/labels/app (key)`, `/` for the value
 * itself). The path is built only when asked for: a scan looks at thousands of strings and
 * reports few.
 */
export function forEachString(value: unknown, visit: (value: string, path: () => string) => void): void {
  const keys: (string | number)[] = [];
  const pathOf = (last?: string): string => {
    let out = '';
    for (const k of keys) out += `/${k}`;
    return last === undefined ? out || '/' : `${out}/${last} (key)`;
  };
  const walk = (node: unknown): void => {
    if (typeof node === 'string') visit(node, () => pathOf());
    else if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        keys.push(i);
        walk(node[i]);
        keys.pop();
      }
    } else if (node !== null && typeof node === 'object') {
      for (const k of Object.keys(node)) {
        visit(k, () => pathOf(k));
        keys.push(k);
        walk((node as Record<string, unknown>)[k]);
        keys.pop();
      }
    }
  };
  walk(value);
}
