import { PROTECTED_FROM_DELETION } from '../lib/tree/deletion';
import { testChart } from './support/test-chart';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { KafkaCluster, KafkaClusterProps, kafkaClusterId } from '../constructs/kafka-cluster';
import { KafkaTopics, KafkaTopicSpec } from '../constructs/kafka-topics';
import { NetworkBaseline } from '../constructs/network-baseline';
import { WebService } from '../constructs/web-service';
import { treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';

const baseProps: KafkaClusterProps = {
  image: 'apache/kafka:3.7.1',
  version: '3.7.1',
  storage: { size: '10Gi' },
  resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
};

const topic = (overrides: Partial<KafkaTopicSpec> = {}): KafkaTopicSpec => ({
  name: 'orders',
  partitions: 6,
  replicationFactor: 3,
  minInSyncReplicas: 2,
  retentionHours: 48,
  ...overrides,
});

function synth(props: Partial<KafkaClusterProps> = {}, topics?: KafkaTopicSpec[]) {
  const chart = testChart();
  const cluster = new KafkaCluster(chart, 'kafka', { ...baseProps, ...props });
  if (topics) new KafkaTopics(chart, 'topics', { cluster, topics });
  const manifests = Testing.synth(chart);
  const find = (kind: string, name: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  return { cluster, manifests, find };
}

/**
 * Runs a container's shell script with `sh` (dash here, busybox ash in the image: both POSIX) in a
 * scratch folder standing in for the image's paths. The Kafka tools cannot run here (no image, no
 * brokers), so stand-ins take their place: each records its arguments and, for `--describe`,
 * prints a topic description in kafka-topics.sh's format.
 */
function runScript(script: string, env: Record<string, string>, describe = '') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-script-'));
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  for (const dir of ['cluster', 'node']) fs.mkdirSync(path.join(root, dir));
  const calls = path.join(root, 'calls');
  for (const tool of ['kafka-storage.sh', 'kafka-server-start.sh', 'kafka-topics.sh', 'kafka-configs.sh']) {
    fs.writeFileSync(
      path.join(bin, tool),
      `#!/bin/sh\necho "${tool} $*" >> '${calls}'\n` +
        (tool === 'kafka-topics.sh' ? `case "$*" in *--describe*) printf '%s\\n' "$DESCRIBE" ;; esac\n` : ''),
      { mode: 0o755 },
    );
  }
  const local = script
    .split('/opt/kafka/bin').join(bin)
    .split('/etc/kafka/cluster').join(path.join(root, 'cluster'))
    .split('/etc/kafka/node').join(path.join(root, 'node'));
  const run = spawnSync('sh', ['-c', local], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DESCRIBE: describe, ...env } });
  const recorded = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [];
  return { ...run, calls: recorded.map((c) => c.split(root).join('<root>')), root };
}

