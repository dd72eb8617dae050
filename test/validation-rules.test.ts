import * as fs from 'node:fs';
import * as path from 'node:path';
import { Finding, formatFinding } from '../lib/validation/finding';
import { TreeObject, treeObject } from '../lib/tree/tree-object';
import { RULES, validateTree } from '../lib/validation/validate';

// A small tree shaped like what synth writes for one component (the staging backend) and the
// platform objects around it. It passes every rule; each test below breaks or bends one thing.

const NAME_LABELS = { 'app.kubernetes.io/instance': 'backend', 'app.kubernetes.io/name': 'backend' };
const LABELS = { ...NAME_LABELS, 'app.kubernetes.io/part-of': 'chat-platform', 'app.kubernetes.io/version': '1.4.2' };
const PLATFORM_LABELS = { 'app.kubernetes.io/part-of': 'chat-platform' };

function backendContainer(): Record<string, any> {
  return {
    name: 'backend',
    image: 'registry.example.com/chat/backend:1.4.2',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    envFrom: [{ configMapRef: { name: 'backend-config' } }],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    readinessProbe: { httpGet: { path: '/actuator/health/readiness', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/actuator/health/liveness', port: 'http' }, periodSeconds: 10 },
    resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '768Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function backendPodSpec(): Record<string, any> {
  return {
    serviceAccountName: 'backend',
    automountServiceAccountToken: false,
    imagePullSecrets: [{ name: 'regcred' }],
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [backendContainer()],
    volumes: [{ name: 'tmp', emptyDir: {} }],
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...NAME_LABELS } } },
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...NAME_LABELS } } },
    ],
  };
}

function fixture(environment = 'staging'): TreeObject[] {
  const namespace = `chat-${environment}`;
  const meta = (name: string, labels: Record<string, string> = LABELS) => ({ name, namespace, labels: { ...labels } });
  const manifests: [string, Record<string, any>][] = [
    ['backend', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        ...meta('backend'),
        annotations: { 'external.policy/Secret.regcred': 'registry pull secret, created out of band in the namespace' },
      },
      spec: {
        selector: { matchLabels: { ...NAME_LABELS } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { ...LABELS } }, spec: backendPodSpec() },
      },
    }],
    ['backend', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('backend'),
      spec: { type: 'ClusterIP', selector: { ...NAME_LABELS }, ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 'http' }] },
    }],
    ['backend', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('backend'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    }],
    ['backend', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('backend'),
      spec: { maxUnavailable: 1, selector: { matchLabels: { ...NAME_LABELS } }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    }],
    ['backend', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('backend'), automountServiceAccountToken: false }],
    ['backend', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('backend-config'),
      data: { SERVER_PORT: '8080', SERVER_SHUTDOWN: 'graceful', SPRING_PROFILES_ACTIVE: environment },
    }],
    ['platform', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny-all', PLATFORM_LABELS),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    }],
    ['platform', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-dns-egress', PLATFORM_LABELS),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
        }],
      },
    }],
  ];
  return manifests.map(([component, manifest]) => place(environment, component, manifest));
}

function place(environment: string, component: string, manifest: Record<string, any>): TreeObject {
  return treeObject(`envs/${environment}/${component}/${manifest.kind}-${manifest.metadata.name}.yaml`, manifest);
}

// ---------------------------------------------------------------------------------------------
// Editing the fixture

/** The manifest of `Kind/name` in the tree, to edit in place. */
function get(tree: TreeObject[], id: string): Record<string, any> {
  const found = tree.filter((o) => `${o.manifest.kind}/${o.manifest.metadata.name}` === id);
  if (found.length !== 1) throw new Error(`fixture has ${found.length} objects ${id}`);
  return found[0]!.manifest;
}

function remove(tree: TreeObject[], id: string): TreeObject[] {
  get(tree, id);
  return tree.filter((o) => `${o.manifest.kind}/${o.manifest.metadata.name}` !== id);
}

function add(tree: TreeObject[], manifest: Record<string, any>, component = 'backend'): TreeObject[] {
  const environment = tree[0]!.environment;
  return [...tree, place(environment, component, { ...manifest, metadata: { namespace: `chat-${environment}`, ...manifest.metadata } })];
}

function podSpec(tree: TreeObject[]): Record<string, any> {
  return get(tree, 'Deployment/backend').spec.template.spec;
}

function container(tree: TreeObject[]): Record<string, any> {
  return podSpec(tree).containers[0];
}

function ingress(extra: Record<string, any> = {}): Record<string, any> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'backend', labels: { ...LABELS } },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['chat.example.com'], secretName: 'chat-tls' }],
      rules: [{
        host: 'chat.example.com',
        http: { paths: [{ path: '/api', pathType: 'Prefix', backend: { service: { name: 'backend', port: { name: 'http' } } } }] },
      }],
      ...extra,
    },
  };
}

/** A one-off Job run by the backend image: completes, so it needs no probes and no spreading. */
function migrationJob(): Record<string, any> {
  const labels = { ...LABELS, 'app.kubernetes.io/instance': 'backend-migrate' };
  const { readinessProbe, livenessProbe, ports, ...jobContainer } = backendContainer();
  const { topologySpreadConstraints, ...spec } = backendPodSpec();
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'backend-migrate', labels, annotations: { 'external.policy/Secret.regcred': 'registry pull secret, created out of band' } },
    spec: { template: { metadata: { labels }, spec: { ...spec, restartPolicy: 'Never', containers: [{ ...jobContainer, name: 'migrate' }] } } },
  };
}

// ---------------------------------------------------------------------------------------------
// Assertions

function findingsOf(tree: TreeObject[]): Finding[] {
  return validateTree(tree).findings;
}

function expectClean(tree: TreeObject[]): void {
  expect(findingsOf(tree).map(formatFinding)).toEqual([]);
}

/** Exactly one finding, from `rule` on `object`, whose message says `fragment`. */
function expectOnlyFinding(tree: TreeObject[], rule: string, object: string, fragment: string): void {
  expectFindings(tree, [[rule, object, fragment]]);
}

/** Exactly these findings, in rule order: `[rule, object, message fragment]`. */
function expectFindings(tree: TreeObject[], expected: [string, string, string][]): void {
  const findings = findingsOf(tree);
  expect(findings.map((f) => `${f.rule} ${f.object}`)).toEqual(expected.map(([rule, object]) => `${rule} ${object}`));
  findings.forEach((f, i) => expect(f.message).toContain(expected[i]![2]));
}

