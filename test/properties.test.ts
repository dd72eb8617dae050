import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { ConfigError } from '../lib/environment/config-error';
import { loadEnvironments } from '../lib/environment/load-environments';
import { renderTree, synthesize } from '../app/synthesize';
import { validateTree } from '../lib/validation/validate';
import { treeFiles } from './support/tree-files';
import { fixtureEnvironments } from './support/fixture-project';

// Property-based specifications: any environment the schema accepts synthesizes into a tree that
// passes every rule, deterministically; any such environment broken in one field is refused with
// a message naming that field, and the tree on disk is left as it was.

const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const tag = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);
const image = (repo: string) =>
  fc.oneof(
    tag.map((t) => `registry.example.com/${repo}:${t}`),
    digest.map((d) => `registry.example.com/${repo}@${d}`),
    fc.tuple(tag, digest).map(([t, d]) => `registry.example.com/${repo}:${t}@${d}`),
  );
const cpuMillis = fc.integer({ min: 50, max: 2000 });
const memoryMi = fc.integer({ min: 64, max: 4096 });
const resourcesFrom = (memory: fc.Arbitrary<number>) =>
  fc.tuple(cpuMillis, cpuMillis, memory, memory).map(([a, b, c, d]) => ({
    requests: { cpu: `${Math.min(a, b)}m`, memory: `${Math.min(c, d)}Mi` },
    limits: { cpu: `${Math.max(a, b)}m`, memory: `${Math.max(c, d)}Mi` },
  }));
const resources = resourcesFrom(memoryMi);
// The JVM's non-heap budget (320Mi at least) plus a heap of at least 256Mi.
const backendResources = resourcesFrom(fc.integer({ min: 576, max: 4096 }));
/** The edge: an Ingress, or a route on the platform's Gateway, or a Gateway of the environment's own. */
const edge = fc.constantFrom('ingress', 'platform-gateway', 'own-gateway');

/** An environment file's content and name, valid by construction. */
const environmentArb = fc
  .record({
    name: fc.constantFrom('dev', 'staging', 'prod', 'qa'),
    suffix: label,
    backend: image('chat/backend'),
    frontend: image('chat/frontend'),
    minReplicas: fc.integer({ min: 2, max: 4 }),
    extraReplicas: fc.integer({ min: 1, max: 4 }),
    cpuTarget: fc.integer({ min: 10, max: 95 }),
    backendResources,
    frontendResources: resources,
    serviceType: fc.constantFrom('LoadBalancer', 'ClusterIP'),
    edge,
    proxyProtocol: fc.boolean(),
    kafkaAuthentication: fc.option(fc.constantFrom('none', 'scram-sha-512'), { nil: undefined }),
    bodyMb: fc.integer({ min: 1, max: 100 }),
    brokers: fc.constantFrom(1, 3, 5),
    partitions: fc.integer({ min: 1, max: 24 }),
    retentionHours: fc.integer({ min: 1, max: 720 }),
    priority: fc.integer({ min: 0, max: 1_000_000 }),
    endpoint: fc.option(fc.constantFrom('https://s3.example.net', 'http://minio.storage.svc:9000'), { nil: undefined }),
  })
  .map((r) => {
    const replicationFactor = Math.min(r.brokers, 3);
    const component = (img: string, res: unknown) => ({
      image: img,
      replicas: { min: r.minReplicas, max: r.minReplicas + r.extraReplicas },
      cpuTargetPercent: r.cpuTarget,
      resources: res,
    });
    const ns = `chat-${r.name}-${r.suffix}`;
    return {
      name: r.name,
      file: {
        namespace: ns,
        cluster: { name: 'in-cluster', server: 'https://kubernetes.default.svc' },
        host: `${r.suffix}.${r.name}.example.com`,
        imagePullSecret: 'regcred',
        priority: r.priority,
        components: { backend: component(r.backend, r.backendResources), frontend: component(r.frontend, r.frontendResources) },
        ingress: {
          ...(r.edge === 'ingress'
            ? { className: 'nginx' }
            : {
                edge: 'gateway',
                gateway:
                  r.edge === 'own-gateway'
                    ? { name: 'edge', gatewayClassName: 'eg' }
                    : { name: 'platform-edge', namespace: 'gateway-system', sectionName: 'https' },
              }),
          tlsSecretName: `${ns}-tls`,
          serviceType: r.serviceType,
          ...(r.serviceType === 'LoadBalancer'
            ? {
                loadBalancer: {
                  tlsCertificate: 'arn:aws:acm:ap-northeast-2:123456789012:certificate/3c1d7e52-9a4b-4f0e-8d21-6b5a0c9e7f14',
                  proxyProtocol: r.proxyProtocol,
                },
              }
            : {}),
          maxBodySize: `${r.bodyMb}m`,
        },
        kafka: {
          brokers: r.brokers,
          image: 'apache/kafka:3.7.1',
          ...(r.kafkaAuthentication ? { authentication: r.kafkaAuthentication } : {}),
          storage: { size: '5Gi' },
          resources: { requests: { cpu: '250m', memory: '768Mi' }, limits: { cpu: '1', memory: '1Gi' } },
          chatTopic: 'chat-messages',
          topics: [
            {
              name: 'chat-messages',
              partitions: r.partitions,
              replicationFactor,
              minInSyncReplicas: replicationFactor > 1 ? replicationFactor - 1 : 1,
              retentionHours: r.retentionHours,
            },
          ],
        },
        database: { engine: 'postgresql', host: `db.${r.name}.example.com`, port: 5432, name: 'chat', credentialsSecret: 'chat-db-credentials' },
        s3: {
          bucket: `chat-${r.name}-${r.suffix}`,
          region: 'ap-northeast-2',
          publicUrlBase: `https://chat-${r.name}-${r.suffix}.s3.ap-northeast-2.amazonaws.com`,
          ...(r.endpoint ? { endpoint: r.endpoint } : {}),
        },
      } as Record<string, any>,
    };
  });

