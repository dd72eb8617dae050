import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { emitYaml } from '../lib/tree/yaml-emitter';

/** JSON-shaped values with the strings that trip YAML up: numbers, booleans, indicators, blanks. */
const tricky = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', 'true', 'False', 'null', '~', '1', '-1', '0x1F', '0o17', '1e3', '.5', '.inf', '.NaN', '- a', '-a', ': a', 'a: b', 'a:', 'a #b', 'a#b', '#a', '? a', '|', '>', "'", '"', '"quoted"', "it's", '---', '...', 'a\nb', 'a\nb\n', 'a\nb\n\n', '\na', ' a\nb', 'a \nb', 'a\r\nb', 'tab\there', '\u2028', '%x', '@x', '`x', '*x', '&x', '!x', '[x]', '{x}', ',x', '::/0', '-XX:+Flag'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(tricky, tie('value'), { maxKeys: 4 }),
})).value;

describe('the YAML emitter', () => {
  test('every value it writes reads back as exactly that value', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(parse(emitYaml(value))).toEqual(value);
      }),
      { numRuns: 2000 },
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
    expect(emitYaml(manifest)).toBe(stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
  });

  test('quotes strings YAML would read as other types', () => {
    expect(emitYaml({ a: 'true', b: '8080', c: 'null', d: '1.5' })).toBe('a: "true"\nb: "8080"\nc: "null"\nd: "1.5"\n');
  });

  test('keeps multi-line text in a literal block with the right chomping', () => {
    expect(emitYaml({ a: 'x\ny\n', b: 'x\ny', c: 'x\n\n' })).toBe('a: |\n  x\n  y\nb: |-\n  x\n  y\nc: |+\n  x\n\n');
  });
});