/** Rule ids with a specification below; checked against RULES so a new rule cannot go untested. */
const specified = new Set<string>();

function describeRule(id: string, body: () => void): void {
  specified.add(id);
  describe(id, body);
}

// ---------------------------------------------------------------------------------------------

describe('the fixture', () => {
  test('passes every rule with no finding and no exemption', () => {
    const report = validateTree(fixture());
    expect(report.findings.map(formatFinding)).toEqual([]);
    expect(report.exemptions).toEqual([]);
    expect(report.objects).toBe(8);
  });
});

describe('rule coverage', () => {
  test('every rule in RULES has a specification: here, or in the suite of its family', () => {
    // The API-server, Argo CD and run-time rules are specified in suites of their own
    // (test/api-server-*.test.ts, test/argocd-rules.test.ts, test/runtime-rules.test.ts).
    const suites = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.ts') && f !== path.basename(__filename))
      .map((f) => fs.readFileSync(path.join(__dirname, f), 'utf8'));
    const elsewhere = (id: string) => suites.some((text) => text.includes(`'${id}'`));
    expect(RULES.map((r) => r.id).filter((id) => !specified.has(id) && !elsewhere(id))).toEqual([]);
  });

  test('every specified rule exists in RULES', () => {
    const ids = new Set(RULES.map((r) => r.id));
    expect([...specified].filter((id) => !ids.has(id))).toEqual([]);
  });

  test('every rule has a fix hint', () => {
    for (const rule of RULES) expect(rule.hint.trim()).not.toBe('');
  });
});

describeRule('K8S-SCHEMA', () => {
  test('rejects a field the Kubernetes API does not know', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.replica = 2;
    expectOnlyFinding(tree, 'K8S-SCHEMA', 'Deployment/backend', 'spec: unknown field "replica"');
  });

  test('rejects a value of the wrong type', () => {
    const tree = fixture();
    get(tree, 'HorizontalPodAutoscaler/backend').spec.maxReplicas = '4';
    expectOnlyFinding(tree, 'K8S-SCHEMA', 'HorizontalPodAutoscaler/backend', 'spec.maxReplicas: must be integer');
  });

  test('rejects an object missing a required field', () => {
    const tree = fixture();
    delete get(tree, 'Service/backend').spec.ports[0].port;
    expectFindings(tree, [
      ['K8S-SCHEMA', 'Service/backend', 'spec.ports[0]: missing required field "port"'],
      // The API server, which defaults a missing port to 0, refuses it too.
      ['API-SERVICE', 'Service/backend', 'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    ]);
  });

  test('rejects an API version removed before Kubernetes 1.28', () => {
    const tree = fixture();
    get(tree, 'PodDisruptionBudget/backend').apiVersion = 'policy/v1beta1';
    expectOnlyFinding(tree, 'K8S-SCHEMA', 'PodDisruptionBudget/backend', 'kind: policy/v1beta1 PodDisruptionBudget is not a kind of the Kubernetes 1.28 API');
  });
});

/** An Argo CD Application as the tree's apps/ folder holds it. */
function application(path: string): TreeObject {
  return treeObject('apps/staging/Application-staging-backend.yaml', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'staging-backend', namespace: 'argocd' },
      spec: {
        project: 'chat-platform',
        source: { repoURL: 'https://git.example.com/platform/chat-gitops.git', targetRevision: 'main', path },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'chat-staging' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
      },
  });
}

/** The AppProject `application()` belongs to: its repository and destination, any namespaced kind. */
function appProject(): TreeObject {
  return treeObject('bootstrap/AppProject-chat-platform.yaml', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'chat-platform', namespace: 'argocd' },
    spec: {
      sourceRepos: ['https://git.example.com/platform/chat-gitops.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'chat-staging' }],
    },
  });
}

describeRule('REF-ARGO-PATH', () => {
  test('accepts an Application whose path is a folder of the tree', () => {
    expectClean([...fixture(), appProject(), application('gitops/envs/staging/backend')]);
  });

  test('reports an Application whose path is not in the tree', () => {
    expectOnlyFinding([...fixture(), appProject(), application('gitops/envs/staging/kafka')], 'REF-ARGO-PATH', 'Application/staging-backend', 'spec.source.path: source path "gitops/envs/staging/kafka" is not a folder of the tree');
  });

  test('leaves paths outside the tree (another repository) alone', () => {
    expectClean([...fixture(), appProject(), application('charts/ingress-nginx')]);
  });
});

describe('K8S-SCHEMA on Argo CD objects', () => {
  test('accepts a valid Application', () => {
    expectClean([...fixture(), appProject(), application('gitops/envs/staging/backend')]);
  });

  test('rejects a field the Application CRD does not know', () => {
    const app = application('gitops/envs/staging/backend');
    app.manifest.spec.syncPolicy.automated.selfheal = true;
    expectOnlyFinding([...fixture(), appProject(), app], 'K8S-SCHEMA', 'Application/staging-backend', 'spec.syncPolicy.automated: unknown field "selfheal"');
  });

  test('validates Application metadata as Kubernetes object metadata', () => {
    const app = application('gitops/envs/staging/backend');
    app.manifest.metadata.finalizer = ['resources-finalizer.argocd.argoproj.io'];
    expectOnlyFinding([...fixture(), appProject(), app], 'K8S-SCHEMA', 'Application/staging-backend', 'metadata: unknown field "finalizer"');
  });

  test('rejects an Application without its required destination', () => {
    const app = application('gitops/envs/staging/backend');
    delete app.manifest.spec.destination;
    expectOnlyFinding([...fixture(), appProject(), app], 'K8S-SCHEMA', 'Application/staging-backend', 'spec: missing required field "destination"');
  });
});

describeRule('REF-SERVICE-SELECTOR', () => {
  test('reports a Service whose selector matches no pod template', () => {
    const tree = fixture();
    get(tree, 'Service/backend').spec.selector['app.kubernetes.io/name'] = 'backnd';
    expectOnlyFinding(tree, 'REF-SERVICE-SELECTOR', 'Service/backend', 'spec.selector: selector {');
  });

  test('does not let a Service select pods of another namespace', () => {
    const tree = fixture();
    get(tree, 'Service/backend').metadata.namespace = 'chat-other';
    expectOnlyFinding(tree, 'REF-SERVICE-SELECTOR', 'Service/backend', 'matches no pods');
  });

  test('accepts an ExternalName Service, which selects no pods by design', () => {
    const tree = add(fixture(), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kafka', labels: { ...LABELS } },
      spec: { type: 'ExternalName', externalName: 'kafka.messaging.svc.cluster.local' },
    });
    expectClean(tree);
  });
});

