import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { ConfigError, ConfigProblem } from '../lib/environment/config-error';
import { environmentSchema } from '../lib/environment/environment-schema';
import { imageReferenceProblem, imageVersion, parseImageReference } from '../lib/environment/image-reference';
import { loadEnvironment, loadEnvironments } from '../lib/environment/load-environments';
import { parseCpu, parseMemory } from '../lib/predicates/quantity';
import { configError } from './support/config-error';
import { FIXTURE_ENVIRONMENTS, FIXTURE_ROOT } from './support/fixture-project';

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

/** A valid environment file; tests edit single lines of it, so its line numbers matter. */
const VALID = `namespace: chat-dev
cluster:
  name: in-cluster
  server: https://kubernetes.default.svc
host: chat.dev.example.com
imagePullSecret: regcred
priority: 1000
components:
  backend:
    image: registry.example.com/chat/backend:1.4.2
    replicas: { min: 2, max: 4 }
    cpuTargetPercent: 70
    resources:
      requests: { cpu: 250m, memory: 512Mi }
      limits: { cpu: "1", memory: 768Mi }
  frontend:
    image: registry.example.com/chat/frontend:1.4.2
    replicas:
      min: 2
      max: 4
    cpuTargetPercent: 70
    resources:
      requests: { cpu: 50m, memory: 64Mi }
      limits: { cpu: 250m, memory: 128Mi }
ingress:
  className: nginx
  tlsSecretName: chat-dev-tls
  serviceType: ClusterIP
  maxBodySize: 20m
kafka:
  brokers: 1
  image: apache/kafka:3.7.1
  storage:
    size: 5Gi
  resources:
    requests: { cpu: 250m, memory: 768Mi }
    limits: { cpu: "1", memory: 1Gi }
  chatTopic: chat-messages
  topics:
    - name: chat-messages
      partitions: 3
      replicationFactor: 1
      minInSyncReplicas: 1
      retentionHours: 24
database:
  engine: postgresql
  host: chat-dev.db.example.com
  port: 5432
  name: chat
  credentialsSecret: chat-db-credentials
s3:
  bucket: chat-dev-images
  region: ap-northeast-2
  publicUrlBase: https://chat-dev-images.s3.ap-northeast-2.amazonaws.com
`;

let root: string;
let dir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'environments-'));
  dir = path.join(root, 'environments');
  fs.mkdirSync(dir);
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function write(fileName: string, text: string): string {
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, text);
  return file;
}

/** `VALID` for another environment: its own namespace, host and bucket. */
function validFor(name: string): string {
  return VALID.replace('namespace: chat-dev', `namespace: chat-${name}`)
    .replace('host: chat.dev.example.com', `host: chat.${name}.example.com`)
    .replace('bucket: chat-dev-images', `bucket: chat-${name}-images`);
}

/** `VALID` with `from` (which must occur in it) replaced by `to`, first occurrence only. */
function edit(from: string, to: string, text = VALID): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

function problemsOf(fileName: string, text: string): ConfigError {
  const file = write(fileName, text);
  return configError(() => loadEnvironment(file, { root }));
}

function messageLines(error: ConfigError): string[] {
  return error.message.split('\n');
}

