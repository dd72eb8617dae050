import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { emitYaml } from '../lib/tree/yaml-emitter';

/** How go-yaml (Argo CD, kubectl) reads a document, and how our emitter means it. */
const read11 = (text: string): unknown => parse(text, { version: '1.1' });
const read12 = (text: string): unknown => parse(text, { version: '1.2' });

/** Scattered case, so `yes` also comes as `yEs`: YAML 1.1 takes only some spellings. */
const anyCase = (arb: fc.Arbitrary<string>) =>
  fc.tuple(arb, fc.array(fc.boolean(), { minLength: 32, maxLength: 32 })).map(([s, up]) =>
    [...s].map((c, i) => (up[i % up.length] ? c.toUpperCase() : c.toLowerCase())).join(''),
  );

/** Strings drawn to hit what YAML 1.1 reads as something other than a string, and near misses. */
const yaml11Form = fc.oneof(
  fc.constantFrom('y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF'),
  anyCase(fc.constantFrom('y', 'yes', 'n', 'no', 'on', 'off', 'true', 'false', 'null', '.inf', '-.inf', '+.inf', '.nan', '0x1f', '0b1', '0o7', '1e3', '2001-12-14t21:59:43.10z')),
  fc.constantFrom('~', 'null', 'Null', 'NULL', '<<', '=', '.', '-.', '._', 'e3', '.e3', '-e3'),
  // base 60
  fc.stringMatching(/^[-+]?[0-9][0-9_]{0,3}(?::[0-6]?[0-9]){1,3}(?:\.[0-9_]{0,3})?$/),
  // 0-octal, binary, hex, 0o-octal, decimal, each with `_` here and there
  fc.stringMatching(/^[-+]?_?0[0-9_]{1,6}$/),
  fc.stringMatching(/^[-+]?0_?[bBxXoO]_?[0-9a-fA-F_]{0,8}$/),
  fc.stringMatching(/^[-+]?_?[0-9_]{1,6}(?:\.[0-9_]{0,3})?(?:[eE]_?[-+]?[0-9_]{0,3})?$/),
  fc.stringMatching(/^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/),
  // timestamps, in the spec's and go-yaml's spellings
  fc.stringMatching(/^[0-9]{3,5}-[0-9]{1,3}-[0-9]{1,3}$/),
  fc.stringMatching(/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]| {1,2}|\t)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]{0,3})?(?: ?(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?$/),
);
/** A form with a character or two around it: must stay plain where YAML reads it as a string. */
const nearYaml11Form = fc
  .tuple(fc.string({ maxLength: 1 }), yaml11Form, fc.string({ maxLength: 2 }))
  .map(([before, form, after]) => `${before}${form}${after}`);

/** JSON-shaped values with the strings that trip YAML up: numbers, booleans, indicators, blanks. */
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  yaml11Form,
  nearYaml11Form,
  fc.constantFrom('', ' ', 'true', 'False', 'null', '~', '1', '-1', '0x1F', '0o17', '1e3', '.5', '.inf', '.NaN', '- a', '-a', ': a', 'a: b', 'a:', 'a #b', 'a#b', '#a', '? a', '|', '>', "'", '"', '"quoted"', "it's", '---', '...', 'a\nb', 'a\nb\n', 'a\nb\n\n', '\na', ' a\nb', 'a \nb', 'a\r\nb', 'tab\there', '\u2028', '%x', '@x', '`x', '*x', '&x', '!x', '[x]', '{x}', ',x', '::/0', '-XX:+Flag'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
})).value;