describeRule('REF-SERVICE-PORT', () => {
  test('reports a targetPort name no selected container declares', () => {
    const tree = fixture();
    get(tree, 'Service/backend').spec.ports[0].targetPort = 'grpc';
    expectOnlyFinding(tree, 'REF-SERVICE-PORT', 'Service/backend', 'targetPort "grpc" of port "http"');
  });

  test('reports a numeric targetPort no selected container declares', () => {
    const tree = fixture();
    get(tree, 'Service/backend').spec.ports[0].targetPort = 9090;
    expectOnlyFinding(tree, 'REF-SERVICE-PORT', 'Service/backend', 'targetPort 9090');
  });

  test('accepts a numeric targetPort equal to the containerPort', () => {
    const tree = fixture();
    get(tree, 'Service/backend').spec.ports[0].targetPort = 8080;
    expectClean(tree);
  });
});

describeRule('REF-INGRESS-BACKEND', () => {
  test('accepts an Ingress routing to an existing Service port by name', () => {
    expectClean(add(fixture(), ingress()));
  });

  test('reports a backend Service that does not exist', () => {
    const ing = ingress();
    ing.spec.rules[0].http.paths[0].backend.service.name = 'api';
    expectOnlyFinding(add(fixture(), ing), 'REF-INGRESS-BACKEND', 'Ingress/backend', 'spec.rules[0].http.paths[0].backend.service.name: backend Service "api" does not exist');
  });

  test('reports a backend port the Service does not expose', () => {
    const ing = ingress();
    ing.spec.rules[0].http.paths[0].backend.service.port = { number: 80 };
    expectOnlyFinding(add(fixture(), ing), 'REF-INGRESS-BACKEND', 'Ingress/backend', 'spec.rules[0].http.paths[0].backend.service.port.number: backend Service "backend" has no port 80');
  });
});

describeRule('REF-SCALE-TARGET', () => {
  test('reports a HorizontalPodAutoscaler scaling a workload that does not exist', () => {
    const tree = fixture();
    get(tree, 'HorizontalPodAutoscaler/backend').spec.scaleTargetRef.name = 'backend-v2';
    expectOnlyFinding(tree, 'REF-SCALE-TARGET', 'HorizontalPodAutoscaler/backend', 'spec.scaleTargetRef: scaleTargetRef Deployment/backend-v2 matches 0 workloads');
  });

  test('reports a HorizontalPodAutoscaler naming the right workload with the wrong kind', () => {
    const tree = fixture();
    get(tree, 'HorizontalPodAutoscaler/backend').spec.scaleTargetRef.kind = 'StatefulSet';
    expectOnlyFinding(tree, 'REF-SCALE-TARGET', 'HorizontalPodAutoscaler/backend', 'StatefulSet/backend matches 0 workloads');
  });
});

describeRule('REF-PDB-SELECTOR', () => {
  test('reports a PodDisruptionBudget selecting no workload', () => {
    const tree = fixture();
    get(tree, 'PodDisruptionBudget/backend').spec.selector.matchLabels['app.kubernetes.io/name'] = 'backnd';
    expectOnlyFinding(tree, 'REF-PDB-SELECTOR', 'PodDisruptionBudget/backend', 'spec.selector: selector matches 0 workloads');
  });

  test('reports a PodDisruptionBudget selecting the pods of two workloads', () => {
    let tree = fixture();
    const canary = structuredClone(get(tree, 'Deployment/backend'));
    canary.metadata.name = 'backend-canary';
    canary.metadata.labels['app.kubernetes.io/instance'] = 'backend-canary';
    canary.spec.selector.matchLabels['app.kubernetes.io/instance'] = 'backend-canary';
    canary.spec.template.metadata.labels['app.kubernetes.io/instance'] = 'backend-canary';
    for (const c of canary.spec.template.spec.topologySpreadConstraints) c.labelSelector.matchLabels['app.kubernetes.io/instance'] = 'backend-canary';
    tree = add(tree, canary);
    get(tree, 'PodDisruptionBudget/backend').spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'backend' } };
    expectOnlyFinding(tree, 'REF-PDB-SELECTOR', 'PodDisruptionBudget/backend', 'matches 2 workloads (Deployment/backend, Deployment/backend-canary)');
  });
});

describeRule('REF-NETPOL-SELECTOR', () => {
  const allowFromFrontend = (podSelector: Record<string, any>) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'backend-from-frontend', labels: { ...LABELS } },
    spec: {
      podSelector,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    },
  });

  test('accepts a NetworkPolicy whose podSelector matches a workload', () => {
    expectClean(add(fixture(), allowFromFrontend({ matchLabels: { ...NAME_LABELS } })));
  });

  test('reports a NetworkPolicy whose podSelector selects no pods', () => {
    const tree = add(fixture(), allowFromFrontend({ matchLabels: { 'app.kubernetes.io/name': 'backnd' } }));
    expectOnlyFinding(tree, 'REF-NETPOL-SELECTOR', 'NetworkPolicy/backend-from-frontend', 'spec.podSelector: podSelector {"matchLabels":{"app.kubernetes.io/name":"backnd"}} selects no pods');
  });

  test('reports a podSelector expression no workload satisfies', () => {
    const tree = add(fixture(), allowFromFrontend({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }] }));
    expectOnlyFinding(tree, 'REF-NETPOL-SELECTOR', 'NetworkPolicy/backend-from-frontend', 'selects no pods');
  });
});

