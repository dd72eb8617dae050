import { testChart } from './support/test-chart';
import { App, Testing } from 'cdk8s';
import { BackendChart } from '../charts/backend-chart';
import { SPRING_SHUTDOWN_PHASES, backendShutdownSteps } from '../lib/environment/component-workloads';
import { addChatPlatform } from '../charts/chat-platform';
import { ComponentChart } from '../charts/component-chart';
import { KafkaChart } from '../charts/kafka-chart';
import { PlatformChart } from '../charts/platform-chart';
import { ExternalDatabase } from '../constructs/external-database';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { WebService } from '../constructs/web-service';
import { Environment } from '../lib/environment/environment';
import { treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';
import { selects } from '../lib/validation/label-selector';
import { fixtureEnvironment } from './support/fixture-project';

const dev = fixtureEnvironment('dev');
const prod = fixtureEnvironment('prod');

/** The charts the backend depends on, built from a fixture environment file. */
function build(environment: Environment) {
  const app = new App();
  const platform = new PlatformChart(app, { environment });
  const kafka = new KafkaChart(app, { environment, platform });
  const backend = new BackendChart(app, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
  const backendObjects = Testing.synth(backend);
  const kafkaObjects = Testing.synth(kafka);
  const find = (objects: any[], kind: string, name: string) => {
    const found = objects.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  const deployment = find(backendObjects, 'Deployment', 'backend');
  return {
    app,
    kafka,
    backend,
    backendObjects,
    kafkaObjects,
    find,
    deployment,
    container: deployment.spec.template.spec.containers[0],
    config: find(backendObjects, 'ConfigMap', 'backend-config').data as Record<string, string>,
  };
}

describe('the backend and Kafka', () => {
  test('the backend bootstraps from the client Service the Kafka construct names', () => {
    const b = build(dev);
    expect(b.config.SPRING_KAFKA_BOOTSTRAPSERVERS).toBe(b.kafka.cluster.bootstrapServers);
    expect(b.config.SPRING_KAFKA_BOOTSTRAPSERVERS).toBe('kafka.chat-dev.svc.cluster.local:9092');
  });

  test('the bootstrap servers follow whatever cluster object the backend is given', () => {
    const app = new App();
    const platform = new PlatformChart(app, { environment: dev });
    const other = testChart(dev.namespace, { app, id: 'other', partOf: 'chat-platform' });
    const cluster = new KafkaCluster(other, 'events', {
      name: 'events',
      image: 'apache/kafka:3.7.1',
      version: '3.7.1',
      replicas: 1,
      clientPort: 19092,
      controllerPort: 19093,
      storage: { size: '1Gi' },
      resources: dev.kafka.resources,
    });
    const backend = new BackendChart(app, { environment: dev, platform, kafka: cluster, chatTopic: dev.kafka.topics[0]! });
    const config = Testing.synth(backend).find((m) => m.kind === 'ConfigMap').data;
    expect(config.SPRING_KAFKA_BOOTSTRAPSERVERS).toBe('events.chat-dev.svc.cluster.local:19092');
    const egress = Testing.synth(backend).find((m) => m.metadata.name === 'backend-to-events');
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 19092 }]);
  });

  test('the backend is told the chat topic by name', () => {
    expect(build(dev).config.CHAT_KAFKA_TOPIC).toBe('chat-messages');
  });

  test('each backend pod still consumes in its own group, so every pod sees every message', () => {
    expect(build(dev).container.env).toContainEqual({ name: 'SPRING_KAFKA_CONSUMER_GROUPID', value: 'backend-$(POD_NAME)' });
  });

  test('the backend may leave for the brokers client port, and for no other Kafka port', () => {
    const b = build(prod);
    const egress = b.find(b.backendObjects, 'NetworkPolicy', 'backend-to-kafka').spec;
    expect(egress.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' } });
    expect(egress.policyTypes).toEqual(['Egress']);
    expect(egress.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka' } } }],
        ports: [{ protocol: 'TCP', port: 9092 }],
      },
    ]);
  });

  test('the brokers let the backend in on the client port, from the Kafka component', () => {
    const b = build(prod);
    const ingress = b.find(b.kafkaObjects, 'NetworkPolicy', 'kafka-from-backend').spec;
    expect(ingress.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' } } }],
        ports: [{ protocol: 'TCP', port: 9092 }],
      },
    ]);
  });

  test('nothing but the brokers themselves, the backend and the topic Job is let into Kafka', () => {
    const app = new App();
    addChatPlatform(app, prod);
    const objects = app.charts.flatMap((c) => Testing.synth(c));
    const brokerPods = objects.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'kafka').spec.template.metadata.labels;
    const podsOf = (name: string) => objects.find((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind) && m.metadata.name === name).spec.template.metadata.labels;
    const admitted = objects
      .filter((m) => m.kind === 'NetworkPolicy' && (m.spec.policyTypes ?? []).includes('Ingress') && selects(m.spec.podSelector, brokerPods))
      .flatMap((m) => (m.spec.ingress ?? []).map((rule: any) => ({ policy: m.metadata.name, rule })));
    const sources = admitted.flatMap(({ rule }) => rule.from ?? [{ anywhere: true }]);
    for (const source of sources) expect(source).not.toHaveProperty('anywhere');
    const admittedWorkloads = ['kafka', 'backend', 'kafka-topics', 'frontend'].filter((name) =>
      sources.some((s: any) => s.podSelector && !s.namespaceSelector && selects(s.podSelector, podsOf(name))),
    );
    expect(admittedWorkloads).toEqual(['kafka', 'backend', 'kafka-topics']);
    expect(sources.every((s: any) => s.podSelector && !s.ipBlock)).toBe(true);
  });
});

