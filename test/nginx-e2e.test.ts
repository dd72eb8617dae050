// The frontend's deployed nginx configuration, run on real nginx in front of a local HTTP and
// WebSocket server standing in for the backend. Nothing is mocked: the only differences from the
// cluster are the loopback addresses and scratch paths that localizeConfig lists.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { Testing } from 'cdk8s';
import { addChatPlatform } from '../charts/chat-platform';
import { FrontendChart } from '../charts/frontend-chart';
import {
  describeWithNginx,
  freePort,
  localizeConfig,
  nginxTest,
  RunningNginx,
  scratchDir,
  startNginx,
  writeWebFile,
} from './local-nginx';
import { Environment } from '../lib/environment/environment';
import { loadEnvironments } from '../lib/environment/load-environments';
import { fixtureEnvironments, FIXTURE_ROOT } from './support/fixture-project';

/** The fixture environments, and the one served through a Gateway API edge. */
const ENVIRONMENTS = [
  ...fixtureEnvironments(),
  ...loadEnvironments(path.join(FIXTURE_ROOT, 'gateway-edge', 'environments'), { root: path.join(FIXTURE_ROOT, 'gateway-edge') }),
];

/**
 * The frontend chart of an environment, composed exactly as synth composes it; `change` varies
 * the environment first (say, to trust the loopback address a test's "ingress controller" has).
 */
function frontendOf(envName: string, change: (env: Environment) => Environment = (e) => e): FrontendChart {
  const found = ENVIRONMENTS.find((e) => e.name === envName);
  if (!found) throw new Error(`no environment ${envName}`);
  const environment = change(found);
  const app = Testing.app();
  addChatPlatform(app, environment);
  // By constructor: cdk8s makes `instanceof` of any chart class true for every chart.
  const chart = app.node.findAll().find((c): c is FrontendChart => c.constructor === FrontendChart && (c as FrontendChart).environment.name === envName);
  if (!chart) throw new Error(`no frontend chart for environment ${envName}`);
  return chart;
}

/** nginx sizes (`20m`) in bytes. */
function sizeBytes(size: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(size)!;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyBytes: number;
}

