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

/** Every string inside a value, with its JSON-pointer-like path: keys and values alike. */
export function* stringsIn(value: unknown, path = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [path || '/', value];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], `${path}/${i}`);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      yield [`${path}/${k} (key)`, k];
      yield* stringsIn(v, `${path}/${k}`);
    }
  }
}
