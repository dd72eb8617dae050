/**
 * The API server's name and metadata checks, ported from Kubernetes 1.28 with Go's own error
 * strings: k8s.io/apimachinery/pkg/util/validation/validation.go (names, label values, ports, keys),
 * pkg/apis/meta/v1/validation/validation.go (labels, selectors) and pkg/api/validation/objectmeta.go
 * (ObjectMeta). Each `is…` function returns Go's messages, empty when the value is valid; the
 * `validate…` functions return field errors at the given path.
 *
 * The patterns are the ones lib/predicates/ states for the same names (one definition of a DNS
 * label); the messages here are the API server's, theirs are the project's.
 */
import { DNS_1035_LABEL_PATTERN, DNS_1123_LABEL_FORMAT, DNS_1123_LABEL_PATTERN, DNS_1123_SUBDOMAIN_PATTERN } from '../../predicates/dns-names';
import { LABEL_KEY_NAME_MAX_LENGTH, QUALIFIED_NAME_PATTERN } from '../../predicates/label-key';
import { LABEL_VALUE_PATTERN } from '../../predicates/label-value';
import { FieldError, FieldPath, forbidden, invalid, required, tooLong } from './field-error';

// ---- k8s.io/apimachinery/pkg/util/validation/validation.go ----

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME = new RegExp(QUALIFIED_NAME_PATTERN);

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MAX_LENGTH = 63;
const LABEL_VALUE = new RegExp(LABEL_VALUE_PATTERN);

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_MAX_LENGTH = 63;
const DNS1123_LABEL = new RegExp(DNS_1123_LABEL_PATTERN);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
const DNS1123_SUBDOMAIN = new RegExp(DNS_1123_SUBDOMAIN_PATTERN);

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_MAX_LENGTH = 63;
const DNS1035_LABEL = new RegExp(DNS_1035_LABEL_PATTERN);

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const ENV_VAR_NAME = new RegExp(`^${ENV_VAR_NAME_FMT}$`);

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const CONFIG_MAP_KEY = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);

const PORT_NAME_CHARSET = /^[-a-z0-9]+$/;
const PORT_NAME_ONE_LETTER = /[a-z]/;

// The shared predicates and these formats must describe the same names.
if (`^${DNS_1123_LABEL_FORMAT}$` !== DNS_1123_LABEL_PATTERN) throw new Error('DNS-1123 label pattern drifted from its format');

/** Go's `len(string)`: bytes, not UTF-16 units. */
export function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** Whether `value` is longer than `max` bytes of UTF-8, counting bytes only when its length cannot tell. */
export function longerThanBytes(value: string, max: number): boolean {
  // A UTF-16 unit is 1 to 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
  if (value.length > max) return true;
  return value.length * 3 > max && byteLength(value) > max;
}

/** `must be no more than N characters` (validation.MaxLenError). */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** validation.RegexError: the rule, examples, and the regex used. */
export function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  // Go appends " or " after the previous example's ", ", hence the two spaces: `'my-name',  or '123-abc'`.
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

/** `must be non-empty` (validation.EmptyError). */
export const EMPTY_ERROR = 'must be non-empty';

/** `must be between lo and hi, inclusive` (validation.InclusiveRangeError). */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** validation.IsQualifiedName: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name at most 63 characters. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (longerThanBytes(name, LABEL_KEY_NAME_MAX_LENGTH)) errs.push(`name part ${maxLenError(LABEL_KEY_NAME_MAX_LENGTH)}`);
  if (!QUALIFIED_NAME.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue: empty, or at most 63 alphanumerics, '-', '_', '.', alphanumeric at both ends. */
export function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, LABEL_VALUE_MAX_LENGTH)) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** validation.IsDNS1123Label. */
export function isDns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, DNS1123_LABEL_MAX_LENGTH)) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL.test(value)) errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  return errs;
}

/** validation.IsDNS1123Subdomain. */
export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, DNS1123_SUBDOMAIN_MAX_LENGTH)) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** validation.IsDNS1035Label. */
export function isDns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, DNS1035_LABEL_MAX_LENGTH)) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** validation.IsValidPortName: an IANA_SVC_NAME (RFC 6335), at most 15 characters with at least one letter. */
export function isValidPortName(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, 15)) errs.push(maxLenError(15));
  if (!PORT_NAME_CHARSET.test(value)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!PORT_NAME_ONE_LETTER.test(value)) errs.push('must contain at least one letter (a-z)');
  if (value.includes('--')) errs.push('must not contain consecutive hyphens (--)');
  if (value.length > 0 && (value.startsWith('-') || value.endsWith('-'))) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