describe('loading environment files', () => {
  test('the fixture environments/dev.yaml loads', () => {
    const env = loadEnvironment(path.join(FIXTURE_ENVIRONMENTS, 'dev.yaml'), { root: FIXTURE_ROOT });

    expect(env.name).toBe('dev');
    expect(env.file).toBe('environments/dev.yaml');
    expect(env.namespace).toBe('chat-dev');
    expect(env.cluster).toEqual({ name: 'in-cluster', server: 'https://kubernetes.default.svc' });
    expect(env.components.backend.resources.limits).toEqual({ cpu: '1', memory: '768Mi' });
  });

  test('an environment takes its name from the file name and its file path relative to the root', () => {
    const env = loadEnvironment(write('staging.yaml', VALID), { root });

    expect(env.name).toBe('staging');
    expect(env.file).toBe('environments/staging.yaml');
    expect(env.components.frontend.replicas).toEqual({ min: 2, max: 4 });
  });

  test('quantities YAML reads as numbers are kept as strings, spelled as written', () => {
    const text = edit('limits: { cpu: "1", memory: 768Mi }', 'limits: { cpu: 1.50, memory: 1073741824 }');
    const env = loadEnvironment(write('dev.yaml', text), { root });

    expect(env.components.backend.resources.limits).toEqual({ cpu: '1.50', memory: '1073741824' });
  });

  test('the loaded environment cannot be modified', () => {
    const env = loadEnvironment(write('dev.yaml', VALID), { root });

    expect(Object.isFrozen(env.components.backend.replicas)).toBe(true);
  });

  test('replicas.min greater than replicas.max is refused', () => {
    const error = problemsOf('dev.yaml', edit('{ min: 2, max: 4 }', '{ min: 5, max: 4 }'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:11:22: components.backend.replicas.min: 5 — at most components.backend.replicas.max (4)',
    ]);
  });

  test('an image without a tag or digest is refused as untagged', () => {
    const error = problemsOf('dev.yaml', edit('backend:1.4.2', 'backend'));

    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(
      'environments/dev.yaml:10:12: components.backend.image: "registry.example.com/chat/backend" — ' +
        'a tag other than "latest" or a digest (untagged: ',
    );
  });

  test('an image tagged "latest" is refused as not reproducible', () => {
    const error = problemsOf('dev.yaml', edit('backend:1.4.2', 'backend:latest'));

    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(
      'environments/dev.yaml:10:12: components.backend.image: "registry.example.com/chat/backend:latest" — ' +
        'a tag other than "latest" or a digest (the tag "latest" is refused: it moves with every push, ' +
        'so deployments are not reproducible)',
    );
  });

  test('a malformed image reference is refused with the reason', () => {
    const error = problemsOf('dev.yaml', edit('chat/frontend:1.4.2', 'Chat/frontend:1.4.2'));

    expect(error.message).toContain(
      'environments/dev.yaml:17:12: components.frontend.image: "registry.example.com/Chat/frontend:1.4.2" — ' +
        'an image reference [registry[:port]/]path[:tag][@sha256:<64 hex digits>] (',
    );
    expect(error.message).toContain('must be lowercase');
  });

  test('an image pinned by digest, with or without a tag, is accepted', () => {
    const text = edit(
      'frontend:1.4.2',
      `frontend:1.4.2@${DIGEST}`,
      edit('backend:1.4.2', `backend@${DIGEST}`),
    );
    const env = loadEnvironment(write('dev.yaml', text), { root });

    expect(env.components.backend.image).toBe(`registry.example.com/chat/backend@${DIGEST}`);
    expect(env.components.frontend.image).toBe(`registry.example.com/chat/frontend:1.4.2@${DIGEST}`);
  });

  test('a namespace that is not a DNS-1123 label is refused, saying what a label is', () => {
    const error = problemsOf('dev.yaml', edit('namespace: chat-dev', 'namespace: Chat_Dev'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:1:12: namespace: "Chat_Dev" — a DNS-1123 label: at most 63 characters, ' +
        'lowercase letters, digits and "-", starting and ending with a letter or digit',
    ]);
  });

  test('a value breaking several rules of one field is reported once', () => {
    const error = problemsOf('dev.yaml', edit('namespace: chat-dev', `namespace: ${'X'.repeat(70)}`));

    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ line: 1, column: 12, field: 'namespace' });
  });

  test('an unknown field is refused, listing the allowed fields and the closest one', () => {
    const error = problemsOf('dev.yaml', edit('    replicas: { min: 2, max: 4 }', '    replica: { min: 2, max: 4 }'));

    expect(error.message).toContain(
      'environments/dev.yaml:11:5: components.backend.replica: {"min":2,"max":4} — unknown field; ' +
        'allowed: affinity, cpuTargetPercent, env, image, jvm, nodeSelector, podAnnotations, podLabels, preStopDelaySeconds, probes, replicas, resources, ' +
        'terminationGracePeriodSeconds, tolerations (did you mean "replicas"?)',
    );
  });

  test('a field of the wrong type is refused, saying the type and range allowed', () => {
    const error = problemsOf('dev.yaml', edit('cpuTargetPercent: 70', 'cpuTargetPercent: "seventy"'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:12:23: components.backend.cpuTargetPercent: "seventy" — an integer from 10 to 95',
    ]);
  });

  test('a number out of range is refused, saying the range', () => {
    const error = problemsOf('dev.yaml', edit('max: 4', 'max: 101'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:11:30: components.backend.replicas.max: 101 — an integer from 1 to 100',
    ]);
  });

  test('requests above their limits are refused, for CPU and for memory', () => {
    const error = problemsOf('dev.yaml', edit('requests: { cpu: 250m, memory: 512Mi }', 'requests: { cpu: "2", memory: 1Gi }'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:14:24: components.backend.resources.requests.cpu: "2" — ' +
        'at most the limit, components.backend.resources.limits.cpu: "1"',
      'environments/dev.yaml:14:37: components.backend.resources.requests.memory: "1Gi" — ' +
        'at most the limit, components.backend.resources.limits.memory: "768Mi"',
    ]);
  });

  test('a memory quantity in "m" (thousandths of a byte) is refused', () => {
    const error = problemsOf('dev.yaml', edit('memory: 128Mi', 'memory: 128m'));

    expect(error.message).toContain('environments/dev.yaml:24:36: components.frontend.resources.limits.memory: "128m" — a memory quantity');
    expect(error.message).toContain('not "m", which means thousandths of a byte');
  });

  test('a CPU request of zero is refused, since the autoscaler target is a percentage of it', () => {
    const error = problemsOf('dev.yaml', edit('cpu: 50m', 'cpu: 0'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:23:24: components.frontend.resources.requests.cpu: "0" — ' +
        'more than zero: cpuTargetPercent is a percentage of the CPU request',
    ]);
  });

  test('a YAML syntax error is reported at its line and column', () => {
    const error = problemsOf('dev.yaml', edit('priority: 1000', 'priority: high: 1000'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:7:11: (yaml): "priority: high: 1000" — valid YAML (Nested mappings are not allowed in compact mappings)',
    ]);
  });

  test('a duplicate key is reported at the second occurrence, naming the line of the first', () => {
    const error = problemsOf('dev.yaml', edit('    cpuTargetPercent: 70\n', '    cpuTargetPercent: 70\n    cpuTargetPercent: 80\n'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:13:5: components.backend.cpuTargetPercent: 80 — each key at most once per mapping (first set on line 12)',
    ]);
  });

  test('a missing required field is reported at the mapping that lacks it', () => {
    const error = problemsOf('dev.yaml', edit('    cpuTargetPercent: 70\n', ''));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:10:5: components.backend.cpuTargetPercent: (missing) — required: an integer from 10 to 95',
    ]);
    expect(error.problems[0].value).toBeUndefined();
  });

  test('a missing mapping is reported with the keys it needs', () => {
    const error = problemsOf('dev.yaml', edit('cluster:\n  name: in-cluster\n  server: https://kubernetes.default.svc\n', ''));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:1:1: cluster: (missing) — required: cluster (a mapping with keys name, server) or clusters (a list of such mappings)',
    ]);
  });

  test('an empty file is reported as a whole', () => {
    const error = problemsOf('dev.yaml', '# nothing yet\n');

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:1:1: (document): null — a mapping with keys cluster, clusters, components, database, host, imagePullSecret, ingress, kafka, namespace, network, patches, priority, protected, s3, services',
    ]);
  });

  test('a name field is refused, since the name is the file name', () => {
    const error = problemsOf('dev.yaml', `name: development\n${VALID}`);

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:1:1: name: "development" — not allowed: the environment\'s name is the file\'s base name ("dev"); remove this field',
    ]);
  });

  test('a file name that is not a DNS-1123 label is refused', () => {
    const error = problemsOf('Dev_Env.yaml', VALID);

    expect(messageLines(error)).toEqual([
      'environments/Dev_Env.yaml:1:1: (file name): "Dev_Env" — a DNS-1123 label: at most 63 characters, lowercase letters, ' +
        'digits and "-", starting and ending with a letter or digit, since the file\'s base name is the environment\'s name',
    ]);
  });

  test('an https URL is required for the cluster server', () => {
    const error = problemsOf('dev.yaml', edit('https://kubernetes.default.svc', 'http://kubernetes.default.svc/'));

    expect(error.message).toContain('environments/dev.yaml:4:11: cluster.server: "http://kubernetes.default.svc/" — an https:// URL');
  });

  test('a host with a scheme is refused', () => {
    const error = problemsOf('dev.yaml', edit('host: chat.dev.example.com', 'host: https://chat.dev.example.com'));

    expect(error.message).toContain('environments/dev.yaml:5:7: host: "https://chat.dev.example.com" — a lowercase DNS host name');
  });
});

