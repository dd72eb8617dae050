/**
 * Custom resources as the API server validates them: the CRD's JSON Schema (enums, patterns,
 * bounds) on the object with its defaults applied, its list types, and its CEL rules. The Gateway
 * API objects are checked against the generated schemas of the v1.2.1 CRDs (schemas/, from
 * scripts/generate-schemas.js); the rule mechanics beyond what those CRDs use are checked on
 * small structural schemas written here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '@bufbuild/cel';
import { formatFieldError } from '../lib/validation/api-server/field-error';
import { validateCelRules } from '../lib/validation/crd/cel-validation';
import { escapeFieldName } from '../lib/validation/crd/cel-values';
import { defaultedManifest } from '../lib/validation/crd/defaulting';
import { validateListSetsAndMaps } from '../lib/validation/crd/list-type';
import { StructuralSchema, structuralKinds, structuralSchemaOf } from '../lib/validation/crd/structural-schema';
import { isClusterScoped } from '../lib/tree/cluster-scoped-kinds';
import { treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';

type Manifest = Record<string, any>;
const NS = 'chat-prod';

function httpRoute(): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'frontend', namespace: NS },
    spec: {
      parentRefs: [{ name: 'edge', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['chat.example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/ws' } }],
          backendRefs: [{ name: 'frontend', port: 80 }],
          timeouts: { request: '3600s', backendRequest: '3600s' },
        },
        { backendRefs: [{ name: 'frontend', port: 80 }] },
      ],
    },
  };
}

function gateway(): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'edge', namespace: NS },
    spec: {
      gatewayClassName: 'platform',
      listeners: [
        { name: 'https', protocol: 'HTTPS', port: 443, hostname: 'chat.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'chat-tls' }] } },
        { name: 'http', protocol: 'HTTP', port: 80 },
      ],
    },
  };
}

function gatewayClass(): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'platform' },
    spec: { controllerName: 'example.com/gateway-controller' },
  };
}

function grpcRoute(): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'chat-api', namespace: NS },
    spec: {
      parentRefs: [{ name: 'edge' }],
      rules: [{ matches: [{ method: { service: 'chat.v1.Chat', method: 'Send' } }], backendRefs: [{ name: 'backend', port: 9090 }] }],
    },
  };
}

function referenceGrant(): Manifest {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'routes-from-prod', namespace: 'gateway-system' },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: NS }],
      to: [{ group: '', kind: 'Secret' }],
    },
  };
}

/** The findings of the API server's rules for custom resources and of the schema, as `RULE message`. */
function refusals(manifest: Manifest): string[] {
  const object = treeObject(`envs/prod/frontend/${manifest.kind}-${manifest.metadata.name}.yaml`, manifest);
  return validateTree([object])
    .findings.filter((f) => ['K8S-SCHEMA', 'CRD-CEL', 'CRD-LIST-TYPE'].includes(f.rule))
    .map((f) => `${f.rule} ${f.message}`);
}

