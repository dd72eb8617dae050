/**
 * Every rule refuses what it exists for, on the tree synth really writes: the tree of the fixture
 * environments is synthesized once, then each rule is broken once (one realistic breakage of one
 * object, or of the tree for rules about relations) and the whole tree is validated again. The
 * table is keyed by rule id and checked against RULES, so a new rule without a mutation fails here.
 */
import * as path from 'node:path';
import { renderTree } from '../app/synthesize';
import { isProtected } from '../lib/environment/environment';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { loadEnvironments } from '../lib/environment/load-environments';
import { parseTree } from '../lib/tree/read-tree';
import { TreeObject, treeObject } from '../lib/tree/tree-object';
import { Finding } from '../lib/validation/finding';
import { RULES, validateTree } from '../lib/validation/validate';

const ROOT = path.resolve(__dirname, '..');

type Manifest = Record<string, any>;

interface Mutation {
  /** The breakage, as the test's name says it. */
  readonly breakage: string;
  /** The file of the object the rule must refuse (and, for `mutate` and `editFile`, the one broken). */
  readonly at: string;
  /**
   * The field path the message must start with, in the API server's dotted form
   * (`<field>: Invalid value: …`, as `kubectl apply` prints it): every rule's refusal does.
   */
  readonly names: string;
  /** One breakage of a deep copy of the object at `at`. */
  readonly mutate?: (manifest: Manifest) => void;
  /** One breakage of the tree (a deep copy): an object added, removed, or one object broken for another's sake. */
  readonly mutateTree?: (objects: TreeObject[]) => TreeObject[];
  /** One hand edit of the text of the file at `at`, for the rules on how a file reads. */
  readonly editFile?: (text: string) => string;
  /**
   * Objects of a kind the fixture tree has none of, built from real ones and valid for the rule as
   * they stand: the rule must accept them before the breakage.
   */
  readonly extra?: (objects: readonly TreeObject[]) => TreeObject[];
  /** Other files the same breakage rightly makes the rule refuse too (say, both copies of a duplicate). */
  readonly alsoAt?: RegExp;
}

// ---------------------------------------------------------------------------------------------
// The tree, and how a mutation is applied

let objects: readonly TreeObject[];
let files: ReadonlyMap<string, string>;
let protectedEnvironments: ReadonlySet<string>;

beforeAll(() => {
  const environments = loadEnvironments(path.join(ROOT, 'test', 'fixtures', 'environments'), { root: ROOT });
  protectedEnvironments = new Set(environments.filter(isProtected).map((e) => e.name));
  ({ objects, files } = renderTree(environments, loadGitopsConfig(path.join(ROOT, 'gitops.config.yaml'), { root: ROOT })));
});

const STAGING = 'envs/staging';
const BACKEND = `${STAGING}/backend/Deployment-backend.yaml`;
const KAFKA = `${STAGING}/kafka/StatefulSet-kafka.yaml`;
const TOPICS_JOB = `${STAGING}/kafka/Job-kafka-topics.yaml`;
const BACKEND_SERVICE = `${STAGING}/backend/Service-backend.yaml`;
const BACKEND_CONFIG = `${STAGING}/backend/ConfigMap-backend-config.yaml`;
const BACKEND_HPA = `${STAGING}/backend/HorizontalPodAutoscaler-backend.yaml`;
const BACKEND_PDB = `${STAGING}/backend/PodDisruptionBudget-backend.yaml`;
const BACKEND_FROM_FRONTEND = `${STAGING}/backend/NetworkPolicy-backend-from-frontend.yaml`;
const INGRESS = `${STAGING}/frontend/Ingress-frontend.yaml`;
const NAMESPACE = `${STAGING}/platform/Namespace-chat-staging.yaml`;
const LIMIT_RANGE = `${STAGING}/platform/LimitRange-container-defaults.yaml`;
const PRIORITY_CLASS = `${STAGING}/platform/PriorityClass-chat-staging-workloads.yaml`;
const DEFAULT_DENY = `${STAGING}/platform/NetworkPolicy-default-deny-all.yaml`;
const STAGING_APP = 'apps/staging/Application-staging-backend.yaml';
const PROD_APP = 'apps/prod/Application-prod-backend.yaml';
const PROJECT = 'bootstrap/AppProject-chat-platform.yaml';
const DAEMONSET = `${STAGING}/backend/DaemonSet-backend-node-agent.yaml`;
const REPLICASET = `${STAGING}/backend/ReplicaSet-backend-canary.yaml`;
const HTTP_ROUTE = `${STAGING}/frontend/HTTPRoute-frontend.yaml`;
const GATEWAY = `${STAGING}/frontend/Gateway-frontend.yaml`;

