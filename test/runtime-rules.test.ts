import { TreeObject, treeObject } from '../lib/tree/tree-object';
import { REFERENCE_RULES } from '../lib/validation/reference-rules';
import { Rule } from '../lib/validation/rule';
import { RUNTIME_RULES } from '../lib/validation/runtime-rules';
import { RULES, validateTree } from '../lib/validation/validate';

// A small dev environment as synth lays it out: an Application per component, the Namespace in
// the platform component, a backend Deployment with its Service and ConfigMap, a Kafka StatefulSet
// with its headless Service, and an Ingress. Each test bends one thing and runs one rule.

const NS = 'chat-dev';
const LABELS = { 'app.kubernetes.io/name': 'backend' };
const KAFKA_LABELS = { 'app.kubernetes.io/name': 'kafka' };

function application(component: string, syncOptions: string[] = ['CreateNamespace=false'], destination: Record<string, any> = {}): TreeObject {
  return treeObject(`apps/dev/Application-dev-${component}.yaml`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `dev-${component}`, namespace: 'argocd' },
    spec: {
      project: 'chat-platform',
      destination: { server: 'https://kubernetes.default.svc', namespace: NS, ...destination },
      source: { repoURL: 'https://github.com/example/chat-platform.git', targetRevision: 'main', path: `gitops/envs/dev/${component}` },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions },
    },
  });
}

function backendDeployment(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend', namespace: NS },
    spec: {
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          containers: [{
            name: 'backend',
            image: 'registry.example.com/chat/backend:1.4.2',
            ports: [{ name: 'http', containerPort: 8080 }],
            envFrom: [{ configMapRef: { name: 'backend-config' } }],
            env: [{ name: 'KAFKA', valueFrom: { configMapKeyRef: { name: 'backend-config', key: 'KAFKA_BOOTSTRAP' } } }],
            readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
            livenessProbe: { tcpSocket: { port: 8080 } },
          }],
        },
      },
    },
  };
}

function kafkaStatefulSet(): Record<string, any> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kafka', namespace: NS },
    spec: {
      serviceName: 'kafka-headless',
      selector: { matchLabels: KAFKA_LABELS },
      template: {
        metadata: { labels: KAFKA_LABELS },
        spec: { containers: [{ name: 'kafka', image: 'apache/kafka:3.7.1', ports: [{ name: 'client', containerPort: 9092 }], readinessProbe: { tcpSocket: { port: 'client' } } }] },
      },
    },
  };
}

function ingress(path = '/', pathType = 'Prefix'): Record<string, any> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'frontend', namespace: NS },
    spec: { rules: [{ host: 'chat.dev.example.com', http: { paths: [{ path, pathType, backend: { service: { name: 'backend', port: { name: 'http' } } } }] } }] },
  };
}

interface Bends {
  backend?: (d: Record<string, any>) => void;
  kafka?: (s: Record<string, any>) => void;
  headless?: (s: Record<string, any>) => void;
  ingress?: Record<string, any>;
  namespace?: boolean;
  apps?: TreeObject[];
  extra?: TreeObject[];
}

function tree(bends: Bends = {}): TreeObject[] {
  const backend = backendDeployment();
  bends.backend?.(backend);
  const kafka = kafkaStatefulSet();
  bends.kafka?.(kafka);
  const headless: Record<string, any> = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kafka-headless', namespace: NS },
    spec: { clusterIP: 'None', selector: KAFKA_LABELS, ports: [{ name: 'client', port: 9092, targetPort: 'client' }] },
  };
  bends.headless?.(headless);
  return [
    ...(bends.apps ?? ['platform', 'backend', 'kafka', 'frontend'].map((c) => application(c))),
    ...(bends.namespace === false ? [] : [treeObject(`envs/dev/platform/Namespace-${NS}.yaml`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })]),
    treeObject('envs/dev/backend/Deployment-backend.yaml', backend),
    treeObject('envs/dev/backend/Service-backend.yaml', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'backend', namespace: NS },
      spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    }),
    treeObject('envs/dev/backend/ConfigMap-backend-config.yaml', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'backend-config', namespace: NS },
      data: { KAFKA_BOOTSTRAP: 'kafka:9092', LOG_LEVEL: 'info' },
    }),
    treeObject('envs/dev/kafka/StatefulSet-kafka.yaml', kafka),
    treeObject('envs/dev/kafka/Service-kafka-headless.yaml', headless),
    treeObject('envs/dev/frontend/Ingress-frontend.yaml', bends.ingress ?? ingress()),
    ...(bends.extra ?? []),
  ];
}

