import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { renderTree, validateRendered } from '../app/synthesize';
import { BackendChart } from '../charts/backend-chart';
import { KafkaChart } from '../charts/kafka-chart';
import { PlatformChart } from '../charts/platform-chart';
import { NetworkBaseline } from '../constructs/network-baseline';
import { Environment, NETWORK_DEFAULTS, networkSettings } from '../lib/environment/environment';
import { loadEnvironment } from '../lib/environment/load-environments';
import { labelKeyProblem } from '../lib/predicates/label-key';
import { configError } from './support/config-error';
import { fixtureEnvironment, fixtureEnvironmentText, fixtureEnvironments, gitopsConfig } from './support/fixture-project';
import { testChart } from './support/test-chart';

// The staging fixture shows the network section with every setting; dev and prod have none, so
// they run on the defaults.
const staging = fixtureEnvironment('staging');
const dev = fixtureEnvironment('dev');

const BACKEND_PODS = { matchLabels: { 'app.kubernetes.io/instance': 'backend', 'app.kubernetes.io/name': 'backend' } };

/** The manifests of the platform and backend charts of `environment`, by kind and name. */
function build(environment: Environment) {
  const app = new App();
  const platform = new PlatformChart(app, { environment });
  const kafka = new KafkaChart(app, { environment, platform });
  const backend = new BackendChart(app, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
  const byName = (objects: any[]) => new Map(objects.map((m) => [`${m.kind}/${m.metadata.name}`, m]));
  return { platform: byName(Testing.synth(platform)), backend: byName(Testing.synth(backend)) };
}

const withNetwork = (environment: Environment, network: Environment['network']): Environment => ({ ...environment, network });

describe('the network section of an environment', () => {
  test('absent, Prometheus pods in namespace monitoring may scrape, and everything else is off', () => {
    expect(networkSettings({})).toEqual({
      metricsScrapers: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      nodeLocalDnsAddresses: [],
      privateEndpoints: [],
    });
  });

  test('a written section is on unless it says enabled: false, and each pod field defaults on its own', () => {
    expect(
      networkSettings({
        network: {
          monitoring: { namespace: 'observability' },
          certManagerHttp01: { from: { podLabels: { 'app.kubernetes.io/name': 'traefik' } } },
          nodeLocalDns: {},
        },
      }),
    ).toEqual({
      metricsScrapers: { namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      http01SolverClients: { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'traefik' } },
      nodeLocalDnsAddresses: ['169.254.20.10'],
      privateEndpoints: [],
    });
    expect(networkSettings({ network: { monitoring: { enabled: false }, certManagerHttp01: { enabled: false }, nodeLocalDns: { enabled: false } } })).toEqual({
      nodeLocalDnsAddresses: [],
      privateEndpoints: [],
    });
  });

  test('the staging fixture loads with every setting it writes', () => {
    expect(networkSettings(staging)).toEqual({
      metricsScrapers: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      http01SolverClients: NETWORK_DEFAULTS.http01SolverClients,
      nodeLocalDnsAddresses: ['169.254.20.10'],
      privateEndpoints: ['10.30.128.0/24', '10.30.129.0/24'],
    });
  });
});

describe('a bad network section stops the load, naming file, line, field, value and what is allowed', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'network-section-'));
    fs.mkdirSync(path.join(root, 'environments'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Loads the staging fixture with its network section replaced by `section`; returns the lines of the refusal. */
  function problems(section: string, edit: (text: string) => string = (t) => t): string[] {
    const text = fixtureEnvironmentText('staging');
    const base = text.slice(0, text.indexOf('\nnetwork:') + 1);
    const file = path.join(root, 'environments', 'staging.yaml');
    fs.writeFileSync(file, edit(`${base}network:\n${section}`));
    return configError(() => loadEnvironment(file, { root })).message.split('\n');
  }
  /** The 1-based line of the first line of `section` in the written file. */
  const sectionLine = () => fixtureEnvironmentText('staging').slice(0, fixtureEnvironmentText('staging').indexOf('\nnetwork:') + 1).split('\n').length + 1;

  test('a private endpoint that is no CIDR', () => {
    expect(problems('  privateEndpoints: [10.30.128.0/33]\n')).toEqual([
      `environments/staging.yaml:${sectionLine()}:22: network.privateEndpoints[0]: "10.30.128.0/33" — an IPv4 or IPv6 address range (CIDR) such as "10.0.0.0/16" or "::/0", its prefix length at most 32 for IPv4 and 128 for IPv6`,
    ]);
  });

  test('a private endpoint range of every address', () => {
    expect(problems('  privateEndpoints: [0.0.0.0/0]\n')).toEqual([
      `environments/staging.yaml:${sectionLine()}:22: network.privateEndpoints[0]: "0.0.0.0/0" — the range of the endpoints' subnets, not every address: /0 would open 443 to every private address, the cluster's own included`,
    ]);
  });

  test('private endpoints beside an S3-compatible endpoint', () => {
    const lines = problems('  privateEndpoints: [10.30.128.0/24]\n', (t) => t.replace('\n  publicUrlBase:', '\n  endpoint: https://minio.example.com\n  publicUrlBase:'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:\d+:21: network\.privateEndpoints: \["10\.30\.128\.0\/24"\] — unset with s3\.endpoint: the backend then reaches that endpoint on its port at any address, and AWS S3 not at all$/,
      ),
    ]);
  });

  test('a node-local DNS address written as a range', () => {
    expect(problems('  nodeLocalDns:\n    addresses: [169.254.20.10/32]\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:17: network.nodeLocalDns.addresses[0]: "169.254.20.10/32" — an IPv4 or IPv6 address such as "169.254.20.10", without a prefix length: the policy admits that one address`,
    ]);
  });

  test('a pod label key the API server would refuse, pointing at the key', () => {
    expect(problems('  monitoring:\n    podLabels: { "app kubernetes": prometheus }\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:18: network.monitoring.podLabels.app kubernetes: "app kubernetes" — ${
        'a label key: an optional DNS-1123 subdomain prefix of at most 253 characters and "/", then a name of at most 63 ' +
        'alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric, e.g. "app.kubernetes.io/name"'
      }`,
    ]);
  });

  test('a pod label value the API server would refuse', () => {
    expect(problems('  certManagerHttp01:\n    from: { podLabels: { app.kubernetes.io/name: -nginx } }\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:50: network.certManagerHttp01.from.podLabels.app.kubernetes.io/name: "-nginx" — a label value: at most 63 characters, alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric`,
    ]);
  });

  test('pod labels that are no mapping', () => {
    expect(problems('  monitoring:\n    podLabels: prometheus\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:16: network.monitoring.podLabels: "prometheus" — a mapping of label keys to label values ({} for every pod of the namespace)`,
    ]);
  });

  test('a namespace that is no DNS-1123 label', () => {
    expect(problems('  monitoring:\n    namespace: Monitoring\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:16: network.monitoring.namespace: "Monitoring" — a DNS-1123 label: at most 63 characters, lowercase letters, digits and "-", starting and ending with a letter or digit`,
    ]);
  });

  test('enabled that is no boolean', () => {
    expect(problems('  nodeLocalDns:\n    enabled: "yes"\n')).toEqual([
      `environments/staging.yaml:${sectionLine() + 1}:14: network.nodeLocalDns.enabled: "yes" — true or false (default: true once the section is written)`,
    ]);
  });

  test('the HTTP-01 solver behind a Gateway without the pods the challenges come through', () => {
    const gatewayEdge = (t: string) => t.replace('\n  className: nginx\n', '\n  edge: gateway\n  gateway: { name: public, namespace: gateway-system }\n');
    expect(problems('  certManagerHttp01:\n    enabled: true\n', gatewayEdge)).toContainEqual(
      // The edit adds a line above the section.
      `environments/staging.yaml:${sectionLine() + 2}:5: network.certManagerHttp01.from: (missing) — required with ingress.edge "gateway": ` +
        "the namespace and podLabels of the Gateway's data-plane pods, which the challenge requests come through (the default is the ingress-nginx controller)",
    );
  });

  test('a misspelt setting, with the one meant', () => {
    expect(problems('  privateEndpoint: [10.30.128.0/24]\n')).toEqual([
      `environments/staging.yaml:${sectionLine()}:3: network.privateEndpoint: ["10.30.128.0/24"] — unknown field; allowed: certManagerHttp01, monitoring, nodeLocalDns, privateEndpoints (did you mean "privateEndpoints"?)`,
    ]);
  });
});