function find(tree: readonly TreeObject[], file: string): TreeObject {
  const found = tree.find((o) => o.path === file);
  if (!found) throw new Error(`the fixture tree has no ${file}`);
  return found;
}

/** The tree with the object at `file` replaced by a broken deep copy of it. */
function edited(tree: readonly TreeObject[], file: string, mutate: (m: Manifest) => void): TreeObject[] {
  find(tree, file);
  return tree.map((o) => {
    if (o.path !== file) return o;
    const manifest = structuredClone(o.manifest);
    mutate(manifest);
    return treeObject(o.path, manifest, o.sources);
  });
}

/** A string replaced once, or an error: a mutation that no longer applies must not pass silently. */
function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`no ${JSON.stringify(from)} to replace`);
  return text.replace(from, to);
}

function container(m: Manifest, index = 0): Manifest {
  return m.spec.template.spec.containers[index];
}

/**
 * A copy of the staging backend's pods under another name, their labels and selectors renamed
 * with it, so nothing that selects the backend selects them too.
 */
function backendPodsAs(tree: readonly TreeObject[], name: string): { metadata: Manifest; selector: Manifest; template: Manifest } {
  const text = JSON.stringify(find(tree, BACKEND).manifest)
    .split('"app.kubernetes.io/instance":"backend"')
    .join(`"app.kubernetes.io/instance":"${name}"`)
    .split('"app.kubernetes.io/name":"backend"')
    .join(`"app.kubernetes.io/name":"${name}"`);
  const deployment = JSON.parse(text);
  return {
    metadata: { name, namespace: deployment.metadata.namespace, labels: deployment.metadata.labels, annotations: deployment.metadata.annotations },
    selector: deployment.spec.selector,
    template: deployment.spec.template,
  };
}

/** A node agent run from the backend's pod template: the tree has no DaemonSet of its own. */
function daemonSet(tree: readonly TreeObject[]): TreeObject {
  const { metadata, selector, template } = backendPodsAs(tree, 'backend-node-agent');
  return treeObject(DAEMONSET, {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: { selector, template, minReadySeconds: 10, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
  });
}

/** A bare ReplicaSet of the backend's pods (a canary): the tree has none. */
function replicaSet(tree: readonly TreeObject[]): TreeObject {
  const { metadata, selector, template } = backendPodsAs(tree, 'backend-canary');
  return treeObject(REPLICASET, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata, spec: { replicas: 1, minReadySeconds: 10, selector, template } });
}

interface Outcome {
  readonly before: readonly Finding[];
  readonly after: readonly Finding[];
}

/**
 * The findings on a tree. File text is passed only where a file was edited: the YAML-1.1 rule reads
 * every file twice (some 250 ms a tree, ten times the other rules together), and an object broken
 * in memory has no text of its own.
 */
function validate(tree: readonly TreeObject[], sourceText?: (file: string) => string | undefined): Finding[] {
  return validateTree(tree, { isProtected: (name) => protectedEnvironments.has(name), sourceText }).findings;
}

function apply(m: Mutation): Outcome {
  const base = [...objects, ...(m.extra?.(objects) ?? [])];
  const ways = [m.mutate, m.mutateTree, m.editFile].filter((w) => w !== undefined).length;
  if (ways !== 1) throw new Error(`a mutation breaks one thing one way (mutate, mutateTree or editFile), not ${ways}`);
  let broken: TreeObject[];
  let brokenText: ((file: string) => string | undefined) | undefined;
  if (m.mutate) broken = edited(base, m.at, m.mutate);
  else if (m.mutateTree) broken = m.mutateTree(base.map((o) => ({ ...o, manifest: structuredClone(o.manifest) })));
  else {
    const edit = m.editFile!(files.get(m.at)!);
    const [reread] = parseTree(new Map([[m.at, edit]]), 'gitops');
    broken = base.map((o) => (o.path === m.at ? reread! : o));
    brokenText = (file) => (file === m.at ? edit : files.get(file));
  }
  return { before: m.extra ? validate(base) : [], after: validate(broken, brokenText) };
}