describe('the environment schema', () => {
  // The loader skips this check at run time to start faster; it is made here instead.
  test('is a valid draft-07 JSON Schema', () => {
    const ajv = new Ajv({ strict: true });

    expect(ajv.validateSchema(environmentSchema)).toBe(true);
    expect(ajv.errors ?? []).toEqual([]);
  });
});

describe('loading a folder of environment files', () => {
  test('every .yaml file is loaded, sorted by name', () => {
    write('prod.yaml', validFor('prod'));
    write('dev.yaml', VALID);
    fs.writeFileSync(path.join(dir, 'README.md'), 'not an environment');

    const envs = loadEnvironments(dir, { root });

    expect(envs.map((e) => [e.name, e.file])).toEqual([
      ['dev', 'environments/dev.yaml'],
      ['prod', 'environments/prod.yaml'],
    ]);
  });

  test('problems of several files are all reported in one error', () => {
    write('dev.yaml', edit('backend:1.4.2', 'backend:latest', edit('{ min: 2, max: 4 }', '{ min: 5, max: 4 }')));
    write('prod.yaml', edit('namespace: chat-dev', 'namespace: Chat_Dev', edit('imagePullSecret: regcred\n', '')));

    const error = configError(() => loadEnvironments(dir, { root }));

    expect(error.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.field}`)).toEqual([
      'environments/dev.yaml:10:12: components.backend.image',
      'environments/dev.yaml:11:22: components.backend.replicas.min',
      'environments/prod.yaml:1:1: imagePullSecret',
      'environments/prod.yaml:1:12: namespace',
    ]);
    expect(messageLines(error)).toHaveLength(4);
    expect(error.message).toContain('environments/prod.yaml:1:1: imagePullSecret: (missing) — required: a DNS-1123 subdomain');
    expect(error.message).toContain('environments/prod.yaml:1:12: namespace: "Chat_Dev" — a DNS-1123 label');
  });

  test('only restricts loading to the named environments', () => {
    write('dev.yaml', VALID);
    write('prod.yaml', 'broken: [');

    const envs = loadEnvironments(dir, { root, only: ['dev'] });

    expect(envs.map((e) => e.name)).toEqual(['dev']);
  });

  test('only naming an environment without a file is an error naming it', () => {
    write('dev.yaml', VALID);
    write('prod.yaml', validFor('prod'));

    expect(() => loadEnvironments(dir, { root, only: ['prd'] })).toThrow(
      'unknown environment "prd" (did you mean "prod"?); environments has: dev, prod',
    );
  });

  test('a .yml file is reported rather than silently skipped', () => {
    write('dev.yaml', VALID);
    write('prod.yml', validFor('prod'));

    const error = configError(() => loadEnvironments(dir, { root }));

    expect(messageLines(error)).toEqual([
      'environments/prod.yml:1:1: (file name): "prod.yml" — an environment file named <name>.yaml; rename it to prod.yaml',
    ]);
  });

  test('two environments in the same namespace of the same cluster are refused', () => {
    write('dev.yaml', VALID);
    write('qa.yaml', validFor('qa').replace('namespace: chat-qa', 'namespace: chat-dev'));

    const error = configError(() => loadEnvironments(dir, { root }));

    expect(messageLines(error)).toEqual([
      'environments/qa.yaml:1:12: namespace: "chat-dev" — a namespace no other environment uses on ' +
        'https://kubernetes.default.svc (environments/dev.yaml already deploys there)',
    ]);
  });
});

test('two environments serving the same host or using the same bucket are refused', () => {
  write('dev.yaml', VALID);
  write('qa.yaml', validFor('qa').replace('host: chat.qa.example.com', 'host: chat.dev.example.com').replace('bucket: chat-qa-images', 'bucket: chat-dev-images'));

  const lines = messageLines(configError(() => loadEnvironments(dir, { root })));

  expect(lines).toEqual([
    expect.stringMatching(/^environments\/qa\.yaml:5:7: host: "chat\.dev\.example\.com" — a host no other environment uses \(environments\/dev\.yaml already has it\)$/),
    expect.stringMatching(/^environments\/qa\.yaml:\d+:\d+: s3\.bucket: "chat-dev-images" — a s3\.bucket no other environment uses \(environments\/dev\.yaml already has it\)$/),
  ]);
});

describe('the problem list', () => {
  test('each problem reads file:line:column: field: value — allowed', () => {
    const problems: ConfigProblem[] = [
      { file: 'environments/dev.yaml', line: 3, column: 7, field: 'host', value: 'x_y', allowed: 'a host name' },
      { file: 'environments/dev.yaml', line: 9, column: 5, field: 'priority', value: undefined, allowed: 'required' },
    ];

    expect(new ConfigError(problems).message).toBe(
      'environments/dev.yaml:3:7: host: "x_y" — a host name\nenvironments/dev.yaml:9:5: priority: (missing) — required',
    );
  });
});

describe('image references', () => {
  test('a registry with a port, a path and a tag are told apart', () => {
    expect(parseImageReference('registry.example.com:5000/chat/backend:1.4.2')).toEqual({
      repository: 'registry.example.com:5000/chat/backend',
      tag: '1.4.2',
    });
  });

  test('a digest may stand alone or follow a tag', () => {
    expect(parseImageReference(`registry.example.com/chat/backend@${DIGEST}`)).toEqual({
      repository: 'registry.example.com/chat/backend',
      digest: DIGEST,
    });
    expect(parseImageReference(`registry.example.com/chat/backend:1.4.2@${DIGEST}`)).toEqual({
      repository: 'registry.example.com/chat/backend',
      tag: '1.4.2',
      digest: DIGEST,
    });
  });

  test('an untagged reference parses, with neither tag nor digest', () => {
    expect(parseImageReference('localhost/backend')).toEqual({ repository: 'localhost/backend' });
  });

  test.each([
    ['registry.example.com/Chat/backend:1.4.2', 'must be lowercase'],
    ['registry.example.com/chat/back$end:1.4.2', 'may contain only lowercase letters and digits'],
    ['registry.example.com/chat/backend:1.4 .2', 'whitespace'],
    [`registry.example.com/chat/backend:${'a'.repeat(129)}`, 'at most 128'],
    ['registry.example.com/chat/backend:-rc1', 'must not start with'],
    ['registry.example.com/chat/backend@sha256:abc123', '64 hex digits'],
    [`registry.example.com/chat/backend@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, 'lowercase hex'],
    ['registry.example.com:port/chat/backend:1', 'invalid port'],
    ['registry.example.com//backend:1', 'empty component'],
    ['', 'empty'],
  ])('%j is malformed (%s)', (ref, why) => {
    expect(() => parseImageReference(ref)).toThrow(why);
    expect(imageReferenceProblem(ref)).toContain(why);
  });

  test('a reference is refused when untagged or tagged latest, and accepted when pinned', () => {
    expect(imageReferenceProblem('registry.example.com/chat/backend')).toMatch(/^untagged/);
    expect(imageReferenceProblem('registry.example.com/chat/backend:latest')).toContain('"latest" is refused');
    expect(imageReferenceProblem(`registry.example.com/chat/backend:latest@${DIGEST}`)).toContain('"latest" is refused');
    expect(imageReferenceProblem('registry.example.com/chat/backend:1.4.2')).toBeUndefined();
    expect(imageReferenceProblem(`registry.example.com/chat/backend@${DIGEST}`)).toBeUndefined();
  });

  test('a tag that cannot be a label value needs a digest beside it', () => {
    const longTag = `1.4.2-${'a'.repeat(70)}`;

    expect(imageReferenceProblem(`registry.example.com/chat/backend:${longTag}`)).toContain('app.kubernetes.io/version');
    expect(imageReferenceProblem(`registry.example.com/chat/backend:${longTag}@${DIGEST}`)).toBeUndefined();
    expect(imageVersion(`registry.example.com/chat/backend:${longTag}@${DIGEST}`)).toBe('0123456789ab');
  });

  test('the version is the tag, else the first 12 hex digits of the digest, and always a valid label value', () => {
    const labelValue = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

    expect(imageVersion('registry.example.com/chat/backend:1.4.2')).toBe('1.4.2');
    expect(imageVersion(`registry.example.com/chat/backend:1.4.2@${DIGEST}`)).toBe('1.4.2');
    expect(imageVersion(`registry.example.com/chat/backend@${DIGEST}`)).toBe('0123456789ab');
    expect(imageVersion(`registry.example.com/chat/backend@${DIGEST}`)).toMatch(labelValue);
    expect(() => imageVersion('registry.example.com/chat/backend')).toThrow('neither a tag nor a digest');
  });
});