describe('label keys', () => {
  test.each(['app', 'app.kubernetes.io/name', 'example.com/a_b.c', 'A-1'])('%j is a label key', (key) => expect(labelKeyProblem(key)).toBeUndefined());
  const shown = (key: string) => (key.length > 20 ? `${key.slice(0, 8)}… (${key.length} characters)` : JSON.stringify(key));
  test.each(['', 'a b', 'a/b/c', '/name', 'x/', 'Example.com/name', '-app', 'a'.repeat(64), `${'a'.repeat(254)}/name`].map((key) => [shown(key), key]))(
    '%s is not a label key',
    (_shown, key) => expect(labelKeyProblem(key)).toMatch(/^a label key:/),
  );
});

describe('NetworkBaseline', () => {
  test('lets every pod query a node-local DNS cache on its addresses, beside the cluster DNS pods', () => {
    const chart = testChart();
    const baseline = new NetworkBaseline(chart, 'net', { dnsCacheAddresses: ['169.254.20.10', 'fd00::a'] });
    expect(Testing.synth(chart).find((m) => m.metadata.name === 'allow-dns-egress').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
            { ipBlock: { cidr: '169.254.20.10/32' } },
            { ipBlock: { cidr: 'fd00::a/128' } },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    expect(baseline.allowDns.node.scope).toBe(baseline);
  });

  test('without a cache, DNS goes to the cluster DNS pods only', () => {
    const chart = testChart();
    new NetworkBaseline(chart, 'net');
    expect(Testing.synth(chart).find((m) => m.metadata.name === 'allow-dns-egress').spec.egress[0].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    ]);
  });

  test('refuses a cache address that is a range', () => {
    expect(() => new NetworkBaseline(testChart(), 'net', { dnsCacheAddresses: ['169.254.20.10/32'] })).toThrow(
      'NetworkBaseline "shop": dnsCacheAddresses[0]: "169.254.20.10/32" — an IPv4 or IPv6 address, without a prefix length',
    );
  });
});

