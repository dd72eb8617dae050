import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { BackendChart } from '../charts/backend-chart';
import { KAFKA_BACKEND_SECRET, KAFKA_BROKER_SECRET, KafkaChart } from '../charts/kafka-chart';
import { PlatformChart } from '../charts/platform-chart';
import { KafkaCluster, KafkaClusterProps } from '../constructs/kafka-cluster';
import { KafkaTopics, KafkaTopicSpec } from '../constructs/kafka-topics';
import { NetworkBaseline } from '../constructs/network-baseline';
import { ConfigError } from '../lib/environment/config-error';
import { Environment, kafkaAuthentication } from '../lib/environment/environment';
import { loadEnvironment } from '../lib/environment/load-environments';
import { PROTECTED_FROM_DELETION } from '../lib/tree/deletion';
import { treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from './support/fixture-project';
import { testChart } from './support/test-chart';

// Real Kafka cannot run here: the machine has a JVM (OpenJDK 17), but no Kafka distribution can be
// had (Debian and npm, the registries this machine reaches, package none). So the scripts below run
// in a real POSIX shell with stand-ins for kafka-storage.sh, kafka-server-start.sh, kafka-topics.sh
// and kafka-configs.sh that record their exact argument vectors, one argument per line; what Kafka
// itself does with those arguments rests on its sources (StorageTool's --add-scram parser,
// kafka-configs' --add-config) as cited in constructs/kafka-cluster.ts.

const SCRAM = { mechanism: 'SCRAM-SHA-512', brokerSecret: 'kafka-broker-credentials', clientSecrets: { backend: 'kafka-backend-credentials' } } as const;

const baseProps: KafkaClusterProps = {
  image: 'apache/kafka:3.7.1',
  version: '3.7.1',
  storage: { size: '10Gi' },
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
};

const topic: KafkaTopicSpec = { name: 'orders', partitions: 6, replicationFactor: 3, minInSyncReplicas: 2, retentionHours: 48 };

function synth(props: Partial<KafkaClusterProps> = { authentication: SCRAM }) {
  const chart = testChart();
  const cluster = new KafkaCluster(chart, 'kafka', { ...baseProps, ...props });
  new KafkaTopics(chart, 'topics', { cluster, topics: [topic] });
  const manifests = Testing.synth(chart);
  const find = (kind: string, name: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const broker = find('StatefulSet', 'kafka').spec.template.spec;
  const job = find('Job', 'kafka-topics').spec.template.spec;
  return { chart, cluster, manifests, find, broker, job, brokerScript: broker.containers[0].command[2] as string, jobScript: job.containers[0].command[2] as string };
}

const properties = (m: ReturnType<typeof synth>) =>
  Object.fromEntries(
    (m.find('ConfigMap', 'kafka-config').data['server.properties'] as string)
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/**
 * Runs `script` with `sh` in a scratch folder standing in for the image's paths; each tool stand-in
 * appends `<tool>` and then each of its arguments on a line of its own, and a blank line.
 */
function run(script: string, env: Record<string, string>, files: Record<string, string> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-auth-'));
  const dirs = { bin: path.join(root, 'bin'), cluster: path.join(root, 'cluster'), node: path.join(root, 'node'), client: path.join(root, 'client') };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dirs.cluster, name), text);
  const calls = path.join(root, 'calls');
  for (const tool of ['kafka-storage.sh', 'kafka-server-start.sh', 'kafka-topics.sh', 'kafka-configs.sh']) {
    fs.writeFileSync(
      path.join(dirs.bin, tool),
      `#!/bin/sh\n{ echo '${tool}'; printf '%s\\n' "$@"; echo; } >> '${calls}'\n` +
        (tool === 'kafka-topics.sh'
          ? `case "$*" in *--describe*) printf 'Topic: orders\\tPartitionCount: 6\\tReplicationFactor: 3\\n' ;; esac\n`
          : ''),
      { mode: 0o755 },
    );
  }
  const local = script
    .split('/opt/kafka/bin').join(dirs.bin)
    .split('/etc/kafka/cluster').join(dirs.cluster)
    .split('/etc/kafka/node').join(dirs.node)
    .split('/etc/kafka/client').join(dirs.client);
  const result = spawnSync('sh', ['-c', local], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
  const recorded = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8') : '';
  const argv = recorded
    .split('\n\n')
    .filter((c) => c.trim())
    .map((c) => c.replace(/^\n/, '').split('\n').map((a) => a.split(root).join('<root>')));
  return { ...result, argv, root, read: (dir: keyof typeof dirs, file: string) => fs.readFileSync(path.join(dirs[dir], file), 'utf8') };
}

const BROKER_USER = { KAFKA_BROKER_USERNAME: 'kafka-broker', KAFKA_BROKER_PASSWORD: 'b3f1c2d4e5f60718293a4b5c6d7e8f90' };

describe('KafkaCluster with SCRAM-SHA-512', () => {
  test('the client listener speaks SASL_PLAINTEXT with SCRAM-SHA-512 only, between brokers too; the controller listener stays PLAINTEXT', () => {
    const p = properties(synth());
    expect(p['listeners']).toBe('CLIENT://:9092,CONTROLLER://:9093');
    expect(p['listener.security.protocol.map']).toBe('CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT');
    expect(p['inter.broker.listener.name']).toBe('CLIENT');
    expect(p['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
    expect(p['sasl.mechanism.inter.broker.protocol']).toBe('SCRAM-SHA-512');
    // Kafka refuses security.inter.broker.protocol beside inter.broker.listener.name, and a
    // PLAINTEXT controller listener takes no SASL mechanism.
    expect(p).not.toHaveProperty('security.inter.broker.protocol');
    expect(p).not.toHaveProperty('sasl.mechanism.controller.protocol');
  });

  test('without authentication, both listeners are PLAINTEXT and no SASL setting is written', () => {
    const p = properties(synth({}));
    expect(p['listener.security.protocol.map']).toBe('CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT');
    expect(Object.keys(p).filter((k) => k.startsWith('sasl.'))).toEqual([]);
    expect(synth({}).broker.volumes.find((v: any) => v.name === 'node-config').emptyDir).toEqual({ sizeLimit: '1Mi' });
  });

  test('the brokers read their user from the Secret through secretKeyRef, and declare the Secret created out of band', () => {
    const m = synth();
    const env = m.broker.containers[0].env;
    expect(env).toContainEqual({ name: 'KAFKA_BROKER_USERNAME', valueFrom: { secretKeyRef: { name: 'kafka-broker-credentials', key: 'username' } } });
    expect(env).toContainEqual({ name: 'KAFKA_BROKER_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-broker-credentials', key: 'password' } } });
    expect(m.find('StatefulSet', 'kafka').metadata.annotations).toHaveProperty(['external.policy/Secret.kafka-broker-credentials']);
  });

  test('the per-pod configuration, which holds the password, is in memory', () => {
    expect(synth().broker.volumes.find((v: any) => v.name === 'node-config').emptyDir).toEqual({ medium: 'Memory', sizeLimit: '1Mi' });
  });

  test('no password is written anywhere: every "password=" in the output is a reference', () => {
    const m = synth();
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(m.manifests);
    const uses = strings.flatMap((text) => [...text.matchAll(/password=\\?"?([^\s,\]"\\;]*)/g)].map((x) => x[1]));
    expect(uses.length).toBeGreaterThan(0);
    for (const value of uses) expect(value).toMatch(/^\$(\(|[A-Z_])/);
    for (const cm of m.manifests.filter((x) => x.kind === 'ConfigMap')) expect(JSON.stringify(cm.data)).not.toMatch(/password=|jaas\.config=/i);
  });

  test('SASL settings and per-listener settings are the construct own, not brokerConfig', () => {
    expect(() => synth({ authentication: SCRAM, brokerConfig: { 'sasl.enabled.mechanisms': 'PLAIN' } })).toThrow(
      'KafkaCluster "kafka": brokerConfig["sasl.enabled.mechanisms"]: "PLAIN" — no value: the construct derives it',
    );
    expect(() => synth({ brokerConfig: { 'listener.name.client.plain.sasl.jaas.config': 'x' } })).toThrow('brokerConfig["listener.name.client.plain.sasl.jaas.config"]');
  });

  test('a client user is found by name; an unknown one is refused, and so is a client logging in as the brokers', () => {
    expect(synth().cluster.clientUser('backend')).toBe('kafka-backend-credentials');
    expect(synth({}).cluster.clientUser('backend')).toBeUndefined();
    expect(() => synth().cluster.clientUser('frontend')).toThrow('KafkaCluster "kafka": clientUser: "frontend" — one of the client users of authentication.clientSecrets (backend)');
    expect(() => synth({ authentication: { ...SCRAM, clientSecrets: { backend: 'kafka-broker-credentials' } } })).toThrow(
      'authentication.clientSecrets["backend"]: "kafka-broker-credentials" — a Secret other than brokerSecret',
    );
  });

  test('passes every validation rule with its Secrets declared external, and fails without the declaration', () => {
    const chart = testChart();
    new NetworkBaseline(chart, 'baseline');
    const cluster = new KafkaCluster(chart, 'kafka', { ...baseProps, authentication: SCRAM, annotations: { ...PROTECTED_FROM_DELETION } });
    new KafkaTopics(chart, 'topics', { cluster, topics: [topic] });
    const manifests = Testing.synth(chart);
    const tree = () => manifests.map((manifest) => treeObject(`envs/test/kafka/${manifest.kind}-${manifest.metadata.name}.yaml`, manifest));
    // The Argo CD version floor is the whole tree's (synth writes it from gitops.config.yaml), not this chart's.
    const own = () => validateTree(tree()).findings.filter((f: any) => f.rule !== 'ARGO-VERSION-FLOOR');
    expect(own()).toEqual([]);

    delete manifests.find((m) => m.kind === 'Job').metadata.annotations['external.policy/Secret.kafka-backend-credentials'];
    const findings = own().map((f: any) => `${f.rule} ${f.message}`);
    expect(findings).toEqual([expect.stringMatching(/^REF-POD-OBJECTS .*references Secret "kafka-backend-credentials", which is neither in the tree nor declared external/)]);
  });

  describe('its start script, run by a POSIX shell', () => {
    const start = (env: Record<string, string>) => {
      const m = synth();
      const template = m.find('ConfigMap', 'kafka-config').data['server.properties'];
      return { m, template, r: run(m.brokerScript, { POD_NAME: 'kafka-1', CLUSTER_ID: m.cluster.clusterId, ...env }, { 'server.properties': template }) };
    };

    test('formats a new volume with the brokers user added to the metadata log (--add-scram), then starts', () => {
      const { m, r } = start(BROKER_USER);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.argv).toEqual([
        [
          'kafka-storage.sh',
          'format',
          '--ignore-formatted',
          '--cluster-id',
          m.cluster.clusterId,
          '--config',
          '<root>/node/server.properties',
          '--add-scram',
          'SCRAM-SHA-512=[name=kafka-broker,iterations=8192,password=b3f1c2d4e5f60718293a4b5c6d7e8f90]',
        ],
        ['kafka-server-start.sh', '<root>/node/server.properties'],
      ]);
    });

    test('appends the client listener JAAS login with the Secret values to the per-pod file only', () => {
      const { template, r } = start(BROKER_USER);
      const written = r.read('node', 'server.properties');
      expect(written.startsWith(template)).toBe(true);
      expect(written.slice(template.length).split('\n')).toEqual([
        'node.id=1',
        'advertised.listeners=CLIENT://kafka-1.kafka-headless.shop.svc.cluster.local:9092',
        'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required ' +
          'username="kafka-broker" password="b3f1c2d4e5f60718293a4b5c6d7e8f90";',
        '',
      ]);
      expect(template).not.toContain('b3f1c2d4');
    });

    test.each([
      ['a password with a comma, which --add-scram would split on', { KAFKA_BROKER_PASSWORD: 'abcdefgh,ijklmnopq' }, 'key password of Secret kafka-broker-credentials must be 16 to 256'],
      ['a password with "=", which --add-scram would cut at', { KAFKA_BROKER_PASSWORD: 'abcdefghijklmnop==' }, 'key password of Secret kafka-broker-credentials'],
      ['a password shorter than 16', { KAFKA_BROKER_PASSWORD: 'short-pass' }, 'key password of Secret kafka-broker-credentials'],
      ['an empty user name', { KAFKA_BROKER_USERNAME: '' }, "key username of Secret kafka-broker-credentials must be 1 to 64 letters, digits, '.', '_' and '-'"],
      ['a user name with a quote, which would end the JAAS value', { KAFKA_BROKER_USERNAME: 'kafka"broker' }, 'key username of Secret kafka-broker-credentials'],
    ])('refuses %s before touching the volume, without echoing it', (_, override, message) => {
      const env = { ...BROKER_USER, ...override };
      const { r } = start(env);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(message);
      for (const value of Object.values(override)) if (value) expect(r.stderr).not.toContain(value);
      expect(r.argv).toEqual([]);
    });
  });
});