function rule(id: string): Rule {
  const found = [...RUNTIME_RULES, ...REFERENCE_RULES].find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

/** `Kind/name: message` of every finding of one rule. */
function findings(id: string, objects: TreeObject[]): string[] {
  return validateTree(objects, { rules: [rule(id)] }).findings.map((f) => `${f.object}: ${f.message}`);
}

describe('the run-time lint', () => {
  test('is registered in RULES, every rule once', () => {
    const ids = RULES.map((r) => r.id);
    for (const r of RUNTIME_RULES) expect(ids.filter((id) => id === r.id)).toEqual([r.id]);
  });

  test('passes the fixture with no finding from any of its rules', () => {
    const report = validateTree(tree(), { rules: [...RUNTIME_RULES, rule('REF-SERVICE-PORT'), rule('REF-POD-OBJECTS')] });
    expect(report.findings).toEqual([]);
  });

  test('has lint ids and a hint for every rule', () => {
    for (const r of RUNTIME_RULES) {
      expect(r.id).toMatch(/^LINT-[A-Z-]+$/);
      expect(r.hint.trim()).not.toBe('');
    }
  });
});

describe('LINT-PROBE-PORT', () => {
  test('accepts probes naming a port of their container or a declared containerPort', () => {
    expect(findings('LINT-PROBE-PORT', tree())).toEqual([]);
  });

  test('reports a probe naming a port its container does not declare', () => {
    const objects = tree({ backend: (d) => (d.spec.template.spec.containers[0].readinessProbe.httpGet.port = 'web') });
    expect(findings('LINT-PROBE-PORT', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].readinessProbe.httpGet.port: "web" is not a port of container "backend"',
    ]);
  });

  test('reports a named probe port that only another container of the pod declares', () => {
    const objects = tree({
      backend: (d) => {
        const spec = d.spec.template.spec;
        spec.containers.push({ name: 'sidecar', image: 'envoy:1.30', ports: [{ name: 'admin', containerPort: 9901 }] });
        spec.containers[0].livenessProbe = { httpGet: { path: '/', port: 'admin' } };
      },
    });
    expect(findings('LINT-PROBE-PORT', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].livenessProbe.httpGet.port: "admin" is not a port of container "backend"',
    ]);
  });

  test('reports a numeric probe port no container of the pod declares', () => {
    const objects = tree({ backend: (d) => (d.spec.template.spec.containers[0].livenessProbe = { tcpSocket: { port: 8081 } }) });
    expect(findings('LINT-PROBE-PORT', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].livenessProbe.tcpSocket.port: 8081 is not a containerPort of any container of the pod',
    ]);
  });

  test('checks grpc probes and lifecycle hooks, naming the field', () => {
    const objects = tree({
      kafka: (s) => {
        const c = s.spec.template.spec.containers[0];
        c.startupProbe = { grpc: { port: 9999 } };
        c.lifecycle = { preStop: { httpGet: { path: '/drain', port: 'admin' } } };
      },
    });
    expect(findings('LINT-PROBE-PORT', objects)).toEqual([
      'StatefulSet/kafka: spec.template.spec.containers[0].startupProbe.grpc.port: 9999 is not a containerPort of any container of the pod',
      'StatefulSet/kafka: spec.template.spec.containers[0].lifecycle.preStop.httpGet.port: "admin" is not a port of container "kafka"',
    ]);
  });

  test('names the pod spec of a CronJob by its own path', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cleanup', namespace: NS },
      spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1', livenessProbe: { tcpSocket: { port: 'http' } } }] } } } } },
    };
    expect(findings('LINT-PROBE-PORT', [treeObject('envs/dev/backend/CronJob-cleanup.yaml', job)])).toEqual([
      'CronJob/cleanup: spec.jobTemplate.spec.template.spec.containers[0].livenessProbe.tcpSocket.port: "http" is not a port of container "c"',
    ]);
  });
});