describeRule('REF-POD-OBJECTS', () => {
  test('reports a ServiceAccount missing from the tree', () => {
    const tree = remove(fixture(), 'ServiceAccount/backend');
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references ServiceAccount "backend", which is neither in the tree nor declared external');
  });

  test('reports a ConfigMap missing from the tree', () => {
    const tree = fixture();
    container(tree).envFrom[0].configMapRef.name = 'backend-settings';
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references ConfigMap "backend-settings"');
  });

  test('does not count an object of the same name in another namespace', () => {
    const tree = fixture();
    get(tree, 'ConfigMap/backend-config').metadata.namespace = 'chat-other';
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references ConfigMap "backend-config"');
  });

  test('reports a pull Secret that is not declared external', () => {
    const tree = fixture();
    delete get(tree, 'Deployment/backend').metadata.annotations['external.policy/Secret.regcred'];
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references Secret "regcred"');
  });

  test('does not accept an external declaration without a reason', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').metadata.annotations['external.policy/Secret.regcred'] = '  ';
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references Secret "regcred"');
  });

  test('accepts a Secret read by an env var when it is declared external', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').metadata.annotations['external.policy/Secret.backend-db'] = 'created by the database operator';
    container(tree).env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-db', key: 'password' } } });
    expectClean(tree);
  });

  test('reports a Secret volume that is neither in the tree nor declared external', () => {
    const tree = fixture();
    podSpec(tree).volumes.push({ name: 'tls', secret: { secretName: 'backend-tls' } });
    expectOnlyFinding(tree, 'REF-POD-OBJECTS', 'Deployment/backend', 'references Secret "backend-tls"');
  });

  test('accepts a missing ConfigMap the pod marks optional', () => {
    const tree = fixture();
    container(tree).envFrom.push({ configMapRef: { name: 'backend-overrides', optional: true } });
    expectClean(tree);
  });
});

