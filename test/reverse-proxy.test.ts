import * as fs from 'node:fs';
import { testChart } from './support/test-chart';
import * as path from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { quoteArg, renderNginx, block, directive } from '../constructs/nginx-config';
import { ProxyRoute, ReverseProxy, ReverseProxyProps } from '../constructs/reverse-proxy';
import { WebService, WebServiceProps } from '../constructs/web-service';
import { describeWithNginx, localizeConfig, nginxTest, scratchDir } from './local-nginx';

const SERVICE: Omit<WebServiceProps, 'name'> = {
  image: 'registry.example.com/shop/app:1.0.0',
  version: '1.0.0',
  readinessProbe: { path: '/ready' },
  livenessProbe: { path: '/live' },
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
};

/** A service in `namespace`: in `chart` if that is the chart's namespace, else in a chart of that namespace beside it. */
function service(chart: Chart, name: string, namespace = 'shop', servicePort = 8080): WebService {
  const app = chart.node.root as App;
  const scope = chart.namespace === namespace ? chart : ((app.node.tryFindChild(`ns-${namespace}`) as Chart | undefined) ?? testChart(namespace, { app, id: `ns-${namespace}` }));
  return new WebService(scope, `svc-${name}-${namespace}`, { ...SERVICE, name, servicePort });
}

/** Props of a test proxy; routes are built from the `api` service the test chart holds. */
type TestProps = Partial<Omit<ReverseProxyProps, 'routes'>> & { routes?: (api: WebService) => ProxyRoute[] };

function proxyWith(props: TestProps = {}) {
  const chart = testChart();
  const api = service(chart, 'api');
  const { routes, ...rest } = props;
  const proxy = new ReverseProxy(chart, 'proxy', {
    name: 'web-nginx',
    routes: routes ? routes(api) : [{ kind: 'http', pathPrefix: '/api/', upstream: api }, { kind: 'websocket', upstream: api }],
    ...rest,
  });
  return { chart, api, proxy };
}

/** The lines of the block opened by `header` (e.g. `location ^~ /api/ {`), without indentation. */
function blockLines(config: string, header: string): string[] {
  const lines = config.split('\n');
  const start = lines.findIndex((l) => l.trim() === header);
  expect(start).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  let depth = 1;
  for (const line of lines.slice(start + 1)) {
    const t = line.trim();
    if (t.endsWith('{')) depth++;
    if (t === '}') depth--;
    if (depth === 0) break;
    out.push(t);
  }
  return out;
}

