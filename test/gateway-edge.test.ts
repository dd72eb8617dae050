// The Gateway API edge: the HTTPRoute (and optionally the Gateway) an environment with
// `ingress.edge: gateway` gets, the network path from the Gateway's data plane, the Argo CD grant,
// and the whole tree passing validation, CRD CEL rules included.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, JsonPatch } from 'cdk8s';
import { renderApp } from '../app/render';
import { buildApp } from '../app/synthesize';
import { FrontendChart } from '../charts/frontend-chart';
import { Environment } from '../lib/environment/environment';
import { loadEnvironment, loadEnvironments } from '../lib/environment/load-environments';
import { selects } from '../lib/validation/label-selector';
import { validateTree } from '../lib/validation/validate';
import { configError } from './support/config-error';
import { FIXTURE_ROOT, gitopsConfig } from './support/fixture-project';

const EDGE_ROOT = path.join(FIXTURE_ROOT, 'gateway-edge');
const EDGE_FILE = path.join(EDGE_ROOT, 'environments', 'edge.yaml');
const EDGE = loadEnvironments(path.join(EDGE_ROOT, 'environments'), { root: EDGE_ROOT })[0]!;
const FRONTEND_PODS = { 'app.kubernetes.io/name': 'frontend', 'app.kubernetes.io/instance': 'frontend' };

/** The environment with its own Gateway (`gatewayClassName`) instead of the platform's. */
function ownGateway(env: Environment): Environment {
  return { ...env, ingress: { ...env.ingress, gateway: { name: 'chat-edge', gatewayClassName: 'eg' } } };
}

function build(env: Environment): { app: App; frontend: FrontendChart } {
  const app = buildApp([env], gitopsConfig());
  const frontend = app.node.findAll().find((c): c is FrontendChart => c.constructor === FrontendChart)!;
  return { app, frontend };
}

function manifests(app: App): Record<string, any>[] {
  return renderApp(app).map((o) => o.manifest);
}