describe('the platform chart', () => {
  test('lets the edge reach cert-manager\'s HTTP-01 solver pods on 8089, declaring why the selector matches nothing in git', () => {
    const policy = build(staging).platform.get('NetworkPolicy/acme-http01-solver-from-edge');
    expect(policy.metadata.namespace).toBe('chat-staging');
    expect(policy.metadata.annotations).toEqual({
      'exempt.policy/REF-NETPOL-SELECTOR': 'selects the HTTP-01 solver pods cert-manager creates while a Challenge is pending; they are never in git',
    });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8089 }],
        },
      ],
    });
  });

  test('gives the solver pods no egress: they only answer', () => {
    const policies = [...build(staging).platform.values()].filter((m) => m.kind === 'NetworkPolicy');
    const aboutSolver = policies.filter((m) => m.spec.podSelector.matchLabels?.['acme.cert-manager.io/http01-solver']);
    expect(aboutSolver.map((m) => m.spec.policyTypes)).toEqual([['Ingress']]);
  });

  test('without the section there is no solver policy, and DNS goes to kube-dns only', () => {
    const platform = build(dev).platform;
    expect([...platform.keys()].filter((k) => k.startsWith('NetworkPolicy/')).sort()).toEqual(['NetworkPolicy/allow-dns-egress', 'NetworkPolicy/default-deny-all']);
    expect(platform.get('NetworkPolicy/allow-dns-egress').spec.egress[0].to).toHaveLength(1);
  });

  test('lets DNS out to the node-local cache the environment names', () => {
    expect(build(staging).platform.get('NetworkPolicy/allow-dns-egress').spec.egress[0].to[1]).toEqual({ ipBlock: { cidr: '169.254.20.10/32' } });
  });

  test('lets the solver be reached from the pods the environment names', () => {
    const env = withNetwork(dev, { certManagerHttp01: { from: { namespace: 'kube-system', podLabels: { 'app.kubernetes.io/name': 'traefik' } } } });
    expect(build(env).platform.get('NetworkPolicy/acme-http01-solver-from-edge').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } } },
    ]);
  });
});

describe('the backend chart', () => {
  test('lets the monitoring pods in on the port its scrape annotations name, and on no other', () => {
    const b = build(dev).backend;
    const annotations = b.get('Deployment/backend').spec.template.metadata.annotations;
    expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/actuator/prometheus' });
    expect(b.get('NetworkPolicy/backend-from-monitoring').spec).toEqual({
      podSelector: BACKEND_PODS,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: Number(annotations['prometheus.io/port']) }],
        },
      ],
    });
  });

  test('with monitoring off, nothing is let in to scrape', () => {
    expect(build(withNetwork(dev, { monitoring: { enabled: false } })).backend.has('NetworkPolicy/backend-from-monitoring')).toBe(false);
  });

  test('may reach the private endpoints the environment lists on 443, beside public addresses', () => {
    expect(build(staging).backend.get('NetworkPolicy/backend-to-object-storage').spec).toEqual({
      podSelector: BACKEND_PODS,
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } },
            { ipBlock: { cidr: '10.30.128.0/24' } },
            { ipBlock: { cidr: '10.30.129.0/24' } },
          ],
          ports: [{ protocol: 'TCP', port: 443 }],
        },
      ],
    });
  });

  test('without private endpoints, reaches public addresses only', () => {
    expect(build(dev).backend.get('NetworkPolicy/backend-to-object-storage').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } },
    ]);
  });
});

describe('the synthesized fixture tree', () => {
  test('passes every validation rule, the solver policy\'s selector exempted with its reason', () => {
    const environments = fixtureEnvironments();
    const { objects } = renderTree(environments, gitopsConfig());
    const names = (env: string) => objects.filter((o) => o.environment === env && o.manifest.kind === 'NetworkPolicy').map((o) => o.manifest.metadata.name);
    // The tree holds what this suite is about, so the validation below covers it.
    expect(names('staging')).toEqual(expect.arrayContaining(['acme-http01-solver-from-edge', 'backend-from-monitoring', 'backend-to-object-storage', 'allow-dns-egress']));
    const report = validateRendered(objects, environments);
    expect(report.findings).toEqual([]);
    expect(report.exemptions.map((e) => [e.rule, e.environment, e.object])).toEqual([['REF-NETPOL-SELECTOR', 'staging', 'NetworkPolicy/acme-http01-solver-from-edge']]);
  });
});