/**
 * The staging edge as Gateway API objects, from the staging Ingress: its namespace, host, TLS
 * Secret, paths and backend. The fixture tree's edge is an Ingress; these carry the CRD rules.
 */
function gatewayEdge(tree: readonly TreeObject[]): TreeObject[] {
  const ingress = find(tree, INGRESS).manifest;
  const { namespace } = ingress.metadata;
  const [rule] = ingress.spec.rules;
  const [tls] = ingress.spec.tls;
  const gateway = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'frontend', namespace, labels: ingress.metadata.labels },
    spec: {
      gatewayClassName: 'platform',
      listeners: [
        { name: 'https', protocol: 'HTTPS', port: 443, hostname: rule.host, tls: { mode: 'Terminate', certificateRefs: [{ name: tls.secretName }] } },
        { name: 'http', protocol: 'HTTP', port: 80, hostname: rule.host },
      ],
    },
  };
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'frontend', namespace, labels: ingress.metadata.labels },
    spec: {
      parentRefs: [{ name: 'frontend', sectionName: 'https' }],
      hostnames: [rule.host],
      rules: rule.http.paths.map((p: Manifest) => ({
        matches: [{ path: { type: p.pathType === 'Exact' ? 'Exact' : 'PathPrefix', value: p.path } }],
        backendRefs: [{ name: p.backend.service.name, port: p.backend.service.port.number }],
      })),
    },
  };
  return [treeObject(GATEWAY, gateway), treeObject(HTTP_ROUTE, route)];
}

// ---------------------------------------------------------------------------------------------
// One breakage per rule