describe('Gateway API objects against their CRDs', () => {
  test.each([
    ['HTTPRoute', httpRoute],
    ['Gateway', gateway],
    ['GatewayClass', gatewayClass],
    ['GRPCRoute', grpcRoute],
    ['ReferenceGrant', referenceGrant],
  ])('a valid %s passes every rule', (_kind, make) => {
    const object = treeObject(`envs/prod/frontend/${make().kind}.yaml`, make());
    expect(validateTree([object]).findings.filter((f) => f.rule.startsWith('CRD-') || f.rule === 'K8S-SCHEMA')).toEqual([]);
  });

  test('a CEL rule that does not hold is refused with its message, at its node (HTTPRoute path)', () => {
    const route = httpRoute();
    route.spec.rules[0].matches[0].path.value = 'ws';
    expect(refusals(route)).toEqual([
      `CRD-CEL spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']`,
    ]);
  });

  test('a filter type without its settings', () => {
    const route = httpRoute();
    route.spec.rules[1].filters = [{ type: 'RequestRedirect' }];
    expect(refusals(route)).toEqual([
      'CRD-CEL spec.rules[1].filters[0]: Invalid value: "object": filter.requestRedirect must be specified for RequestRedirect filter.type',
    ]);
  });

  test('durations compare as durations: a backend timeout longer than the request timeout', () => {
    const route = httpRoute();
    route.spec.rules[0].timeouts = { request: '10s', backendRequest: '1m' };
    expect(refusals(route)).toEqual([
      'CRD-CEL spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout',
    ]);
    route.spec.rules[0].timeouts = { request: '2m', backendRequest: '90s' };
    expect(refusals(route)).toEqual([]);
  });

  test('a rule that reads a field left unset fails to evaluate, as on the API server: a TLS listener with no certificate', () => {
    const gw = gateway();
    gw.spec.listeners[0].tls.certificateRefs = [];
    // `size(self.certificateRefs) > 0 || size(self.options) > 0`: with no certificate, CEL reads the unset options.
    expect(refusals(gw)).toEqual([
      'CRD-CEL spec.listeners[0].tls: Invalid value: "object": field not found: options evaluating rule: certificateRefs or options must be specified when mode is Terminate',
    ]);
    gw.spec.listeners[0].tls.options = { 'example.com/certificate-source': 'vault' };
    expect(refusals(gw)).toEqual([]);
  });

  test('two listeners of one name: the CEL rule and the list-map key both refuse', () => {
    const twice = gateway();
    twice.spec.listeners[1].name = 'https';
    expect(refusals(twice)).toEqual([
      'CRD-CEL spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway',
      'CRD-LIST-TYPE spec.listeners[1]: Duplicate value: map[string]interface {}{"name":"https"}',
    ]);
  });

  test('the rules see the CRD defaults: a Service backend (group "" and kind Service by default) needs a port', () => {
    const route = httpRoute();
    delete route.spec.rules[1].backendRefs[0].port;
    // Without the defaults, `self.group` would not exist and the rule would fail to evaluate instead.
    expect(refusals(route)).toEqual(['CRD-CEL spec.rules[1].backendRefs[0]: Invalid value: "object": Must have port for Service reference']);
    route.spec.rules[1].backendRefs[0].kind = 'Backend';
    route.spec.rules[1].backendRefs[0].group = 'example.com';
    expect(refusals(route)).toEqual([]);
  });

  test('defaulting copies: the manifest itself is left as written', () => {
    const route = httpRoute();
    const before = structuredClone(route);
    const defaulted = defaultedManifest(route);
    expect(route).toEqual(before);
    // A rule without matches matches every path; a backendRef is a core Service by default.
    expect(defaulted.spec.rules[1].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(defaulted.spec.rules[1].backendRefs[0]).toMatchObject({ group: '', kind: 'Service', weight: 1 });
    expect(defaulted.spec.parentRefs[0]).toMatchObject({ group: 'gateway.networking.k8s.io', kind: 'Gateway' });
    // Built-in kinds have no structural schema here: the manifest itself comes back.
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } };
    expect(defaultedManifest(configMap)).toBe(configMap);
  });

  test.each([
    ['an unknown path match type (enum)', (r: Manifest) => (r.spec.rules[0].matches[0].path.type = 'Prefix'), 'spec.rules[0].matches[0].path.type: must be one of ["Exact","PathPrefix","RegularExpression"]'],
    ['an upper-case hostname (pattern)', (r: Manifest) => (r.spec.hostnames[0] = 'Chat.example.com'), 'spec.hostnames[0]: must match pattern'],
    ['a backend port above 65535 (bound)', (r: Manifest) => (r.spec.rules[0].backendRefs[0].port = 70000), 'spec.rules[0].backendRefs[0].port: must be <= 65535'],
    ['seventeen rules (maxItems)', (r: Manifest) => (r.spec.rules = Array.from({ length: 17 }, () => ({ backendRefs: [{ name: 'frontend', port: 80 }] }))), 'spec.rules: must NOT have more than 16 items'],
    ['an unknown field', (r: Manifest) => (r.spec.rules[0].timeout = '10s'), 'spec.rules[0]: unknown field "timeout"'],
  ])('the CRD schema refuses %s', (_name, breakIt, message) => {
    const route = httpRoute();
    breakIt(route);
    const found = refusals(route).filter((r) => r.startsWith('K8S-SCHEMA '));
    expect(found.some((r) => r.startsWith(`K8S-SCHEMA ${message}`)) ? 'refused' : found).toBe('refused');
  });

  test('transition rules (those reading oldSelf) are not evaluated on a tree, as on create', () => {
    // GatewayClass spec.controllerName carries `self == oldSelf`: evaluated without an old object it would fail.
    expect(structuralSchemaOf('gateway.networking.k8s.io/v1', 'GatewayClass')?.properties?.spec?.properties?.controllerName?.rules).toEqual([
      { rule: 'self == oldSelf', message: 'Value is immutable' },
    ]);
    expect(refusals(gatewayClass())).toEqual([]);
  });

  test('every CEL rule of the generated CRD schemas parses, and every such kind has a JSON Schema', () => {
    const schemas = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'api-schemas.json'), 'utf8')) as { kinds: Record<string, string> };
    const kinds = structuralKinds();
    expect(kinds).toEqual(expect.arrayContaining(['gateway.networking.k8s.io/v1/Gateway', 'gateway.networking.k8s.io/v1/HTTPRoute', 'gateway.networking.k8s.io/v1/GRPCRoute']));
    let rules = 0;
    const visit = (node: StructuralSchema) => {
      for (const r of node.rules ?? []) {
        rules++;
        expect(() => parse(r.rule)).not.toThrow();
      }
      for (const child of [...Object.values(node.properties ?? {}), node.items, node.additionalProperties, ...(node.allOf ?? [])]) if (child) visit(child);
    };
    for (const kind of kinds) {
      expect(schemas.kinds[kind]).toBeDefined();
      const [group, version, name] = kind.split('/');
      visit(structuralSchemaOf(`${group}/${version}`, name)!);
    }
    // HTTPRoute v1 alone has 74 rules in v1.2.1.
    expect(rules).toBeGreaterThan(150);
  });
});