/** validation.IsValidPortNum: 1 to 65535. */
export function isValidPortNum(value: number): string[] {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** validation.IsConfigMapKey: the key of a ConfigMap's or Secret's data (also a file name in a volume). */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, DNS1123_SUBDOMAIN_MAX_LENGTH)) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!CONFIG_MAP_KEY.test(value)) errs.push(regexError(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** validation.IsEnvVarName. */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_NAME.test(value)) errs.push(regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1'));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** path.IsValidPathSegmentName (apimachinery/pkg/api/validation/path): the name rule of RBAC objects. */
export function isValidPathSegmentName(value: string): string[] {
  for (const illegal of ['.', '..']) if (value === illegal) return [`may not be '${illegal}'`];
  return ['/', '%'].filter((c) => value.includes(c)).map((c) => `may not contain '${c}'`);
}

// ---- decoding: what the API server's JSON decoder refuses before any validation runs ----

/** Go's name for a JSON value's type, as `json: cannot unmarshal <type> into …` prints it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/** `json: cannot unmarshal bool into Go value of type string`: the decoder's refusal of a mistyped field. */
export function cannotUnmarshal(path: FieldPath, value: unknown, goType: string): FieldError {
  return invalid(path, value, `json: cannot unmarshal ${jsonTypeOf(value)} into Go value of type ${goType}`);
}

/**
 * The entries of a `map[string]string` field in key order (Go iterates maps randomly; sorting
 * keeps messages stable), with a decoding error for each value that is not a string.
 */
export function stringMap(value: unknown, path: FieldPath): { readonly entries: Array<[string, string]>; readonly errors: FieldError[] } {
  if (value === undefined || value === null) return { entries: [], errors: [] };
  if (typeof value !== 'object' || Array.isArray(value)) return { entries: [], errors: [cannotUnmarshal(path, value, 'map[string]string')] };
  const entries: Array<[string, string]> = [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') entries.push([key, v]);
    else errors.push(cannotUnmarshal(path.key(key), v, 'string'));
  }
  return { entries, errors };
}

// ---- k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go ----

/** metav1validation.ValidateLabelName. */
export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** metav1validation.ValidateLabels: every key a qualified name, every value a label value (errors at the map's path, as Go reports them). */
export function validateLabels(labels: unknown, path: FieldPath): FieldError[] {
  const { entries, errors } = stringMap(labels, path);
  for (const [k, v] of entries) {
    errors.push(...validateLabelName(k, path));
    errors.push(...isLabelValue(v).map((m) => invalid(path, v, m)));
  }
  return errors;
}

/** metav1validation.ValidateLabelSelector (with AllowInvalidLabelValueInSelector off, as on create). */
export function validateLabelSelector(selector: unknown, path: FieldPath): FieldError[] {
  if (selector === undefined || selector === null) return [];
  if (typeof selector !== 'object' || Array.isArray(selector)) return [cannotUnmarshal(path, selector, 'v1.LabelSelector')];
  const s = selector as Record<string, unknown>;
  const errs = validateLabels(s.matchLabels, path.child('matchLabels'));
  const expressions = s.matchExpressions;
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) errs.push(cannotUnmarshal(path.child('matchExpressions'), expressions, '[]v1.LabelSelectorRequirement'));
    else expressions.forEach((e, i) => errs.push(...validateLabelSelectorRequirement(e, path.child('matchExpressions').index(i))));
  }
  return errs;
}

/** metav1validation.ValidateLabelSelectorRequirement. */
export function validateLabelSelectorRequirement(requirement: unknown, path: FieldPath): FieldError[] {
  const r = (requirement ?? {}) as Record<string, any>;
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(r.values) ? r.values : [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), r.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(typeof r.key === 'string' ? r.key : '', path.child('key')));
  values.forEach((v, i) => {
    const at = path.child('values').index(i);
    if (typeof v !== 'string') errs.push(cannotUnmarshal(at, v, 'string'));
    else errs.push(...isLabelValue(v).map((m) => invalid(at, v, m)));
  });
  return errs;
}

// ---- k8s.io/apimachinery/pkg/api/validation/objectmeta.go and generic.go ----

