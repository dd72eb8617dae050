// scripts/schema-dedupe.js: CRD schemas with repeated subschemas hoisted into shared definitions
// must accept and refuse exactly what the original accepts and refuses, with the same errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';

const { hoistRepeatedSubschemas, MIN_SHARED_SIZE } = require('../scripts/schema-dedupe') as {
  hoistRepeatedSubschemas: (name: string, schema: object, definitions: Record<string, unknown>, minSize?: number) => string[];
  MIN_SHARED_SIZE: number;
};

const source = {
  type: 'object',
  additionalProperties: false,
  properties: {
    repoURL: { type: 'string' },
    path: { type: 'string' },
    helm: {
      type: 'object',
      additionalProperties: false,
      properties: {
        valueFiles: { type: 'array', items: { type: 'string' } },
        parameters: {
          type: 'array',
          items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, value: { type: 'string' } } },
        },
      },
    },
  },
  required: ['repoURL'],
};

function crd(): Record<string, any> {
  const copy = (): object => JSON.parse(JSON.stringify(source));
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: { source: copy(), sources: { type: 'array', items: copy() }, project: { type: 'string' } },
        required: ['project'],
      },
      operation: { type: 'object', additionalProperties: false, properties: { sync: { type: 'object', additionalProperties: false, properties: { source: copy() } } } },
    },
  };
}

function validatorOf(definitions: Record<string, unknown>, name: string): (doc: unknown) => string {
  const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  ajv.addSchema({ $id: 'kubernetes', definitions });
  const validate = ajv.getSchema(`kubernetes#/definitions/${name}`)!;
  return (doc) => {
    const ok = validate(doc);
    return JSON.stringify([ok, (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).sort()]);
  };
}

const DOCUMENTS: unknown[] = [
  { spec: { project: 'p', source: { repoURL: 'r' } } },
  { spec: { project: 'p', source: { repoURL: 'r', helm: { valueFiles: ['a.yaml'], parameters: [{ name: 'x', value: '1' }] } } } },
  { spec: { project: 'p', sources: [{ repoURL: 'r' }, { path: 'no-repo' }] } },
  { spec: { project: 'p', sources: [{ repoURL: 'r', helm: { parameters: [{ value: 'no-name' }] } }] } },
  { spec: { project: 'p', source: { repoURL: 1, extra: true } } },
  { spec: {}, operation: { sync: { source: { repoURL: 'r', helm: { valueFiles: 'not-a-list' } } } } },
  { spec: { project: 'p' }, operation: { sync: { source: { helm: { unknown: 1 } } } } },
  { spec: { project: 'p', sources: 'not-a-list' } },
];

describe('hoistRepeatedSubschemas', () => {
  test('replaces every repeat of a large subschema with one shared definition, named where it first occurs', () => {
    const definitions: Record<string, unknown> = {};
    const schema = crd();
    definitions['x.App'] = schema;
    const added = hoistRepeatedSubschemas('x.App', schema, definitions, 100);
    // operation sorts before spec in the generated schemas, but here keys keep their order.
    expect(added).toEqual(['x.App.spec.source']);
    expect(schema.properties.spec.properties.source).toEqual({ $ref: '#/definitions/x.App.spec.source' });
    expect(schema.properties.spec.properties.sources.items).toEqual({ $ref: '#/definitions/x.App.spec.source' });
    expect(schema.properties.operation.properties.sync.properties.source).toEqual({ $ref: '#/definitions/x.App.spec.source' });
    // What the repeat holds is shared with it, not hoisted on its own.
    expect(definitions['x.App.spec.source']).toEqual(source);
    expect(Object.keys(definitions).sort()).toEqual(['x.App', 'x.App.spec.source']);
  });

  test('leaves subschemas below the size limit, and schemas without repeats, untouched', () => {
    const definitions: Record<string, unknown> = {};
    const schema = crd();
    const before = JSON.stringify(schema);
    expect(hoistRepeatedSubschemas('x.App', schema, definitions, 10_000)).toEqual([]);
    expect(JSON.stringify(schema)).toBe(before);
    expect(definitions).toEqual({});
  });

  test('the hoisted schema accepts and refuses the same documents with the same errors', () => {
    const original = validatorOf({ 'x.App': crd() }, 'x.App');
    const definitions: Record<string, unknown> = {};
    const schema = crd();
    definitions['x.App'] = schema;
    hoistRepeatedSubschemas('x.App', schema, definitions, 100);
    const hoisted = validatorOf(definitions, 'x.App');
    const results = DOCUMENTS.map((doc) => [original(doc), hoisted(doc)]);
    for (const [a, b] of results) expect(b).toBe(a);
    // The documents cover both outcomes, so the comparison means something.
    expect(new Set(results.map(([a]) => JSON.parse(a!)[0])).size).toBe(2);
  });

  test('refuses to overwrite an existing definition', () => {
    const schema = crd();
    expect(() => hoistRepeatedSubschemas('x.App', schema, { 'x.App': schema, 'x.App.spec.source': {} }, 100)).toThrow(/already exists/);
  });
});

describe('schemas/api-schemas.json', () => {
  const schemas = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'api-schemas.json'), 'utf8'));

  test('no CRD schema repeats a subschema of the shared size: the generator hoisted them', () => {
    const repeats: string[] = [];
    for (const name of Object.keys(schemas.definitions).filter((n) => n.startsWith('io.argoproj.'))) {
      const copy = JSON.parse(JSON.stringify(schemas.definitions[name]));
      const scratch: Record<string, unknown> = { [name]: copy };
      repeats.push(...hoistRepeatedSubschemas(name, copy, scratch, MIN_SHARED_SIZE));
    }
    expect(repeats).toEqual([]);
  });

  test('the Application refers to one shared ApplicationSource from all four places', () => {
    const deref = (s: { $ref?: string }): any => (s.$ref ? schemas.definitions[s.$ref.replace('#/definitions/', '')] : s);
    const app = schemas.definitions[schemas.kinds['argoproj.io/v1alpha1/Application']];
    const { spec, operation } = app.properties;
    const sync = deref(operation).properties.sync.properties;
    const refs = [spec.properties.source, deref(spec.properties.sources).items, sync.source, deref(sync.sources).items].map((s) => s.$ref);
    expect(refs).toHaveLength(4);
    expect(new Set(refs).size).toBe(1);
    expect(schemas.definitions[refs[0]!.replace('#/definitions/', '')].properties.repoURL).toEqual({ type: 'string' });
  });
});