describeRule('POD-NON-ROOT', () => {
  test('reports a container that runs as uid 0', () => {
    const tree = fixture();
    container(tree).securityContext.runAsUser = 0;
    expectOnlyFinding(tree, 'POD-NON-ROOT', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.runAsUser: container "backend" may run as root');
  });

  test('reports a pod that does not require a non-root user', () => {
    const tree = fixture();
    delete container(tree).securityContext.runAsNonRoot;
    delete podSpec(tree).securityContext.runAsNonRoot;
    expectOnlyFinding(tree, 'POD-NON-ROOT', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.runAsNonRoot: container "backend" may run as root');
  });

  test('lets a container override the pod to run as root, and reports it', () => {
    const tree = fixture();
    container(tree).securityContext.runAsNonRoot = false;
    expectOnlyFinding(tree, 'POD-NON-ROOT', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.runAsNonRoot: container "backend" may run as root');
  });

  test('accepts runAsNonRoot inherited from the pod security context', () => {
    const tree = fixture();
    delete container(tree).securityContext.runAsNonRoot;
    expectClean(tree);
  });
});

describeRule('POD-NO-PRIVILEGE-ESCALATION', () => {
  test('reports a container that does not forbid privilege escalation', () => {
    const tree = fixture();
    delete container(tree).securityContext.allowPrivilegeEscalation;
    expectOnlyFinding(tree, 'POD-NO-PRIVILEGE-ESCALATION', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: container "backend" allows privilege escalation');
  });

  test('reports a privileged container', () => {
    const tree = fixture();
    container(tree).securityContext.privileged = true;
    expectFindings(tree, [
      ['API-POD-SPEC', 'Deployment/backend', 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'],
      ['POD-NO-PRIVILEGE-ESCALATION', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.privileged: container "backend" allows privilege escalation'],
    ]);
  });
});

describeRule('POD-DROP-ALL-CAPABILITIES', () => {
  test('reports a container that does not drop ALL capabilities', () => {
    const tree = fixture();
    container(tree).securityContext.capabilities.drop = ['NET_RAW'];
    expectOnlyFinding(tree, 'POD-DROP-ALL-CAPABILITIES', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.capabilities.drop: container "backend" keeps Linux capabilities');
  });

  test('reports a container that adds a capability back', () => {
    const tree = fixture();
    container(tree).securityContext.capabilities.add = ['SYS_ADMIN'];
    expectOnlyFinding(tree, 'POD-DROP-ALL-CAPABILITIES', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.capabilities.add: container "backend" keeps Linux capabilities');
  });

  test('accepts adding back NET_BIND_SERVICE, as the restricted Pod Security Standard does', () => {
    const tree = fixture();
    container(tree).securityContext.capabilities.add = ['NET_BIND_SERVICE'];
    expectClean(tree);
  });
});

describeRule('POD-SECCOMP', () => {
  test('reports a pod without any seccomp profile', () => {
    const tree = fixture();
    delete container(tree).securityContext.seccompProfile;
    delete podSpec(tree).securityContext.seccompProfile;
    expectOnlyFinding(tree, 'POD-SECCOMP', 'Deployment/backend', 'spec.template.spec.securityContext.seccompProfile.type: container "backend" runs without a seccomp profile');
  });

  test('reports a container that overrides the pod profile with Unconfined', () => {
    const tree = fixture();
    container(tree).securityContext.seccompProfile = { type: 'Unconfined' };
    expectOnlyFinding(tree, 'POD-SECCOMP', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.seccompProfile.type: container "backend" runs without a seccomp profile');
  });

  test('accepts a profile set only on the pod', () => {
    const tree = fixture();
    delete container(tree).securityContext.seccompProfile;
    expectClean(tree);
  });
});

describeRule('POD-READONLY-ROOT', () => {
  test('reports a container with a writable root filesystem', () => {
    const tree = fixture();
    delete container(tree).securityContext.readOnlyRootFilesystem;
    expectOnlyFinding(tree, 'POD-READONLY-ROOT', 'Deployment/backend', 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: container "backend" has a writable root filesystem');
  });

  test('checks init containers too', () => {
    const tree = fixture();
    const { readinessProbe, livenessProbe, ports, ...init } = backendContainer();
    delete init.securityContext.readOnlyRootFilesystem;
    podSpec(tree).initContainers = [{ ...init, name: 'wait-for-kafka' }];
    expectOnlyFinding(tree, 'POD-READONLY-ROOT', 'Deployment/backend', 'spec.template.spec.initContainers[0].securityContext.readOnlyRootFilesystem: container "wait-for-kafka" has a writable root filesystem');
  });
});

describeRule('CONTAINER-RESOURCES', () => {
  test('reports a container without a memory limit', () => {
    const tree = fixture();
    delete container(tree).resources.limits.memory;
    expectOnlyFinding(tree, 'CONTAINER-RESOURCES', 'Deployment/backend', 'spec.template.spec.containers[0].resources.limits.memory: container "backend" has no limits.memory');
  });

  test('lists every missing request and limit', () => {
    const tree = fixture();
    delete container(tree).resources;
    expectOnlyFinding(tree, 'CONTAINER-RESOURCES', 'Deployment/backend', 'spec.template.spec.containers[0].resources: container "backend" has no requests.cpu, requests.memory, limits.cpu, limits.memory');
  });
});

describeRule('CONTAINER-PROBES', () => {
  test('reports a long-running container without a readiness probe', () => {
    const tree = fixture();
    delete container(tree).readinessProbe;
    expectOnlyFinding(tree, 'CONTAINER-PROBES', 'Deployment/backend', 'spec.template.spec.containers[0].readinessProbe: container "backend" has no readinessProbe');
  });

  test('reports a long-running container without any probe', () => {
    const tree = fixture();
    delete container(tree).readinessProbe;
    delete container(tree).livenessProbe;
    expectOnlyFinding(tree, 'CONTAINER-PROBES', 'Deployment/backend', 'spec.template.spec.containers[0]: container "backend" has no readinessProbe or livenessProbe');
  });

  test('accepts a Job without probes, since it runs to completion', () => {
    expectClean(add(fixture(), migrationJob()));
  });
});

describeRule('IMAGE-PINNED', () => {
  test('refuses the latest tag', () => {
    const tree = fixture();
    container(tree).image = 'registry.example.com/chat/backend:latest';
    expectOnlyFinding(tree, 'IMAGE-PINNED', 'Deployment/backend', 'spec.template.spec.containers[0].image: container "backend" image');
  });

  test('refuses an untagged image', () => {
    const tree = fixture();
    container(tree).image = 'registry.example.com/chat/backend';
    expectOnlyFinding(tree, 'IMAGE-PINNED', 'Deployment/backend', 'untagged');
  });

  test('refuses a malformed image reference', () => {
    const tree = fixture();
    container(tree).image = 'registry.example.com/Chat/backend:1.4.2';
    expectOnlyFinding(tree, 'IMAGE-PINNED', 'Deployment/backend', 'must be lowercase');
  });

  test('accepts an image pinned by digest', () => {
    const tree = fixture();
    container(tree).image = `registry.example.com/chat/backend@sha256:${'a'.repeat(64)}`;
    expectClean(tree);
  });
});

describeRule('DEPLOYMENT-ZERO-DOWNTIME', () => {
  test('reports a rolling update that may take a serving pod away', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.strategy.rollingUpdate.maxUnavailable = 1;
    expectOnlyFinding(tree, 'DEPLOYMENT-ZERO-DOWNTIME', 'Deployment/backend', 'spec.strategy.rollingUpdate.maxUnavailable: strategy RollingUpdate with maxUnavailable 1');
  });

  test('reports a percentage maxUnavailable, which is above zero pods at some scale', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.strategy.rollingUpdate.maxUnavailable = '10%';
    expectOnlyFinding(tree, 'DEPLOYMENT-ZERO-DOWNTIME', 'Deployment/backend', 'maxUnavailable "10%"');
  });

  test('reports the Recreate strategy', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.strategy = { type: 'Recreate' };
    expectOnlyFinding(tree, 'DEPLOYMENT-ZERO-DOWNTIME', 'Deployment/backend', 'spec.strategy.type: strategy Recreate with maxUnavailable "all"');
  });

  test('reports a Deployment left to the default strategy (25% unavailable)', () => {
    const tree = fixture();
    delete get(tree, 'Deployment/backend').spec.strategy;
    expectOnlyFinding(tree, 'DEPLOYMENT-ZERO-DOWNTIME', 'Deployment/backend', 'strategy default with maxUnavailable "25%"');
  });

  test('reports a rolling update that can neither surge nor remove a pod', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.strategy.rollingUpdate.maxSurge = 0;
    expectFindings(tree, [
      ['API-DEPLOYMENT-SPEC', 'Deployment/backend', 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
      ['DEPLOYMENT-ZERO-DOWNTIME', 'Deployment/backend', 'spec.strategy.rollingUpdate.maxSurge: strategy RollingUpdate with maxUnavailable 0'],
    ]);
  });

  test('accepts 0% unavailable with a percentage surge', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').spec.strategy.rollingUpdate = { maxUnavailable: '0%', maxSurge: '25%' };
    expectClean(tree);
  });
});

describeRule('HPA-BOUNDS', () => {
  test('refuses a single minimum replica in prod', () => {
    const tree = fixture('prod');
    get(tree, 'HorizontalPodAutoscaler/backend').spec.minReplicas = 1;
    expectOnlyFinding(tree, 'HPA-BOUNDS', 'HorizontalPodAutoscaler/backend', 'spec.minReplicas: minReplicas 1 / maxReplicas 4');
  });

  test('refuses a minimum left to the default of one outside dev', () => {
    const tree = fixture('staging');
    delete get(tree, 'HorizontalPodAutoscaler/backend').spec.minReplicas;
    expectOnlyFinding(tree, 'HPA-BOUNDS', 'HorizontalPodAutoscaler/backend', 'minReplicas 1');
  });

  test('accepts a single minimum replica in dev', () => {
    const tree = fixture('dev');
    get(tree, 'HorizontalPodAutoscaler/backend').spec.minReplicas = 1;
    expectClean(tree);
  });

  test('refuses a maximum that leaves no room to scale', () => {
    const tree = fixture('prod');
    get(tree, 'HorizontalPodAutoscaler/backend').spec.maxReplicas = 2;
    expectOnlyFinding(tree, 'HPA-BOUNDS', 'HorizontalPodAutoscaler/backend', 'spec.maxReplicas: minReplicas 2 / maxReplicas 2');
  });
});

describeRule('PDB-ALLOWS-EVICTION', () => {
  const pdb = (tree: TreeObject[], budget: Record<string, unknown>) => {
    const spec = get(tree, 'PodDisruptionBudget/backend').spec;
    delete spec.maxUnavailable;
    Object.assign(spec, budget);
    return tree;
  };

  test('reports maxUnavailable 0, which blocks every node drain', () => {
    expectOnlyFinding(pdb(fixture(), { maxUnavailable: 0 }), 'PDB-ALLOWS-EVICTION', 'PodDisruptionBudget/backend', 'spec.maxUnavailable: maxUnavailable 0 blocks every eviction');
  });

  test('reports minAvailable equal to the autoscaler minimum', () => {
    expectOnlyFinding(pdb(fixture(), { minAvailable: 2 }), 'PDB-ALLOWS-EVICTION', 'PodDisruptionBudget/backend', 'spec.minAvailable: minAvailable 2 is not below the minimum of 2 replicas');
  });

  test('accepts minAvailable below the autoscaler minimum', () => {
    expectClean(pdb(fixture(), { minAvailable: 1 }));
  });

  test('rounds a percentage minAvailable up, as the disruption controller does', () => {
    // 60% of 2 pods is 1.2, which Kubernetes rounds up to 2: no pod may ever be evicted.
    expectOnlyFinding(pdb(fixture(), { minAvailable: '60%' }), 'PDB-ALLOWS-EVICTION', 'PodDisruptionBudget/backend', 'minAvailable "60%"');
  });

  test('accepts a percentage minAvailable that leaves one pod evictable', () => {
    expectClean(pdb(fixture(), { minAvailable: '50%' }));
  });

  test('rounds a percentage maxUnavailable up, so a small one still allows one eviction', () => {
    expectClean(pdb(fixture(), { maxUnavailable: '10%' }));
  });

  test('uses the Deployment replicas as the minimum when no autoscaler scales it', () => {
    const tree = pdb(remove(fixture(), 'HorizontalPodAutoscaler/backend'), { minAvailable: 2 });
    get(tree, 'Deployment/backend').spec.replicas = 3;
    expectClean(tree);
    get(tree, 'Deployment/backend').spec.replicas = 2;
    expectOnlyFinding(tree, 'PDB-ALLOWS-EVICTION', 'PodDisruptionBudget/backend', 'not below the minimum of 2 replicas');
  });

  test('reports a budget that sets neither field', () => {
    expectOnlyFinding(pdb(fixture(), {}), 'PDB-ALLOWS-EVICTION', 'PodDisruptionBudget/backend', 'spec: sets neither maxUnavailable nor minAvailable');
  });
});

describeRule('TOPOLOGY-SPREAD', () => {
  test('reports a workload whose pods may all land on one node', () => {
    const tree = fixture();
    delete podSpec(tree).topologySpreadConstraints;
    expectOnlyFinding(tree, 'TOPOLOGY-SPREAD', 'Deployment/backend', 'spec.template.spec.topologySpreadConstraints: pods may all land on one node');
  });

  test('does not count spreading over zones alone', () => {
    const tree = fixture();
    podSpec(tree).topologySpreadConstraints.shift();
    expectOnlyFinding(tree, 'TOPOLOGY-SPREAD', 'Deployment/backend', 'pods may all land on one node');
  });

  test('does not count a constraint that selects other pods', () => {
    const tree = fixture();
    podSpec(tree).topologySpreadConstraints[0].labelSelector.matchLabels['app.kubernetes.io/name'] = 'frontend';
    expectOnlyFinding(tree, 'TOPOLOGY-SPREAD', 'Deployment/backend', 'pods may all land on one node');
  });

  test('accepts pod anti-affinity instead', () => {
    const tree = fixture();
    delete podSpec(tree).topologySpreadConstraints;
    podSpec(tree).affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...NAME_LABELS } } } },
        ],
      },
    };
    expectClean(tree);
  });
});

