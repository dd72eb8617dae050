/**
 * Writes JSON-shaped data (what a manifest is: maps, lists, strings, numbers, booleans, null) as
 * block-style YAML, in the layout the `yaml` package gives with `lineWidth: 0`: two-space indent,
 * lists indented under their key, plain scalars where YAML reads them back as the same string,
 * quotes otherwise, and literal blocks for multi-line text.
 *
 * The tree is read by go-yaml (Argo CD, kubectl, the API server), which resolves plain scalars
 * as YAML 1.1 does, so a string is left plain only where YAML 1.1 and 1.2 both read it as that
 * string: `yes`, `on`, `12:30`, `0b101`, `1_000`, `2001-12-14` are quoted.
 *
 * A general YAML library builds a document tree for every value before printing it, which made
 * emission the largest share of a synth. Correctness is pinned by tests: every emitted document
 * parses back (with the `yaml` package, in YAML 1.1 and 1.2 mode) to exactly the data given.
 */
export function emitYaml(value: unknown): string {
  const out: string[] = [];
  if (isMap(value) && Object.keys(value).length > 0) emitMap(value, 0, out);
  else if (Array.isArray(value) && value.length > 0) emitSeq(value, 0, out);
  else out.push(`${scalar(value)}\n`);
  return out.join('');
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isMap(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyCollection(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (isMap(value) && Object.keys(value).length === 0);
}

function emitMap(map: Record<string, unknown>, indent: number, out: string[], firstPrefix?: string): void {
  const pad = ' '.repeat(indent);
  let first = true;
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) continue;
    const lead = first && firstPrefix !== undefined ? firstPrefix : pad;
    first = false;
    const k = scalarKey(key);
    if (isMap(value) && !isEmptyCollection(value)) {
      out.push(`${lead}${k}:\n`);
      emitMap(value, indent + 2, out);
    } else if (Array.isArray(value) && value.length > 0) {
      out.push(`${lead}${k}:\n`);
      emitSeq(value, indent + 2, out);
    } else if (typeof value === 'string' && isBlockLiteral(value)) {
      out.push(`${lead}${k}: ${blockHeader(value)}\n`);
      pushBlockLines(value, indent + 2, out);
    } else {
      out.push(`${lead}${k}: ${scalar(value)}\n`);
    }
  }
}

function emitSeq(seq: readonly unknown[], indent: number, out: string[], firstPrefix?: string): void {
  const pad = ' '.repeat(indent);
  seq.forEach((item, i) => {
    const lead = i === 0 && firstPrefix !== undefined ? firstPrefix : pad;
    if (isMap(item) && !isEmptyCollection(item)) {
      emitMap(item, indent + 2, out, `${lead}- `);
    } else if (Array.isArray(item) && item.length > 0) {
      emitSeq(item, indent + 2, out, `${lead}- `);
    } else if (typeof item === 'string' && isBlockLiteral(item)) {
      out.push(`${lead}- ${blockHeader(item)}\n`);
      pushBlockLines(item, indent + 2, out);
    } else {
      out.push(`${lead}- ${scalar(item === undefined ? null : item)}\n`);
    }
  });
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (typeof value === 'string') return quoteIfNeeded(value);
  if (Array.isArray(value)) return '[]';
  if (isMap(value)) return '{}';
  throw new Error(`cannot write a ${typeof value} as YAML`);
}

function scalarKey(key: string): string {
  return quoteIfNeeded(key);
}

/**
 * Plain scalars that YAML 1.2 (core schema) or YAML 1.1 (https://yaml.org/type/: bool, null, int,
 * float, timestamp, merge; as the `yaml` package and go-yaml v2 resolve them) read as something
 * other than that string. One regex, tested once per scalar, since this is synth's hot path. Where
 * the two readers differ the union is taken, e.g. go-yaml drops every `_` of a scalar starting
 * with a digit or sign before reading it as a number (`-_1` is -1), and takes `0X1F` and `0B1` too.
 */
const NON_STRING = new RegExp(
  // The lookahead fails most strings (names, paths, text) at their first character.
  `^(?=[-+.0-9~<yYnNtTfFoOeE])(?:${[
    // null, and the merge key (`<<: *base` merges a map into another in YAML 1.1)
    /~|null|Null|NULL|<</,
    // bool: YAML 1.1's yes/no/on/off and their single letters, YAML 1.2's true/false
    /[Yy]|[Yy]es|YES|[Nn]|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF/,
    // numbers, after an optional sign (which go-yaml lets underscores follow):
    // decimal and 0-octal ints, base-60 ints and floats (`1:20:30.5`), floats with a point;
    // a leading point (`.5`, and `.` itself, which the 1.1 float regex matches);
    // exponents, the mantissa optional as in the `yaml` package's 1.1 float regex (`e3`);
    // hex, binary and 0o-octal ints; infinities
    /(?:[-+]_*)?(?:[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?|\.[0-9_]*|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE]_*(?:[-+]_*)?[0-9][0-9_]*|0_*[xX][0-9a-fA-F_]+|0_*[bB][01_]+|0_*[oO][0-7_]+|\.(?:inf|Inf|INF))/,
    /\.(?:nan|NaN|NAN)/,
    // timestamps: 2001-12-14, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5
    /[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?/,
  ]
    .map((r) => r.source)
    .join('|')})$`,
);
// A plain scalar may not start with an indicator, except "-", "?" and ":" before a non-space.
const BAD_START = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?:[ \t]|$))/;

function isPlainSafe(s: string): boolean {
  return (
    s.length > 0 &&
    !NON_STRING.test(s) &&
    !BAD_START.test(s) &&
    // Leading or trailing blanks, line breaks, ": " and " #" change how a plain scalar reads.
    !/^[ \t]|[ \t]$|[\n\r\t]|: |:$| #/.test(s) &&
    // Control characters and the document markers need quoting.
    !/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(s) &&
    !/^(?:---|\.\.\.)(?:[ \t]|$)/.test(s)
  );
}

function quoteIfNeeded(s: string): string {
  if (isPlainSafe(s)) return s;
  // Single quotes read better for text with double quotes in it, as the `yaml` package does.
  if (s.includes('"') && !/[\u0000-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return doubleQuoted(s);
}

function doubleQuoted(s: string): string {
  // JSON's escapes are a subset of YAML's double-quoted escapes.
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Multi-line text that a literal block carries unchanged. */
function isBlockLiteral(s: string): boolean {
  return (
    s.includes('\n') &&
    // The first line sets the block's indentation: it may not start with a blank.
    !/^[ \t]/.test(s) &&
    // Trailing blanks on a line and carriage returns don't survive a literal block faithfully.
    !/[ \t]\n|\r/.test(s) &&
    !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/.test(s)
  );
}

function blockHeader(s: string): string {
  if (!s.endsWith('\n')) return '|-';
  return s.endsWith('\n\n') ? '|+' : '|';
}

function pushBlockLines(s: string, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  for (const line of body.split('\n')) out.push(line === '' ? '\n' : `${pad}${line}\n`);
}