describe('KafkaTopics on a SCRAM cluster', () => {
  const ADMIN = { KAFKA_ADMIN_USERNAME: 'kafka-broker', KAFKA_ADMIN_PASSWORD: 'b3f1c2d4e5f60718293a4b5c6d7e8f90' };
  const USER = { KAFKA_USER_0_USERNAME: 'chat-backend', KAFKA_USER_0_PASSWORD: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };
  const job = () => {
    const m = synth();
    return { m, r: run(m.jobScript, { BOOTSTRAP_SERVERS: 'kafka.shop.svc.cluster.local:9092', ...ADMIN, ...USER }) };
  };

  test('reads the brokers and client users from their Secrets, declares both external, and keeps the login in memory', () => {
    const { m } = job();
    const env = m.job.containers[0].env;
    for (const [name, secret, key] of [
      ['KAFKA_ADMIN_USERNAME', 'kafka-broker-credentials', 'username'],
      ['KAFKA_ADMIN_PASSWORD', 'kafka-broker-credentials', 'password'],
      ['KAFKA_USER_0_USERNAME', 'kafka-backend-credentials', 'username'],
      ['KAFKA_USER_0_PASSWORD', 'kafka-backend-credentials', 'password'],
    ]) {
      expect(env).toContainEqual({ name, valueFrom: { secretKeyRef: { name: secret, key } } });
    }
    expect(Object.keys(m.find('Job', 'kafka-topics').metadata.annotations).sort()).toEqual([
      'argocd.argoproj.io/hook',
      'argocd.argoproj.io/hook-delete-policy',
      'external.policy/Secret.kafka-backend-credentials',
      'external.policy/Secret.kafka-broker-credentials',
    ]);
    expect(m.job.volumes).toContainEqual({ name: 'client-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(m.job.containers[0].volumeMounts).toContainEqual({ name: 'client-config', mountPath: '/etc/kafka/client' });
  });

  test('writes the admin tools login from the Secret to a client properties file', () => {
    const { r } = job();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.read('client', 'client.properties')).toBe(
      'security.protocol=SASL_PLAINTEXT\n' +
        'sasl.mechanism=SCRAM-SHA-512\n' +
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="kafka-broker" password="b3f1c2d4e5f60718293a4b5c6d7e8f90";\n',
    );
  });

  test('every tool call logs in with that file', () => {
    const { r } = job();
    expect(r.argv.length).toBeGreaterThan(3);
    for (const call of r.argv) expect(call.slice(1, 5)).toEqual(['--bootstrap-server', 'kafka.shop.svc.cluster.local:9092', '--command-config', '<root>/client/client.properties']);
  });

  test('creates the client user with its Secret password before touching any topic', () => {
    const { r } = job();
    expect(r.argv[0]).toEqual([
      'kafka-configs.sh',
      '--bootstrap-server',
      'kafka.shop.svc.cluster.local:9092',
      '--command-config',
      '<root>/client/client.properties',
      '--alter',
      '--entity-type',
      'users',
      '--entity-name',
      'chat-backend',
      '--add-config',
      'SCRAM-SHA-512=[iterations=8192,password=0a1b2c3d4e5f60718293a4b5c6d7e8f9]',
    ]);
    expect(r.argv.slice(1).map((c) => c[0])).toEqual(['kafka-topics.sh', 'kafka-configs.sh', 'kafka-topics.sh']);
  });

  test('fails without calling any tool when a client password would be misread by kafka-configs.sh', () => {
    const m = synth();
    const r = run(m.jobScript, { BOOTSTRAP_SERVERS: 'kafka.shop.svc.cluster.local:9092', ...ADMIN, ...USER, KAFKA_USER_0_PASSWORD: 'has spaces in it, and more' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('topics: key password of Secret kafka-backend-credentials must be 16 to 256');
    expect(r.argv).toEqual([]);
  });

  test('on a PLAINTEXT cluster, logs in with nothing and creates no user', () => {
    const m = synth({});
    expect(m.jobScript).not.toContain('--command-config');
    expect(m.jobScript).not.toContain('--entity-type users');
    expect(m.job.containers[0].env.map((e: any) => e.name)).toEqual(['BOOTSTRAP_SERVERS', 'KAFKA_HEAP_OPTS', 'LOG_DIR']);
  });
});

describe('the kafka and backend charts', () => {
  function build(environment: Environment) {
    const app = new App();
    const platform = new PlatformChart(app, { environment });
    const kafka = new KafkaChart(app, { environment, platform });
    const backend = new BackendChart(app, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
    const objects = [...Testing.synth(kafka), ...Testing.synth(backend)];
    const tree = [platform, kafka, backend].flatMap((chart) =>
      Testing.synth(chart).map((m) => treeObject(`envs/${environment.name}/${chart.component}/${m.kind}-${m.metadata.name}.yaml`, m)),
    );
    const deployment = objects.find((m) => m.kind === 'Deployment' && m.metadata.name === 'backend');
    return {
      kafka,
      objects,
      tree,
      deployment,
      env: deployment.spec.template.spec.containers[0].env as any[],
      config: objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'backend-config').data as Record<string, string>,
    };
  }
  const withAuthentication = (env: Environment, authentication: 'none' | 'scram-sha-512'): Environment => ({ ...env, kafka: { ...env.kafka, authentication } });

  test('prod authenticates by default; dev and staging do not', () => {
    expect(fixtureEnvironment('prod').kafka.authentication).toBeUndefined();
    expect(build(fixtureEnvironment('prod')).kafka.cluster.authentication).toEqual({
      mechanism: 'SCRAM-SHA-512',
      brokerSecret: KAFKA_BROKER_SECRET,
      clientSecrets: { backend: KAFKA_BACKEND_SECRET },
    });
    expect(build(fixtureEnvironment('dev')).kafka.cluster.authentication).toBeUndefined();
    expect(build(fixtureEnvironment('staging')).kafka.cluster.authentication).toBeUndefined();
  });

  test('an environment file says otherwise either way', () => {
    expect(build(withAuthentication(fixtureEnvironment('prod'), 'none')).kafka.cluster.authentication).toBeUndefined();
    expect(build(withAuthentication(fixtureEnvironment('dev'), 'scram-sha-512')).kafka.cluster.authentication?.mechanism).toBe('SCRAM-SHA-512');
  });

  test('the backend ConfigMap names the protocol and mechanism, and holds no login', () => {
    const b = build(fixtureEnvironment('prod'));
    expect(b.config.SPRING_KAFKA_PROPERTIES_SECURITY_PROTOCOL).toBe('SASL_PLAINTEXT');
    expect(b.config.SPRING_KAFKA_PROPERTIES_SASL_MECHANISM).toBe('SCRAM-SHA-512');
    expect(Object.keys(b.config).filter((k) => /JAAS|PASSWORD|USERNAME/.test(k))).toEqual([]);
    const none = build(fixtureEnvironment('dev')).config;
    expect(Object.keys(none).filter((k) => k.startsWith('SPRING_KAFKA_PROPERTIES_'))).toEqual([]);
  });

  test('the backend builds its JAAS login from Secret references defined before it, and declares the Secret', () => {
    const b = build(fixtureEnvironment('prod'));
    const names = b.env.map((e) => e.name);
    expect(b.env).toContainEqual({ name: 'KAFKA_SASL_USERNAME', valueFrom: { secretKeyRef: { name: KAFKA_BACKEND_SECRET, key: 'username' } } });
    expect(b.env).toContainEqual({ name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: KAFKA_BACKEND_SECRET, key: 'password' } } });
    const jaas = b.env.find((e) => e.name === 'SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG');
    expect(jaas).toEqual({
      name: 'SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG',
      value: 'org.apache.kafka.common.security.scram.ScramLoginModule required username="$(KAFKA_SASL_USERNAME)" password="$(KAFKA_SASL_PASSWORD)";',
    });
    // The kubelet expands $(VAR) only from entries before it in the list.
    expect(names.indexOf('SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG')).toBeGreaterThan(names.indexOf('KAFKA_SASL_PASSWORD'));
    expect(names.indexOf('SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG')).toBeGreaterThan(names.indexOf('KAFKA_SASL_USERNAME'));
    expect(b.deployment.metadata.annotations).toHaveProperty([`external.policy/Secret.${KAFKA_BACKEND_SECRET}`]);
    expect(build(fixtureEnvironment('dev')).env.map((e) => e.name).filter((n) => n.includes('SASL'))).toEqual([]);
  });

  test('the prod kafka and backend charts pass every validation rule', () => {
    const b = build(fixtureEnvironment('prod'));
    // The Argo CD version floor is the whole tree's (synth writes it from gitops.config.yaml), not these charts'.
    expect(validateTree(b.tree).findings.filter((f) => f.rule !== 'ARGO-VERSION-FLOOR')).toEqual([]);
  });
});

describe('kafka.authentication in an environment file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-auth-env-'));
  const envDir = path.join(dir, 'environments');
  fs.mkdirSync(envDir);
  const withLine = (name: string, line: string) => {
    const text = fs.readFileSync(path.join(FIXTURE_ENVIRONMENTS, `${name}.yaml`), 'utf8');
    expect(text).toContain('\nkafka:\n');
    const file = path.join(envDir, `${name}.yaml`);
    fs.writeFileSync(file, text.replace('\nkafka:\n', `\nkafka:\n  ${line}\n`));
    return file;
  };

  test('is read as written, and the default follows the environment name', () => {
    const staging = loadEnvironment(withLine('staging', 'authentication: scram-sha-512'), { root: dir });
    expect(staging.kafka.authentication).toBe('scram-sha-512');
    expect(kafkaAuthentication(staging)).toBe('scram-sha-512');
    expect(kafkaAuthentication(loadEnvironment(withLine('prod', 'authentication: none'), { root: dir }))).toBe('none');
    expect(kafkaAuthentication(fixtureEnvironment('prod'))).toBe('scram-sha-512');
    expect(kafkaAuthentication(fixtureEnvironment('dev'))).toBe('none');
  });

  test('another value is refused with file, line, field, value and what is allowed', () => {
    let error: unknown;
    try {
      loadEnvironment(withLine('dev', 'authentication: plain'), { root: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'environments/dev.yaml', field: 'kafka.authentication', value: 'plain' });
    expect(problems[0]!.allowed).toContain('none');
    expect(problems[0]!.allowed).toContain('scram-sha-512');
    expect(problems[0]!.line).toBeGreaterThan(1);
  });
});