describeRule('NETWORKPOLICY-COVERAGE', () => {
  test('reports a workload whose ingress no NetworkPolicy governs', () => {
    const tree = remove(fixture(), 'NetworkPolicy/default-deny-all');
    expectOnlyFinding(tree, 'NETWORKPOLICY-COVERAGE', 'Deployment/backend', 'spec.template.metadata.labels: no NetworkPolicy governs its Ingress traffic');
  });

  test('reports a workload no NetworkPolicy selects at all', () => {
    const tree = remove(remove(fixture(), 'NetworkPolicy/default-deny-all'), 'NetworkPolicy/allow-dns-egress');
    expectOnlyFinding(tree, 'NETWORKPOLICY-COVERAGE', 'Deployment/backend', 'spec.template.metadata.labels: no NetworkPolicy governs its Ingress and Egress traffic');
  });

  test('does not count NetworkPolicies of another namespace', () => {
    const tree = fixture();
    get(tree, 'NetworkPolicy/default-deny-all').metadata.namespace = 'chat-other';
    get(tree, 'NetworkPolicy/allow-dns-egress').metadata.namespace = 'chat-other';
    expectOnlyFinding(tree, 'NETWORKPOLICY-COVERAGE', 'Deployment/backend', 'Ingress and Egress');
  });

  test('counts a policy with egress rules and no policyTypes as governing egress, as Kubernetes does', () => {
    const tree = fixture();
    get(tree, 'NetworkPolicy/default-deny-all').spec.policyTypes = ['Ingress'];
    delete get(tree, 'NetworkPolicy/allow-dns-egress').spec.policyTypes;
    expectClean(tree);
  });
});

describeRule('INGRESS-TLS', () => {
  test('accepts an Ingress whose every host is served over TLS', () => {
    expectClean(add(fixture(), ingress()));
  });

  test('reports an Ingress without TLS', () => {
    const ing = ingress();
    delete ing.spec.tls;
    expectOnlyFinding(add(fixture(), ing), 'INGRESS-TLS', 'Ingress/backend', 'spec.tls: serves chat.example.com without TLS');
  });

  test('reports a host the TLS section does not cover', () => {
    const ing = ingress();
    ing.spec.rules.push({ ...structuredClone(ing.spec.rules[0]), host: 'admin.example.com' });
    expectOnlyFinding(add(fixture(), ing), 'INGRESS-TLS', 'Ingress/backend', 'serves admin.example.com without TLS');
  });

  test('reports a TLS entry without a certificate Secret', () => {
    const ing = ingress();
    delete ing.spec.tls[0].secretName;
    expectOnlyFinding(add(fixture(), ing), 'INGRESS-TLS', 'Ingress/backend', 'serves chat.example.com without TLS');
  });
});