function scratch(environment: { name: string; file: Record<string, any> }): { root: string; envDir: string; outDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'property-'));
  const envDir = path.join(root, 'environments');
  fs.mkdirSync(envDir);
  fs.writeFileSync(path.join(envDir, `${environment.name}.yaml`), stringify(environment.file));
  return { root, envDir, outDir: path.join(root, 'gitops') };
}

/** One field broken in a way the schema or the semantic checks must refuse. */
const mutations: { field: string; apply: (f: Record<string, any>) => void }[] = [
  { field: 'namespace', apply: (f) => (f.namespace = 'Chat_Env') },
  { field: 'host', apply: (f) => (f.host = 'https://chat.example.com/') },
  { field: 'components.backend.image', apply: (f) => (f.components.backend.image = 'registry.example.com/chat/backend:latest') },
  { field: 'components.frontend.image', apply: (f) => (f.components.frontend.image = 'registry.example.com/chat/frontend') },
  { field: 'components.backend.replicas.min', apply: (f) => (f.components.backend.replicas.min = f.components.backend.replicas.max + 1) },
  { field: 'components.frontend.cpuTargetPercent', apply: (f) => (f.components.frontend.cpuTargetPercent = 'seventy') },
  { field: 'components.backend.resources.requests.memory', apply: (f) => (f.components.backend.resources.requests.memory = '99Gi') },
  { field: 'components.backend.replica', apply: (f) => (f.components.backend.replica = 3) },
  { field: 'ingress.serviceType', apply: (f) => (f.ingress.serviceType = 'Ingress') },
  {
    // A load balancer with no certificate would publish plain HTTP to the world.
    field: 'ingress.serviceType',
    apply: (f) => {
      f.ingress.serviceType = 'LoadBalancer';
      delete f.ingress.loadBalancer;
    },
  },
  { field: 'components.backend.resources.limits.memory', apply: (f) => (f.components.backend.resources.limits.memory = '512Mi') },
  { field: 'kafka.authentication', apply: (f) => (f.kafka.authentication = 'plain') },
  { field: 'kafka.topics[0].replicationFactor', apply: (f) => (f.kafka.topics[0].replicationFactor = f.kafka.brokers + 1) },
  { field: 'kafka.chatTopic', apply: (f) => (f.kafka.chatTopic = 'missing-topic') },
  { field: 'database.port', apply: (f) => (f.database.port = 70000) },
  { field: 's3.bucket', apply: (f) => (f.s3.bucket = 'Not_A_Bucket') },
  { field: 'priority', apply: (f) => (f.priority = -1) },
];

