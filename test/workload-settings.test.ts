import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { renderTree, synthesize, validateRendered } from '../app/synthesize';
import { BackendChart } from '../charts/backend-chart';
import { FrontendChart } from '../charts/frontend-chart';
import { KafkaChart } from '../charts/kafka-chart';
import { PlatformChart } from '../charts/platform-chart';
import { webServiceSettingsProps } from '../charts/workload-settings';
import { FRONTEND_OWNERSHIP, FRONTEND_STOP, FRONTEND_WORKER_SHUTDOWN_SECONDS, backendOwnership } from '../lib/environment/component-workloads';
import { ConfigError } from '../lib/environment/config-error';
import { Environment } from '../lib/environment/environment';
import { loadEnvironment } from '../lib/environment/load-environments';
import { CONSTRUCT_POD_LABELS, POD_AFFINITY_REFUSAL, WorkloadSettings } from '../lib/environment/workload-settings';
import { failFor } from '../lib/predicates/invalid-value';
import { configError } from './support/config-error';
import { copyFixtureProject, fixtureEnvironment, fixtureEnvironmentText, fixtureEnvironments, gitopsConfig } from './support/fixture-project';
import { treeFiles } from './support/tree-files';

type Component = 'backend' | 'frontend';

/** The dev fixture's text with `yaml` (indented for the component's mapping) added to the component's settings. */
function devWith(settings: Partial<Record<Component, string>>): string {
  let text = fixtureEnvironmentText('dev');
  for (const component of ['frontend', 'backend'] as const) {
    const yaml = settings[component];
    if (yaml === undefined) continue;
    const at = insertionPoint(text, component);
    text = text.slice(0, at) + yaml + text.slice(at);
  }
  return text;
}

function insertionPoint(text: string, component: Component): number {
  const marker = `\n  ${component}:\n`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`the dev fixture has no components.${component}`);
  return at + marker.length;
}