describe('REF-SERVICE-PORT (Service targetPorts, where that reference is already checked)', () => {
  test('accepts a targetPort naming a port of the selected pods', () => {
    expect(findings('REF-SERVICE-PORT', tree())).toEqual([]);
  });

  test('reports a targetPort no selected container declares, naming the port field', () => {
    const objects = tree({ backend: (d) => (d.spec.template.spec.containers[0].ports[0].name = 'web') });
    expect(findings('REF-SERVICE-PORT', objects)).toEqual([
      'Service/backend: spec.ports[0]: targetPort "http" of port "http" is not declared by every selected container (not by Deployment/backend)',
    ]);
  });
});

describe('LINT-STATEFULSET-SERVICE', () => {
  test('accepts a serviceName naming a headless Service of the namespace', () => {
    expect(findings('LINT-STATEFULSET-SERVICE', tree())).toEqual([]);
  });

  test('reports a serviceName naming a Service that is not headless', () => {
    const objects = tree({ headless: (s) => delete s.spec.clusterIP });
    expect(findings('LINT-STATEFULSET-SERVICE', objects)).toEqual([
      'StatefulSet/kafka: spec.serviceName: Service "kafka-headless" is not headless (clusterIP: None), so the pods get no stable DNS names',
    ]);
  });

  test('reports a serviceName naming no Service of the namespace', () => {
    const objects = tree({ headless: (s) => (s.metadata.namespace = 'chat-other') });
    expect(findings('LINT-STATEFULSET-SERVICE', objects)).toEqual([
      'StatefulSet/kafka: spec.serviceName: Service "kafka-headless" does not exist in namespace "chat-dev", so the pods get no stable DNS names',
    ]);
  });
});

describe('LINT-NAMESPACE-EXISTS', () => {
  const appsWithout = (component: string, replacement: TreeObject) =>
    [...['platform', 'backend', 'kafka', 'frontend'].filter((c) => c !== component).map((c) => application(c)), replacement];

  test('accepts namespaces that are Namespaces of the tree on the same cluster', () => {
    expect(findings('LINT-NAMESPACE-EXISTS', tree())).toEqual([]);
  });

  test('reports every object synced into a namespace that nothing creates', () => {
    const messages = findings('LINT-NAMESPACE-EXISTS', tree({ namespace: false }));
    expect(messages).toHaveLength(6);
    expect(messages[0]).toBe(
      'Deployment/backend: metadata.namespace: namespace "chat-dev" is not a Namespace of the tree on https://kubernetes.default.svc, and Application "dev-backend" (syncing envs/dev/backend) does not create it (its syncOptions lack CreateNamespace=true, or its destination.namespace is another)',
    );
  });

  test('accepts a namespace the syncing Application creates with CreateNamespace=true', () => {
    const apps = ['platform', 'backend', 'kafka', 'frontend'].map((c) => application(c, ['CreateNamespace=true']));
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ namespace: false, apps }))).toEqual([]);
  });

  test('does not count CreateNamespace=true of an Application whose destination is another namespace', () => {
    const apps = ['platform', 'backend', 'kafka', 'frontend'].map((c) => application(c, ['CreateNamespace=true'], { namespace: 'chat-other' }));
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ namespace: false, apps }))).toHaveLength(6);
  });

  test('does not count a Namespace the tree creates on another cluster', () => {
    const apps = appsWithout('backend', application('backend', ['CreateNamespace=false'], { server: 'https://prod.k8s.example.com:6443' }));
    const messages = findings('LINT-NAMESPACE-EXISTS', tree({ apps }));
    expect(messages.map((m) => m.split(':')[0]).sort()).toEqual(['ConfigMap/backend-config', 'Deployment/backend', 'Service/backend']);
    expect(messages[0]).toContain('is not a Namespace of the tree on https://prod.k8s.example.com:6443');
  });

  test('takes the destination namespace of an object without one, and says so', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'loose' }, data: {} };
    const apps = appsWithout('backend', application('backend', ['CreateNamespace=false'], { namespace: 'chat-misc' }));
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ apps, extra: [treeObject('envs/dev/backend/ConfigMap-loose.yaml', cm)] })).filter((m) => m.startsWith('ConfigMap/loose'))).toEqual([
      'ConfigMap/loose: metadata.namespace (unset, so the destination.namespace of Application "dev-backend"): namespace "chat-misc" is not a Namespace of the tree on https://kubernetes.default.svc, and Application "dev-backend" (syncing envs/dev/backend) does not create it (its syncOptions lack CreateNamespace=true, or its destination.namespace is another)',
    ]);
  });

  test("accepts Argo CD's own namespace on its cluster, and built-in namespaces", () => {
    const root = treeObject('bootstrap/Application-root.yaml', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'root', namespace: 'argocd' },
      spec: { destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' }, source: { path: 'gitops/apps', directory: { recurse: true } } },
    });
    const quota = treeObject('envs/dev/platform/ConfigMap-kube.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube', namespace: 'kube-system' } });
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ extra: [root, quota] }))).toEqual([]);
  });

  test('leaves the objects of an Application without a destination cluster to the Argo CD rules', () => {
    const apps = ['platform', 'backend', 'kafka', 'frontend'].map((c) => application(c));
    delete apps[1]!.manifest.spec.destination;
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ namespace: false, apps })).map((m) => m.split(':')[0])).not.toContain('Deployment/backend');
  });

  test('leaves objects no Application syncs to whoever applies them', () => {
    const loose = treeObject('bootstrap/ConfigMap-x.yaml', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'nowhere' } });
    expect(findings('LINT-NAMESPACE-EXISTS', tree({ extra: [loose] }))).toEqual([]);
  });
});