describeRule('NO-SECRET-IN-GIT', () => {
  const secret = (fields: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'backend-db', labels: { ...LABELS } },
    type: 'Opaque',
    ...fields,
  });

  test('reports a Secret carrying data', () => {
    const tree = add(fixture(), secret({ data: { password: 'aHVudGVyMg==' } }));
    expectOnlyFinding(tree, 'NO-SECRET-IN-GIT', 'Secret/backend-db', 'data: holds secret data in git (password)');
  });

  test('reports a Secret carrying stringData', () => {
    const tree = add(fixture(), secret({ stringData: { username: 'chat', password: 'hunter2' } }));
    expectOnlyFinding(tree, 'NO-SECRET-IN-GIT', 'Secret/backend-db', '(username, password)');
  });

  test('accepts a workload reading a Secret declared as created outside git', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').metadata.annotations['external.policy/Secret.backend-db'] = 'created by the database operator';
    podSpec(tree).volumes.push({ name: 'db', secret: { secretName: 'backend-db' } });
    expectClean(tree);
  });
});

describeRule('NO-SECRET-VALUES', () => {
  test('reports an env var whose name says it holds a secret', () => {
    const tree = fixture();
    container(tree).env.push({ name: 'DB_PASSWORD', value: 'hunter2' });
    expectOnlyFinding(tree, 'NO-SECRET-VALUES', 'Deployment/backend', `spec.template.spec.containers[0].env[${container(tree).env.length - 1}].value: container "backend" env DB_PASSWORD: its name "DB_PASSWORD" says it holds a secret`);
  });

  test('reports a ConfigMap value that looks like a credential whatever its key', () => {
    const tree = fixture();
    get(tree, 'ConfigMap/backend-config').data.DATABASE_URL = 'postgres://chat:s3cret@db.internal:5432/chat';
    expectOnlyFinding(tree, 'NO-SECRET-VALUES', 'ConfigMap/backend-config', 'data[DATABASE_URL]: key DATABASE_URL: its value looks like a URL with a password');
  });

  test('reports a private key pasted into an env var', () => {
    const tree = fixture();
    container(tree).env.push({ name: 'SIGNING_MATERIAL', value: '-----BEGIN RSA PRIVATE KEY-----\nMIIEow...' });
    expectOnlyFinding(tree, 'NO-SECRET-VALUES', 'Deployment/backend', 'env SIGNING_MATERIAL: its value looks like a private key');
  });

  test('accepts a secret-named env var read from a Secret', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').metadata.annotations['external.policy/Secret.backend-db'] = 'created by the database operator';
    container(tree).env.push({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'backend-db', key: 'password' } } });
    expectClean(tree);
  });
});

describeRule('NO-CREDENTIALS', () => {
  test('reports a webhook URL anywhere in an object, naming where and what it looks like, never the value', () => {
    const tree = fixture();
    const url = 'https://discord.com/api/webhooks/123456789012345678/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    get(tree, 'Service/backend').metadata.annotations = { 'alerts.example.com/hook': url };
    expectOnlyFinding(tree, 'NO-CREDENTIALS', 'Service/backend', 'metadata.annotations[alerts.example.com/hook]: holds what looks like a Discord webhook URL');
    expect(findingsOf(tree)[0]!.message).not.toContain('AbCdEf');
  });

  test('reports an access key id in a probe header', () => {
    const tree = fixture();
    container(tree).readinessProbe.httpGet.httpHeaders = [{ name: 'X-Key', value: 'AKIAIOSFODNN7EXAMPLE' }];
    expectOnlyFinding(tree, 'NO-CREDENTIALS', 'Deployment/backend', `${'spec.template.spec.containers[0]'}.readinessProbe.httpGet.httpHeaders[0].value: holds what looks like an AWS access key id`);
  });

  test('reports a URL with a password in a repository URL of any kind of object', () => {
    const tree = fixture();
    get(tree, 'ConfigMap/backend-config').metadata.annotations = { source: 'https://deploy:hunter22@git.example.com/chat.git' };
    expectOnlyFinding(tree, 'NO-CREDENTIALS', 'ConfigMap/backend-config', 'holds what looks like a URL with a password');
  });

  test('accepts URLs and identifiers that only resemble credentials', () => {
    const tree = fixture();
    get(tree, 'Service/backend').metadata.annotations = { docs: 'https://discord.com/developers/docs/resources/webhook', ref: 'AKIA-not-a-key' };
    expectClean(tree);
  });

  test('reports a credential used as a key, and one inside a list, with their paths', () => {
    const tree = fixture();
    get(tree, 'Service/backend').metadata.annotations = { 'ghp_abcdefghijklmnopqrstuvwxyz0123456789': 'token' };
    container(tree).args = ['--verbose', '--key=AKIAIOSFODNN7EXAMPLE'];
    expectFindings(tree, [
      ['NO-CREDENTIALS', 'Deployment/backend', 'spec.template.spec.containers[0].args[1]: holds what looks like an AWS access key id'],
      ['NO-CREDENTIALS', 'Service/backend', 'metadata.annotations: a key holds what looks like a GitHub token'],
    ]);
  });

  test('leaves env values and ConfigMap entries to NO-SECRET-VALUES, which names them', () => {
    const tree = fixture();
    container(tree).env.push({ name: 'UPSTREAM', value: 'https://deploy:hunter22@git.example.com/chat.git' });
    get(tree, 'ConfigMap/backend-config').data = { ...get(tree, 'ConfigMap/backend-config').data, 'upstream.url': 'https://deploy:hunter22@git.example.com/chat.git' };
    const findings = findingsOf(tree).map((f) => [f.rule, f.object]);
    expect(findings.filter(([rule]) => rule === 'NO-CREDENTIALS')).toEqual([]);
    expect(findings).toEqual(expect.arrayContaining([['NO-SECRET-VALUES', 'Deployment/backend'], ['NO-SECRET-VALUES', 'ConfigMap/backend-config']]));
  });
});

describeRule('LABEL-INSTANCE', () => {
  test('reports a workload whose instance label is not its own name', () => {
    const tree = fixture();
    get(tree, 'Deployment/backend').metadata.labels['app.kubernetes.io/instance'] = 'chat';
    expectOnlyFinding(tree, 'LABEL-INSTANCE', 'Deployment/backend', 'metadata.labels[app.kubernetes.io/instance]: app.kubernetes.io/instance is "chat" on the object and "backend" on its pods, not "backend"');
  });

  test('reports a workload without an instance label', () => {
    const tree = fixture();
    delete get(tree, 'Deployment/backend').metadata.labels['app.kubernetes.io/instance'];
    expectOnlyFinding(tree, 'LABEL-INSTANCE', 'Deployment/backend', 'metadata.labels[app.kubernetes.io/instance]: app.kubernetes.io/instance is undefined on the object');
  });

  test('accepts a Job labelled with its own name', () => {
    expectClean(add(fixture(), migrationJob()));
  });
});