describe('the backend and its database', () => {
  test('reaches the database through a stable in-cluster name aliasing the environment host', () => {
    const b = build(dev);
    const service = b.find(b.backendObjects, 'Service', 'database');
    expect(service.spec).toMatchObject({ type: 'ExternalName', externalName: dev.database.host });
    expect(b.config.SPRING_DATASOURCE_URL).toBe('jdbc:postgresql://database.chat-dev.svc.cluster.local:5432/chat');
  });

  test('reads the user name and password from the out-of-band Secret, never from git', () => {
    const b = build(dev);
    expect(b.container.env).toContainEqual({
      name: 'SPRING_DATASOURCE_USERNAME',
      valueFrom: { secretKeyRef: { name: 'chat-db-credentials', key: 'username' } },
    });
    expect(b.container.env).toContainEqual({
      name: 'SPRING_DATASOURCE_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'chat-db-credentials', key: 'password' } },
    });
    expect(b.backendObjects.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(Object.keys(b.config).filter((k) => /PASSWORD|USERNAME/.test(k))).toEqual([]);
  });

  test('declares the credentials Secret as created out of band, beside the registry pull Secret', () => {
    const annotations = build(dev).deployment.metadata.annotations;
    expect(annotations['external.policy/Secret.chat-db-credentials']).toContain('README: "Database credentials"');
    expect(Object.keys(annotations)).toContain('external.policy/Secret.regcred');
  });

  test('may leave for the database port only', () => {
    const b = build(dev);
    const spec = b.find(b.backendObjects, 'NetworkPolicy', 'backend-to-database').spec;
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });

  test('the JDBC URL follows the engine and port', () => {
    const chart = testChart();
    const db = new ExternalDatabase(chart, 'db', {
      engine: 'mysql',
      host: 'shop.db.example.com',
      port: 3306,
      databaseName: 'orders',
      credentialsSecret: 'shop-db',
    });
    expect(db.jdbcUrl).toBe('jdbc:mysql://database.shop.svc.cluster.local:3306/orders');
  });

  test('egress can be narrowed to the database address ranges', () => {
    const chart = testChart();
    const db = new ExternalDatabase(chart, 'db', {
      engine: 'postgresql',
      host: 'shop.db.example.com',
      port: 5432,
      databaseName: 'orders',
      credentialsSecret: 'shop-db',
      allowedCidrs: ['10.20.0.0/16'],
    });
    const peerChart = testChart();
    const peer = new WebService(peerChart, 'api', {
      name: 'api',
      image: 'registry.example.com/api:1.0.0',
      version: '1.0.0',
      readinessProbe: { path: '/ready' },
      livenessProbe: { path: '/live' },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
    db.allowFrom(peer);
    const policy = Testing.synth(peerChart).find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'api-to-database');
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });

  test('a host with a scheme is refused, naming the field and what is allowed', () => {
    expect(
      () =>
        new ExternalDatabase(testChart(), 'db', {
          engine: 'postgresql',
          host: 'postgres://db.example.com',
          port: 5432,
          databaseName: 'orders',
          credentialsSecret: 'shop-db',
        }),
    ).toThrow('ExternalDatabase "database": host: "postgres://db.example.com" — a lowercase DNS host name such as chat.example.com');
  });
});

describe('the Kafka component', () => {
  test('lands in its own component folder', () => {
    expect(build(dev).kafka.component).toBe('kafka');
  });

  test('runs one broker in dev and three in prod', () => {
    expect(build(dev).find(build(dev).kafkaObjects, 'StatefulSet', 'kafka').spec.replicas).toBe(1);
    expect(build(prod).find(build(prod).kafkaObjects, 'StatefulSet', 'kafka').spec.replicas).toBe(3);
  });

  test('a chat topic missing from the topics is refused by the chart', () => {
    const broken = { ...prod, kafka: { ...prod.kafka, chatTopic: 'chat' } } as Environment;
    const app = new App();
    const platform = new PlatformChart(app, { environment: broken });
    expect(() => new KafkaChart(app, { environment: broken, platform })).toThrow(
      'KafkaTopics "kafka-topics": topic: "chat" — one of the declared topics (chat-messages)',
    );
  });

  test('the platform, Kafka and backend of an environment pass every validation rule together', () => {
    const b = build(prod);
    const objects = b.app.charts
      .filter((c): c is ComponentChart => c instanceof ComponentChart)
      .flatMap((chart) =>
        Testing.synth(chart).map((manifest) => treeObject(`envs/prod/${chart.component}/${manifest.kind}-${manifest.metadata.name}.yaml`, manifest)),
      );
    expect(validateTree(objects).findings).toEqual([]);
  });
});

describe('the backend and object storage', () => {
  test('is told the bucket, region and public URL base of its environment', () => {
    const b = build(prod);
    expect(b.config).toMatchObject({
      AWS_REGION: prod.s3.region,
      CHAT_S3_BUCKET: prod.s3.bucket,
      CHAT_S3_REGION: prod.s3.region,
      CHAT_S3_PUBLIC_URL_BASE: prod.s3.publicUrlBase,
    });
    expect(b.config).not.toHaveProperty('CHAT_S3_ENDPOINT');
  });

  test('uses an S3-compatible endpoint with path-style access when one is given', () => {
    const b = build({ ...dev, s3: { ...dev.s3, endpoint: 'http://minio.storage.svc:9000' } });
    expect(b.config.CHAT_S3_ENDPOINT).toBe('http://minio.storage.svc:9000');
    expect(b.config.CHAT_S3_PATH_STYLE_ACCESS).toBe('true');
    const policy = b.find(b.backendObjects, 'NetworkPolicy', 'backend-to-object-storage');
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
  });

  test('gets AWS credentials from its ServiceAccount role, never from static keys', () => {
    const b = build(prod);
    const sa = b.find(b.backendObjects, 'ServiceAccount', 'backend');
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': prod.s3.roleArn });
    const everything = JSON.stringify(b.backendObjects);
    expect(everything).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/);
  });

  test('without a role the ServiceAccount carries no annotation', () => {
    const { roleArn: _unused, ...s3 } = dev.s3;
    const b = build({ ...dev, s3 });
    expect(b.find(b.backendObjects, 'ServiceAccount', 'backend').metadata.annotations).toBeUndefined();
  });

  test('may reach S3 over HTTPS on public addresses only', () => {
    const b = build(prod);
    const policy = b.find(b.backendObjects, 'NetworkPolicy', 'backend-to-object-storage');
    expect(policy.spec.policyTypes).toEqual(['Egress']);
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'backend', 'app.kubernetes.io/name': 'backend' } });
    expect(policy.spec.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });
});

