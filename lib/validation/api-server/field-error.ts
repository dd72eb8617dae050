/**
 * The API server's field errors (k8s.io/apimachinery/pkg/util/validation/field/errors.go), so a
 * refusal here reads as `kubectl apply` would print it:
 * `spec.selector: Invalid value: {"matchLabels":{…}}: does not match template labels`.
 */

export type FieldErrorType =
  | 'Required value'
  | 'Forbidden'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Duplicate value'
  | 'Too long'
  | 'Too many'
  | 'Not found';

export interface FieldError {
  readonly type: FieldErrorType;
  /** The field path as the API server writes it: `spec.template.spec.containers[0].ports[1].name`. */
  readonly field: string;
  /** The value at fault; absent for errors that print none (Required, Forbidden, Too long). */
  readonly value?: unknown;
  readonly detail?: string;
}

/** A key that prints as a field name (`.name`) rather than a map key (`[key]`). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * A field path, built as `field.NewPath("spec").Child("template").Index(0).Key("app")` is. The
 * text is made only when an error prints it: rules build a path for every field they visit, and
 * almost none of them is ever at fault.
 */
export class FieldPath {
  static root(name: string): FieldPath {
    return new FieldPath(undefined, name);
  }

  /**
   * The path of a field given by its keys from the object's root (`['spec', 'ports', 0]`): numbers
   * as `[i]`, keys that are no identifier as `[key]` (`metadata.labels[app.kubernetes.io/name]`).
   * For paths found by walking a manifest, where field names and map keys look alike.
   */
  static of(keys: readonly (string | number)[]): FieldPath {
    return keys.reduce<FieldPath>(
      (path, k) => (typeof k === 'number' ? path.index(k) : IDENTIFIER.test(k) ? path.child(k) : path.key(k)),
      FieldPath.root(''),
    );
  }

  /** A JSON pointer (`/metadata/labels/app.kubernetes.io~1name`, as ajv's instancePath) as a field path. */
  static fromPointer(pointer: string): FieldPath {
    const keys = pointer === '' ? [] : pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    return FieldPath.of(keys);
  }

  private text: string | undefined;

  /** `suffix` is `name`, `[i]` or `[key]`, joined to the parent's text with a dot for names. */
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly suffix: string,
  ) {}

  child(...names: string[]): FieldPath {
    return names.reduce<FieldPath>((path, n) => new FieldPath(path, n), this);
  }

  index(i: number): FieldPath {
    return new FieldPath(this, `[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(this, `[${k}]`);
  }

  toString(): string {
    if (this.text === undefined) {
      const head = this.parent?.toString() ?? '';
      this.text = head === '' || this.suffix.startsWith('[') ? `${head}${this.suffix}` : this.suffix === '' ? head : `${head}.${this.suffix}`;
    }
    return this.text;
  }
}

type At = FieldPath | string;

/**
 * A value printed as Go prints it with `%#v` or `%s` (a struct such as `core.ServicePort{…}`, a
 * resource.Quantity's canonical form), unquoted: for values whose Go rendering is not JSON.
 */
export class GoValue {
  constructor(readonly text: string) {}

  /**
   * An unstructured value (decoded JSON) as `%#v` prints it: `map[string]interface {}{"name":"a"}`,
   * `[]interface {}{"a", 1}`, map keys sorted, strings quoted.
   */
  static ofUnstructured(value: unknown): GoValue {
    return new GoValue(goSyntax(value));
  }
}

function goSyntax(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (Array.isArray(value)) return `[]interface {}{${value.map(goSyntax).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goSyntax((value as Record<string, unknown>)[k])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export const invalid = (field: At, value: unknown, detail: string): FieldError => ({ type: 'Invalid value', field: String(field), value, detail });
export const required = (field: At, detail = ''): FieldError => ({ type: 'Required value', field: String(field), detail });
export const forbidden = (field: At, detail: string): FieldError => ({ type: 'Forbidden', field: String(field), detail });
export const duplicate = (field: At, value: unknown): FieldError => ({ type: 'Duplicate value', field: String(field), value });
export const notFound = (field: At, value: unknown): FieldError => ({ type: 'Not found', field: String(field), value });
/** field.TooLong of 1.28: `must have at most N bytes` (its value is never printed). */
export const tooLong = (field: At, max: number): FieldError => ({ type: 'Too long', field: String(field), detail: `must have at most ${max} bytes` });
/** field.TooLongMaxLength of 1.28: `may not be longer than N` (lists such as `spec.ports` use it). */
export const tooLongMaxLength = (field: At, max: number): FieldError => ({
  type: 'Too long',
  field: String(field),
  detail: max >= 0 ? `may not be longer than ${max}` : 'value is too long',
});
export const tooMany = (field: At, actual: number, max: number): FieldError => ({
  type: 'Too many',
  field: String(field),
  value: actual,
  detail: `must have at most ${max} items`,
});
export const notSupported = (field: At, value: unknown, supported: readonly string[]): FieldError => ({
  type: 'Unsupported value',
  field: String(field),
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

/** `<field>: <type>[: <value>][: <detail>]`, as `field.Error.Error()` formats it. */
export function formatFieldError(e: FieldError): string {
  let body: string = e.type;
  if (e.type !== 'Required value' && e.type !== 'Forbidden' && e.type !== 'Too long' && 'value' in e) body += `: ${valueText(e.value)}`;
  if (e.detail) body += `: ${e.detail}`;
  return `${e.field}: ${body}`;
}

/** Strings quoted (Go's %q), numbers and booleans bare, objects as JSON, `null` for absent values. */
function valueText(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (value instanceof GoValue) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value);
  return json.length > 200 ? `${json.slice(0, 199)}…` : json;
}