function one(app: App, kind: string, name: string): Record<string, any> {
  const found = manifests(app).filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('the Gateway API edge', () => {
  test('routes the host to the frontend Service through the platform Gateway listener the environment names', () => {
    const { app } = build(EDGE);
    const route = one(app, 'HTTPRoute', 'frontend');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.namespace).toBe(EDGE.namespace);
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform-edge', namespace: 'gateway-system', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual([EDGE.host]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/ws' } }], backendRefs: [{ name: 'frontend', port: 80 }], timeouts: { request: '0s', backendRequest: '0s' } },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'frontend', port: 80 }], timeouts: { request: '5m' } },
    ]);
  });

  test('writes no Ingress, no Gateway of its own and no LoadBalancer Service', () => {
    const kinds = manifests(build(EDGE).app).filter((m) => m.metadata.namespace === EDGE.namespace);
    expect(kinds.filter((m) => m.kind === 'Ingress' || m.kind === 'Gateway')).toEqual([]);
    expect(kinds.filter((m) => m.kind === 'Service' && ['LoadBalancer', 'NodePort'].includes(m.spec.type))).toEqual([]);
  });

  test("admits the Gateway data plane's pods to the frontend, instead of ingress-nginx's", () => {
    const policies = manifests(build(EDGE).app).filter(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === EDGE.namespace && selects(m.spec.podSelector, FRONTEND_PODS),
    );
    const byName = Object.fromEntries(policies.map((p) => [p.metadata.name, p.spec]));
    expect(byName).not.toHaveProperty('frontend-from-ingress-controller');
    expect(byName['frontend-from-gateway'].ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
            podSelector: {
              matchLabels: { 'gateway.envoyproxy.io/owning-gateway-name': 'platform-edge', 'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system' },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
  });

  test('trusts forwarded headers in the frontend nginx from the configured data-plane range only', () => {
    const { frontend } = build(EDGE);
    expect(frontend.proxy.config).toMatch(/geo \$forwarded_by_trusted_proxy \{\n\s+default 0;\n\s+10\.40\.0\.0\/16 1;\n\s+\}/);
  });

  test('passes every validation rule, the CRDs\' CEL and list-type rules included', () => {
    for (const env of [EDGE, ownGateway(EDGE)]) {
      const report = validateTree(renderApp(build(env).app));
      expect(report.findings).toEqual([]);
      expect(report.objects).toBeGreaterThan(0);
    }
  });

  test('lets the Argo CD project manage HTTPRoutes (and Gateways, when the environment writes one)', () => {
    const whitelist = (env: Environment) =>
      one(build(env).app, 'AppProject', gitopsConfig().argocd.project).spec.namespaceResourceWhitelist.filter((k: any) => k.group === 'gateway.networking.k8s.io');
    expect(whitelist(EDGE)).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }]);
    expect(whitelist(ownGateway(EDGE))).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
    ]);
  });

  describe('with a Gateway of its own (gatewayClassName)', () => {
    const env = ownGateway(EDGE);

    test('terminates TLS on an HTTPS listener with the environment Secret, and only redirects on HTTP', () => {
      const { app } = build(env);
      const gateway = one(app, 'Gateway', 'chat-edge');
      expect(gateway.metadata.namespace).toBe(env.namespace);
      expect(gateway.metadata.annotations[`external.policy/Secret.${env.ingress.tlsSecretName}`]).toMatch(/out of band/);
      expect(gateway.spec).toEqual({
        gatewayClassName: 'eg',
        listeners: [
          {
            name: 'https',
            protocol: 'HTTPS',
            port: 443,
            hostname: env.host,
            tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: env.ingress.tlsSecretName }] },
            allowedRoutes: { namespaces: { from: 'Same' } },
          },
          { name: 'http', protocol: 'HTTP', port: 80, hostname: env.host, allowedRoutes: { namespaces: { from: 'Same' } } },
        ],
      });
      expect(one(app, 'HTTPRoute', 'chat-edge-https-redirect').spec).toEqual({
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'chat-edge', sectionName: 'http' }],
        hostnames: [env.host],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      });
      expect(one(app, 'HTTPRoute', 'frontend').spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'chat-edge', sectionName: 'https' }]);
    });

    test('admits by default the pods GEP-1762 labels with the Gateway name, in its namespace', () => {
      const { frontend } = build(env);
      expect(frontend.route!.dataPlane).toEqual({ namespace: env.namespace, podLabels: { 'gateway.networking.k8s.io/gateway-name': 'chat-edge' } });
    });
  });

  describe('validation refuses a broken edge', () => {
    test('a backendRequest timeout longer than the request timeout (the CRD\'s CEL rule)', () => {
      const { app, frontend } = build(EDGE);
      frontend.route!.route.addJsonPatch(JsonPatch.replace('/spec/rules/1/timeouts', { request: '1m', backendRequest: '10m' }));
      const findings = validateTree(renderApp(app)).findings;
      expect(findings.map((f) => `${f.rule} ${f.object} ${f.message}`)).toEqual([
        expect.stringMatching(/^CRD-CEL HTTPRoute\/frontend spec\.rules\[1\]\.timeouts: .*backendRequest timeout cannot be longer than request timeout/),
      ]);
    });

    test('an HTTPS listener terminating TLS with no certificate', () => {
      const { app, frontend } = build(ownGateway(EDGE));
      frontend.gateway!.gateway.addJsonPatch(JsonPatch.replace('/spec/listeners/0/tls/certificateRefs', []));
      const findings = validateTree(renderApp(app)).findings;
      expect(findings.map((f) => `${f.rule} ${f.object} ${f.message}`)).toEqual([
        expect.stringMatching(/^CRD-CEL Gateway\/chat-edge spec\.listeners\[0\]\.tls: .*certificateRefs or options must be specified when mode is Terminate/),
      ]);
    });

    test('TLS settings on the plain-HTTP listener', () => {
      const { app, frontend } = build(ownGateway(EDGE));
      frontend.gateway!.gateway.addJsonPatch(JsonPatch.add('/spec/listeners/1/tls', { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'chat-edge-tls' }] }));
      expect(validateTree(renderApp(app)).findings.map((f) => f.message).join('\n')).toMatch(/tls must not be specified for protocols \['HTTP', 'TCP', 'UDP'\]/);
    });

    test('a backendRef to a Service that does not exist', () => {
      const { app, frontend } = build(EDGE);
      frontend.route!.route.addJsonPatch(JsonPatch.replace('/spec/rules/0/backendRefs/0/name', 'frontend-old'));
      expect(validateTree(renderApp(app)).findings.map((f) => `${f.rule} ${f.object} ${f.message}`)).toEqual([
        'REF-ROUTE-BACKEND HTTPRoute/frontend spec.rules[0].backendRefs[0].name: backend Service "frontend-old" does not exist',
      ]);
    });

    test('a timeout that is no Gateway API duration (the schema)', () => {
      const { app, frontend } = build(EDGE);
      frontend.route!.route.addJsonPatch(JsonPatch.replace('/spec/rules/1/timeouts/request', '5 minutes'));
      expect(validateTree(renderApp(app)).findings.map((f) => f.rule)).toContain('K8S-SCHEMA');
    });
  });
});