test('every cluster-scoped kind of the CRDs counts as cluster-scoped (GatewayClass), and namespaced ones do not', () => {
  const schemas = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'api-schemas.json'), 'utf8')) as { clusterScoped: string[] };
  expect(schemas.clusterScoped).toContain('gateway.networking.k8s.io/GatewayClass');
  for (const groupKind of schemas.clusterScoped) {
    const slash = groupKind.lastIndexOf('/');
    expect([groupKind, isClusterScoped(groupKind.slice(0, slash), groupKind.slice(slash + 1))]).toEqual([groupKind, true]);
  }
  expect(isClusterScoped('gateway.networking.k8s.io', 'HTTPRoute')).toBe(false);
});

describe('CEL rule mechanics', () => {
  const schema = (rules: StructuralSchema['rules'], properties: Record<string, StructuralSchema> = {}): StructuralSchema => ({
    type: 'object',
    properties: { spec: { type: 'object', rules, properties } },
  });
  const check = (s: StructuralSchema, spec: Manifest) => validateCelRules({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec }, s).map(formatFieldError);

  test('no message: "failed rule: <rule>"', () => {
    expect(check(schema([{ rule: 'self.size > 1' }], { size: { type: 'integer' } }), { size: 1 })).toEqual(['spec: Invalid value: "object": failed rule: self.size > 1']);
  });

  test('integer fields are CEL ints and number fields doubles, so int arithmetic works on integers only', () => {
    const s = schema([{ rule: 'self.replicas + 1 == 3' }, { rule: 'self.ratio * 2.0 == 1.0' }], { replicas: { type: 'integer' }, ratio: { type: 'number' } });
    expect(check(s, { replicas: 2, ratio: 0.5 })).toEqual([]);
    expect(check(s, { replicas: 2, ratio: 1 })).toEqual(['spec: Invalid value: "object": failed rule: self.ratio * 2.0 == 1.0']);
  });

  test('messageExpression, reason and fieldPath', () => {
    const s = schema(
      [
        { rule: 'self.min <= self.max', messageExpression: "'min ' + string(self.min) + ' is above max ' + string(self.max)", fieldPath: '.min' },
        { rule: "!has(self.debug)", message: 'debug is not allowed here', reason: 'FieldValueForbidden', fieldPath: '.debug' },
        { rule: "has(self.owner)", message: 'an owner is needed', reason: 'FieldValueRequired', fieldPath: '.owner' },
        { rule: "self.labels['tier'] != 'x'", message: 'tier x', fieldPath: ".labels['tier']" },
      ],
      { min: { type: 'integer' }, max: { type: 'integer' }, debug: { type: 'boolean' }, owner: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
    );
    expect(check(s, { min: 5, max: 3, debug: true, labels: { tier: 'x' } })).toEqual([
      'spec.min: Invalid value: "object": min 5 is above max 3',
      'spec.debug: Forbidden: debug is not allowed here',
      'spec.owner: Required value: an owner is needed',
      'spec.labels[tier]: Invalid value: "object": tier x',
    ]);
  });

  test('a rule that fails to evaluate, and one that does not compile, are refused with the reason', () => {
    expect(check(schema([{ rule: 'self.missing == 1' }]), {})).toEqual([
      'spec: Invalid value: "object": field not found: missing evaluating rule: self.missing == 1',
    ]);
    expect(check(schema([{ rule: 'self.(' }]), {})[0]).toMatch(/^spec: Invalid value: "object": rule compile error: /);
  });

  test('a null value is not validated; rules on items and map values run per element with its path', () => {
    const s: StructuralSchema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            ports: { type: 'array', items: { type: 'integer', rules: [{ rule: 'self < 1024', message: 'must be a low port' }] } },
            env: { type: 'object', additionalProperties: { type: 'string', rules: [{ rule: "self != ''", message: 'must not be empty' }] } },
            note: { type: 'string', nullable: true, rules: [{ rule: 'self.size() > 3' }] },
          },
        },
      },
    };
    expect(check(s, { ports: [80, 8080], env: { A: '1', B: '' }, note: null })).toEqual([
      'spec.ports[1]: Invalid value: "integer": must be a low port',
      'spec.env[B]: Invalid value: "string": must not be empty',
    ]);
  });

  test('property names are escaped as Kubernetes escapes them, and the root sees only name and generateName of metadata', () => {
    const s: StructuralSchema = {
      type: 'object',
      rules: [{ rule: "self.metadata.name == 'w' && !has(self.metadata.labels) && self.kind == 'Widget'" }],
      properties: {
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          rules: [{ rule: "self.__namespace__ == 'ns' && self.max__dash__surge == 1 && self.a__dot__b && self.x__underscores__y == 'z'" }],
          properties: { namespace: { type: 'string' }, 'max-surge': { type: 'integer' }, 'a.b': { type: 'boolean' }, x__y: { type: 'string' } },
        },
      },
    };
    const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } }, spec: { namespace: 'ns', 'max-surge': 1, 'a.b': true, x__y: 'z' } };
    expect(validateCelRules(object, s).map(formatFieldError)).toEqual([]);
    object.spec.namespace = 'other';
    expect(validateCelRules(object, s).map(formatFieldError)).toHaveLength(1);
  });

  test.each([
    ['namespace', '__namespace__'],
    ['if', '__if__'],
    ['a.b', 'a__dot__b'],
    ['a-b', 'a__dash__b'],
    ['a/b', 'a__slash__b'],
    ['a__b', 'a__underscores__b'],
    ['a_b', 'a_b'],
    ['_x', '_x'],
    ['1a', undefined],
    ['a:b', undefined],
    ['', undefined],
  ])('escapeFieldName(%j) is %j', (name, escaped) => {
    expect(escapeFieldName(name)).toBe(escaped);
  });
});