const MUTATIONS: Record<string, Mutation> = {
  'K8S-SCHEMA': {
    breakage: 'replicas written as a string',
    at: BACKEND,
    names: 'spec.replicas',
    mutate: (m) => {
      m.spec.replicas = '3';
    },
  },
  'API-OBJECT-META': {
    breakage: 'a label value of 64 characters',
    at: BACKEND_CONFIG,
    names: 'metadata.labels',
    mutate: (m) => {
      m.metadata.labels['app.kubernetes.io/version'] = `1.4.2-${'0123456789abcdef'.repeat(4)}`.slice(0, 64);
    },
  },
  'API-POD-TEMPLATE-SPEC': {
    breakage: 'a pod-deletion-cost that is no integer',
    at: BACKEND,
    names: 'spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]',
    mutate: (m) => {
      m.spec.template.metadata.annotations['controller.kubernetes.io/pod-deletion-cost'] = 'low';
    },
  },
  'API-POD-SPEC': {
    breakage: 'a container port name of 18 characters',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].ports[0].name',
    mutate: (m) => {
      container(m).ports[0].name = 'http-actuator-mgmt';
    },
  },
  'API-SERVICE': {
    breakage: 'a port protocol in lower case',
    at: BACKEND_SERVICE,
    names: 'spec.ports[0].protocol',
    mutate: (m) => {
      m.spec.ports[0].protocol = 'tcp';
    },
  },
  'API-CONFIG-MAP': {
    breakage: 'a value that is a boolean (a YAML 1.1 `yes` read by go-yaml)',
    at: BACKEND_CONFIG,
    names: 'data[CHAT_FEATURE_UPLOADS]',
    mutate: (m) => {
      m.data.CHAT_FEATURE_UPLOADS = true;
    },
  },
  'API-LIMIT-RANGE': {
    breakage: 'a default cpu request above the default cpu limit',
    at: LIMIT_RANGE,
    names: 'spec.limits[0].defaultRequest[cpu]',
    mutate: (m) => {
      m.spec.limits[0].defaultRequest.cpu = '1';
    },
  },
  'API-NAMESPACE': {
    breakage: 'an unprefixed finalizer that is not a standard one',
    at: NAMESPACE,
    names: 'spec.finalizers',
    mutate: (m) => {
      m.spec = { finalizers: ['chat-platform-protection'] };
    },
  },
  'CRD-CEL': {
    breakage: 'an HTTPRoute path that is not absolute',
    at: HTTP_ROUTE,
    names: 'spec.rules[0].matches[0].path',
    extra: gatewayEdge,
    mutate: (m) => {
      m.spec.rules[0].matches[0].path.value = m.spec.rules[0].matches[0].path.value.replace(/^\//, '');
    },
  },
  'CRD-LIST-TYPE': {
    breakage: 'a Gateway with two listeners of one name',
    at: GATEWAY,
    names: 'spec.listeners[1]',
    extra: gatewayEdge,
    mutate: (m) => {
      m.spec.listeners[1].name = m.spec.listeners[0].name;
    },
  },
  'API-DEPLOYMENT-SPEC': {
    breakage: 'a Deployment whose selector does not match its template labels',
    at: BACKEND,
    names: 'spec.template.metadata.labels',
    mutate: (m) => {
      m.spec.selector.matchLabels['app.kubernetes.io/name'] = 'backend-api';
    },
  },
  'API-REPLICASET-SPEC': {
    breakage: 'a ReplicaSet with negative replicas',
    at: REPLICASET,
    names: 'spec.replicas',
    extra: (tree) => [replicaSet(tree)],
    mutate: (m) => {
      m.spec.replicas = -1;
    },
  },
  'API-STATEFULSET-SPEC': {
    breakage: 'an unknown podManagementPolicy',
    at: KAFKA,
    names: 'spec.podManagementPolicy',
    mutate: (m) => {
      m.spec.podManagementPolicy = 'Ordered';
    },
  },
  'API-DAEMONSET-SPEC': {
    breakage: 'a DaemonSet rolling with both maxSurge and maxUnavailable',
    at: DAEMONSET,
    names: 'spec.updateStrategy.rollingUpdate.maxSurge',
    extra: (tree) => [daemonSet(tree)],
    mutate: (m) => {
      m.spec.updateStrategy.rollingUpdate.maxSurge = 1;
    },
  },
  'API-JOB-SPEC': {
    breakage: 'a Job whose pods restart Always',
    at: TOPICS_JOB,
    names: 'spec.template.spec.restartPolicy',
    mutate: (m) => {
      m.spec.template.spec.restartPolicy = 'Always';
    },
  },
  'API-JOB': {
    breakage: 'a Job that sets its own selector without manualSelector',
    at: TOPICS_JOB,
    names: 'spec.selector',
    mutate: (m) => {
      m.spec.selector = { matchLabels: { 'app.kubernetes.io/instance': 'kafka-topics', 'app.kubernetes.io/name': 'kafka-topics' } };
    },
  },
  'API-HPA-SPEC': {
    breakage: 'an HPA with minReplicas above maxReplicas',
    at: BACKEND_HPA,
    names: 'spec.maxReplicas',
    mutate: (m) => {
      m.spec.minReplicas = 5;
    },
  },
  'API-PDB-SPEC': {
    breakage: 'a PDB with both minAvailable and maxUnavailable',
    at: BACKEND_PDB,
    names: 'spec',
    mutate: (m) => {
      m.spec.minAvailable = 1;
    },
  },
  'API-NETWORKPOLICY-SPEC': {
    breakage: 'a NetworkPolicy port of 70000',
    at: BACKEND_FROM_FRONTEND,
    names: 'spec.ingress[0].ports[0].port',
    mutate: (m) => {
      m.spec.ingress[0].ports[0].port = 70000;
    },
  },
  'API-INGRESS-SPEC': {
    breakage: 'an Ingress path that is not absolute',
    at: INGRESS,
    names: 'spec.rules[0].http.paths[0].path',
    mutate: (m) => {
      m.spec.rules[0].http.paths[0].path = 'api';
    },
  },
  'API-INGRESS-CLASS': {
    breakage: 'an ingress.class annotation naming another class than ingressClassName',
    at: INGRESS,
    names: 'annotations.kubernetes.io/ingress.class',
    mutate: (m) => {
      m.metadata.annotations['kubernetes.io/ingress.class'] = 'traefik';
    },
  },
  'API-PRIORITYCLASS': {
    breakage: 'a PriorityClass value above one billion',
    at: PRIORITY_CLASS,
    names: 'value',
    mutate: (m) => {
      m.value = 2_000_000_000;
    },
  },
  'REF-SERVICE-SELECTOR': {
    breakage: 'a Service selector with a misspelt label value',
    at: BACKEND_SERVICE,
    names: 'spec.selector',
    mutate: (m) => {
      m.spec.selector['app.kubernetes.io/name'] = 'back-end';
    },
  },
  'REF-SERVICE-PORT': {
    breakage: 'a targetPort no container declares',
    at: BACKEND_SERVICE,
    names: 'spec.ports[0]',
    mutate: (m) => {
      m.spec.ports[0].targetPort = 'web';
    },
  },
  'REF-INGRESS-BACKEND': {
    breakage: "an Ingress backend on a port its Service does not have",
    at: INGRESS,
    names: 'spec.rules[0].http.paths[0].backend.service.port.number',
    mutate: (m) => {
      m.spec.rules[0].http.paths[0].backend.service.port.number = 8080;
    },
  },
  'REF-ROUTE-BACKEND': {
    breakage: 'an HTTPRoute backend on a port its Service does not have',
    at: HTTP_ROUTE,
    names: 'spec.rules[0].backendRefs[0].port',
    extra: gatewayEdge,
    mutate: (m) => {
      m.spec.rules[0].backendRefs[0].port = 8081;
    },
  },
  'REF-SCALE-TARGET': {
    breakage: 'an HPA scaling a Deployment that does not exist',
    at: BACKEND_HPA,
    names: 'spec.scaleTargetRef',
    mutate: (m) => {
      m.spec.scaleTargetRef.name = 'backend-api';
    },
  },
  'REF-PDB-SELECTOR': {
    breakage: 'a PDB selector that matches no pods',
    at: BACKEND_PDB,
    names: 'spec.selector',
    mutate: (m) => {
      m.spec.selector.matchLabels['app.kubernetes.io/name'] = 'backend-api';
    },
  },
  'REF-NETPOL-SELECTOR': {
    breakage: 'a NetworkPolicy podSelector that selects no pods',
    at: BACKEND_FROM_FRONTEND,
    names: 'spec.podSelector',
    mutate: (m) => {
      m.spec.podSelector.matchLabels['app.kubernetes.io/instance'] = 'back-end';
    },
  },
  'REF-POD-OBJECTS': {
    breakage: 'an env var from a ConfigMap key that does not exist',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].env[5].valueFrom.configMapKeyRef.key',
    mutate: (m) => {
      container(m).env.push({ name: 'SERVER_PORT', valueFrom: { configMapKeyRef: { name: 'backend-config', key: 'SERVER-PORT' } } });
    },
  },
  'ARGOCD-DESTINATION': {
    breakage: 'an Application whose destination sets both server and name',
    at: STAGING_APP,
    names: 'spec.destination',
    mutate: (m) => {
      m.spec.destination.name = 'in-cluster';
    },
  },
  'ARGOCD-PROJECT': {
    breakage: 'an Application of a project that does not exist',
    at: STAGING_APP,
    names: 'spec.project',
    mutate: (m) => {
      m.spec.project = 'chat';
    },
  },
  'ARGOCD-PROJECT-DESTINATION': {
    breakage: 'an Application deploying to a namespace its project does not list',
    at: STAGING_APP,
    names: 'spec.destination',
    mutate: (m) => {
      m.spec.destination.namespace = 'chat-stage';
    },
  },
  'ARGOCD-PROJECT-SOURCE': {
    breakage: 'an Application reading from a fork its project does not list',
    at: STAGING_APP,
    names: 'spec.source.repoURL',
    mutate: (m) => {
      m.spec.source.repoURL = 'https://github.com/example/chat-platform-fork.git';
    },
  },
  'ARGOCD-SOURCE': {
    breakage: 'an Application with both source and sources',
    at: STAGING_APP,
    names: 'spec',
    mutate: (m) => {
      m.spec.sources = [structuredClone(m.spec.source)];
    },
  },
  'REF-ARGO-PATH': {
    breakage: 'an Application whose source path is no folder of the tree',
    at: STAGING_APP,
    names: 'spec.source.path',
    mutate: (m) => {
      m.spec.source.path = 'gitops/envs/staging/back-end';
    },
  },
  'ARGOCD-PROJECT-RESOURCES': {
    breakage: 'a Job whose kind the project no longer permits',
    at: TOPICS_JOB,
    names: 'kind',
    alsoAt: /^envs\/(dev|prod)\/kafka\/Job-kafka-topics\.yaml$/,
    mutateTree: (tree) =>
      edited(tree, PROJECT, (m) => {
        m.spec.namespaceResourceWhitelist = m.spec.namespaceResourceWhitelist.filter((e: Manifest) => e.kind !== 'Job');
      }),
  },
  'ARGOCD-SYNC-WAVE': {
    breakage: 'a sync wave that is no integer',
    at: STAGING_APP,
    names: 'metadata.annotations[argocd.argoproj.io/sync-wave]',
    mutate: (m) => {
      m.metadata.annotations['argocd.argoproj.io/sync-wave'] = '1.5';
    },
  },
  'ARGOCD-HOOK': {
    breakage: 'a hook type in the wrong case',
    at: TOPICS_JOB,
    names: 'metadata.annotations[argocd.argoproj.io/hook]',
    mutate: (m) => {
      m.metadata.annotations['argocd.argoproj.io/hook'] = 'Postsync';
    },
  },
  'ARGO-VERSION-FLOOR': {
    breakage: 'a floor (argocd.minVersion) below the release whose AppProject grants cluster-scoped objects by name',
    at: PROJECT,
    names: 'spec.clusterResourceWhitelist[0].name',
    mutateTree: (tree) =>
      edited(tree, 'bootstrap/Application-chat-platform-root.yaml', (m) => {
        m.metadata.annotations['argocd-min-version'] = '3.2.0';
      }),
  },
  'LINT-PROBE-PORT': {
    breakage: 'a readiness probe on a port the container does not declare',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].readinessProbe.httpGet.port',
    mutate: (m) => {
      container(m).readinessProbe.httpGet.port = 'health';
    },
  },
  'LINT-STATEFULSET-SERVICE': {
    breakage: 'a StatefulSet governed by a Service that is not headless',
    at: KAFKA,
    names: 'spec.serviceName',
    mutate: (m) => {
      m.spec.serviceName = 'kafka';
    },
  },
  'LINT-NAMESPACE-EXISTS': {
    breakage: 'a namespace that is no longer in the tree',
    at: BACKEND,
    names: 'metadata.namespace',
    alsoAt: /^envs\/staging\//,
    mutateTree: (tree) => tree.filter((o) => o.path !== NAMESPACE),
  },
  'LINT-DUPLICATE-OBJECT': {
    breakage: 'a Service in two files',
    at: BACKEND_SERVICE,
    names: 'metadata.name',
    alsoAt: /^envs\/staging\/backend\/Service-backend-copy\.yaml$/,
    mutateTree: (tree) => [...tree, treeObject(`${STAGING}/backend/Service-backend-copy.yaml`, structuredClone(find(tree, BACKEND_SERVICE).manifest))],
  },
  'LINT-INGRESS-PATH-REGEX': {
    breakage: 'a Prefix path written as a regex',
    at: INGRESS,
    names: 'spec.rules[0].http.paths[0].path',
    mutate: (m) => {
      m.spec.rules[0].http.paths[0].path = '/api/.*';
    },
  },
  'POD-NON-ROOT': {
    breakage: 'a container allowed to run as root',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].securityContext.runAsNonRoot',
    mutate: (m) => {
      container(m).securityContext.runAsNonRoot = false;
    },
  },
  'POD-NO-PRIVILEGE-ESCALATION': {
    breakage: 'a container that may escalate privileges',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
    mutate: (m) => {
      container(m).securityContext.allowPrivilegeEscalation = true;
    },
  },
  'POD-DROP-ALL-CAPABILITIES': {
    breakage: 'a container adding NET_ADMIN',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].securityContext.capabilities.add',
    mutate: (m) => {
      container(m).securityContext.capabilities.add = ['NET_ADMIN'];
    },
  },
  'POD-SECCOMP': {
    breakage: 'a container running Unconfined',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].securityContext.seccompProfile.type',
    mutate: (m) => {
      container(m).securityContext.seccompProfile.type = 'Unconfined';
    },
  },
  'POD-VOLUME-TYPES': {
    breakage: "a hostPath volume (the node's filesystem)",
    at: BACKEND,
    names: 'spec.template.spec.volumes[1].hostPath',
    mutate: (m) => {
      m.spec.template.spec.volumes.splice(1, 0, { name: 'node-logs', hostPath: { path: '/var/log' } });
    },
  },
  'POD-HOST-ACCESS': {
    breakage: "the pod in the node's network namespace",
    at: BACKEND,
    names: 'spec.template.spec.hostNetwork',
    mutate: (m) => {
      m.spec.template.spec.hostNetwork = true;
    },
  },
  'POD-READONLY-ROOT': {
    breakage: 'a writable root filesystem',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem',
    mutate: (m) => {
      container(m).securityContext.readOnlyRootFilesystem = false;
    },
  },
  'CONTAINER-RESOURCES': {
    breakage: 'a container without a memory limit',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].resources.limits.memory',
    mutate: (m) => {
      delete container(m).resources.limits.memory;
    },
  },
  'CONTAINER-PROBES': {
    breakage: 'a long-running container without a liveness probe',
    at: KAFKA,
    names: 'spec.template.spec.containers[0].livenessProbe',
    mutate: (m) => {
      delete container(m).livenessProbe;
    },
  },
  'IMAGE-PINNED': {
    breakage: 'an image tagged latest',
    at: BACKEND,
    names: 'spec.template.spec.containers[0].image',
    mutate: (m) => {
      container(m).image = 'registry.example.com/chat/backend:latest';
    },
  },
  'DEPLOYMENT-ZERO-DOWNTIME': {
    breakage: 'a rollout that may take a serving pod away',
    at: BACKEND,
    names: 'spec.strategy.rollingUpdate.maxUnavailable',
    mutate: (m) => {
      m.spec.strategy.rollingUpdate.maxUnavailable = 1;
    },
  },
  'HPA-BOUNDS': {
    breakage: 'a staging HPA that may scale to one replica',
    at: BACKEND_HPA,
    names: 'spec.minReplicas',
    mutate: (m) => {
      m.spec.minReplicas = 1;
    },
  },
  'PDB-ALLOWS-EVICTION': {
    breakage: 'a PDB with maxUnavailable 0',
    at: BACKEND_PDB,
    names: 'spec.maxUnavailable',
    mutate: (m) => {
      m.spec.maxUnavailable = 0;
    },
  },
  'TOPOLOGY-SPREAD': {
    breakage: 'a Deployment without topology spread constraints',
    at: BACKEND,
    names: 'spec.template.spec.topologySpreadConstraints',
    mutate: (m) => {
      delete m.spec.template.spec.topologySpreadConstraints;
    },
  },
  'NETWORKPOLICY-COVERAGE': {
    breakage: 'a namespace without its default-deny policy',
    at: TOPICS_JOB,
    names: 'spec.template.metadata.labels',
    mutateTree: (tree) => tree.filter((o) => o.path !== DEFAULT_DENY),
  },
  'INGRESS-TLS': {
    breakage: 'an Ingress without TLS',
    at: INGRESS,
    names: 'spec.tls',
    mutate: (m) => {
      delete m.spec.tls;
    },
  },
  'NO-SECRET-IN-GIT': {
    breakage: 'a Secret with data committed to the tree',
    at: `${STAGING}/backend/Secret-chat-db-credentials.yaml`,
    names: 'stringData',
    mutateTree: (tree) => [
      ...tree,
      treeObject(`${STAGING}/backend/Secret-chat-db-credentials.yaml`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'chat-db-credentials', namespace: 'chat-staging', labels: find(tree, BACKEND).manifest.metadata.labels },
        type: 'Opaque',
        stringData: { username: 'chat', password: 'correct-horse' },
      }),
    ],
  },
  'NO-SECRET-VALUES': {
    breakage: 'a password in a ConfigMap',
    at: BACKEND_CONFIG,
    names: 'data[SPRING_DATASOURCE_PASSWORD]',
    mutate: (m) => {
      m.data.SPRING_DATASOURCE_PASSWORD = 'correct-horse';
    },
  },
  'NO-CREDENTIALS': {
    breakage: 'an annotation holding a URL with a password',
    at: INGRESS,
    names: 'metadata.annotations[nginx.ingress.kubernetes.io/auth-url]',
    mutate: (m) => {
      m.metadata.annotations['nginx.ingress.kubernetes.io/auth-url'] = 'https://chat:correct-horse@auth.staging.example.com/verify';
    },
  },
  'LABEL-INSTANCE': {
    breakage: 'an instance label that is not the workload name',
    at: BACKEND,
    names: 'metadata.labels[app.kubernetes.io/instance]',
    mutate: (m) => {
      m.metadata.labels['app.kubernetes.io/instance'] = 'backend-staging';
    },
  },
  'ARGOCD-PROTECT-STATE': {
    breakage: 'a StatefulSet that deletes its volumes with it',
    at: KAFKA,
    names: 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted',
    mutate: (m) => {
      m.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Delete';
    },
  },
  'ARGOCD-PROTECTED-ENVIRONMENT': {
    breakage: 'a prod Application with the cascading resources finalizer',
    at: PROD_APP,
    names: 'metadata.finalizers',
    mutate: (m) => {
      m.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io'];
    },
  },
  'YAML-1.1': {
    breakage: 'a ConfigMap value that is a YAML 1.1 boolean',
    at: BACKEND_CONFIG,
    names: 'data.CHAT_FEATURE_UPLOADS',
    editFile: (text) => replaceOnce(text, '\n  SERVER_SHUTDOWN: graceful\n', '\n  SERVER_SHUTDOWN: graceful\n  CHAT_FEATURE_UPLOADS: yes\n'),
  },
};