describe('for every valid environment', () => {
  test('synth gives a tree that passes every schema, reference and policy rule, and the same bytes twice', () => {
    fc.assert(
      fc.property(environmentArb, (environment) => {
        const p = scratch(environment);
        try {
          const loaded = loadEnvironments(p.envDir, { root: p.root });
          const first = renderTree(loaded);
          const report = validateTree(first.objects);
          expect(report.findings).toEqual([]);
          expect(report.exemptions).toEqual([]);
          const second = renderTree(loadEnvironments(p.envDir, { root: p.root }));
          expect([...second.files]).toEqual([...first.files]);
          // Selectors match: every Service and PDB selects pods (also a rule; asserted directly here).
          const podLabels = first.objects.filter((o) => o.manifest.spec?.template?.metadata?.labels).map((o) => o.manifest.spec.template.metadata.labels);
          for (const o of first.objects.filter((x) => x.manifest.kind === 'Service' && x.manifest.spec?.selector)) {
            const selector: Record<string, string> = o.manifest.spec.selector;
            expect(podLabels.some((l) => Object.entries(selector).every(([k, v]) => l[k] === v))).toBe(true);
          }
        } finally {
          fs.rmSync(p.root, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('for every valid environment broken in one field', () => {
  test('loading refuses it naming the file and field, and synth leaves gitops/ as it was', () => {
    fc.assert(
      fc.property(environmentArb, fc.constantFrom(...mutations), (environment, mutation) => {
        const p = scratch(environment);
        try {
          synthesize({ root: p.root });
          const before = treeFiles(p.outDir);
          const broken = structuredClone(environment.file);
          mutation.apply(broken);
          fs.writeFileSync(path.join(p.envDir, `${environment.name}.yaml`), stringify(broken));
          let error: unknown;
          try {
            synthesize({ root: p.root });
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigError);
          const message = (error as ConfigError).message;
          expect(message).toContain(`environments/${environment.name}.yaml:`);
          const normal = (f: string) => f.replace(/\[(\d+)\]/g, '.$1');
          const field = normal(mutation.field);
          const fields = (error as ConfigError).problems.map((pr) => normal(pr.field));
          expect(fields.some((f) => f === field || f.startsWith(`${field}.`) || field.startsWith(`${f}.`))).toBe(true);
          expect(treeFiles(p.outDir)).toEqual(before);
        } finally {
          fs.rmSync(p.root, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** The data of every document of a file, as a reader of one YAML version resolves it. */
const readAs = (text: string, version: '1.1' | '1.2'): unknown[] => parseAllDocuments(text, { version }).map((d) => d.toJS());

/** Kafka topic names (letters, digits, `.`, `_`, `-`) that go-yaml would read as something else unquoted. */
const yaml11Topic = fc.oneof(
  fc.constantFrom('y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'FALSE', 'null', '.inf', '-.Inf', '.NaN'),
  fc.stringMatching(/^[-]?0[0-7_]{1,6}$/),
  fc.stringMatching(/^0[bx][0-9a-fA-F_]{1,6}$/),
  fc.stringMatching(/^[0-9]{1,3}_[0-9_]{1,4}(?:\.[0-9]{1,2})?$/),
  fc.stringMatching(/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$/),
);

describe('for every valid environment whose chat topic is named like a YAML 1.1 scalar', () => {
  test('every file synth writes reads the same in YAML 1.1 (go-yaml, Argo CD, kubectl) as in YAML 1.2', () => {
    fc.assert(
      fc.property(environmentArb, yaml11Topic, (environment, topic) => {
        const file = structuredClone(environment.file);
        file.kafka.topics[0].name = topic;
        file.kafka.chatTopic = topic;
        const p = scratch({ name: environment.name, file });
        try {
          const { files } = renderTree(loadEnvironments(p.envDir, { root: p.root }));
          for (const [rel, text] of files) {
            if (!rel.endsWith('.yaml')) continue;
            expect({ rel, data: readAs(text, '1.1') }).toEqual({ rel, data: readAs(text, '1.2') });
          }
          const configMaps = [...files].filter(([rel]) => /\/backend\/ConfigMap-/.test(rel)).flatMap(([, text]) => readAs(text, '1.1')) as any[];
          expect(configMaps.some((c) => c.data?.CHAT_KAFKA_TOPIC === topic)).toBe(true);
        } finally {
          fs.rmSync(p.root, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS },
    );
  });
});

test('the fixture environments are among the valid ones', () => {
  expect(() => renderTree(fixtureEnvironments())).not.toThrow();
});