/** The backend's stand-in: records every request, answers JSON, echoes WebSocket messages. */
class FakeBackend {
  readonly requests: SeenRequest[] = [];
  readonly upgrades: SeenRequest[] = [];
  private readonly server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'backend', url: req.url }));
    });
  });
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor() {
    this.server.on('upgrade', (req, socket, head) => {
      this.upgrades.push({ method: req.method!, url: req.url!, headers: req.headers, bodyBytes: 0 });
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send('welcome');
        ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function request(
  port: number,
  urlPath: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; localAddress?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: options.method ?? 'GET',
        headers: { host: 'chat.example.test', ...(options.headers ?? {}) },
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends only the headers of an upload of `length` bytes, and returns nginx's answer to them. */
function declareUpload(port: number, urlPath: string, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: 'POST', agent: false, headers: { host: 'chat.example.test', 'content-type': 'application/octet-stream', 'content-length': String(length) } },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** The loopback addresses tests connect from: the trusted proxy's, and anyone else's. */
const CONTROLLER = '127.0.0.1';
const OUTSIDER = '127.0.0.2';
/** What an ingress controller that terminated TLS for a client at 203.0.113.7 sends. */
const CONTROLLER_HEADERS = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example.com', 'x-forwarded-port': '443' };
/** What a client claiming to have come through a proxy sends: every header Spring or Tomcat reads. */
const SPOOFED = {
  'x-forwarded-for': '10.0.0.1',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'evil.example.net',
  'x-forwarded-port': '8443',
  forwarded: 'for=10.0.0.1;proto=https;host=evil.example.net',
  'x-forwarded-prefix': '/admin',
  'x-forwarded-ssl': 'on',
  'x-real-ip': '10.0.0.1',
};

/** The backend saw this hop's own view of the request, nothing of what the client claimed. */
function expectOwnView(seen: SeenRequest, own: { for: string; proto: string }): void {
  expect(seen.headers['x-forwarded-for']).toBe(own.for);
  expect(seen.headers['x-forwarded-proto']).toBe(own.proto);
  expect(seen.headers['x-forwarded-host']).toBe('chat.example.test');
  expect(seen.headers.host).toBe('chat.example.test');
  for (const header of ['x-forwarded-port', 'forwarded', 'x-forwarded-prefix', 'x-forwarded-ssl', 'x-real-ip']) expect(seen.headers).not.toHaveProperty(header);
}

/** Opens a WebSocket on `/ws`, waits for the backend's welcome, and closes it. */
async function openSocket(port: number, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: 'chat.example.test', ...(options.headers ?? {}) }, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  await new Promise<void>((resolve, reject) => ws.once('message', () => resolve()).once('error', reject));
  ws.close();
}

const INDEX_HTML = '<!doctype html><html><head><script src="/assets/app.3f9a1c2e.js"></script></head><body>chat</body></html>\n';
const ASSET = 'console.log("chat");\n';

describeWithNginx('the deployed frontend nginx configuration', (nginx) => {
  test.each(ENVIRONMENTS.map((e) => e.name))('passes nginx -t for %s', (envName) => {
    const proxy = frontendOf(envName).proxy;
    const dir = scratchDir();
    const upstreamPorts = Object.fromEntries(proxy.upstreams.map((u) => [u.name, 9]));
    const { config } = localizeConfig(proxy, { dir, listenPort: 8080, tlsOffloadPort: 8081, upstreamPorts });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
    const result = nginxTest(nginx, path.join(dir, 'nginx.conf'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.output).toMatch(/test is successful/);
    expect(result.ok).toBe(true);
  });

  test('runs locally with only the listen address, upstream addresses and file system paths changed', () => {
    const proxy = frontendOf('prod').proxy;
    const { config, changes } = localizeConfig(proxy, { dir: '/scratch', listenPort: 18080, tlsOffloadPort: 18082, upstreamPorts: { backend: 18081 } });
    // Two servers (the edge's listener and the load balancer's), each with its listen and root.
    expect(changes.map((c) => c.directive).sort()).toEqual(
      ['client_body_temp_path', 'fastcgi_temp_path', 'listen', 'listen', 'pid', 'proxy_temp_path', 'root', 'root', 'scgi_temp_path', 'server', 'uwsgi_temp_path'],
    );
    const deployedLines = proxy.config.split('\n');
    const localLines = config.split('\n');
    expect(localLines).toHaveLength(deployedLines.length);
    const differing = deployedLines.filter((line, i) => line !== localLines[i]);
    expect(differing).toEqual(changes.map((c) => c.deployed));
  });

  describe('proxying to a running backend (prod configuration)', () => {
    // The test's "ingress controller" connects from 127.0.0.1, the one trusted proxy; a client
    // reaching the pod from anywhere else connects from 127.0.0.2 (both loopback on Linux).
    const chart = frontendOf('prod', (e) => ({ ...e, ingress: { ...e.ingress, trustedProxies: [`${CONTROLLER}/32`] } }));
    const proxy = chart.proxy;
    const maxBody = sizeBytes(chart.environment.ingress.maxBodySize);
    const backend = new FakeBackend();
    let server: RunningNginx;
    let lbPort: number;
    let dir: string;

    beforeAll(async () => {
      const upstreamPort = await backend.listen();
      dir = scratchDir();
      writeWebFile(dir, 'index.html', INDEX_HTML);
      writeWebFile(dir, 'assets/app.3f9a1c2e.js', ASSET);
      const listenPort = await freePort();
      lbPort = await freePort();
      const { config } = localizeConfig(proxy, { dir, listenPort, tlsOffloadPort: lbPort, upstreamPorts: { [chart.proxy.upstreams[0]!.name]: upstreamPort } });
      fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
      server = await startNginx(nginx, path.join(dir, 'nginx.conf'), listenPort);
    });

    afterAll(async () => {
      await server?.stop();
      await backend.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('passes /api/ requests to the backend with their path and query unchanged', async () => {
      const res = await request(server.port, '/api/rooms/42/messages?before=100');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ from: 'backend', url: '/api/rooms/42/messages?before=100' });
      expect(backend.requests.at(-1)).toMatchObject({ method: 'GET', url: '/api/rooms/42/messages?before=100' });
    });

    test('tells the backend the client address, scheme and host of a request without forwarded headers', async () => {
      await request(server.port, '/api/whoami');
      const seen = backend.requests.at(-1)!;
      expect(seen.url).toBe('/api/whoami');
      expect(seen.headers['x-forwarded-for']).toBe(CONTROLLER);
      expect(seen.headers['x-forwarded-proto']).toBe('http');
      expect(seen.headers['x-forwarded-host']).toBe('chat.example.test');
      expect(seen.headers.host).toBe('chat.example.test');
    });

    test('keeps the scheme, host and port the trusted ingress controller reports and appends to its X-Forwarded-For', async () => {
      await request(server.port, '/api/whoami', { localAddress: CONTROLLER, headers: CONTROLLER_HEADERS });
      const seen = backend.requests.at(-1)!;
      expect(seen.headers['x-forwarded-for']).toBe(`203.0.113.7, ${CONTROLLER}`);
      expect(seen.headers['x-forwarded-proto']).toBe('https');
      expect(seen.headers['x-forwarded-host']).toBe('chat.example.com');
      expect(seen.headers['x-forwarded-port']).toBe('443');
    });

    test('replaces every forwarded header a peer outside trustedProxies sends on the edge listener', async () => {
      await request(server.port, '/api/whoami', { localAddress: OUTSIDER, headers: SPOOFED });
      expectOwnView(backend.requests.at(-1)!, { for: OUTSIDER, proto: 'http' });
    });

    test('replaces the forwarded headers of an outside peer on the WebSocket path too', async () => {
      await openSocket(server.port, { localAddress: OUTSIDER, headers: SPOOFED });
      expectOwnView(backend.upgrades.at(-1)!, { for: OUTSIDER, proto: 'http' });
    });

    test('reports https and believes no forwarded header on the load balancer listener, even from a trusted address', async () => {
      // The load balancer terminated TLS; its peer address may be private (an NLB's), so trust by
      // address would be wrong here: the listener itself says where the request came from.
      for (const localAddress of [CONTROLLER, OUTSIDER]) {
        await request(lbPort, '/api/whoami', { localAddress, headers: SPOOFED });
        expectOwnView(backend.requests.at(-1)!, { for: localAddress, proto: 'https' });
      }
    });

    test('carries WebSockets on the load balancer listener, reported as https', async () => {
      await openSocket(lbPort, { localAddress: OUTSIDER, headers: SPOOFED });
      expectOwnView(backend.upgrades.at(-1)!, { for: OUTSIDER, proto: 'https' });
    });

    test('upgrades a WebSocket on the WebSocket path and carries messages both ways', async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { host: 'chat.example.test' } });
      const received: string[] = [];
      const twoMessages = new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          received.push(data.toString());
          if (received.length === 2) resolve();
        });
        ws.on('error', reject);
      });
      await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
      ws.send('hello from the browser');
      await twoMessages;
      ws.close();
      expect(received).toEqual(['welcome', 'echo:hello from the browser']);
      const upgrade = backend.upgrades.at(-1)!;
      expect(upgrade.url).toBe('/ws');
      expect(upgrade.headers.upgrade).toBe('websocket');
      expect(upgrade.headers.connection).toMatch(/upgrade/i);
      expect(upgrade.headers['x-forwarded-for']).toBe('127.0.0.1');
    });

    test('proxies paths below the WebSocket path (SockJS-style) to the backend too', async () => {
      const res = await request(server.port, '/ws/info?t=1');
      expect(JSON.parse(res.body)).toEqual({ from: 'backend', url: '/ws/info?t=1' });
    });

    test('answers an unknown app path with index.html, never cached', async () => {
      const res = await request(server.port, '/rooms/42/settings');
      expect(res.status).toBe(200);
      expect(res.body).toBe(INDEX_HTML);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    test('serves / as index.html', async () => {
      const res = await request(server.port, '/');
      expect(res.status).toBe(200);
      expect(res.body).toBe(INDEX_HTML);
    });

    test('does not route a path that merely starts with the WebSocket path to the backend', async () => {
      const before = backend.requests.length + backend.upgrades.length;
      const res = await request(server.port, '/wsx');
      expect(res.body).toBe(INDEX_HTML);
      expect(backend.requests.length + backend.upgrades.length).toBe(before);
    });

    test('caches hashed assets for a year as immutable', async () => {
      const res = await request(server.port, '/assets/app.3f9a1c2e.js');
      expect(res.status).toBe(200);
      expect(res.body).toBe(ASSET);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    test('answers a missing asset with 404 instead of index.html, and never lets it be cached', async () => {
      const res = await request(server.port, '/assets/app.00000000.js');
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('<!doctype html><html><head><script');
      // During a rollout a new index.html can send a request to an old pod; that 404 must not be
      // stored as immutable for a year.
      expect(res.headers['cache-control']).toBe('no-store');
    });

    test('keeps a revalidated hashed asset (304) immutable', async () => {
      const first = await request(server.port, '/assets/app.3f9a1c2e.js');
      const res = await request(server.port, '/assets/app.3f9a1c2e.js', { headers: { 'if-modified-since': String(first.headers['last-modified']) } });
      expect(res.status).toBe(304);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    });

    test('sends the security headers with pages, assets and errors', async () => {
      for (const p of ['/', '/rooms/1', '/assets/app.3f9a1c2e.js', '/assets/missing.js']) {
        const res = await request(server.port, p);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      }
    });

    test('does not reveal the nginx version', async () => {
      const res = await request(server.port, '/');
      expect(res.headers.server).toBe('nginx');
    });

    test('passes an upload just under the limit through to the backend', async () => {
      const body = Buffer.alloc(maxBody - 1024, 7);
      const res = await request(server.port, '/api/files', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
      expect(res.status).toBe(200);
      expect(backend.requests.at(-1)).toMatchObject({ method: 'POST', url: '/api/files', bodyBytes: body.length });
    });

    test('refuses an upload over the limit with 413 before it reaches the backend', async () => {
      const before = backend.requests.length;
      expect(await declareUpload(server.port, '/api/files', maxBody + 1)).toBe(413);
      expect(backend.requests.length).toBe(before);
    });

    test('refuses an over-limit upload sent without a declared length (chunked) with 413', async () => {
      const before = backend.requests.length;
      const res = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: server.port, path: '/api/files', method: 'POST', agent: false, headers: { host: 'chat.example.test', 'transfer-encoding': 'chunked' } },
          (r) => {
            r.resume();
            resolve(r.statusCode!);
          },
        );
        // nginx may close the connection as soon as it has answered.
        req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
        const chunk = Buffer.alloc(1024 * 1024, 1);
        for (let sent = 0; sent <= maxBody; sent += chunk.length) req.write(chunk);
        req.end();
      });
      expect(res).toBe(413);
      expect(backend.requests.length).toBe(before);
    });
  });

  test('answers the health endpoint while the backend is down', async () => {
    const proxy = frontendOf('prod').proxy;
    const dir = scratchDir();
    writeWebFile(dir, 'index.html', INDEX_HTML);
    // A port nothing listens on: taken from the kernel, then released.
    const deadPort = await freePort();
    const listenPort = await freePort();
    const { config } = localizeConfig(proxy, { dir, listenPort, tlsOffloadPort: await freePort(), upstreamPorts: { [proxy.upstreams[0]!.name]: deadPort } });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
    const server = await startNginx(nginx, path.join(dir, 'nginx.conf'), listenPort);
    try {
      const health = await request(listenPort, proxy.healthPath);
      expect(health.status).toBe(200);
      expect(health.body).toBe('ok');
      // The backend really is unreachable: the API answers 502.
      expect((await request(listenPort, '/api/rooms')).status).toBe(502);
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  /** The chart's nginx on loopback in front of a fresh backend stand-in. */
  async function runFrontend(chart: FrontendChart) {
    const backend = new FakeBackend();
    const upstreamPort = await backend.listen();
    const dir = scratchDir();
    writeWebFile(dir, 'index.html', INDEX_HTML);
    const listenPort = await freePort();
    const lbPort = chart.proxy.tlsOffloadPort !== undefined ? await freePort() : undefined;
    const { config } = localizeConfig(chart.proxy, { dir, listenPort, ...(lbPort ? { tlsOffloadPort: lbPort } : {}), upstreamPorts: { [chart.proxy.upstreams[0]!.name]: upstreamPort } });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
    const server = await startNginx(nginx, path.join(dir, 'nginx.conf'), listenPort);
    return {
      backend,
      server,
      lbPort: lbPort!,
      stop: async () => {
        await server.stop();
        await backend.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  /** Sends raw bytes and returns everything the server answered before it closed. */
  function rawExchange(port: number, bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(e)));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.write(bytes);
    });
  }

  describe('a load balancer speaking PROXY protocol (staging with proxyProtocol)', () => {
    const chart = frontendOf('staging', (e) => ({ ...e, ingress: { ...e.ingress, loadBalancer: { ...e.ingress.loadBalancer!, proxyProtocol: true } } }));
    let run: Awaited<ReturnType<typeof runFrontend>>;
    beforeAll(async () => {
      run = await runFrontend(chart);
    });
    afterAll(async () => run?.stop());

    test('reports the client the PROXY header names, and https, whatever the request claims', async () => {
      const spoofed = Object.entries(SPOOFED).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      const answer = await rawExchange(
        run.lbPort,
        `PROXY TCP4 198.51.100.23 10.0.3.4 50123 443\r\nGET /api/whoami HTTP/1.1\r\nHost: chat.example.test\r\n${spoofed}Connection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expectOwnView(run.backend.requests.at(-1)!, { for: '198.51.100.23', proto: 'https' });
    });

    test('refuses a connection that does not start with a PROXY header', async () => {
      const before = run.backend.requests.length;
      const answer = await rawExchange(run.lbPort, 'GET /api/whoami HTTP/1.1\r\nHost: chat.example.test\r\nConnection: close\r\n\r\n');
      expect(answer).toBe('');
      expect(run.backend.requests.length).toBe(before);
      expect(run.server.output()).toMatch(/broken header/);
    });
  });

  describe('behind a Gateway API edge (the gateway-edge fixture)', () => {
    test('believes no forwarded header from outside the Gateway data plane\'s range (10.40.0.0/16 here)', async () => {
      const chart = frontendOf('edge');
      expect(chart.proxy.trustedProxies).toEqual(['10.40.0.0/16']);
      const run = await runFrontend(chart);
      try {
        await request(run.server.port, '/api/whoami', { localAddress: CONTROLLER, headers: SPOOFED });
        expectOwnView(run.backend.requests.at(-1)!, { for: CONTROLLER, proto: 'http' });
      } finally {
        await run.stop();
      }
    });

    test("keeps an Envoy data plane's X-Forwarded-Proto and X-Forwarded-For, and fills in the host it does not send", async () => {
      // The data plane here is 127.0.0.1; Envoy sets X-Forwarded-Proto and appends to
      // X-Forwarded-For, and keeps the client's Host rather than sending X-Forwarded-Host.
      const chart = frontendOf('edge', (e) => ({ ...e, ingress: { ...e.ingress, trustedProxies: [`${CONTROLLER}/32`] } }));
      const run = await runFrontend(chart);
      try {
        await request(run.server.port, '/api/whoami', { localAddress: CONTROLLER, headers: { 'x-forwarded-for': '203.0.113.50', 'x-forwarded-proto': 'https' } });
        const seen = run.backend.requests.at(-1)!;
        expect(seen.headers['x-forwarded-for']).toBe(`203.0.113.50, ${CONTROLLER}`);
        expect(seen.headers['x-forwarded-proto']).toBe('https');
        expect(seen.headers['x-forwarded-host']).toBe('chat.example.test');
        await openSocket(run.server.port, { localAddress: OUTSIDER, headers: SPOOFED });
        expectOwnView(run.backend.upgrades.at(-1)!, { for: OUTSIDER, proto: 'http' });
      } finally {
        await run.stop();
      }
    });
  });
});