/** `must be greater than or equal to 0` (apimachinery validation.IsNegativeErrorMsg). */
export const IS_NEGATIVE_ERROR_MSG = 'must be greater than or equal to 0';

/** ValidateNonnegativeField: absent counts as 0, as Go's zero value does. */
export function validateNonnegativeField(value: unknown, path: FieldPath): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'number') return [cannotUnmarshal(path, value, 'int64')];
  return value < 0 ? [invalid(path, value, IS_NEGATIVE_ERROR_MSG)] : [];
}

/** 256 KiB: the most all of an object's annotation keys and values may add up to (TotalAnnotationSizeLimitB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

/** ValidateAnnotations: keys qualified names (case-insensitive), keys and values together at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  const { entries, errors } = stringMap(annotations, path);
  let total = 0;
  for (const [k, v] of entries) {
    errors.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(path, k, m)));
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_B) errors.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT_B));
  return errors;
}

/** ValidateOwnerReferences / validateOwnerReference: apiVersion, kind, name and uid set, one controller, no Event owners. */
export function validateOwnerReferences(ownerReferences: unknown, path: FieldPath): FieldError[] {
  if (ownerReferences === undefined || ownerReferences === null) return [];
  if (!Array.isArray(ownerReferences)) return [cannotUnmarshal(path, ownerReferences, '[]v1.OwnerReference')];
  const errs: FieldError[] = [];
  let firstController = '';
  for (const item of ownerReferences) {
    const ref = (item ?? {}) as Record<string, any>;
    const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    const parts = apiVersion.split('/');
    // schema.ParseGroupVersion: "" → {}, "v1" → {"", v1}, "g/v" → {g, v}, more slashes → an error (kind only).
    const [group, version] = apiVersion === '' || parts.length > 2 ? ['', ''] : parts.length === 1 ? ['', parts[0]] : parts;
    if (version === '') errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (kind === '') errs.push(invalid(path.child('kind'), kind, 'must not be empty'));
    if (!ref.name) errs.push(invalid(path.child('name'), ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(invalid(path.child('uid'), ref.uid ?? '', 'must not be empty'));
    if (group === '' && version === 'v1' && kind === 'Event') errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref.controller === true) {
      const current = `${kind}/${ref.name ?? ''}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            path,
            ownerReferences,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else firstController = current;
    }
  }
  return errs;
}

/** ValidateFinalizers: qualified names, and not both `orphan` and `foregroundDeletion`. */
export function validateFinalizers(finalizers: unknown, path: FieldPath): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [cannotUnmarshal(path, finalizers, '[]string')];
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => {
    if (typeof f !== 'string') errs.push(cannotUnmarshal(path.index(i), f, 'string'));
    else errs.push(...isQualifiedName(f).map((m) => invalid(path, f, m)));
  });
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return errs;
}

/** The name a `generateName` prefix stands for: a trailing dash masked, as Go's maskTrailingDash does. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/**
 * ValidateObjectMeta (ValidateObjectMetaAccessor): name (or generateName) valid per `nameFn`,
 * namespace required and a DNS-1123 label on namespaced kinds and forbidden on cluster-scoped
 * ones, generation non-negative, labels, annotations, ownerReferences and finalizers.
 */
export function validateObjectMeta(
  metadata: unknown,
  namespaced: boolean,
  nameFn: (name: string) => string[],
  path: FieldPath,
): FieldError[] {
  if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata))) {
    return [cannotUnmarshal(path, metadata, 'v1.ObjectMeta')];
  }
  const meta = (metadata ?? {}) as Record<string, unknown>;
  const errs: FieldError[] = [];
  const text = (field: string): string | undefined => {
    const v = meta[field];
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    errs.push(cannotUnmarshal(path.child(field), v, 'string'));
    return undefined;
  };

  const generateName = text('generateName');
  if (generateName) errs.push(...nameFn(maskTrailingDash(generateName)).map((m) => invalid(path.child('generateName'), generateName, m)));
  const name = text('name');
  if (name === '') errs.push(required(path.child('name'), 'name or generateName is required'));
  else if (name !== undefined) errs.push(...nameFn(name).map((m) => invalid(path.child('name'), name, m)));

  const namespace = text('namespace');
  if (namespaced) {
    if (namespace === '') errs.push(required(path.child('namespace')));
    else if (namespace !== undefined) errs.push(...isDns1123Label(namespace).map((m) => invalid(path.child('namespace'), namespace, m)));
  } else if (namespace) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }

  errs.push(...validateNonnegativeField(meta.generation, path.child('generation')));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

// ---- k8s.io/apimachinery/pkg/api/resource/quantity.go ----

/** resource.ErrFormatWrong: what the decoder answers for a quantity that does not parse. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** resource.ErrSuffix. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** A parsed resource.Quantity: `sign × digits × 10^exp10 × 2^exp2`, exactly, and the format its suffix chose. */
export interface Quantity {
  readonly negative: boolean;
  readonly digits: bigint;
  readonly exp10: number;
  readonly exp2: number;
  readonly format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
}

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * resource.ParseQuantity (parseQuantityString and the suffixer), as the decoder applies it to
 * every quantity field: the quantity, or the decoder's error. JSON numbers are read as their text.
 */
export function parseQuantity(input: unknown): Quantity | { readonly error: string } {
  if (typeof input === 'number' && Number.isFinite(input)) input = String(input);
  if (typeof input !== 'string') return { error: QUANTITY_FORMAT_ERROR };
  const str = input.trim();
  if (str.length === 0) return { error: QUANTITY_FORMAT_ERROR };
  let pos = 0;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos);
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) return { error: QUANTITY_FORMAT_ERROR };
  const suffix = str.slice(suffixStart);

  let exp10 = 0;
  let exp2 = 0;
  let format: Quantity['format'];
  if (suffix in BINARY_SUFFIXES) {
    exp2 = BINARY_SUFFIXES[suffix];
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIXES) {
    exp10 = DECIMAL_SUFFIXES[suffix];
    format = 'DecimalSI';
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    exp10 = Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    return { error: QUANTITY_SUFFIX_ERROR };
  }
  const digits = BigInt(`${num}${denom}` || '0');
  return { negative: negative && digits !== 0n, digits, exp10: exp10 - denom.length, exp2, format };
}

export function isQuantity(q: Quantity | { readonly error: string }): q is Quantity {
  return !('error' in q);
}

/** The quantity as an exact fraction `n / d`. */
function fraction(q: Quantity): { n: bigint; d: bigint } {
  let n = q.digits * 2n ** BigInt(q.exp2);
  let d = 1n;
  if (q.exp10 >= 0) n *= 10n ** BigInt(q.exp10);
  else d = 10n ** BigInt(-q.exp10);
  return { n: q.negative ? -n : n, d };
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const x = fraction(a);
  const y = fraction(b);
  const l = x.n * y.d;
  const r = y.n * x.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** The quantity in cores, bytes or units, as a float (for ratios). */
export function quantityValue(q: Quantity): number {
  const { n, d } = fraction(q);
  return Number(n) / Number(d);
}

const DECIMAL_SUFFIX_OF: Readonly<Record<number, string>> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX_OF = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Quantity.String(): the canonical form the API server prints (`0.5` → `500m`, `1.5Gi` → `1536Mi`). */
export function formatQuantity(q: Quantity): string {
  const { n, d } = fraction(q);
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  if (abs === 0n) return '0';
  if (q.format === 'BinarySI' && abs % d === 0n && abs / d >= 1024n) {
    let whole = abs / d;
    let k = 0;
    while (k < 6 && whole % 1024n === 0n) {
      whole /= 1024n;
      k++;
    }
    return `${sign}${whole}${BINARY_SUFFIX_OF[k]}`;
  }
  // Decimal: an integer mantissa times 10^e, e the largest multiple of 3 (at least -9) that keeps it whole.
  let mantissa = abs;
  let e = 0;
  let denominator = d;
  while (denominator > 1n) {
    if (mantissa % 10n === 0n) mantissa /= 10n;
    else e--;
    denominator /= 10n;
  }
  while (mantissa !== 0n && mantissa % 10n === 0n) {
    mantissa /= 10n;
    e++;
  }
  let e3 = Math.floor(e / 3) * 3;
  if (e3 < -9) {
    // Below a nano the API server rounds up to whole nanos.
    const drop = BigInt(-9 - e);
    const scale = 10n ** drop;
    mantissa = (mantissa + scale - 1n) / scale;
    e = -9;
    e3 = -9;
  }
  if (q.format !== 'DecimalExponent' && e3 > 18) e3 = 18;
  mantissa *= 10n ** BigInt(e - e3);
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${e3 === 0 ? '' : `e${e3}`}`;
  return `${sign}${mantissa}${DECIMAL_SUFFIX_OF[e3]}`;
}