describe('list types', () => {
  const check = (s: StructuralSchema, value: unknown) => validateListSetsAndMaps({ spec: { list: value } }, { type: 'object', properties: { spec: { type: 'object', properties: { list: s } } } }).map(formatFieldError);

  test('a set repeats no item, scalar or compound; each repeated item is reported once', () => {
    const set: StructuralSchema = { type: 'array', listType: 'set', items: { type: 'string' } };
    expect(check(set, ['a', 'b', 'a', 'a', 'b'])).toEqual(['spec.list[2]: Duplicate value: "a"', 'spec.list[4]: Duplicate value: "b"']);
    expect(check({ type: 'array', listType: 'set' }, [{ a: 1 }, { a: 1 }])).toEqual(['spec.list[1]: Duplicate value: map[string]interface {}{"a":1}']);
    expect(check(set, ['a', 'b'])).toEqual([]);
  });

  test('a map list repeats no key (one key field or several), and its items are objects', () => {
    const byPort: StructuralSchema = { type: 'array', listType: 'map', listMapKeys: ['port', 'protocol'], items: { type: 'object' } };
    expect(check(byPort, [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }])).toEqual([]);
    expect(check(byPort, [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP', name: 'x' }])).toEqual([
      'spec.list[1]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}',
    ]);
    const byName: StructuralSchema = { type: 'array', listType: 'map', listMapKeys: ['name'], items: { type: 'object' } };
    expect(check(byName, [{}, {}])).toEqual(['spec.list[1]: Duplicate value: map[string]interface {}{}']);
    expect(check(byName, ['a'])).toEqual(['spec.list[0]: Invalid value: "a": must be an object for an array of list-type map']);
    expect(check({ type: 'array', listType: 'atomic' }, ['a', 'a'])).toEqual([]);
  });
});
