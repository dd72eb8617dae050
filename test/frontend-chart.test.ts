import { Testing } from 'cdk8s';
import { addChatPlatform } from '../charts/chat-platform';
import { FrontendChart } from '../charts/frontend-chart';
import { Environment } from '../lib/environment/environment';
import { renderApp } from '../app/render';
import { selects } from '../lib/validation/label-selector';
import { validateTree } from '../lib/validation/validate';
import { fixtureEnvironments } from './support/fixture-project';

const ENVIRONMENTS = fixtureEnvironments();

function environment(name: string, change: (env: Environment) => Environment = (e) => e): Environment {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return change(env);
}

/** Every object of one environment, composed exactly as synth composes it. */
function synthEnvironment(env: Environment) {
  const app = Testing.app();
  addChatPlatform(app, env);
  // By constructor: cdk8s makes `instanceof` of any chart class true for every chart.
  const chart = app.node.findAll().find((c): c is FrontendChart => c.constructor === FrontendChart)!;
  const frontend: Record<string, any>[] = Testing.synth(chart);
  const one = (kind: string, name: string) => {
    const found = frontend.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  return { app, chart, frontend, one };
}

const FRONTEND_PODS = { 'app.kubernetes.io/name': 'frontend', 'app.kubernetes.io/instance': 'frontend' };

/** The NetworkPolicies of a namespace that select the frontend's pods, by name. */
function policiesOnFrontend(app: ReturnType<typeof Testing.app>, namespace: string): Record<string, Record<string, any>> {
  const all = renderApp(app).map((o) => o.manifest).filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === namespace);
  return Object.fromEntries(all.filter((np) => selects(np.spec.podSelector, FRONTEND_PODS)).map((np) => [np.metadata.name, np.spec]));
}

