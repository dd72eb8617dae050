import { credentialShape } from './credentials';

/**
 * The one shape of "this value is not allowed": `<field>: <value as JSON> — <allowed>`. The
 * environment loader puts `file:line:column: ` in front of it, a construct `<Construct> "<name>": `,
 * so that a reader learns the same three things, in the same order, wherever a rule refused a value.
 */
export function invalidValue(field: string, value: unknown, allowed: string): string {
  return `${shorten(field, MAX_FIELD_LENGTH)}: ${describeValue(value)} — ${allowed}`;
}

const MAX_VALUE_LENGTH = 120;
const MAX_FIELD_LENGTH = 200;

/**
 * A value as a message shows it: JSON, cut short, `(missing)` for `undefined`; a value shaped like
 * a credential is never echoed back whole, whatever the problem with it.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (credentialShape(value)) return JSON.stringify(`${String(value).slice(0, 4)}… (redacted)`);
  return shorten(jsonPrefix(value, MAX_VALUE_LENGTH), MAX_VALUE_LENGTH);
}

function shorten(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * `JSON.stringify(value)`, or its first `length` characters and a few more: a value can be a
 * whole document of megabytes, and only its start is shown.
 */
function jsonPrefix(value: unknown, length: number): string {
  let out = '';
  const write = (v: unknown): void => {
    if (out.length > length) return;
    if (typeof v === 'string') out += JSON.stringify(v.length > length ? v.slice(0, length + 1) : v);
    else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length <= length; i++) {
        if (i > 0) out += ',';
        write(v[i] === undefined ? null : v[i]);
      }
      out += ']';
    } else if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      out += '{';
      let first = true;
      for (const key in v) {
        if (out.length > length) break;
        const item = (v as Record<string, unknown>)[key];
        if (!Object.prototype.hasOwnProperty.call(v, key) || item === undefined || typeof item === 'function') continue;
        out += `${first ? '' : ','}${JSON.stringify(key.length > length ? key.slice(0, length + 1) : key)}:`;
        first = false;
        write(item);
      }
      out += '}';
    } else out += JSON.stringify(v) ?? String(v);
  };
  write(value);
  return out;
}

/** Throws the refusal of one value: what a construct's prop validation calls. */
export type Fail = (field: string, value: unknown, allowed: string) => never;

/**
 * The `Fail` of one construct instance: its errors read `<Construct> "<name>": <field>: <value> — <allowed>`,
 * e.g. `KafkaCluster "kafka": replicas: 4 — 1 or an odd number …`.
 */
export function failFor(construct: string, name: string): Fail {
  return (field, value, allowed) => {
    throw new Error(`${construct} ${JSON.stringify(name)}: ${invalidValue(field, value, allowed)}`);
  };
}