describe('the backend stops within its grace period', () => {
  test('waits 10 s before SIGTERM, gives each Spring shutdown phase 30 s, and the pod 75 s', () => {
    const b = build(dev);
    expect(b.container.lifecycle.preStop.exec.command).toEqual(['/bin/sleep', '10']);
    expect(b.config.SERVER_SHUTDOWN).toBe('graceful');
    expect(b.config.SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE).toBe('30s');
    expect(b.deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(75);
  });

  test('counts the Kafka listener containers and the web server\'s graceful shutdown, in the order Spring stops them', () => {
    expect(backendShutdownSteps({ preStopSeconds: 10, phaseTimeoutSeconds: 30 })).toEqual([
      { name: 'pre-stop delay', seconds: 10 },
      { name: 'Kafka listener containers (phase 2147483547)', seconds: 30 },
      { name: 'graceful web server shutdown (phase 2147482623)', seconds: 30 },
    ]);
    expect(SPRING_SHUTDOWN_PHASES.map((p) => p.phase)).toEqual([2147483647 - 100, 2147483647 - 1024]);
  });

  test('refuses a grace period the steps do not fit in, listing them', () => {
    const app = new App();
    const platform = new PlatformChart(app, { environment: dev });
    const kafka = new KafkaChart(app, { environment: dev, platform });
    expect(
      () => new BackendChart(app, { environment: dev, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic, shutdown: { terminationGracePeriodSeconds: 45 } }),
    ).toThrow(
      'BackendChart "backend": shutdown.terminationGracePeriodSeconds: 45 — an integer of at least 75: pre-stop delay 10 s + ' +
        'Kafka listener containers (phase 2147483547) 30 s + graceful web server shutdown (phase 2147482623) 30 s + 5 s to exit',
    );
  });

  test('a shorter phase timeout fits a shorter grace period, and the pods are told the same timeout', () => {
    const app = new App();
    const platform = new PlatformChart(app, { environment: dev });
    const kafka = new KafkaChart(app, { environment: dev, platform });
    const backend = new BackendChart(app, {
      environment: dev,
      platform,
      kafka: kafka.cluster,
      chatTopic: kafka.chatTopic,
      shutdown: { phaseTimeoutSeconds: 20, terminationGracePeriodSeconds: 55 },
    });
    const objects = Testing.synth(backend);
    expect(objects.find((m) => m.kind === 'ConfigMap').data.SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE).toBe('20s');
    expect(objects.find((m) => m.kind === 'Deployment').spec.template.spec.terminationGracePeriodSeconds).toBe(55);
  });
});

describe('the backend is ready only when it can reach its database', () => {
  test('readiness includes the database health indicator beside the application\'s readiness state', () => {
    const b = build(dev);
    expect(b.config.MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED).toBe('true');
    expect(b.config.MANAGEMENT_ENDPOINT_HEALTH_GROUP_READINESS_INCLUDE).toBe('readinessState,db');
    expect(b.container.readinessProbe.httpGet.path).toBe('/actuator/health/readiness');
  });

  test('liveness stays on the application\'s own state: no outage restarts the pods', () => {
    const b = build(dev);
    expect(Object.keys(b.config).filter((k) => k.startsWith('MANAGEMENT_ENDPOINT_HEALTH_GROUP_LIVENESS'))).toEqual([]);
    expect(b.container.livenessProbe.httpGet.path).toBe('/actuator/health/liveness');
  });
});

describe('the backend\'s JVM fits its memory limit', () => {
  test('768Mi: a 448m heap beside a 320Mi non-heap budget, each capped part set', () => {
    expect(build(dev).config.JAVA_TOOL_OPTIONS).toBe(
      '-Xmx448m -Xss1024k -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -XX:MaxDirectMemorySize=32m -XX:+ExitOnOutOfMemoryError',
    );
  });

  test('1536Mi: the default budget grows to a quarter of the limit', () => {
    expect(build(prod).config.JAVA_TOOL_OPTIONS).toBe(
      '-Xmx1152m -Xss1024k -XX:MaxMetaspaceSize=153m -XX:ReservedCodeCacheSize=76m -XX:MaxDirectMemorySize=38m -XX:+ExitOnOutOfMemoryError',
    );
  });

  test('a configured non-heap budget replaces the default', () => {
    const env = { ...dev, components: { ...dev.components, backend: { ...dev.components.backend, jvm: { nonHeap: '384Mi' } } } } as Environment;
    expect(build(env).config.JAVA_TOOL_OPTIONS).toMatch(/^-Xmx384m .* -XX:MaxMetaspaceSize=153m /);
  });

  test('no percentage of RAM: the heap is sized from the limit at synth time', () => {
    expect(build(dev).config.JAVA_TOOL_OPTIONS).not.toMatch(/RAMPercentage/);
  });

  test.each([
    [{ nonHeap: '640Mi' }, '768Mi', 'components.backend.resources.limits.memory: "768Mi" — at least 896Mi: the JVM\'s non-heap budget (640Mi, components.backend.jvm.nonHeap)'],
    [undefined, '512Mi', 'components.backend.resources.limits.memory: "512Mi" — at least 576Mi: the JVM\'s non-heap budget (320Mi, the default for this limit)'],
    [{ nonHeap: '128Mi' }, '768Mi', 'components.backend.jvm.nonHeap: "128Mi" — whole MiB and at least 320Mi'],
  ])('refuses jvm %j with a %s limit, naming the field, the value and what is allowed', (jvm, memory, message) => {
    const backend = { ...dev.components.backend, resources: { ...dev.components.backend.resources, limits: { ...dev.components.backend.resources.limits, memory } }, ...(jvm ? { jvm } : {}) };
    const env = { ...dev, components: { ...dev.components, backend } } as Environment;
    expect(() => build(env)).toThrow(`BackendChart "backend": ${message}`);
  });
});