describe('the environment file of an edge', () => {
  const edgeText = fs.readFileSync(EDGE_FILE, 'utf8');
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-env-'));
    fs.mkdirSync(path.join(dir, 'environments'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Loads the edge fixture with its `ingress:` section replaced. */
  function loadWithIngress(ingress: string) {
    const text = edgeText.replace(/^ingress:\n(?: {2}.*\n|\s*\n)*/m, `ingress:\n${ingress.replace(/^/gm, '  ')}\n`);
    const file = path.join(dir, 'environments', 'edge.yaml');
    fs.writeFileSync(file, text);
    return () => loadEnvironment(file, { root: dir });
  }
  const problem = (load: () => unknown, field: string) => {
    const found = configError(load).problems.filter((p) => p.field === field);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const base = 'tlsSecretName: chat-edge-tls\nmaxBodySize: 20m';

  test('loads the fixture as written', () => {
    expect(loadWithIngress(edgeText.slice(edgeText.indexOf('ingress:\n') + 9, edgeText.indexOf('kafka:\n')).replace(/^ {2}/gm, '').trimEnd())().ingress.edge).toBe('gateway');
  });

  test('refuses a LoadBalancer without a TLS certificate, naming file, field, value and what is allowed', () => {
    const p = problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: LoadBalancer`), 'ingress.serviceType');
    expect(p.file).toBe('environments/edge.yaml');
    expect(p.value).toBe('LoadBalancer');
    expect(p.allowed).toMatch(/"ClusterIP", or "LoadBalancer" with ingress\.loadBalancer\.tlsCertificate/);
  });

  test('refuses NodePort, which publishes plain HTTP on every node', () => {
    const p = problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: NodePort`), 'ingress.serviceType');
    expect(p.allowed).toMatch(/"NodePort" is not offered/);
  });

  test('refuses load balancer settings without a LoadBalancer, and annotations the certificate writes', () => {
    expect(problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: ClusterIP\nloadBalancer:\n  tlsCertificate: arn:aws:acm:ap-northeast-2:123456789012:certificate/0f2b5c1e-7a3d-4e8b-9c6f-1d2e3f4a5b6c`), 'ingress.loadBalancer').allowed).toMatch(
      /unset unless ingress\.serviceType is "LoadBalancer"/,
    );
    const own = 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports';
    const load = loadWithIngress(
      `${base}\nclassName: nginx\nserviceType: LoadBalancer\nloadBalancer:\n  tlsCertificate: arn:aws:acm:ap-northeast-2:123456789012:certificate/0f2b5c1e-7a3d-4e8b-9c6f-1d2e3f4a5b6c\n  annotations:\n    ${own}: "80"`,
    );
    expect(problem(load, `ingress.loadBalancer.annotations.${own}`).allowed).toMatch(/tlsCertificate and proxyProtocol write this annotation/);
  });

  test('refuses a certificate that is no ACM ARN', () => {
    const p = problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: LoadBalancer\nloadBalancer:\n  tlsCertificate: chat-prod-tls`), 'ingress.loadBalancer.tlsCertificate');
    expect(p.allowed).toMatch(/the ARN of an ACM certificate/);
  });

  test('needs gateway with edge gateway, and refuses an IngressClass with it', () => {
    expect(problem(loadWithIngress(`${base}\nedge: gateway\nserviceType: ClusterIP`), 'ingress.gateway').allowed).toMatch(/required with edge "gateway"/);
    const both = loadWithIngress(`${base}\nedge: gateway\nclassName: nginx\nserviceType: ClusterIP\ngateway:\n  name: platform-edge`);
    expect(problem(both, 'ingress.className').value).toBe('nginx');
  });

  test('needs className with the Ingress edge, and refuses gateway settings with it', () => {
    expect(problem(loadWithIngress(`${base}\nserviceType: ClusterIP`), 'ingress.className').allowed).toMatch(/required with edge "ingress"/);
    expect(problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: ClusterIP\ngateway:\n  name: platform-edge`), 'ingress.gateway').allowed).toMatch(/unset with edge "ingress"/);
  });

  test('keeps a Gateway written here in the environment namespace, with the https listener', () => {
    const gateway = `${base}\nedge: gateway\nserviceType: ClusterIP\ngateway:\n  name: chat-edge\n  gatewayClassName: eg\n`;
    expect(problem(loadWithIngress(`${gateway}  namespace: gateway-system`), 'ingress.gateway.namespace').allowed).toMatch(/the environment's namespace \("chat-edge"\)/);
    expect(problem(loadWithIngress(`${gateway}  sectionName: web`), 'ingress.gateway.sectionName').value).toBe('web');
  });

  test('refuses a trusted proxy range that is no CIDR', () => {
    const p = problem(loadWithIngress(`${base}\nclassName: nginx\nserviceType: ClusterIP\ntrustedProxies: [10.0.0.0/8, 10.0.0.300/32]`), 'ingress.trustedProxies[1]');
    expect(p.value).toBe('10.0.0.300/32');
  });
});