describe('LINT-DUPLICATE-OBJECT', () => {
  const copy = (path: string, manifest: Record<string, any>) => treeObject(path, JSON.parse(JSON.stringify(manifest)));

  test('accepts objects of one name that differ in kind, namespace or cluster', () => {
    const prodApp = treeObject('apps/prod/Application-prod-backend.yaml', {
      ...application('backend').manifest,
      metadata: { name: 'prod-backend', namespace: 'argocd' },
      spec: { ...application('backend').manifest.spec, destination: { server: 'https://prod.k8s.example.com:6443', namespace: NS }, source: { path: 'gitops/envs/prod/backend' } },
    });
    const extra = [
      prodApp,
      copy('envs/prod/backend/Deployment-backend.yaml', backendDeployment()),
      copy('envs/dev/kafka/Service-backend.yaml', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: 'chat-kafka' } }),
    ];
    expect(findings('LINT-DUPLICATE-OBJECT', tree({ extra }))).toEqual([]);
  });

  test('reports both files of one object, naming the other file', () => {
    const extra = [copy('envs/dev/frontend/Deployment-backend.yaml', backendDeployment())];
    expect(findings('LINT-DUPLICATE-OBJECT', tree({ extra }))).toEqual([
      'Deployment/backend: metadata.name: apps Deployment chat-dev/backend on https://kubernetes.default.svc is also in envs/dev/frontend/Deployment-backend.yaml; the copies overwrite each other',
      'Deployment/backend: metadata.name: apps Deployment chat-dev/backend on https://kubernetes.default.svc is also in envs/dev/backend/Deployment-backend.yaml; the copies overwrite each other',
    ]);
  });

  test('compares the API group, not the version', () => {
    const old = { ...backendDeployment(), apiVersion: 'apps/v1beta2' };
    expect(findings('LINT-DUPLICATE-OBJECT', tree({ extra: [copy('envs/dev/kafka/Deployment-backend.yaml', old)] }))).toHaveLength(2);
  });

  test('counts a namespaced object without a namespace in the namespace its Application gives it', () => {
    const bare = backendDeployment();
    delete bare.metadata.namespace;
    expect(findings('LINT-DUPLICATE-OBJECT', tree({ extra: [copy('envs/dev/kafka/Deployment-backend.yaml', bare)] }))).toHaveLength(2);
  });
});