describe('ReverseProxy', () => {
  test("puts the whole nginx.conf into one ConfigMap in the chart's namespace, with the chart's labels and its own", () => {
    const { chart, proxy } = proxyWith({ labels: { team: 'web' } });
    const configMaps = Testing.synth(chart).filter((m) => m.kind === 'ConfigMap');
    expect(configMaps).toHaveLength(1);
    expect(configMaps[0].metadata).toEqual({
      name: 'web-nginx',
      namespace: 'shop',
      labels: { team: 'web', 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s' },
    });
    expect(configMaps[0].data).toEqual({ 'nginx.conf': proxy.config });
  });

  test('gives the workload its command, config mount and writable runtime directory', () => {
    const { proxy } = proxyWith({ configDirectory: '/etc/nginx/site', runtimeDirectory: '/run/nginx' });
    expect(proxy.command).toEqual(['nginx', '-c', '/etc/nginx/site/nginx.conf']);
    expect(proxy.configMount).toEqual({ configMap: proxy.configMap, mountPath: '/etc/nginx/site' });
    expect(proxy.writablePaths).toEqual(['/run/nginx']);
  });

  test('runs in the foreground and writes its pid and temporary files only in the runtime directory', () => {
    const { proxy } = proxyWith({ runtimeDirectory: '/run/nginx' });
    expect(proxy.config).toMatch(/^daemon off;$/m);
    expect(proxy.config).toMatch(/^pid \/run\/nginx\/nginx\.pid;$/m);
    for (const kind of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
      expect(proxy.config).toContain(`${kind}_temp_path /run/nginx/${kind};`);
    }
  });

  test('proxies to the upstream service by its in-cluster DNS name and Service port', () => {
    const { proxy } = proxyWith();
    expect(blockLines(proxy.config, 'upstream api {')).toContain('server api.shop.svc.cluster.local:8080;');
    expect(blockLines(proxy.config, 'location ^~ /api/ {')).toContain('proxy_pass http://api;');
  });

  test('declares each upstream service once, whatever the number of routes to it', () => {
    const { proxy } = proxyWith({
      routes: (api) => [
        { kind: 'http', pathPrefix: '/api/', upstream: api },
        { kind: 'http', pathPrefix: '/files/', upstream: api },
        { kind: 'websocket', upstream: api },
      ],
    });
    expect(proxy.upstreams.map((u) => u.name)).toEqual(['api']);
    expect(proxy.config.match(/^\s*upstream /gm)).toHaveLength(1);
  });

  test('limits request bodies per HTTP route, 1m unless told otherwise', () => {
    const { proxy } = proxyWith({
      routes: (api) => [
        { kind: 'http', pathPrefix: '/api/', upstream: api, maxBodySize: '25m' },
        { kind: 'http', pathPrefix: '/admin/', upstream: api },
      ],
    });
    expect(blockLines(proxy.config, 'location ^~ /api/ {')).toContain('client_max_body_size 25m;');
    expect(blockLines(proxy.config, 'location ^~ /admin/ {')).toContain('client_max_body_size 1m;');
  });

  test('passes the upgrade on the WebSocket route through a map, over HTTP/1.1, with long idle timeouts', () => {
    const { proxy } = proxyWith({ routes: (api) => [{ kind: 'websocket', path: '/socket', upstream: api, idleTimeoutSeconds: 7200 }] });
    expect(blockLines(proxy.config, 'map $http_upgrade $connection_upgrade {')).toEqual(['default upgrade;', '"" close;']);
    const ws = blockLines(proxy.config, 'location ~ ^/socket(?:/|$) {');
    expect(ws).toEqual(expect.arrayContaining([
      'proxy_http_version 1.1;',
      'proxy_set_header Upgrade $http_upgrade;',
      'proxy_set_header Connection $connection_upgrade;',
      'proxy_read_timeout 7200s;',
      'proxy_send_timeout 7200s;',
    ]));
  });

  test('defaults the WebSocket path to /ws', () => {
    const { proxy } = proxyWith({ routes: (api) => [{ kind: 'websocket', upstream: api }] });
    expect(proxy.config).toContain('location ~ ^/ws(?:/|$) {');
  });

  test('sets every forwarded header on every proxied route, from the trust maps', () => {
    const { proxy } = proxyWith();
    for (const header of ['location ^~ /api/ {', 'location ~ ^/ws(?:/|$) {']) {
      expect(blockLines(proxy.config, header)).toEqual(expect.arrayContaining([
        'proxy_set_header X-Forwarded-For $forwarded_for;',
        'proxy_set_header X-Forwarded-Proto $forwarded_proto;',
        'proxy_set_header X-Forwarded-Host $forwarded_host;',
        'proxy_set_header X-Forwarded-Port $forwarded_port;',
        'proxy_set_header Forwarded "";',
        'proxy_set_header X-Forwarded-Prefix "";',
        'proxy_set_header X-Forwarded-Ssl "";',
      ]));
    }
  });

  test('believes forwarded headers from the private ranges by default, or from the ranges it is given', () => {
    expect(blockLines(proxyWith().proxy.config, 'geo $forwarded_by_trusted_proxy {')).toEqual([
      'default 0;', '10.0.0.0/8 1;', '172.16.0.0/12 1;', '192.168.0.0/16 1;', '100.64.0.0/10 1;', 'fc00::/7 1;',
    ]);
    expect(blockLines(proxyWith({ trustedProxies: ['10.244.0.0/16'] }).proxy.config, 'geo $forwarded_by_trusted_proxy {')).toEqual(['default 0;', '10.244.0.0/16 1;']);
    expect(blockLines(proxyWith().proxy.config, 'map $forwarded_by_trusted_proxy $forwarded_for {')).toEqual(['1 $proxy_add_x_forwarded_for;', 'default $remote_addr;']);
  });

  test('serves a TLS-offload listener only when asked, reporting https and the peer (or PROXY protocol) address', () => {
    expect(proxyWith().proxy.config).not.toContain('listen 8081');
    const { proxy } = proxyWith({ tlsOffloadListener: { port: 8444, proxyProtocol: true } });
    expect(proxy.tlsOffloadPort).toBe(8444);
    const servers = proxy.config.split(/^ {4}server \{$/m).slice(1);
    expect(servers).toHaveLength(2);
    expect(servers[1]).toContain('listen 8444 proxy_protocol default_server;');
    expect(servers[1]).toContain('proxy_set_header X-Forwarded-Proto https;');
    expect(servers[1]).toContain('proxy_set_header X-Forwarded-For $proxy_protocol_addr;');
    expect(servers[1]).not.toContain('$forwarded_');
  });

  test('answers the health path itself, without any upstream', () => {
    const { proxy } = proxyWith({ healthPath: '/livez' });
    expect(proxy.healthPath).toBe('/livez');
    const health = blockLines(proxy.config, 'location = /livez {');
    expect(health).toContain('return 200 ok;');
    expect(health.some((l) => l.startsWith('proxy_pass'))).toBe(false);
  });

  test('sizes the workers as told, never with "auto"', () => {
    const { proxy } = proxyWith({ workerProcesses: 2, workerConnections: 2048 });
    expect(proxy.config).toMatch(/^worker_processes 2;$/m);
    expect(proxy.config).toContain('worker_connections 2048;');
    expect(proxy.config).not.toContain('auto');
  });

  test('keeps a Content-Security-Policy with quotes and semicolons as one header value', () => {
    const csp = "default-src 'self'; img-src 'self' https://cdn.example.com; frame-ancestors 'none'";
    const { proxy } = proxyWith({ contentSecurityPolicy: csp });
    expect(proxy.config).toContain(`add_header Content-Security-Policy "${csp}" always;`);
  });

  describe('refuses bad configuration, naming the field, the value and what is allowed', () => {
    test.each<[string, TestProps, RegExp]>([
      ['an HTTP prefix without a trailing slash', { routes: (api) => [{ kind: 'http', pathPrefix: '/api', upstream: api }] }, /routes\[0\]\.pathPrefix: "\/api" — a URL path prefix starting and ending with "\/"/],
      ['"/" as an HTTP prefix (it is the app)', { routes: (api) => [{ kind: 'http', pathPrefix: '/', upstream: api }] }, /routes\[0\]\.pathPrefix: "\/"/],
      ['a WebSocket path with a trailing slash', { routes: (api) => [{ kind: 'websocket', path: '/ws/', upstream: api }] }, /routes\[0\]\.path: "\/ws\/" — an absolute URL path without a trailing "\/"/],
      ['a body size nginx does not understand', { routes: (api) => [{ kind: 'http', pathPrefix: '/api/', upstream: api, maxBodySize: '20MB' }] }, /routes\[0\]\.maxBodySize: "20MB" — an nginx size/],
      ['a zero body size (nginx: unlimited)', { routes: (api) => [{ kind: 'http', pathPrefix: '/api/', upstream: api, maxBodySize: '0' }] }, /maxBodySize: "0"/],
      ['a privileged listen port', { listenPort: 80 }, /listenPort: 80 — an integer from 1024 to 65535/],
      ['two routes on one path', { routes: (api) => [{ kind: 'http', pathPrefix: '/api/', upstream: api }, { kind: 'http', pathPrefix: '/api/', upstream: api }] }, /routes\[1\]\.path: "\/api\/" — a path not already used by routes\[0\]/],
      ['a route on the health path', { routes: (api) => [{ kind: 'websocket', path: '/healthz', upstream: api }] }, /routes\[0\]\.path: "\/healthz" — a path not already used by healthPath/],
      ['a route on the hashed assets path', { routes: (api) => [{ kind: 'http', pathPrefix: '/assets/', upstream: api }] }, /a path not already used by hashedAssetsPath/],
      ['a WebSocket path below an HTTP prefix (it would lose its upgrade)', { routes: (api) => [{ kind: 'http', pathPrefix: '/api/', upstream: api }, { kind: 'websocket', path: '/api/ws', upstream: api }] }, /routes\[1\]\.path: "\/api\/ws" — a path outside routes\[0\] \(\/api\/\)/],
      ['zero worker processes', { workerProcesses: 0 }, /workerProcesses: 0 — an integer from 1 to 64/],
      ['a relative runtime directory', { runtimeDirectory: 'cache' }, /runtimeDirectory: "cache" — an absolute directory path/],
      ['a multi-line Content-Security-Policy', { contentSecurityPolicy: "default-src 'self';\nscript-src 'self'" }, /contentSecurityPolicy: .* — a non-empty single-line header value/],
      ['an invalid ConfigMap name', { name: 'Web_Nginx' }, /name: "Web_Nginx" — a DNS-1123 subdomain/],
      ['a trusted proxy range that is no CIDR', { trustedProxies: ['10.0.0.0/8', '10.0.0/8'] }, /trustedProxies\[1\]: "10\.0\.0\/8" — an IPv4 or IPv6 address range/],
      ['a TLS-offload listener on the edge listener\'s port', { tlsOffloadListener: { port: 8080 } }, /tlsOffloadListener\.port: 8080 — a port other than listenPort \(8080\)/],
      ['a privileged TLS-offload port', { tlsOffloadListener: { port: 443 } }, /tlsOffloadListener\.port: 443 — an integer from 1024 to 65535/],
    ])('%s', (_, props, message) => {
      expect(() => proxyWith(props)).toThrow(message);
    });

    test('two upstream services of the same name in different namespaces', () => {
      const chart = testChart();
      const a = service(chart, 'api', 'one');
      const b = service(chart, 'api', 'two');
      expect(() =>
        new ReverseProxy(chart, 'proxy', {
          name: 'web',
          routes: [{ kind: 'http', pathPrefix: '/a/', upstream: a }, { kind: 'http', pathPrefix: '/b/', upstream: b }],
        }),
      ).toThrow(/routes\[1\]\.upstream: "two\/api" — services with distinct names \(already routing to one\/api\)/);
    });
  });

  test('rolls the pods when the configuration changes: the checksum follows the ConfigMap', () => {
    const checksum = (maxBodySize: string) => {
      const { chart, proxy } = proxyWith({ routes: (api) => [{ kind: 'http', pathPrefix: '/api/', upstream: api, maxBodySize }] });
      new WebService(chart, 'web', { ...SERVICE, name: 'web', configMounts: [proxy.configMount], command: proxy.command });
      const deployment = Testing.synth(chart).find((m) => m.kind === 'Deployment' && m.metadata.name === 'web');
      return deployment.spec.template.metadata.annotations['checksum/config'] as string;
    };
    expect(checksum('10m')).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum('10m')).toBe(checksum('10m'));
    expect(checksum('10m')).not.toBe(checksum('20m'));
  });
});

describe('nginx configuration syntax', () => {
  test('leaves plain words bare and quotes anything nginx would split or interpret', () => {
    expect(quoteArg('/var/cache/nginx')).toBe('/var/cache/nginx');
    expect(quoteArg('$http_upgrade')).toBe('$http_upgrade');
    expect(quoteArg('')).toBe('""');
    expect(quoteArg('public, max-age=1')).toBe('"public, max-age=1"');
    expect(quoteArg('a;b')).toBe('"a;b"');
    expect(quoteArg('{')).toBe('"{"');
    expect(quoteArg('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  test('renders blocks indented four spaces per level', () => {
    expect(renderNginx([block('events', [], [directive('worker_connections', 64)])])).toBe('events {\n    worker_connections 64;\n}\n');
  });

  test('refuses a directive name that is not an nginx identifier', () => {
    expect(() => directive('listen 80;', '1')).toThrow(/nginx directive name "listen 80;" is invalid/);
  });
});

describeWithNginx('ReverseProxy configuration on real nginx', (nginx) => {
  function check(proxy: ReverseProxy): { ok: boolean; output: string } {
    const dir = scratchDir();
    try {
      const upstreamPorts = Object.fromEntries(proxy.upstreams.map((u, i) => [u.name, 9000 + i]));
      const { config } = localizeConfig(proxy, { dir, listenPort: proxy.listenPort, upstreamPorts });
      fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
      return nginxTest(nginx, path.join(dir, 'nginx.conf'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('passes nginx -t with a TLS-offload listener speaking PROXY protocol and no trusted proxy at all', () => {
    const { proxy } = proxyWith({ trustedProxies: [], tlsOffloadListener: { proxyProtocol: true } });
    const dir = scratchDir();
    try {
      const { config } = localizeConfig(proxy, { dir, listenPort: proxy.listenPort, tlsOffloadPort: 8081, upstreamPorts: { api: 9000 } });
      fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
      expect(nginxTest(nginx, path.join(dir, 'nginx.conf')).output).toContain('test is successful');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes nginx -t with the defaults', () => {
    const result = check(proxyWith().proxy);
    expect(result.output).toContain('test is successful');
  });

  test('passes nginx -t with every option changed and routes to two services', () => {
    const chart = testChart();
    const api = service(chart, 'api', 'shop', 8080);
    const events = service(chart, 'events', 'shop', 9090);
    const proxy = new ReverseProxy(chart, 'proxy', {
      name: 'web',
      listenPort: 8443,
      healthPath: '/ops/healthz',
      webRoot: '/srv/www',
      hashedAssetsPath: '/static/',
      runtimeDirectory: '/run/nginx',
      workerProcesses: 2,
      workerConnections: 1024,
      shutdownTimeoutSeconds: 10,
      upstreamKeepalive: 8,
      contentSecurityPolicy: "default-src 'self'; connect-src 'self' wss:; frame-ancestors 'none'",
      routes: [
        { kind: 'http', pathPrefix: '/api/', upstream: api, maxBodySize: '512k', timeoutSeconds: 30 },
        { kind: 'http', pathPrefix: '/api/v2.beta/', upstream: events },
        { kind: 'websocket', path: '/events/stream', upstream: events, idleTimeoutSeconds: 600 },
      ],
    });
    const result = check(proxy);
    expect(result.output).toContain('test is successful');
  });

  test('fails nginx -t when the configuration is broken (the check can fail)', () => {
    const { proxy } = proxyWith();
    const broken = Object.create(proxy, { config: { value: proxy.config.replace('keepalive 32;', 'keepalive;') } }) as ReverseProxy;
    const result = check(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/invalid number of arguments in "keepalive"/);
  });
});