describe('quantities', () => {
  test.each([
    ['250m', 0.25],
    ['1', 1],
    ['0.5', 0.5],
    ['.25', 0.25],
    ['2', 2],
    ['1500m', 1.5],
  ])('CPU %j is %d cores', (quantity, cores) => {
    expect(parseCpu(quantity)).toBe(cores);
  });

  test('CPU in cores and in millicores compare exactly', () => {
    expect(parseCpu('0.3')).toBe(parseCpu('300m'));
    expect(parseCpu('0.1')).toBe(parseCpu('100m'));
  });

  test.each(['', 'abc', '1.5m', '0.0005', '1Ki', '1k', '-1', '1 '])('CPU %j is malformed', (quantity) => {
    expect(() => parseCpu(quantity)).toThrow('malformed');
  });

  test.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1G', 1e9],
    ['0.1G', 1e8],
    ['128k', 128_000],
    ['1e3', 1000],
    ['1073741824', 2 ** 30],
    ['1.5', 2],
  ])('memory %j is %d bytes', (quantity, bytes) => {
    expect(parseMemory(quantity)).toBe(bytes);
  });

  test('memory in "m" is refused with the likely intended spelling', () => {
    expect(() => parseMemory('512m')).toThrow('write "512Mi" for mebibytes');
  });

  test.each(['', 'abc', '1K', '1KiB', '1 Gi', '-1Gi', '1e'])('memory %j is malformed', (quantity) => {
    expect(() => parseMemory(quantity)).toThrow('malformed');
  });
});