describe('LINT-INGRESS-PATH-REGEX', () => {
  test('accepts literal Prefix and Exact paths, dots included', () => {
    expect(findings('LINT-INGRESS-PATH-REGEX', tree())).toEqual([]);
    expect(findings('LINT-INGRESS-PATH-REGEX', tree({ ingress: ingress('/static/app.js', 'Exact') }))).toEqual([]);
  });

  test('accepts regex paths of pathType ImplementationSpecific', () => {
    expect(findings('LINT-INGRESS-PATH-REGEX', tree({ ingress: ingress('/api/(.*)', 'ImplementationSpecific') }))).toEqual([]);
  });

  test('reports a Prefix path with regex characters, naming them', () => {
    expect(findings('LINT-INGRESS-PATH-REGEX', tree({ ingress: ingress('/api/(.*)') }))).toEqual([
      'Ingress/frontend: spec.rules[0].http.paths[0].path: "/api/(.*)" holds regex characters "(", "*", ")", which pathType Prefix matches literally',
    ]);
  });

  test('reports an Exact path with an anchor', () => {
    expect(findings('LINT-INGRESS-PATH-REGEX', tree({ ingress: ingress('/ws$', 'Exact') }))).toEqual([
      'Ingress/frontend: spec.rules[0].http.paths[0].path: "/ws$" holds regex characters "$", which pathType Exact matches literally',
    ]);
  });
});

describe('REF-POD-OBJECTS (ConfigMap and Secret keys)', () => {
  const env = (d: Record<string, any>) => d.spec.template.spec.containers[0].env;

  test('accepts keys the referenced object holds', () => {
    expect(findings('REF-POD-OBJECTS', tree())).toEqual([]);
  });

  test('reports a configMapKeyRef key the ConfigMap does not hold, listing its keys', () => {
    const objects = tree({ backend: (d) => (env(d)[0].valueFrom.configMapKeyRef.key = 'KAFKA_SERVERS') });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.key: "KAFKA_SERVERS" is not a key of ConfigMap "backend-config" (it has KAFKA_BOOTSTRAP, LOG_LEVEL)',
    ]);
  });

  test('reports a secretKeyRef key the Secret does not hold, counting stringData', () => {
    const secret = treeObject('envs/dev/backend/Secret-db.yaml', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS }, stringData: { username: 'chat' } });
    const objects = tree({
      backend: (d) => env(d).push(
        { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db', key: 'username' } } },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      ),
      extra: [secret],
    });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].env[2].valueFrom.secretKeyRef.key: "password" is not a key of Secret "db" (it has username)',
    ]);
  });

  test('accepts a missing key of an optional ref', () => {
    const objects = tree({ backend: (d) => (env(d)[0].valueFrom.configMapKeyRef = { name: 'backend-config', key: 'NOPE', optional: true }) });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([]);
  });

  test('does not look for keys of an object declared external', () => {
    const objects = tree({
      backend: (d) => {
        d.metadata.annotations = { 'external.policy/Secret.chat-db-credentials': 'created out of band' };
        env(d).push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'chat-db-credentials', key: 'password' } } });
      },
    });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([]);
  });

  test('reports a missing object once, without a second finding for its key', () => {
    const objects = tree({ backend: (d) => (env(d)[0].valueFrom.configMapKeyRef.name = 'backend-settings') });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name: references ConfigMap "backend-settings", which is neither in the tree nor declared external',
    ]);
  });

  test('accepts envFrom of an object of the tree, and reports one that is missing', () => {
    expect(findings('REF-POD-OBJECTS', tree())).toEqual([]);
    const objects = tree({ backend: (d) => d.spec.template.spec.containers[0].envFrom.push({ secretRef: { name: 'backend-env' } }) });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([
      'Deployment/backend: spec.template.spec.containers[0].envFrom[1].secretRef.name: references Secret "backend-env", which is neither in the tree nor declared external',
    ]);
  });

  test('reports a volume item key the ConfigMap does not hold', () => {
    const objects = tree({
      backend: (d) => (d.spec.template.spec.volumes = [{ name: 'conf', configMap: { name: 'backend-config', items: [{ key: 'LOG_LEVEL', path: 'a' }, { key: 'app.yaml', path: 'b' }] } }]),
    });
    expect(findings('REF-POD-OBJECTS', objects)).toEqual([
      'Deployment/backend: spec.template.spec.volumes[0].configMap.items[1].key: "app.yaml" is not a key of ConfigMap "backend-config" (it has KAFKA_BOOTSTRAP, LOG_LEVEL)',
    ]);
  });
});