describe('the YAML emitter', () => {
  test('every value it writes reads back as exactly that value, in YAML 1.1 as in YAML 1.2', () => {
    fc.assert(
      fc.property(json, (value) => {
        const text = emitYaml(value);
        expect(read12(text)).toEqual(value);
        expect(read11(text)).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });

  test('every string YAML 1.1 could read as another type reads back as that string in both versions', () => {
    fc.assert(
      fc.property(fc.oneof(yaml11Form, nearYaml11Form), (s) => {
        const text = emitYaml({ [s]: s, list: [s] });
        const expected = { [s]: s, list: [s] };
        expect(read12(text)).toEqual(expected);
        expect(read11(text)).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  test('writes a manifest exactly as the yaml package lays it out', () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', annotations: { note: 'says "hi"', port: '8080', empty: '' } },
      data: { 'nginx.conf': 'daemon off;\nevents {}\n', flags: '-XX:+UseG1GC', list: '' },
      spec: { items: [{ a: 1, b: [true, null] }, [], {}, ['x', ['y']]], text: 'a\nb' },
    };
    // In its YAML 1.1 mode, which quotes `y` as the emitter does.
    expect(emitYaml(manifest)).toBe(stringify(manifest, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }));
  });

  test('quotes strings YAML would read as other types', () => {
    expect(emitYaml({ a: 'true', b: '8080', c: 'null', d: '1.5' })).toBe('a: "true"\nb: "8080"\nc: "null"\nd: "1.5"\n');
  });

  test.each([
    ['YAML 1.1 booleans', ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']],
    ['YAML 1.2 booleans', ['true', 'True', 'TRUE', 'false', 'False', 'FALSE']],
    ['nulls', ['~', 'null', 'Null', 'NULL']],
    ['base-60 ints and floats', ['12:30', '1:20:30', '-1:30', '190:20:30.15', '1:20:30.5']],
    ['0-prefixed octal', ['0777', '-0777', '0_777']],
    ['binary', ['0b1010', '-0b1010', '0b1_0']],
    ['hex', ['0x1F', '-0x1f', '+0x_1F', '0X1F']],
    ['0o-octal', ['0o17', '0O17']],
    ['infinities and NaN in their case variants', ['.inf', '.Inf', '.INF', '-.inf', '+.Inf', '-.INF', '.nan', '.NaN', '.NAN']],
    ['numbers with _ separators', ['1_000', '-1_000', '1_000.5', '1_0e3', '-_1', '._5']],
    ['what the 1.1 float regex takes without digits', ['.', '-.', 'e3', '.e3']],
    ['timestamps', ['2001-12-14', '2001-1-2', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10 -5', '2001-12-14 21:59:43']],
    ['the merge key', ['<<']],
  ])('quotes %s, as values and as keys', (_form, examples) => {
    for (const s of examples) {
      expect(emitYaml({ v: s })).toBe(`v: "${s}"\n`);
      expect(emitYaml([s])).toBe(`- "${s}"\n`);
      expect(emitYaml({ [s]: 1 })).toBe(`"${s}": 1\n`);
      expect(read11(emitYaml({ [s]: s }))).toEqual({ [s]: s });
    }
  });

  test('leaves plain what YAML 1.1 and 1.2 both read as that string', () => {
    const plain = ['yesterday', 'none', 'onion', 'On-call', 'Y2K', 'v1', '250m', '1Gi', '1.2.3', '10.0.0.1', '8080:80', '12:60', '1e', '2001-12', '2001-12-14x', '20011-12-14', 'x12:30', '0x', '1.5Gi', '-XX:+Flag', 'chat-messages'];
    for (const s of plain) expect(emitYaml({ v: s })).toBe(`v: ${s}\n`);
  });

  test('quotes a ConfigMap value `yes`, which go-yaml would read as a boolean and the API server refuse', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'backend-config' }, data: { CHAT_KAFKA_TOPIC: 'yes', ON: 'off' } };
    const text = emitYaml(configMap);
    expect(text).toContain('\n  CHAT_KAFKA_TOPIC: "yes"\n');
    expect(text).toContain('\n  "ON": "off"\n');
    expect(read11(text)).toEqual(configMap);
  });

  test('keeps multi-line text in a literal block with the right chomping', () => {
    expect(emitYaml({ a: 'x\ny\n', b: 'x\ny', c: 'x\n\n' })).toBe('a: |\n  x\n  y\nb: |-\n  x\n  y\nc: |+\n  x\n\n');
  });
});
