import { isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { lineAt } from '../tree/read-tree';
import { TreeObject } from '../tree/tree-object';
import { Rule } from './rule';

/**
 * Argo CD, kubectl and the API server read the tree with go-yaml, which resolves plain scalars as
 * YAML 1.1 does: `yes` is a boolean there, `0777` octal, `12:30` base 60, `2001-12-14` a timestamp.
 * The tree's own readers (and the emitter's intent) are YAML 1.2. A file whose two readings differ
 * means one thing to validation and another to the cluster, so it is refused here, field by field.
 *
 * Synth's files are safe by construction (the emitter quotes every such scalar, which its property
 * tests prove) and synth passes no file text, so this runs on trees read from disk: hand edits.
 */
export const YAML11_RULE: Rule = {
  id: 'YAML-1.1',
  checks: 'every file of a tree read from disk reads the same in YAML 1.1 as in YAML 1.2: no plain yes/no/on/off, 0777, 12:30, 1_000, 2001-12-14, <<',
  kinds: '*',
  mirrors: 'go-yaml v2 (sigs.k8s.io/yaml), the YAML 1.1 reader of kubectl, the API server and Argo CD',
  hint: 'quote the scalar ("yes", not yes) so YAML 1.1 and 1.2 both read it as that string; gitops/ is written by `npm run synth`, which quotes it for you',
  check(ctx) {
    if (!ctx.sourceText) return;
    for (const [file, objects] of byFile(ctx.objects)) {
      const text = ctx.sourceText(file);
      if (text === undefined || !mayReadOtherwiseIn11(text)) continue;
      for (const { object, message, line } of differences(text, objects)) ctx.report(object, line === undefined ? message : `${message} (line ${line})`);
    }
  },
};

/**
 * Whether a file may hold a plain scalar that YAML 1.1 reads otherwise: a cheap test that lets the
 * rule parse only those files twice more. It errs on the side of yes (a `yes` in a quoted string or
 * a comment passes too); every form the rule compares must pass it (test/yaml11-rule.test.ts).
 */
export function mayReadOtherwiseIn11(text: string): boolean {
  return MAY_READ_OTHERWISE.test(text);
}

// y/n/yes/no/on/off; base 60 (12:30); a number starting 0 then a digit, _, b, o or x (0777, 0b1,
// 0x_1F, 0X1F); _ in a number (1_000, 0._); a timestamp's date; the merge key; the `yaml` package's
// 1.1 float quirks (a lone `.`, `-.` or `._`, `e3`).
const MAY_READ_OTHERWISE =
  /\b(?:y|n|yes|no|on|off)\b|\d:\d|(?<![\w.])[-+]?0[0-9_bBoOxX]|[\d.]_|_[\d.]|\d{4}-\d\d?-\d\d?|<<|(?<![\w.])[-+]?\.[0-9_]*(?![\w.])|\b[eE][-+]?\d/i;

/** The objects of each file, in document order, as `parseTree` made them. */
function byFile(objects: readonly TreeObject[]): Map<string, TreeObject[]> {
  const files = new Map<string, TreeObject[]>();
  for (const o of objects) {
    const list = files.get(o.path);
    if (list) list.push(o);
    else files.set(o.path, [o]);
  }
  return files;
}

interface Difference {
  readonly object: TreeObject;
  readonly message: string;
  /** Of the scalar at fault, in the file. */
  readonly line?: number;
}

/** Every field of the file whose YAML 1.1 reading is not its YAML 1.2 reading, on its object. */
function differences(text: string, objects: readonly TreeObject[]): Difference[] {
  const found: Difference[] = [];
  const docs12 = parseAllDocuments(text, { version: '1.2' });
  const docs11 = parseAllDocuments(text, { version: '1.1' });
  // Documents pair up with objects as the tree's parser made them: empty documents hold none.
  let next = 0;
  docs12.forEach((doc12, index) => {
    if (doc12.errors.length > 0) return;
    const data = doc12.toJS();
    if (data === null || data === undefined) return;
    const object = objects[next++];
    if (!object) return;
    const doc11 = docs11[index];
    const error = doc11?.errors[0];
    if (!doc11 || error) {
      // Say, two keys that YAML 1.1 reads as the same (`yes:` and `true:`).
      const why = error ? error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') : 'no such document';
      const start = doc12.contents?.range?.[0];
      const line = error?.linePos?.[0].line ?? (start === undefined ? undefined : lineAt(text, start));
      found.push({ object, message: `YAML 1.1 (go-yaml, Argo CD, kubectl) cannot read this document: ${why}`, line });
      return;
    }
    compare(doc12.contents, doc11.contents, '', (field, reading11, reading12, at) =>
      found.push({ object, message: `${field}: YAML 1.1 (go-yaml, Argo CD, kubectl) reads ${reading11}, YAML 1.2 reads ${reading12}; quote it`, line: at === undefined ? undefined : lineAt(text, at) }),
    );
  });
  return found;
}

type Report = (field: string, reading11: string, reading12: string, at: number | undefined) => void;

/** Walks the two readings of one document side by side: the same syntax, resolved twice. */
function compare(node12: unknown, node11: unknown, field: string, report: Report): void {
  if (isAlias(node12) || isAlias(node11)) return;
  if (isScalar(node12) && isScalar(node11)) {
    if (!sameValue(node12.value, node11.value)) report(field || '(the document)', describe(node11.value), describe(node12.value), node12.range?.[0]);
    return;
  }
  if (isMap(node12) && isMap(node11)) {
    node12.items.forEach((pair12, i) => {
      const pair11 = node11.items[i];
      if (!pair11) return;
      const key12: unknown = isScalar(pair12.key) ? pair12.key.value : pair12.key;
      const child = childPath(field, key12);
      if (isScalar(pair12.key) && isScalar(pair11.key) && !sameValue(pair12.key.value, pair11.key.value)) {
        report(`${child} (the key)`, describe(pair11.key.value), describe(pair12.key.value), pair12.key.range?.[0]);
      }
      compare(pair12.value, pair11.value, child, report);
    });
    return;
  }
  if (isSeq(node12) && isSeq(node11)) {
    node12.items.forEach((item, i) => compare(item, node11.items[i], `${field}[${i}]`, report));
  }
}

/** `spec.template`, `data.CHAT_KAFKA_TOPIC`; keys that are no identifier in brackets: `labels[app.kubernetes.io/name]`. */
function childPath(field: string, key: unknown): string {
  const name = String(key);
  if (/^[A-Za-z_$][\w$]*$/.test(name)) return field === '' ? name : `${field}.${name}`;
  return `${field}[${name}]`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return Object.is(a, b);
}

/** A reading as a person compares it: strings in quotes, anything else named by its type. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return `${value} (a boolean)`;
  if (typeof value === 'number' || typeof value === 'bigint') return `${String(value)} (a number)`;
  if (value instanceof Date) return `${value.toISOString()} (a timestamp)`;
  if (typeof value === 'symbol') return 'a merge key (<<), which merges a map into this one';
  return JSON.stringify(value) ?? String(value);
}