const PROTECTED = { 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=confirm' };

function namespace(annotations?: Record<string, string>): Record<string, any> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'chat-staging', labels: { ...PLATFORM_LABELS }, ...(annotations ? { annotations } : {}) } };
}

describeRule('ARGOCD-PROTECT-STATE', () => {
  test('accepts a Namespace kept on Application deletion and pruned only on confirmation', () => {
    expectClean(add(fixture(), namespace(PROTECTED), 'platform'));
  });

  test('reports a Namespace without the sync options, naming both it lacks', () => {
    const tree = add(fixture(), namespace(), 'platform');
    expectOnlyFinding(tree, 'ARGOCD-PROTECT-STATE', 'Namespace/chat-staging', 'metadata.annotations[argocd.argoproj.io/sync-options]: lacks Delete=false (kept when its Application is deleted) and Prune=confirm');
  });

  test('reports a Namespace that may be pruned without a confirmation', () => {
    const tree = add(fixture(), namespace({ 'argocd.argoproj.io/sync-options': 'Delete=false' }), 'platform');
    expectOnlyFinding(tree, 'ARGOCD-PROTECT-STATE', 'Namespace/chat-staging', 'lacks Prune=confirm');
  });

  test('reports a PersistentVolumeClaim, and leaves a ConfigMap alone', () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'uploads', labels: { ...LABELS } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expectOnlyFinding(add(fixture(), claim), 'ARGOCD-PROTECT-STATE', 'PersistentVolumeClaim/uploads', 'lacks Delete=false');
  });

  test('is waived by an exemption with a reason, like every rule', () => {
    const tree = add(fixture(), namespace({ 'exempt.policy/ARGOCD-PROTECT-STATE': 'scratch namespace, recreated by every test run' }), 'platform');
    const report = validateTree(tree);
    expect(report.findings.filter((f) => f.rule === 'ARGOCD-PROTECT-STATE')).toEqual([]);
    expect(report.exemptions.map((x) => x.rule)).toEqual(['ARGOCD-PROTECT-STATE']);
  });
});

describeRule('ARGOCD-PROTECTED-ENVIRONMENT', () => {
  const prodApplication = (metadata: Record<string, any>): TreeObject => {
    const app = application('gitops/envs/staging/backend');
    return treeObject('apps/prod/Application-prod-backend.yaml', { ...app.manifest, metadata: { ...app.manifest.metadata, name: 'prod-backend', ...metadata } });
  };
  const findings = (tree: TreeObject[], protectedNames: string[] = ['prod']) =>
    validateTree(tree, { isProtected: (name) => protectedNames.includes(name) }).findings.filter((f) => f.rule === 'ARGOCD-PROTECTED-ENVIRONMENT');

  test('accepts an Application of a protected environment without the finalizer and with Prune=confirm', () => {
    expect(findings([...fixture(), prodApplication({ annotations: PROTECTED })])).toEqual([]);
  });

  test('reports one that carries the resources finalizer (any of its spellings)', () => {
    const tree = [...fixture(), prodApplication({ annotations: PROTECTED, finalizers: ['resources-finalizer.argocd.argoproj.io/background'] })];
    expect(findings(tree).map((f) => f.message)).toEqual([expect.stringMatching(/^metadata\.finalizers: .*carries the resources finalizer/)]);
  });

  test('reports one that may be pruned by the root without a confirmation', () => {
    expect(findings([...fixture(), prodApplication({})]).map((f) => f.message)).toEqual([
      expect.stringMatching(/^metadata\.annotations\[argocd\.argoproj\.io\/sync-options\]: environment prod is protected, but this Application lacks Delete=false .* and Prune=confirm/),
    ]);
  });

  test('by default protects prod only, and an environment that is not protected may cascade', () => {
    const cascading = prodApplication({ finalizers: ['resources-finalizer.argocd.argoproj.io'] });
    expect(validateTree([...fixture(), cascading]).findings.map((f) => f.rule)).toContain('ARGOCD-PROTECTED-ENVIRONMENT');
    expect(findings([...fixture(), cascading], [])).toEqual([]);
    expect(findings([...fixture(), application('gitops/envs/staging/backend')])).toEqual([]);
  });
});

describe('exemptions', () => {
  const writableRoot = (reason: string) => {
    const tree = fixture();
    delete container(tree).securityContext.readOnlyRootFilesystem;
    get(tree, 'Deployment/backend').metadata.annotations['exempt.policy/POD-READONLY-ROOT'] = reason;
    return tree;
  };

  test('an exemption with a reason moves the finding into exemptions, with its reason', () => {
    const report = validateTree(writableRoot('  vendor image writes to /var/cache/nginx; tracked in CHAT-142 '));
    expect(report.findings).toEqual([]);
    expect(report.exemptions).toEqual([
      expect.objectContaining({
        rule: 'POD-READONLY-ROOT',
        object: 'Deployment/backend',
        environment: 'staging',
        component: 'backend',
        reason: 'vendor image writes to /var/cache/nginx; tracked in CHAT-142',
      }),
    ]);
  });

  test('an exemption with an empty reason waives nothing', () => {
    const report = validateTree(writableRoot(' '));
    expect(report.findings.map((f) => `${f.rule} ${f.object}`)).toEqual(['POD-READONLY-ROOT Deployment/backend']);
    expect(report.exemptions).toEqual([]);
  });

  test('an exemption waives only the rule it names', () => {
    const tree = writableRoot('tracked in CHAT-142');
    container(tree).image = 'registry.example.com/chat/backend:latest';
    const report = validateTree(tree);
    expect(report.findings.map((f) => f.rule)).toEqual(['IMAGE-PINNED']);
    expect(report.exemptions.map((e) => e.rule)).toEqual(['POD-READONLY-ROOT']);
  });

  test('an exemption waives only findings on the object that declares it', () => {
    const tree = fixture();
    delete container(tree).securityContext.readOnlyRootFilesystem;
    get(tree, 'Service/backend').metadata.annotations = { 'exempt.policy/POD-READONLY-ROOT': 'declared on the wrong object' };
    const report = validateTree(tree);
    expect(report.findings.map((f) => `${f.rule} ${f.object}`)).toEqual(['POD-READONLY-ROOT Deployment/backend']);
    expect(report.exemptions).toEqual([]);
  });
});