describe('FrontendChart', () => {
  test.each(['dev', 'staging', 'prod'])('renders the Ingress, Service, NetworkPolicies and nginx ConfigMap of %s as reviewed', (name) => {
    const { frontend } = synthEnvironment(environment(name));
    const reviewed = frontend.filter((m) => ['Ingress', 'Service', 'NetworkPolicy', 'ConfigMap'].includes(m.kind));
    expect(Object.fromEntries(reviewed.map((m) => [`${m.kind}/${m.metadata.name}`, m]))).toMatchSnapshot();
  });

  test.each(['dev', 'staging', 'prod'])('passes every validation rule in %s', (name) => {
    const { app } = synthEnvironment(environment(name));
    const report = validateTree(renderApp(app));
    expect(report.findings.filter((f) => f.component === 'frontend')).toEqual([]);
  });

  describe('Ingress', () => {
    test('routes the environment host to the frontend Service over TLS with the environment class and Secret', () => {
      const env = environment('prod');
      const ingress = synthEnvironment(env).one('Ingress', 'frontend');
      expect(ingress.metadata.namespace).toBe(env.namespace);
      expect(ingress.spec).toEqual({
        ingressClassName: env.ingress.className,
        tls: [{ hosts: [env.host], secretName: env.ingress.tlsSecretName }],
        rules: [
          {
            host: env.host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } }] },
          },
        ],
      });
    });

    test('keeps WebSockets open for an hour of silence and accepts uploads up to the environment limit', () => {
      const env = environment('staging', (e) => ({ ...e, ingress: { ...e.ingress, maxBodySize: '64m' } }));
      const annotations = synthEnvironment(env).one('Ingress', 'frontend').metadata.annotations;
      expect(annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-body-size': '64m',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      });
    });

    test('declares its TLS Secret as created out of band', () => {
      const env = environment('dev');
      const annotations = synthEnvironment(env).one('Ingress', 'frontend').metadata.annotations;
      expect(annotations[`external.policy/Secret.${env.ingress.tlsSecretName}`]).toMatch(/out of band/);
    });
  });

  describe('Service', () => {
    test('publishes a TLS-only load balancer (443 alone) beside a ClusterIP Service where the environment asks for one', () => {
      const env = environment('prod');
      const { one } = synthEnvironment(env);
      expect(one('Service', 'frontend').spec.type).toBe('ClusterIP');
      const lb = one('Service', 'frontend-lb');
      expect(lb.spec).toMatchObject({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
      expect(lb.spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 8081, protocol: 'TCP' }]);
      expect(lb.metadata.annotations).toEqual({
        'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': env.ingress.loadBalancer!.tlsCertificate,
        'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443',
        'service.beta.kubernetes.io/aws-load-balancer-backend-protocol': 'tcp',
      });
    });

    test("sends the load balancer's traffic to nginx's TLS-offload listener, never to the edge's port", () => {
      const { chart, one } = synthEnvironment(environment('staging'));
      expect(chart.proxy.tlsOffloadPort).toBe(8081);
      expect(chart.proxy.config).toMatch(/^\s+listen 8081 default_server;$/m);
      expect(one('Service', 'frontend-lb').spec.ports.map((p: any) => p.targetPort)).not.toContain(chart.proxy.listenPort);
    });

    test('asks for PROXY protocol on both sides when the environment says so', () => {
      const env = environment('staging', (e) => ({ ...e, ingress: { ...e.ingress, loadBalancer: { ...e.ingress.loadBalancer!, proxyProtocol: true } } }));
      const { chart, one } = synthEnvironment(env);
      expect(one('Service', 'frontend-lb').metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-proxy-protocol']).toBe('*');
      expect(chart.proxy.config).toMatch(/^\s+listen 8081 proxy_protocol default_server;$/m);
    });

    test('is a plain ClusterIP Service, with no load balancer and no TLS-offload listener, where the environment says so', () => {
      const { chart, frontend, one } = synthEnvironment(environment('dev', (e) => ({ ...e, ingress: { ...e.ingress, serviceType: 'ClusterIP' } })));
      const spec = one('Service', 'frontend').spec;
      expect(spec.type).toBe('ClusterIP');
      expect(spec).not.toHaveProperty('externalTrafficPolicy');
      expect(frontend.filter((m) => m.kind === 'Service')).toHaveLength(1);
      expect(chart.proxy.tlsOffloadPort).toBeUndefined();
    });

    test('refuses a LoadBalancer without TLS settings even when the Environment is built in code', () => {
      const env = environment('prod', (e) => ({ ...e, ingress: { ...e.ingress, loadBalancer: undefined } }));
      expect(() => synthEnvironment(env)).toThrow(/ingress\.serviceType "LoadBalancer" needs ingress\.loadBalancer\.tlsCertificate/);
    });
  });

  describe('NetworkPolicies', () => {
    const lb = environment('staging', (e) => ({ ...e, ingress: { ...e.ingress, serviceType: 'LoadBalancer' } }));
    const clusterIp = environment('dev', (e) => ({ ...e, ingress: { ...e.ingress, serviceType: 'ClusterIP' } }));

    test('govern the frontend pods in both directions: default deny, DNS, ingress controller in, backend out', () => {
      const { app } = synthEnvironment(clusterIp);
      const policies = policiesOnFrontend(app, clusterIp.namespace);
      expect(Object.keys(policies).sort()).toEqual(['allow-dns-egress', 'default-deny-all', 'frontend-from-ingress-controller', 'frontend-to-backend']);
      expect(policies['default-deny-all']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    test('let only the ingress controller pods in, on the container port', () => {
      const { app } = synthEnvironment(clusterIp);
      expect(policiesOnFrontend(app, clusterIp.namespace)['frontend-from-ingress-controller']!.ingress).toEqual([
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ]);
    });

    test('let the frontend out only to the backend pods on their port (besides DNS)', () => {
      const { app } = synthEnvironment(clusterIp);
      const policies = policiesOnFrontend(app, clusterIp.namespace);
      const egress = Object.entries(policies)
        .filter(([name]) => name !== 'allow-dns-egress')
        .flatMap(([, spec]) => spec.egress ?? []);
      expect(egress).toEqual([
        { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/instance': 'backend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
    });

    test("behind a LoadBalancer, also let outside clients in, on the TLS-offload listener's port only", () => {
      const { app } = synthEnvironment(lb);
      const policies = policiesOnFrontend(app, lb.namespace);
      expect(policies['frontend-from-load-balancer']).toEqual({
        podSelector: { matchLabels: FRONTEND_PODS },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ protocol: 'TCP', port: 8081 }] }],
      });
    });

    test('without a LoadBalancer, admit nothing from outside the cluster', () => {
      const { app } = synthEnvironment(clusterIp);
      const ingressRules = Object.values(policiesOnFrontend(app, clusterIp.namespace)).flatMap((spec) => spec.ingress ?? []);
      expect(ingressRules.flatMap((rule: any) => rule.from).some((peer: any) => peer.ipBlock)).toBe(false);
    });
  });

  describe('Deployment', () => {
    test('runs nginx on the mounted configuration, with its runtime directory on an emptyDir', () => {
      const { chart, one } = synthEnvironment(environment('prod'));
      const pod = one('Deployment', 'frontend').spec.template.spec;
      const container = pod.containers[0];
      expect(container.command).toEqual(['nginx', '-c', '/etc/nginx/proxy/nginx.conf']);
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'tls-offload', containerPort: 8081, protocol: 'TCP' },
      ]);
      const mountOf = (mountPath: string) => {
        const mount = container.volumeMounts.find((m: any) => m.mountPath === mountPath);
        return pod.volumes.find((v: any) => v.name === mount?.name);
      };
      expect(mountOf('/etc/nginx/proxy')).toEqual({ name: expect.any(String), configMap: { name: chart.proxy.configMap.name } });
      expect(mountOf('/var/cache/nginx')).toEqual({ name: expect.any(String), emptyDir: {} });
    });

    test('probes the health endpoint nginx answers itself', () => {
      const container = synthEnvironment(environment('prod')).one('Deployment', 'frontend').spec.template.spec.containers[0];
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        expect(container[probe].httpGet).toEqual({ path: '/healthz', port: 'http' });
      }
    });

    test('rolls its pods when the nginx configuration changes', () => {
      const checksum = (maxBodySize: string) =>
        synthEnvironment(environment('prod', (e) => ({ ...e, ingress: { ...e.ingress, maxBodySize } }))).one('Deployment', 'frontend').spec.template
          .metadata.annotations['checksum/config'];
      expect(checksum('20m')).toMatch(/^[0-9a-f]{64}$/);
      expect(checksum('20m')).not.toBe(checksum('30m'));
    });

    test('proxies /api/ with the environment upload limit and the WebSocket path to the backend Service', () => {
      const env = environment('staging');
      const { chart } = synthEnvironment(env);
      expect(chart.proxy.upstreams.map((u) => u.serviceHost)).toEqual([`backend.${env.namespace}.svc.cluster.local`]);
      expect(chart.proxy.config).toContain(`client_max_body_size ${env.ingress.maxBodySize};`);
      expect(chart.proxy.config).toContain('location ~ ^/ws(?:/|$) {');
    });

    test('runs one nginx worker per CPU of its limit', () => {
      const withLimit = (cpu: string) => {
        const env = environment('prod', (e) => ({
          ...e,
          components: { ...e.components, frontend: { ...e.components.frontend, resources: { ...e.components.frontend.resources, limits: { ...e.components.frontend.resources.limits, cpu } } } },
        }));
        return /^worker_processes (\d+);$/m.exec(synthEnvironment(env).chart.proxy.config)![1];
      };
      expect(withLimit('500m')).toBe('1');
      expect(withLimit('2')).toBe('2');
      expect(withLimit('2500m')).toBe('3');
    });
  });
});