const serverProperties = (m: ReturnType<typeof synth>) =>
  Object.fromEntries(
    (m.find('ConfigMap', 'kafka-config').data['server.properties'] as string)
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('KafkaCluster', () => {
  test('creates a StatefulSet, headless and client Services, ConfigMap, PodDisruptionBudget, ServiceAccount and peer policy', () => {
    const { manifests } = synth();
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`).sort()).toEqual([
      'apps/v1 StatefulSet kafka',
      'networking.k8s.io/v1 NetworkPolicy kafka-peers',
      'policy/v1 PodDisruptionBudget kafka',
      'v1 ConfigMap kafka-config',
      'v1 Service kafka',
      'v1 Service kafka-headless',
      'v1 ServiceAccount kafka',
    ]);
    for (const m of manifests) expect(m.metadata.namespace).toBe('shop');
  });

  test('runs KRaft with every pod both broker and controller, and no ZooKeeper', () => {
    const props = serverProperties(synth());
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['controller.listener.names']).toBe('CONTROLLER');
    expect(props['listeners']).toBe('CLIENT://:9092,CONTROLLER://:9093');
    expect(props['inter.broker.listener.name']).toBe('CLIENT');
    expect(Object.keys(props).filter((k) => k.startsWith('zookeeper'))).toEqual([]);
  });

  test('a single pod is the only quorum voter', () => {
    const m = synth({ replicas: 1 });
    expect(m.cluster.quorumVoters).toBe('0@kafka-0.kafka-headless.shop.svc.cluster.local:9093');
    expect(serverProperties(m)['controller.quorum.voters']).toBe(m.cluster.quorumVoters);
  });

  test('three pods make a quorum of three voters, node ids 0 to 2 on their per-pod DNS names', () => {
    const m = synth({ replicas: 3 });
    expect(serverProperties(m)['controller.quorum.voters']).toBe(
      [0, 1, 2].map((i) => `${i}@kafka-${i}.kafka-headless.shop.svc.cluster.local:9093`).join(','),
    );
  });

  test('each pod takes its node id from its ordinal and advertises its own DNS name', () => {
    const script: string = synth().find('StatefulSet', 'kafka').spec.template.spec.containers[0].command[2];
    expect(script).toContain('node_id="${POD_NAME##*-}"');
    expect(script).toContain("node.id=%s\\nadvertised.listeners=CLIENT://%s.kafka-headless.shop.svc.cluster.local:9092");
  });

  test('formats its volume only when new, then starts the broker on the per-pod configuration', () => {
    const script: string = synth().find('StatefulSet', 'kafka').spec.template.spec.containers[0].command[2];
    const format = script.indexOf('kafka-storage.sh format --ignore-formatted --cluster-id "$CLUSTER_ID" --config "$config"');
    const start = script.indexOf('exec /opt/kafka/bin/kafka-server-start.sh "$config"');
    expect(format).toBeGreaterThan(0);
    expect(start).toBeGreaterThan(format);
  });

  test('the cluster id is 22 characters of URL-safe base64, the same on every synth', () => {
    const first = synth().cluster.clusterId;
    const second = synth().cluster.clusterId;
    expect(first).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(Buffer.from(first, 'base64url')).toHaveLength(16);
    expect(second).toBe(first);
    expect(kafkaClusterId('shop', 'kafka')).toBe(first);
  });

  test('the cluster id differs between namespaces and between clusters', () => {
    expect(kafkaClusterId('shop-dev', 'kafka')).not.toBe(kafkaClusterId('shop-prod', 'kafka'));
    expect(kafkaClusterId('shop', 'kafka')).not.toBe(kafkaClusterId('shop', 'events'));
  });

  test('the cluster id never starts with "-", which the storage tool would read as an option', () => {
    for (let i = 0; i < 500; i++) expect(kafkaClusterId(`ns-${i}`, 'kafka')).not.toMatch(/^-/);
  });

  test('the cluster id reaches the pods from the construct', () => {
    const m = synth();
    const env = m.find('StatefulSet', 'kafka').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'CLUSTER_ID', value: m.cluster.clusterId });
  });

  test('a given cluster id is kept, and a malformed one refused', () => {
    expect(synth({ clusterId: 'MkU3OEVBNTcwNTJENDM2Qk' }).cluster.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qk');
    expect(() => synth({ clusterId: 'too-short' })).toThrow(
      'KafkaCluster "kafka": clusterId: "too-short" — 22 characters of URL-safe base64',
    );
  });

  test('bootstrap servers are the client Service and port', () => {
    expect(synth().cluster.bootstrapServers).toBe('kafka.shop.svc.cluster.local:9092');
    expect(synth({ name: 'events', clientPort: 9094, clusterDomain: 'corp.internal' }).cluster.bootstrapServers).toBe(
      'events.shop.svc.corp.internal:9094',
    );
  });

  test('the headless Service publishes pods before they are ready, so controllers find each other', () => {
    const spec = synth().find('Service', 'kafka-headless').spec;
    expect(spec.clusterIP).toBe('None');
    expect(spec.publishNotReadyAddresses).toBe(true);
    expect(spec.ports.map((p: any) => [p.name, p.port])).toEqual([['client', 9092], ['controller', 9093]]);
    expect(synth().find('StatefulSet', 'kafka').spec.serviceName).toBe('kafka-headless');
  });

  test('the client Service exposes the client port only', () => {
    const spec = synth().find('Service', 'kafka').spec;
    expect(spec.type).toBe('ClusterIP');
    expect(spec.ports).toEqual([{ name: 'client', port: 9092, targetPort: 'client', protocol: 'TCP' }]);
  });

  test('starts all pods in parallel and rolls them one at a time', () => {
    const spec = synth().find('StatefulSet', 'kafka').spec;
    expect(spec.podManagementPolicy).toBe('Parallel');
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(spec.replicas).toBe(3);
  });

  test('gives each pod a volume of the given size and storage class, kept when the cluster is deleted', () => {
    const spec = synth({ storage: { size: '50Gi', storageClass: 'fast-ssd' } }).find('StatefulSet', 'kafka').spec;
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    expect(spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(spec.volumeClaimTemplates[0].spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '50Gi' } },
    });
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const mounts = spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toContainEqual({ name: 'data', mountPath: '/var/lib/kafka/data' });
    expect(serverProperties(synth())['log.dirs']).toBe('/var/lib/kafka/data/kraft');
  });

  test('leaves the volume claim template without annotations, since the API server refuses any change to it', () => {
    const sts = synth({ annotations: { 'argocd.argoproj.io/sync-options': 'Delete=false' } }).find('StatefulSet', 'kafka');
    expect(sts.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Delete=false' });
    expect(sts.spec.volumeClaimTemplates[0].metadata).toEqual({ name: 'data', labels: expect.any(Object) });
  });

  test('leaves the storage class to the cluster default when none is given', () => {
    const claim = synth().find('StatefulSet', 'kafka').spec.volumeClaimTemplates[0];
    expect(claim.spec).not.toHaveProperty('storageClassName');
  });

  test('runs as the image user under the restricted Pod Security Standard with a read-only root filesystem', () => {
    const pod = synth().find('StatefulSet', 'kafka').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('writes only to its volume and to emptyDirs, with logs on the console', () => {
    const pod = synth().find('StatefulSet', 'kafka').spec.template.spec;
    const container = pod.containers[0];
    expect(container.volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/etc/kafka/cluster', '/etc/kafka/node', '/tmp', '/var/lib/kafka/data']);
    expect(pod.volumes.filter((v: any) => v.emptyDir).map((v: any) => v.name).sort()).toEqual(['node-config', 'tmp']);
    expect(container.env).toContainEqual({ name: 'LOG_DIR', value: '/tmp/kafka-logs' });
    expect(container.env).toContainEqual({ name: 'KAFKA_LOG4J_OPTS', value: '-Dlog4j.configuration=file:/etc/kafka/cluster/log4j.properties' });
    const log4j: string = synth().find('ConfigMap', 'kafka-config').data['log4j.properties'];
    expect(log4j).toContain('log4j.rootLogger=INFO, stdout');
    expect(log4j).not.toMatch(/FileAppender/);
  });

  test('sizes the heap from the memory limit, not a fixed 1 GB', () => {
    const env = synth({ heapPercent: 40 }).find('StatefulSet', 'kafka').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'KAFKA_HEAP_OPTS', value: '-XX:MaxRAMPercentage=40.0 -XX:InitialRAMPercentage=40.0' });
  });

  test('probes the client port for startup, readiness and liveness, allowing minutes of log recovery', () => {
    const container = synth().find('StatefulSet', 'kafka').spec.template.spec.containers[0];
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
      expect(probe.tcpSocket).toEqual({ port: 'client' });
    }
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  test('keeps Service links out of the environment, where they would pose as Kafka settings', () => {
    expect(synth().find('StatefulSet', 'kafka').spec.template.spec.enableServiceLinks).toBe(false);
    expect(synth({}, [topic()]).find('Job', 'kafka-topics').spec.template.spec.enableServiceLinks).toBe(false);
  });

  test('a storage size that is not a quantity is refused', () => {
    expect(() => synth({ storage: { size: '20 GB' } })).toThrow('KafkaCluster "kafka": storage.size: "20 GB" — a Kubernetes storage quantity');
  });

  test('sets requests and limits', () => {
    expect(synth().find('StatefulSet', 'kafka').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '1', memory: '2Gi' },
    });
  });

  test('never schedules two pods on one node, so no node holds two quorum voters; spreads over zones when it can', () => {
    const pod = synth().find('StatefulSet', 'kafka').spec.template.spec;
    const selector = { matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka' } };
    expect(pod.affinity).toEqual({
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: selector }] },
    });
    // The selector is the StatefulSet's own: the rule repels exactly the cluster's other pods.
    expect(synth().find('StatefulSet', 'kafka').spec.selector).toEqual(selector);
    expect(pod.topologySpreadConstraints).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: selector },
    ]);
  });

  test('a single broker keeps the same anti-affinity, which a one-node cluster satisfies', () => {
    const pod = synth({ replicas: 1 }).find('StatefulSet', 'kafka').spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
  });

  test('the topic Job is not repelled by the brokers anti-affinity', () => {
    const m = synth({}, [topic()]);
    const jobLabels = m.find('Job', 'kafka-topics').spec.template.metadata.labels;
    const terms = m.find('StatefulSet', 'kafka').spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
    for (const term of terms) expect(Object.entries(term.labelSelector.matchLabels).every(([k, v]) => jobLabels[k] === v)).toBe(false);
  });

  test('lets one pod at a time be evicted', () => {
    const spec = synth().find('PodDisruptionBudget', 'kafka').spec;
    expect(spec.maxUnavailable).toBe(1);
    expect(spec).not.toHaveProperty('minAvailable');
  });

  test('replicates internal topics as widely as the cluster allows, keeping one broker spare', () => {
    expect(serverProperties(synth({ replicas: 1 }))).toMatchObject({
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'min.insync.replicas': '1',
    });
    expect(serverProperties(synth({ replicas: 5 }))).toMatchObject({
      'offsets.topic.replication.factor': '3',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
    });
    expect(serverProperties(synth())['auto.create.topics.enable']).toBe('false');
  });

  test('a configuration change rolls the pods', () => {
    const before = synth().find('StatefulSet', 'kafka').spec.template.metadata.annotations['checksum/config'];
    const after = synth({ brokerConfig: { 'log.retention.hours': '72' } }).find('StatefulSet', 'kafka').spec.template.metadata.annotations['checksum/config'];
    expect(after).not.toBe(before);
  });

  test('extra broker settings are added, and derived ones refused', () => {
    expect(serverProperties(synth({ brokerConfig: { 'log.retention.hours': '72' } }))['log.retention.hours']).toBe('72');
    expect(() => synth({ brokerConfig: { 'node.id': '7' } })).toThrow('KafkaCluster "kafka": brokerConfig["node.id"]: "7" — no value: the construct derives it');
  });

  test('the brokers reach each other on both listeners, and nothing else reaches them', () => {
    const m = synth();
    const spec = m.find('NetworkPolicy', 'kafka-peers').spec;
    const selector = { matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka' } };
    const ports = [{ protocol: 'TCP', port: 9092 }, { protocol: 'TCP', port: 9093 }];
    expect(spec).toEqual({
      podSelector: selector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: selector }], ports }],
      egress: [{ to: [{ podSelector: selector }], ports }],
    });
    expect(m.manifests.filter((x) => x.kind === 'NetworkPolicy')).toHaveLength(1);
  });

  test('a client is let in on the client port only, with its egress policy in its own scope', () => {
    const chart = testChart();
    const cluster = new KafkaCluster(chart, 'kafka', baseProps);
    const clientChart = testChart('apps', { app: chart.node.root as App, id: 'apps' });
    const api = new WebService(clientChart, 'api', {
      name: 'api',
      image: 'registry.example.com/api:1.0.0',
      version: '1.0.0',
      readinessProbe: { path: '/ready' },
      livenessProbe: { path: '/live' },
      resources: baseProps.resources,
    });
    cluster.allowClient(api);
    const ingress = Testing.synth(chart).find((m) => m.metadata.name === 'kafka-from-api');
    const egress = Testing.synth(clientChart).find((m) => m.metadata.name === 'api-to-kafka');
    expect(ingress.spec.ingress).toEqual([
      {
        from: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 9092 }],
      },
    ]);
    expect(egress.metadata.namespace).toBe('apps');
    expect(egress.spec.policyTypes).toEqual(['Egress']);
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9092 }]);
    expect(egress.spec.egress[0].to[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } });
  });

  describe('its start script, run by a POSIX shell', () => {
    test('appends the node id from the pod ordinal and the pod own advertised address, then formats and starts', () => {
      const m = synth();
      const script: string = m.find('StatefulSet', 'kafka').spec.template.spec.containers[0].command[2];
      const template: string = m.find('ConfigMap', 'kafka-config').data['server.properties'];
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-template-'));
      fs.writeFileSync(path.join(root, 'server.properties'), template);
      const run = runScript(script.split('/etc/kafka/cluster/server.properties').join(`${root}/server.properties`), {
        POD_NAME: 'kafka-2',
        CLUSTER_ID: m.cluster.clusterId,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.calls).toEqual([
        `kafka-storage.sh format --ignore-formatted --cluster-id ${m.cluster.clusterId} --config <root>/node/server.properties`,
        'kafka-server-start.sh <root>/node/server.properties',
      ]);
      const written = fs.readFileSync(path.join(run.root, 'node', 'server.properties'), 'utf8');
      expect(written.startsWith(template)).toBe(true);
      expect(written.slice(template.length)).toBe('node.id=2\nadvertised.listeners=CLIENT://kafka-2.kafka-headless.shop.svc.cluster.local:9092\n');
    });

    test('refuses to start when the pod name has no ordinal', () => {
      const m = synth();
      const script: string = m.find('StatefulSet', 'kafka').spec.template.spec.containers[0].command[2];
      const run = runScript(script, { POD_NAME: 'kafka-abc', CLUSTER_ID: m.cluster.clusterId });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('pod name kafka-abc does not end in an ordinal');
      expect(run.calls).toEqual([]);
    });
  });

  describe('refuses a quorum it cannot keep', () => {
    test.each([2, 4])('%i pods (even) are refused', (replicas) => {
      expect(() => synth({ replicas })).toThrow(`KafkaCluster "kafka": replicas: ${replicas} — 1 or an odd number such as ${replicas - 1} or ${replicas + 1}`);
    });

    test('zero pods are refused', () => {
      expect(() => synth({ replicas: 0 })).toThrow('KafkaCluster "kafka": replicas: 0 — an integer ≥ 1');
    });

    test('1, 3 and 5 pods are accepted', () => {
      for (const replicas of [1, 3, 5]) expect(synth({ replicas }).cluster.replicas).toBe(replicas);
    });
  });

  test('the same port for both listeners is refused', () => {
    expect(() => synth({ clientPort: 9092, controllerPort: 9092 })).toThrow('controllerPort: 9092 — a port other than clientPort (9092)');
  });

  test('together with a default-deny baseline, passes every validation rule', () => {
    const chart = testChart();
    new NetworkBaseline(chart, 'baseline');
    // What holds data must be protected from Argo CD's deletion: the chart's job, checked by validation.
    const cluster = new KafkaCluster(chart, 'kafka', { ...baseProps, annotations: { ...PROTECTED_FROM_DELETION } });
    new KafkaTopics(chart, 'topics', { cluster, topics: [topic()] });
    const objects = Testing.synth(chart).map((manifest) => treeObject(`envs/test/kafka/${manifest.kind}-${manifest.metadata.name}.yaml`, manifest));
    // The Argo CD version floor is the whole tree's (synth writes it from gitops.config.yaml), not this chart's.
    expect(validateTree(objects).findings.filter((f) => f.rule !== 'ARGO-VERSION-FLOOR')).toEqual([]);
  });
});

describe('KafkaTopics', () => {
  const job = (topics: KafkaTopicSpec[], props: Partial<KafkaClusterProps> = {}) => synth(props, topics).find('Job', 'kafka-topics');
  const script = (topics: KafkaTopicSpec[], props: Partial<KafkaClusterProps> = {}): string => job(topics, props).spec.template.spec.containers[0].command[2];

  test('runs as an Argo CD PostSync hook, replaced on the next sync', () => {
    expect(job([topic()]).metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
  });

  test('creates each topic only if missing, with its partitions, replication and settings', () => {
    expect(script([topic()])).toContain(
      `"$bin/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --create --if-not-exists --topic 'orders' ` +
        '--partitions 6 --replication-factor 3 --config min.insync.replicas=2 --config retention.ms=172800000',
    );
  });

  test('sets min in-sync replicas and retention on existing topics too', () => {
    expect(script([topic()])).toContain(
      `"$bin/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP_SERVERS" --alter --entity-type topics --entity-name 'orders' ` +
        '--add-config min.insync.replicas=2,retention.ms=172800000',
    );
  });

  test('raises partitions to the declared count and refuses what Kafka cannot change', () => {
    const s = script([topic()]);
    expect(s).toContain("ensure_partitions 'orders' 6 3");
    expect(s).toContain('--alter --topic "$1" --partitions "$2"');
    expect(s).toContain('Kafka cannot remove partitions');
    expect(s).toContain('kafka-reassign-partitions.sh');
  });

  test('reaches the cluster through its bootstrap servers', () => {
    expect(job([topic()]).spec.template.spec.containers[0].env).toContainEqual({ name: 'BOOTSTRAP_SERVERS', value: 'kafka.shop.svc.cluster.local:9092' });
  });

  test('runs the cluster image under the restricted Pod Security Standard, with requests and limits', () => {
    const pod = job([topic()]).spec.template.spec;
    expect(pod.containers[0].image).toBe('apache/kafka:3.7.1');
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].resources.limits).toEqual({ cpu: '1', memory: '512Mi' });
    expect(pod.restartPolicy).toBe('Never');
  });

  test('is let out to the brokers client port, and the brokers let it in', () => {
    const m = synth({}, [topic()]);
    expect(m.find('NetworkPolicy', 'kafka-topics-to-kafka').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 9092 }]);
    expect(m.find('NetworkPolicy', 'kafka-from-kafka-topics').spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafka-topics', 'app.kubernetes.io/instance': 'kafka-topics' } } },
    ]);
  });

  test('its pods are not selected by the cluster Services, budget or policies', () => {
    const m = synth({}, [topic()]);
    const podLabels = m.find('Job', 'kafka-topics').spec.template.metadata.labels;
    const selector = m.find('Service', 'kafka').spec.selector;
    expect(Object.entries(selector).every(([k, v]) => podLabels[k] === v)).toBe(false);
  });

  test('a declared topic is found by name; an unknown one is refused, listing the declared ones', () => {
    const chart = testChart();
    const cluster = new KafkaCluster(chart, 'kafka', baseProps);
    const topics = new KafkaTopics(chart, 'topics', { cluster, topics: [topic(), topic({ name: 'payments' })] });
    expect(topics.topic('payments').name).toBe('payments');
    expect(() => topics.topic('invoices')).toThrow('KafkaTopics "kafka-topics": topic: "invoices" — one of the declared topics (orders, payments)');
  });

  describe('its script, run by a POSIX shell', () => {
    const describeLine = (partitions: number, rf: number) =>
      `Topic: orders\tTopicId: 7wY0vOw9QJ2QeM1VZ4y8Pw\tPartitionCount: ${partitions}\tReplicationFactor: ${rf}\tConfigs: min.insync.replicas=2\n` +
      `\tTopic: orders\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1,2`;
    const run = (partitions: number, rf: number) =>
      runScript(script([topic()]), { BOOTSTRAP_SERVERS: 'kafka.shop.svc.cluster.local:9092' }, describeLine(partitions, rf));

    test('on a topic as declared, creates-if-missing, sets its settings and changes nothing else', () => {
      const r = run(6, 3);
      expect(r.status).toBe(0);
      expect(r.calls.map((c) => c.split(' ').slice(0, 5).join(' '))).toEqual([
        'kafka-topics.sh --bootstrap-server kafka.shop.svc.cluster.local:9092 --create --if-not-exists',
        'kafka-configs.sh --bootstrap-server kafka.shop.svc.cluster.local:9092 --alter --entity-type',
        'kafka-topics.sh --bootstrap-server kafka.shop.svc.cluster.local:9092 --describe --topic',
      ]);
    });

    test('raises the partitions of a topic that has fewer than declared', () => {
      const r = run(3, 3);
      expect(r.status).toBe(0);
      expect(r.calls[r.calls.length - 1]).toBe('kafka-topics.sh --bootstrap-server kafka.shop.svc.cluster.local:9092 --alter --topic orders --partitions 6');
    });

    test('fails, saying why, on a topic with more partitions than declared', () => {
      const r = run(12, 3);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('topic orders: has 12 partitions, declared 6; Kafka cannot remove partitions');
    });

    test('fails, saying why, on a topic with another replication factor', () => {
      const r = run(6, 1);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('topic orders: replication factor is 1, declared 3');
    });
  });

  describe('sizing rules', () => {
    test('a replication factor above the number of brokers is refused', () => {
      expect(() => synth({ replicas: 3 }, [topic({ replicationFactor: 5, minInSyncReplicas: 2 })])).toThrow(
        'KafkaTopics "kafka-topics": topics[0].replicationFactor: 5 — an integer from 1 to the number of brokers (3)',
      );
    });

    test('min in-sync replicas equal to the replication factor is refused with more than one broker', () => {
      expect(() => synth({ replicas: 3 }, [topic({ replicationFactor: 3, minInSyncReplicas: 3 })])).toThrow(
        'topics[0].minInSyncReplicas: 3 — below replicationFactor (3) with 3 brokers, so writes go on while one broker is down',
      );
    });

    test('replication factor 1 on several brokers is refused, since no min in-sync replicas fits', () => {
      expect(() => synth({ replicas: 3 }, [topic({ replicationFactor: 1, minInSyncReplicas: 1 })])).toThrow(
        'topics[0].minInSyncReplicas: 1 — below replicationFactor (1) with 3 brokers, so writes go on while one broker is down; raise replicationFactor first',
      );
    });

    test('a single broker may run replication factor 1 with min in-sync replicas 1', () => {
      expect(() => synth({ replicas: 1 }, [topic({ replicationFactor: 1, minInSyncReplicas: 1 })])).not.toThrow();
    });

    test('zero partitions are refused', () => {
      expect(() => synth({}, [topic({ partitions: 0 })])).toThrow('KafkaTopics "kafka-topics": topics[0].partitions: 0 — an integer ≥ 1');
    });

    test('no topics at all are refused', () => {
      expect(() => synth({}, [])).toThrow('KafkaTopics "kafka-topics": topics: [] — at least one topic');
    });

    test('a topic declared twice is refused', () => {
      expect(() => synth({}, [topic(), topic()])).toThrow('topics[1].name: "orders" — a name no other topic has');
    });
  });

  test('opens the brokers to their peers and the Job only', () => {
    const chart = testChart('shop', { id: 'c' });
    const cluster = new KafkaCluster(chart, 'kafka', baseProps);
    new KafkaTopics(chart, 'topics', { cluster, topics: [topic()] });
    expect(Testing.synth(chart).filter((m) => m.kind === 'NetworkPolicy').map((m) => m.metadata.name).sort()).toEqual([
      'kafka-from-kafka-topics',
      'kafka-peers',
      'kafka-topics-to-kafka',
    ]);
  });
});