/** The examples beyond the one breakage per rule above. */
const MORE_EXAMPLES: readonly [string, Mutation][] = [
  [
    'API-POD-SPEC',
    {
      breakage: 'requests.cpu above limits.cpu',
      at: BACKEND,
      names: 'spec.template.spec.containers[0].resources.requests',
      mutate: (m) => {
        container(m).resources.requests.cpu = '2';
      },
    },
  ],
  [
    'API-POD-SPEC',
    {
      breakage: 'a probe with two handlers',
      at: BACKEND,
      names: 'spec.template.spec.containers[0].readinessProbe.tcpSocket',
      mutate: (m) => {
        container(m).readinessProbe.tcpSocket = { port: 'http' };
      },
    },
  ],
];

// ---------------------------------------------------------------------------------------------

const ruleIds = RULES.map((r) => r.id);

test('every rule has a mutation here, and every mutation is of a rule', () => {
  expect(Object.keys(MUTATIONS).filter((id) => !ruleIds.includes(id))).toEqual([]);
  expect(ruleIds.filter((id) => !(id in MUTATIONS))).toEqual([]);
});

test('the unmutated tree validates clean, its file text included', () => {
  expect(objects.length).toBeGreaterThan(100);
  expect(validate(objects, (file) => files.get(file))).toEqual([]);
});