describe('Kafka sizing', () => {
  /** VALID with three brokers and a topic of the given replication. */
  const threeBrokers = (replicationFactor: number, minInSyncReplicas: number) =>
    edit(
      'replicationFactor: 1\n      minInSyncReplicas: 1',
      `replicationFactor: ${replicationFactor}\n      minInSyncReplicas: ${minInSyncReplicas}`,
      edit('brokers: 1', 'brokers: 3'),
    );

  test('one broker with replication factor 1 and min in-sync replicas 1 is accepted', () => {
    const env = loadEnvironment(write('dev.yaml', VALID), { root });

    expect(env.kafka.brokers).toBe(1);
    expect(env.kafka.topics[0]).toMatchObject({ replicationFactor: 1, minInSyncReplicas: 1 });
  });

  test('three brokers with replication factor 3 and min in-sync replicas 2 are accepted', () => {
    const env = loadEnvironment(write('dev.yaml', threeBrokers(3, 2)), { root });

    expect(env.kafka.brokers).toBe(3);
  });

  test('the fixture environments with three brokers load', () => {
    const envs = loadEnvironments(FIXTURE_ENVIRONMENTS, { root: FIXTURE_ROOT, only: ['staging', 'prod'] });

    expect(envs.map((e) => e.kafka.brokers)).toEqual([3, 3]);
  });

  test('an even number of brokers is refused, since every broker is a controller of the quorum', () => {
    const error = problemsOf('dev.yaml', edit('brokers: 3', 'brokers: 4', threeBrokers(3, 2)));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:31:12: kafka.brokers: 4 — 1 or an odd number such as 3 or 5: every broker is a KRaft ' +
        'controller, and an even quorum survives no more failures than the odd one below it',
    ]);
  });

  test('a replication factor above the number of brokers is refused', () => {
    const error = problemsOf('dev.yaml', edit('replicationFactor: 1', 'replicationFactor: 3'));

    expect(error.problems.map((p) => `${p.line}:${p.column} ${p.field}`)).toContain('42:26 kafka.topics[0].replicationFactor');
    expect(error.message).toContain(
      'kafka.topics[0].replicationFactor: 3 — an integer from 1 to kafka.brokers (1): each replica of a partition lives on another broker',
    );
  });

  test('min in-sync replicas equal to the replication factor is refused with more than one broker', () => {
    const error = problemsOf('dev.yaml', threeBrokers(3, 3));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:43:26: kafka.topics[0].minInSyncReplicas: 3 — below replicationFactor (3) with 3 brokers, ' +
        'so writes go on while one broker is down',
    ]);
  });

  test('replication factor 1 with several brokers is refused, pointing at the replication factor', () => {
    const error = problemsOf('dev.yaml', threeBrokers(1, 1));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:43:26: kafka.topics[0].minInSyncReplicas: 1 — below replicationFactor (1) with 3 brokers, ' +
        'so writes go on while one broker is down; raise replicationFactor first',
    ]);
  });

  test('min in-sync replicas above the replication factor is refused on a single broker', () => {
    const error = problemsOf('dev.yaml', edit('minInSyncReplicas: 1', 'minInSyncReplicas: 2'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:43:26: kafka.topics[0].minInSyncReplicas: 2 — at most replicationFactor (1): ' +
        'more in-sync replicas than replicas refuses every write',
    ]);
  });

  test('zero partitions are refused', () => {
    const error = problemsOf('dev.yaml', edit('partitions: 3', 'partitions: 0'));

    expect(messageLines(error)).toEqual(['environments/dev.yaml:41:19: kafka.topics[0].partitions: 0 — an integer from 1 to 1000']);
  });

  test('a chat topic that is not among the topics is refused, naming the topics and the closest one', () => {
    const error = problemsOf('dev.yaml', edit('chatTopic: chat-messages', 'chatTopic: chat-message'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:38:14: kafka.chatTopic: "chat-message" — the name of one of kafka.topics: chat-messages ' +
        '(did you mean "chat-messages"?)',
    ]);
  });

  test('a topic declared twice is refused at the second declaration', () => {
    const twice = `${VALID.slice(VALID.indexOf('    - name: chat-messages'), VALID.indexOf('database:'))}`;
    const error = problemsOf('dev.yaml', edit('database:', `${twice}database:`));

    expect(messageLines(error)).toEqual(['environments/dev.yaml:45:13: kafka.topics[1].name: "chat-messages" — a name no other topic of the list has']);
  });

  test('a Kafka image tagged "latest" is refused', () => {
    const error = problemsOf('dev.yaml', edit('apache/kafka:3.7.1', 'apache/kafka:latest'));

    expect(error.problems.map((p) => [p.line, p.field])).toEqual([[32, 'kafka.image']]);
    expect(error.message).toContain('kafka.image: "apache/kafka:latest" — the apache/kafka image with a tag other than "latest" or a digest');
  });

  test('Kafka requests above their limits are refused', () => {
    const error = problemsOf('dev.yaml', edit('requests: { cpu: 250m, memory: 768Mi }', 'requests: { cpu: 250m, memory: 2Gi }'));

    expect(messageLines(error)).toEqual([
      'environments/dev.yaml:36:36: kafka.resources.requests.memory: "2Gi" — at most the limit, kafka.resources.limits.memory: "1Gi"',
    ]);
  });

  test('every Kafka sizing problem of a file is reported at once', () => {
    const text = edit('chatTopic: chat-messages', 'chatTopic: chat', edit('brokers: 1', 'brokers: 4', edit('replicationFactor: 1', 'replicationFactor: 5')));
    const error = problemsOf('dev.yaml', text);

    expect(error.problems.map((p) => p.field)).toEqual(['kafka.brokers', 'kafka.chatTopic', 'kafka.topics[0].replicationFactor']);
  });
});