/** The 1-based line of the first line added to `component` (only that component's settings added). */
const firstLine = (component: Component) => fixtureEnvironmentText('dev').slice(0, insertionPoint(fixtureEnvironmentText('dev'), component)).split('\n').length;

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-settings-'));
  fs.mkdirSync(path.join(root, 'environments'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function writeDev(text: string): string {
  const file = path.join(root, 'environments', 'dev.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/** The lines of the refusal of the dev fixture with `yaml` added to `component`. */
function refusal(component: Component, yaml: string): string[] {
  return configError(() => loadEnvironment(writeDev(devWith({ [component]: yaml })), { root })).message.split('\n');
}

/** `environments/dev.yaml:<line>:<column>: ` of the `offset`th added line of `component`. */
const at = (component: Component, offset: number, column: number) => `environments/dev.yaml:${firstLine(component) + offset}:${column}: `;

describe('a refused workload setting stops the load, naming file, line, field, value and the guarantee', () => {
  test('env: names that are no C identifier, set twice, or set by the chart (in any case), and values from two places', () => {
    expect(
      refusal(
        'backend',
        [
          '    env:',
          '      - { name: my.var, value: x }',
          '      - { name: FEATURE, value: a }',
          '      - { name: FEATURE, value: b }',
          '      - { name: SPRING_DATASOURCE_PASSWORD, value: c }',
          '      - { name: server_port, value: "1" }',
          '      - { name: JAVA_TOOL_OPTIONS, value: -Xmx2g }',
          '      - { name: BOTH, value: a, valueFrom: { secretKeyRef: { name: s, key: k } } }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      `${at('backend', 1, 17)}components.backend.env[0].name: "my.var" — a C identifier: letters, digits and "_", not starting with a digit, e.g. "FEATURE_FLAGS"`,
      `${at('backend', 3, 17)}components.backend.env[2].name: "FEATURE" — a name not already in env (env[1] sets it): the container would get only one of the two values`,
      `${at('backend', 4, 17)}components.backend.env[3].name: "SPRING_DATASOURCE_PASSWORD" — a name the chart does not set: the chart sets SPRING_DATASOURCE_PASSWORD (the database password, from the credentials Secret, never in git); overriding it would break that`,
      `${at('backend', 5, 17)}components.backend.env[4].name: "server_port" — a name the chart does not set: the chart sets SERVER_PORT (the port the Service, the probes, the metrics annotations and the NetworkPolicies use); overriding it would break that`,
      `${at('backend', 6, 17)}components.backend.env[5].name: "JAVA_TOOL_OPTIONS" — a name the chart does not set: the chart sets JAVA_TOOL_OPTIONS (the JVM's heap and non-heap caps, sized to the memory limit (set components.backend.jvm to change them)); overriding it would break that`,
      `${at('backend', 7, 9)}components.backend.env[6]: {"name":"BOTH","value":"a","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}} — exactly one of value (a literal) and valueFrom (a secretKeyRef or configMapKeyRef)`,
    ]);
  });

  test("env: a key of the chart's own ConfigMap is not an out-of-band object", () => {
    expect(refusal('backend', '    env:\n      - { name: PORT, valueFrom: { configMapKeyRef: { name: backend-config, key: SERVER_PORT } } }\n')).toEqual([
      `${at('backend', 1, 61)}components.backend.env[0].valueFrom.configMapKeyRef.name: "backend-config" — a ConfigMap created out of band: backend-config is the chart's own (the backend's settings, taken whole through envFrom), whose keys it sets itself`,
    ]);
  });

  test('podLabels and podAnnotations: the selector and recommended labels, and the annotations the constructs and the chart set', () => {
    expect(
      refusal(
        'backend',
        [
          '    podLabels:',
          '      app.kubernetes.io/name: other',
          '      app.kubernetes.io/tier: web',
          '      -bad: x',
          '    podAnnotations:',
          '      checksum/config: x',
          '      prometheus.io/port: "9090"',
          '      exempt.policy/POL-X: because',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      `${at('backend', 1, 7)}components.backend.podLabels.app.kubernetes.io/name: "app.kubernetes.io/name" — a label the constructs do not set: app.kubernetes.io/name is ${CONSTRUCT_POD_LABELS['app.kubernetes.io/name']}`,
      `${at('backend', 2, 7)}components.backend.podLabels.app.kubernetes.io/tier: "app.kubernetes.io/tier" — a label outside app.kubernetes.io/: the constructs own the recommended labels, which every object of the workload carries alike`,
      `${at('backend', 3, 7)}components.backend.podLabels.-bad: "-bad" — a label key: an optional DNS-1123 subdomain prefix of at most 253 characters and "/", then a name of at most 63 alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric, e.g. "app.kubernetes.io/name"`,
      `${at('backend', 5, 7)}components.backend.podAnnotations.checksum/config: "checksum/config" — an annotation the chart does not set: checksum/config is the checksum of the mounted and env ConfigMaps: a configuration change rolls the pods through it`,
      `${at('backend', 6, 7)}components.backend.podAnnotations.prometheus.io/port: "prometheus.io/port" — an annotation the chart does not set: prometheus.io/port is a metrics annotation the chart sets: the scrape NetworkPolicy opens the port it names to the monitoring pods`,
      `${at('backend', 7, 7)}components.backend.podAnnotations.exempt.policy/POL-X: "exempt.policy/POL-X" — an annotation outside exempt.policy/: the prefix that waives a policy rule, which no environment setting may do`,
    ]);
  });

  test("tolerations: the API server's rules (ValidateTolerations)", () => {
    expect(
      refusal(
        'backend',
        [
          '    tolerations:',
          '      - { operator: Equal, value: x }',
          '      - { value: x }',
          '      - { key: a, operator: Exists, value: x }',
          '      - { key: a, effect: NoSchedule, tolerationSeconds: 30 }',
          '      - { key: a, effect: Sometimes }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      `${at('backend', 1, 21)}components.backend.tolerations[0].operator: "Equal" — "Exists" when key is empty (which matches every taint key)`,
      `${at('backend', 2, 9)}components.backend.tolerations[1]: {"value":"x"} — operator "Exists" when key is empty (which matches every taint key); the default is "Equal"`,
      `${at('backend', 3, 44)}components.backend.tolerations[2].value: "x" — unset with operator "Exists", which matches every value`,
      `${at('backend', 4, 58)}components.backend.tolerations[3].tolerationSeconds: 30 — unset unless effect is "NoExecute": only a NoExecute taint evicts, after that time`,
      `${at('backend', 5, 27)}components.backend.tolerations[4].effect: "Sometimes" — one of "NoSchedule", "PreferNoSchedule", "NoExecute"`,
    ]);
  });

  test('affinity: pod (anti-)affinity is refused for the constructs own spreading; node terms as the API server and scheduler read them', () => {
    expect(
      refusal(
        'backend',
        [
          '    affinity:',
          '      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] }',
          '      nodeAffinity:',
          '        requiredDuringSchedulingIgnoredDuringExecution:',
          '          nodeSelectorTerms:',
          '            - {}',
          '            - matchExpressions: [{ key: cpu, operator: Gt, values: ["x"] }]',
          '            - matchExpressions: [{ key: zone, operator: In }]',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      `${at('backend', 1, 24)}components.backend.affinity.podAntiAffinity: {"requiredDuringSchedulingIgnoredDuringExecution":[]} — ${POD_AFFINITY_REFUSAL}`,
      `${at('backend', 5, 15)}components.backend.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]: {} — at least one matchExpressions or matchFields entry: an empty term matches no node`,
      `${at('backend', 6, 68)}components.backend.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[1].matchExpressions[0].values: ["x"] — exactly one integer with operator "Gt" (the node label is compared as a number)`,
      `${at('backend', 7, 34)}components.backend.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[2].matchExpressions[0].values: (missing) — at least one value with operator "In"`,
    ]);
  });

  test("backend: a grace period shorter than the pre-stop delay, Spring's shutdown phases and the exit margin", () => {
    const spring = 'Kafka listener containers (phase 2147483547) 30 s + graceful web server shutdown (phase 2147482623) 30 s + 5 s to exit';
    expect(refusal('backend', '    terminationGracePeriodSeconds: 60\n')).toEqual([
      `${at('backend', 0, 36)}components.backend.terminationGracePeriodSeconds: 60 — an integer of at least 75: pre-stop delay 10 s + ${spring}`,
    ]);
    expect(refusal('backend', '    preStopDelaySeconds: 20\n')).toEqual([
      `${at('backend', 0, 26)}components.backend.preStopDelaySeconds: 20 — at most 10 with the chart's terminationGracePeriodSeconds of 75; for this delay set terminationGracePeriodSeconds to an integer of at least 85: pre-stop delay 20 s + ${spring}`,
    ]);
    expect(refusal('backend', '    preStopDelaySeconds: 20\n    terminationGracePeriodSeconds: 80\n')).toEqual([
      `${at('backend', 1, 36)}components.backend.terminationGracePeriodSeconds: 80 — an integer of at least 85: pre-stop delay 20 s + ${spring}`,
    ]);
  });

  test("frontend: a grace period shorter than the pre-stop delay and nginx's worker_shutdown_timeout", () => {
    expect(refusal('frontend', '    terminationGracePeriodSeconds: 30\n')).toEqual([
      `${at('frontend', 0, 36)}components.frontend.terminationGracePeriodSeconds: 30 — an integer of at least 40: pre-stop delay 10 s + nginx worker_shutdown_timeout 25 s + 5 s to exit`,
    ]);
  });

  test('probes: a port the container does not declare, and the bounds of the timings', () => {
    expect(refusal('frontend', '    probes:\n      liveness: { port: metrics, periodSeconds: 0 }\n      readiness: { port: 70000, path: healthz }\n')).toEqual([
      `${at('frontend', 1, 25)}components.frontend.probes.liveness.port: "metrics" — one of the container's port names (http) or a port number: a probe of a port the container does not declare always fails`,
      `${at('frontend', 1, 49)}components.frontend.probes.liveness.periodSeconds: 0 — an integer from 1 to 3600`,
      `${at('frontend', 2, 26)}components.frontend.probes.readiness.port: 70000 — a port number from 1 to 65535, or one of the container's port names (http)`,
      `${at('frontend', 2, 39)}components.frontend.probes.readiness.path: "healthz" — an absolute request path without spaces, e.g. "/healthz"`,
    ]);
  });

  test('synth refuses the file and leaves gitops/ as it was', () => {
    const project = copyFixtureProject(path.join(root, 'project'));
    synthesize({ root: project });
    const before = treeFiles(path.join(project, 'gitops'));
    expect(before.size).toBeGreaterThan(0);
    fs.writeFileSync(path.join(project, 'environments', 'dev.yaml'), devWith({ backend: '    env:\n      - { name: POD_NAME, value: x }\n' }));
    let error: unknown;
    try {
      synthesize({ root: project });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('components.backend.env[0].name: "POD_NAME" — a name the chart does not set: the chart sets POD_NAME');
    expect(treeFiles(path.join(project, 'gitops'))).toEqual(before);
  }, 120_000);
});

const EVERY_SETTING: Record<Component, string> = {
  backend: [
    '    env:',
    '      - { name: FEATURE_FLAGS, value: "search,typing-indicator" }',
    '      - { name: SENTRY_DSN, valueFrom: { secretKeyRef: { name: chat-sentry, key: dsn } } }',
    '      - { name: SUPPORT_EMAIL, valueFrom: { configMapKeyRef: { name: chat-contacts, key: support } } }',
    '      - { name: SENTRY_ENVIRONMENT, valueFrom: { secretKeyRef: { name: chat-sentry, key: environment } } }',
    '    podLabels: { team: chat, cost.example.com/center: c-42 }',
    '    podAnnotations: { example.com/owner: chat-team }',
    '    nodeSelector: { node.example.com/pool: web }',
    '    tolerations:',
    '      - { key: dedicated, operator: Equal, value: chat, effect: NoSchedule }',
    '      - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 60 }',
    '    affinity:',
    '      nodeAffinity:',
    '        requiredDuringSchedulingIgnoredDuringExecution:',
    '          nodeSelectorTerms:',
    '            - matchExpressions: [{ key: kubernetes.io/arch, operator: In, values: [amd64, arm64] }]',
    '        preferredDuringSchedulingIgnoredDuringExecution:',
    '          - { weight: 50, preference: { matchExpressions: [{ key: node.example.com/generation, operator: Gt, values: ["3"] }] } }',
    '    preStopDelaySeconds: 20',
    '    terminationGracePeriodSeconds: 90',
    '    probes:',
    '      readiness: { periodSeconds: 10, timeoutSeconds: 2 }',
    '      startup: { failureThreshold: 60 }',
    '',
  ].join('\n'),
  frontend: [
    '    podLabels: { team: chat }',
    '    tolerations: [{ key: dedicated, operator: Equal, value: chat, effect: NoSchedule }]',
    '    terminationGracePeriodSeconds: 45',
    '    probes:',
    '      liveness: { failureThreshold: 5, initialDelaySeconds: 2 }',
    '',
  ].join('\n'),
};

describe('accepted workload settings change the pods as declared, and the tree still passes every rule', () => {
  const load = () => loadEnvironment(writeDev(devWith(EVERY_SETTING)), { root });
  const render = (dev: Environment) => {
    const environments = [...fixtureEnvironments().filter((e) => e.name !== 'dev'), dev];
    const { objects } = renderTree(environments, gitopsConfig());
    return { objects, environments };
  };
  const deployment = (objects: ReturnType<typeof render>['objects'], name: string) =>
    objects.find((o) => o.environment === 'dev' && o.manifest.kind === 'Deployment' && o.manifest.metadata.name === name)!.manifest as any;

  test('every setting, rendered and validated as synth validates', () => {
    const { objects, environments } = render(load());
    const report = validateRendered(objects, environments);
    expect(report.findings).toEqual([]);

    const backend = deployment(objects, 'backend');
    const pod = backend.spec.template;
    const container = pod.spec.containers[0];
    // The chart's variables first, as they were, then the file's.
    expect(container.env.slice(-4)).toEqual([
      { name: 'FEATURE_FLAGS', value: 'search,typing-indicator' },
      { name: 'SENTRY_DSN', valueFrom: { secretKeyRef: { name: 'chat-sentry', key: 'dsn' } } },
      { name: 'SUPPORT_EMAIL', valueFrom: { configMapKeyRef: { name: 'chat-contacts', key: 'support' } } },
      { name: 'SENTRY_ENVIRONMENT', valueFrom: { secretKeyRef: { name: 'chat-sentry', key: 'environment' } } },
    ]);
    expect(container.env[0].name).toBe('POD_NAME');
    expect(backend.metadata.annotations).toMatchObject({
      'external.policy/Secret.chat-sentry': 'read by components.backend.env SENTRY_DSN (key dsn), SENTRY_ENVIRONMENT (key environment); created out of band in the namespace',
      'external.policy/ConfigMap.chat-contacts': 'read by components.backend.env SUPPORT_EMAIL (key support); created out of band in the namespace',
    });
    expect(pod.metadata.labels).toMatchObject({ team: 'chat', 'cost.example.com/center': 'c-42', 'app.kubernetes.io/name': 'backend' });
    expect(backend.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' });
    expect(pod.metadata.annotations).toMatchObject({ 'example.com/owner': 'chat-team', 'prometheus.io/scrape': 'true' });
    expect(pod.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(pod.spec.nodeSelector).toEqual({ 'node.example.com/pool': 'web' });
    expect(pod.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'chat', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
    ]);
    expect(Object.keys(pod.spec.affinity)).toEqual(['nodeAffinity']);
    expect(pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(50);
    expect(pod.spec.topologySpreadConstraints).toHaveLength(2);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(90);
    expect(container.lifecycle.preStop.exec.command).toEqual(['/bin/sleep', '20']);
    // Unset probe fields keep the chart's.
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/actuator/health/readiness', port: 'http' }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 });
    expect(container.startupProbe).toEqual({ httpGet: { path: '/actuator/health/liveness', port: 'http' }, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 1 });
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/actuator/health/liveness', port: 'http' }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 1 });

    const frontend = deployment(objects, 'frontend').spec.template;
    expect(frontend.metadata.labels.team).toBe('chat');
    expect(frontend.spec.terminationGracePeriodSeconds).toBe(45);
    expect(frontend.spec.containers[0].livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 5, timeoutSeconds: 1, initialDelaySeconds: 2 });
    // The startup probe still follows the liveness endpoint, with the construct's timing.
    expect(frontend.spec.containers[0].startupProbe).toEqual({ httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 12, timeoutSeconds: 1 });
  }, 60_000);

  test('without a referenced object declared external the tree would fail validation (the declaration is what lets it pass)', () => {
    const { objects, environments } = render(load());
    const backend = deployment(objects, 'backend');
    delete backend.metadata.annotations['external.policy/Secret.chat-sentry'];
    expect(() => validateRendered(objects, environments)).toThrow(/references Secret "chat-sentry", which is neither in the tree nor declared external/);
  }, 60_000);

  test('an environment without the settings renders the pods it rendered before: the settings add nothing of their own', () => {
    const plain = render(fixtureEnvironment('dev'));
    const pod = deployment(plain.objects, 'backend').spec.template;
    for (const field of ['nodeSelector', 'tolerations', 'affinity']) expect(pod.spec).not.toHaveProperty(field);
    expect(Object.keys(pod.metadata.labels).every((k) => k.startsWith('app.kubernetes.io/'))).toBe(true);
  }, 60_000);
});

describe('what the loader refuses against is what the charts set', () => {
  const dev = fixtureEnvironment('dev');
  const build = (environment: Environment) => {
    const app = new App();
    const platform = new PlatformChart(app, { environment });
    const kafka = new KafkaChart(app, { environment, platform });
    const backend = new BackendChart(app, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
    const frontend = new FrontendChart(app, { environment, platform, backend: backend.service });
    return { backend: Testing.synth(backend), frontend: Testing.synth(frontend) };
  };

  test.each([
    ['dev (no Kafka authentication, AWS S3)', dev],
    ['prod (SCRAM Kafka authentication)', fixtureEnvironment('prod')],
    ['dev with an S3-compatible endpoint', { ...dev, s3: { ...dev.s3, endpoint: 'https://objects.example.com:9000' } }],
  ])("every variable of the backend's container and its ConfigMap is one the loader refuses: %s", (_, environment) => {
    const { backend } = build(environment as Environment);
    const container = backend.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0];
    const config = backend.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'backend-config');
    const names = [...container.env.map((e: { name: string }) => e.name), ...Object.keys(config.data)];
    const owned = Object.keys(backendOwnership().env);
    expect(names.filter((n) => !owned.includes(n))).toEqual([]);
    expect(Object.keys(backendOwnership().configMaps)).toEqual(backend.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name));
  });

  test('every label the constructs put on a pod, and every pod annotation of the charts, is one the loader refuses', () => {
    const { backend, frontend } = build(dev);
    for (const [objects, ownership] of [[backend, backendOwnership()], [frontend, FRONTEND_OWNERSHIP]] as const) {
      const template = objects.find((m) => m.kind === 'Deployment').spec.template;
      expect(Object.keys(template.metadata.labels).filter((k) => CONSTRUCT_POD_LABELS[k] === undefined)).toEqual([]);
      const annotations = Object.keys(template.metadata.annotations ?? {}).filter((k) => k !== 'checksum/config');
      expect(annotations.filter((k) => ownership.podAnnotations[k] === undefined)).toEqual([]);
    }
    expect(Object.keys(FRONTEND_OWNERSHIP.configMaps)).toEqual(frontend.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name));
  });

  test("the frontend's stop is the one the loader sums: its pre-stop delay, grace period and nginx worker_shutdown_timeout", () => {
    const { frontend } = build(dev);
    const pod = frontend.find((m) => m.kind === 'Deployment').spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(FRONTEND_STOP.terminationGracePeriodSeconds);
    expect(pod.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sleep', String(FRONTEND_STOP.preStopDelaySeconds)]);
    const nginx = frontend.find((m) => m.kind === 'ConfigMap');
    expect(Object.values(nginx.data).join('\n')).toMatch(new RegExp(`^\\s*worker_shutdown_timeout ${FRONTEND_WORKER_SHUTDOWN_SECONDS}s;`, 'm'));
  });

  test('an environment built in code gets the same refusals from the chart, naming the chart', () => {
    const withBackend = (settings: WorkloadSettings): Environment => ({ ...dev, components: { ...dev.components, backend: { ...dev.components.backend, ...settings } } });
    expect(() => build(withBackend({ env: [{ name: 'SPRING_DATASOURCE_PASSWORD', value: 'x' }] }))).toThrow(
      'BackendChart "backend": components.backend.env[0].name: "SPRING_DATASOURCE_PASSWORD" — a name the chart does not set: the chart sets SPRING_DATASOURCE_PASSWORD',
    );
    expect(() => build(withBackend({ terminationGracePeriodSeconds: 60 }))).toThrow('BackendChart "backend": components.backend.terminationGracePeriodSeconds: 60 — an integer of at least 75');
    expect(() => build(withBackend({ affinity: { podAntiAffinity: {} } as WorkloadSettings['affinity'] }))).toThrow(`BackendChart "backend": components.backend.affinity.podAntiAffinity: {} — ${POD_AFFINITY_REFUSAL}`);
  });

  test("a variable the chart sets is refused even when the chart's ownership does not list it", () => {
    const defaults = {
      field: ['services', 'search'],
      ownership: { ...FRONTEND_OWNERSHIP, configMaps: {} },
      fail: failFor('TestChart', 'search'),
      env: [{ name: 'SEARCH_INDEX', value: 'messages' }],
      readinessProbe: { path: '/ready' },
      livenessProbe: { path: '/live' },
      preStopDelaySeconds: 10,
      terminationGracePeriodSeconds: 40,
    };
    expect(() => webServiceSettingsProps({ env: [{ name: 'search_index', value: 'other' }] }, defaults)).toThrow(
      'TestChart "search": services.search.env[0].name: "search_index" — a name the chart does not set: the chart sets SEARCH_INDEX, in the container\'s env',
    );
    expect(webServiceSettingsProps({}, defaults)).toEqual({
      env: defaults.env,
      readinessProbe: defaults.readinessProbe,
      livenessProbe: defaults.livenessProbe,
      preStopDelaySeconds: 10,
      terminationGracePeriodSeconds: 40,
    });
  });
});