const cases: [string, string, Mutation][] = [
  ...ruleIds.map((id): [string, string, Mutation] => [id, MUTATIONS[id]?.breakage ?? '(no mutation)', MUTATIONS[id]!]),
  ...MORE_EXAMPLES.map(([id, m]): [string, string, Mutation] => [id, m.breakage, m]),
];

test.each(cases)('%s refuses %s', (id, _breakage, mutation) => {
  expect(mutation).toBeDefined();
  const { before, after } = apply(mutation);
  // What the mutation adds (an object of a kind the tree lacks) is not what the rule refuses.
  expect(before.filter((f) => f.rule === id)).toEqual([]);
  const mine = after.filter((f) => f.rule === id);
  const onObject = mine.filter((f) => f.path === mutation.at).map((f) => f.message);
  const namesField = (message: string) => message.startsWith(`${mutation.names}: `);
  // On failure, the diff shows what the rule said on the object instead (nothing, or another field).
  expect(onObject.some(namesField) ? 'refused, naming the field' : { at: mutation.at, names: mutation.names, said: onObject }).toEqual('refused, naming the field');
  // The rule refuses what was broken, and nothing that was not.
  expect(mine.filter((f) => f.path !== mutation.at && !mutation.alsoAt?.test(f.path)).map((f) => `${f.path}: ${f.message}`)).toEqual([]);
});
