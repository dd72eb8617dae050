import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { cidrProblem } from '../lib/predicates/cidr';
import { dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { Fail, failFor } from '../lib/predicates/invalid-value';
import { portProblem } from '../lib/predicates/port';
import { block, comment, directive, mapEntry, NginxStatement, renderNginx } from './nginx-config';
import { chartNamespace } from './chart-namespace';
import { IWebBackend, isWebBackend } from './web-backend';
import { ConfigMountProps } from './web-service';

/** What a found content-hashed asset may be cached as: a year, never revalidated (RFC 8246). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The private address ranges: RFC 1918, RFC 6598 shared space (some CNIs' pod networks) and IPv6
 * unique local addresses (RFC 4193). Pod and node addresses are in these, public clients are not.
 */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/**
 * A listener for a load balancer that terminated TLS in front of the pods: what arrives on it was
 * HTTPS at the load balancer, whatever the peer's address, and carries no forwarded header nginx
 * believes.
 */
export interface TlsOffloadListener {
  /**
   * Port of the listener; unprivileged, and not `listenPort`.
   * @default 8081
   */
  readonly port?: number;
  /**
   * Whether each connection starts with a PROXY protocol header (v1 or v2) naming the client, as
   * a load balancer set up for it sends. nginx then refuses connections without one.
   * @default false
   */
  readonly proxyProtocol?: boolean;
}

/** A path prefix proxied over HTTP to a service, path and query passed on unchanged. */
export interface HttpProxyRoute {
  readonly kind: 'http';
  /** Path prefix, starting and ending with `/`, e.g. `/api/`. */
  readonly pathPrefix: string;
  /** The service requests go to (a `WebService`, or any `IWebBackend`); its in-cluster DNS name and Service port are used. */
  readonly upstream: IWebBackend;
  /**
   * Largest request body accepted, as nginx writes sizes (`20m`, `512k`); larger ones get 413.
   * @default '1m'
   */
  readonly maxBodySize?: string;
  /**
   * Seconds nginx waits on the upstream between two reads (or two writes) before it gives up.
   * @default 60
   */
  readonly timeoutSeconds?: number;
}

/** A WebSocket endpoint proxied to a service over HTTP/1.1 with the protocol upgrade. */
export interface WebSocketProxyRoute {
  readonly kind: 'websocket';
  /**
   * Path of the endpoint, without a trailing `/`; it and every path below it (`/ws/…`, as
   * SockJS uses) are proxied.
   * @default '/ws'
   */
  readonly path?: string;
  /** The service holding the sockets (a `WebService`, or any `IWebBackend`); its in-cluster DNS name and Service port are used. */
  readonly upstream: IWebBackend;
  /**
   * Seconds a socket may stay silent in either direction before nginx closes it. Clients and
   * server should ping well within it.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;
}

/** Where nginx sends a request instead of serving the single-page app. */
export type ProxyRoute = HttpProxyRoute | WebSocketProxyRoute;

export interface ReverseProxyProps {
  /** Name of the ConfigMap holding the configuration. A DNS-1123 subdomain. */
  readonly name: string;
  /**
   * Labels of the ConfigMap, besides the chart's own (which cdk8s adds to every object); it lands
   * in the chart's namespace, where the pods that mount it must run.
   * @default - the chart's labels only
   */
  readonly labels?: Record<string, string>;
  /** Routes to upstream services, matched before the single-page app. @default - none */
  readonly routes?: readonly ProxyRoute[];
  /**
   * Port nginx listens on. Unprivileged, so at least 1024: the container has no capabilities.
   * @default 8080
   */
  readonly listenPort?: number;
  /**
   * Path answered by nginx itself, for the probes: it never depends on an upstream, so a backend
   * outage does not take the frontend pods out of rotation or restart them.
   * @default '/healthz'
   */
  readonly healthPath?: string;
  /** Directory of the built single-page app in the image. @default '/usr/share/nginx/html' */
  readonly webRoot?: string;
  /**
   * Path prefix of the build's content-hashed files: cached for a year, never answered with
   * `index.html`.
   * @default '/assets/'
   */
  readonly hashedAssetsPath?: string;
  /** Directory the ConfigMap is mounted at in the container. @default '/etc/nginx/proxy' */
  readonly configDirectory?: string;
  /**
   * Writable directory (an emptyDir: the root filesystem is read-only) for the pid file and the
   * temporary files of buffered request and response bodies.
   * @default '/var/cache/nginx'
   */
  readonly runtimeDirectory?: string;
  /** MIME types table shipped with the image. @default '/etc/nginx/mime.types' */
  readonly mimeTypesFile?: string;
  /**
   * Worker processes. nginx's `auto` counts the node's CPUs, not the container's limit, and would
   * start dozens of workers in a small memory limit; size it to the CPU limit instead.
   * @default 1
   */
  readonly workerProcesses?: number;
  /**
   * Connections per worker; a proxied WebSocket holds two (client and upstream).
   * @default 4096
   */
  readonly workerConnections?: number;
  /**
   * Seconds a stopping worker keeps open connections (WebSockets) before closing them. Keep it
   * below the pod's termination grace period minus its pre-stop delay.
   * @default 25
   */
  readonly shutdownTimeoutSeconds?: number;
  /**
   * `Content-Security-Policy` of the app's pages. The default forbids framing, `<base>` rewrites
   * and plugins without restricting which scripts, styles or images the app loads.
   * @default "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
   */
  readonly contentSecurityPolicy?: string;
  /**
   * Idle keep-alive connections to each upstream kept per worker.
   * @default 32
   */
  readonly upstreamKeepalive?: number;
  /**
   * Address ranges (CIDRs) of the proxies in front of `listenPort` (an ingress controller's or a
   * Gateway's pods): from them alone, X-Forwarded-For, -Proto, -Host and -Port are believed and
   * passed on. From any other peer they are replaced by what this hop saw: the peer's address,
   * this connection's scheme, the Host header, no port. Upstreams that trust this proxy's
   * address (Spring Boot does, for private addresses) then never see a client's own claims.
   * @default PRIVATE_RANGES
   */
  readonly trustedProxies?: readonly string[];
  /**
   * A second listener, for a load balancer that terminates TLS and connects to the pods directly.
   * @default - none
   */
  readonly tlsOffloadListener?: TlsOffloadListener;
}

/** The ConfigMap key, and file name, of the configuration. */
export const NGINX_CONFIG_FILE = 'nginx.conf';

const SEGMENT = '[A-Za-z0-9._~-]+';
/** `/ws`, `/socket/v1`: no trailing slash. */
const EXACT_PATH = new RegExp(`^(/${SEGMENT})+$`);
/** `/api/`, `/static/js/`: starts and ends with a slash, not `/` alone. */
const PREFIX_PATH = new RegExp(`^(/${SEGMENT})+/$`);
const DIRECTORY = new RegExp(`^(/${SEGMENT})+$`);
const NGINX_SIZE = /^[1-9][0-9]{0,5}[kKmMgG]?$/;

/**
 * nginx in front of a single-page app: serves the app with a fallback to `index.html` and
 * reverse-proxies typed routes (HTTP prefixes, WebSocket endpoints) to in-cluster services. The
 * configuration is a complete `nginx.conf` in a ConfigMap, written for an unprivileged nginx on a
 * read-only root filesystem; give the workload `command`, `configMount` and `writablePaths`.
 */
export class ReverseProxy extends Construct {
  public readonly configMap: KubeConfigMap;
  /** The rendered `nginx.conf`, exactly as the ConfigMap holds it. */
  public readonly config: string;
  /** Mount of the ConfigMap into the container, for `WebServiceProps.configMounts`. */
  public readonly configMount: ConfigMountProps;
  /** Path of `nginx.conf` in the container. */
  public readonly configFile: string;
  /** The container's command: nginx in the foreground on this configuration. */
  public readonly command: string[];
  /** Directories nginx writes to; each must be an emptyDir. */
  public readonly writablePaths: string[];
  public readonly listenPort: number;
  /** Port of the TLS-offload listener, when there is one. */
  public readonly tlsOffloadPort?: number;
  /** Whether the TLS-offload listener expects PROXY protocol. */
  public readonly proxyProtocol: boolean;
  /** The address ranges whose forwarded headers are believed on `listenPort`. */
  public readonly trustedProxies: readonly string[];
  public readonly healthPath: string;
  public readonly webRoot: string;
  public readonly runtimeDirectory: string;
  /** The distinct services the routes proxy to, in route order. */
  public readonly upstreams: IWebBackend[];

  constructor(scope: Construct, id: string, props: ReverseProxyProps) {
    super(scope, id);
    const fail = failFor('ReverseProxy', props.name);
    const settings = resolveSettings(props, fail);
    const routes = (props.routes ?? []).map((route, i) => resolveRoute(route, `routes[${i}]`, fail));
    checkPathsDistinct(settings, routes, fail);

    this.upstreams = [];
    for (const route of routes) {
      const clash = this.upstreams.find((u) => u !== route.upstream && u.name === route.upstream.name);
      if (clash) {
        fail(`${route.field}.upstream`, `${route.upstream.namespace}/${route.upstream.name}`, `services with distinct names (already routing to ${clash.namespace}/${clash.name})`);
      }
      if (!this.upstreams.includes(route.upstream)) this.upstreams.push(route.upstream);
    }

    this.listenPort = settings.listenPort;
    this.tlsOffloadPort = settings.tlsOffload?.port;
    this.proxyProtocol = settings.tlsOffload?.proxyProtocol ?? false;
    this.trustedProxies = settings.trustedProxies;
    this.healthPath = settings.healthPath;
    this.webRoot = settings.webRoot;
    this.runtimeDirectory = settings.runtimeDirectory;
    this.configFile = `${settings.configDirectory}/${NGINX_CONFIG_FILE}`;
    this.command = ['nginx', '-c', this.configFile];
    this.writablePaths = [settings.runtimeDirectory];
    this.config = renderNginx(nginxConfig(settings, routes, this.upstreams));
    this.configMap = new KubeConfigMap(this, 'ConfigMap', {
      metadata: {
        name: props.name,
        namespace: chartNamespace(this, `ReverseProxy "${props.name}"`),
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      data: { [NGINX_CONFIG_FILE]: this.config },
    });
    this.configMount = { configMap: this.configMap, mountPath: settings.configDirectory };
  }
}

interface Settings {
  readonly listenPort: number;
  readonly healthPath: string;
  readonly webRoot: string;
  readonly hashedAssetsPath: string;
  readonly configDirectory: string;
  readonly runtimeDirectory: string;
  readonly mimeTypesFile: string;
  readonly workerProcesses: number;
  readonly workerConnections: number;
  readonly shutdownTimeoutSeconds: number;
  readonly contentSecurityPolicy: string;
  readonly upstreamKeepalive: number;
  readonly trustedProxies: readonly string[];
  readonly tlsOffload?: { readonly port: number; readonly proxyProtocol: boolean };
}

type ResolvedRoute =
  | { readonly kind: 'http'; readonly field: string; readonly path: string; readonly upstream: IWebBackend; readonly maxBodySize: string; readonly timeoutSeconds: number }
  | { readonly kind: 'websocket'; readonly field: string; readonly path: string; readonly upstream: IWebBackend; readonly idleTimeoutSeconds: number };

function integerIn(value: number, min: number, max: number, field: string, fail: Fail): number {
  if (!Number.isInteger(value) || value < min || value > max) fail(field, value, `an integer from ${min} to ${max}`);
  return value;
}

function matching(value: string, pattern: RegExp, field: string, allowed: string, fail: Fail): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(field, value, allowed);
  return value;
}

const EXACT_PATH_ALLOWED = 'an absolute URL path without a trailing "/" (letters, digits, ".", "_", "~", "-" between slashes), e.g. "/ws"';
const DIRECTORY_ALLOWED = 'an absolute directory path without a trailing "/", e.g. "/var/cache/nginx"';

function resolveSettings(props: ReverseProxyProps, fail: Fail): Settings {
  const nameProblem = dns1123SubdomainProblem(props.name);
  if (nameProblem !== undefined) fail('name', props.name, nameProblem);
  const listenPort = props.listenPort ?? 8080;
  const listenPortProblem = portProblem(listenPort, { unprivileged: true });
  if (listenPortProblem !== undefined) fail('listenPort', listenPort, listenPortProblem);
  const csp = props.contentSecurityPolicy ?? "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
  if (csp.trim() === '' || /[\u0000-\u001f\u007f]/.test(csp)) fail('contentSecurityPolicy', csp, 'a non-empty single-line header value');
  return {
    listenPort,
    healthPath: matching(props.healthPath ?? '/healthz', EXACT_PATH, 'healthPath', EXACT_PATH_ALLOWED, fail),
    webRoot: matching(props.webRoot ?? '/usr/share/nginx/html', DIRECTORY, 'webRoot', DIRECTORY_ALLOWED, fail),
    hashedAssetsPath: matching(props.hashedAssetsPath ?? '/assets/', PREFIX_PATH, 'hashedAssetsPath', 'a URL path prefix starting and ending with "/", e.g. "/assets/"', fail),
    configDirectory: matching(props.configDirectory ?? '/etc/nginx/proxy', DIRECTORY, 'configDirectory', DIRECTORY_ALLOWED, fail),
    runtimeDirectory: matching(props.runtimeDirectory ?? '/var/cache/nginx', DIRECTORY, 'runtimeDirectory', DIRECTORY_ALLOWED, fail),
    mimeTypesFile: matching(props.mimeTypesFile ?? '/etc/nginx/mime.types', DIRECTORY, 'mimeTypesFile', 'an absolute file path, e.g. "/etc/nginx/mime.types"', fail),
    workerProcesses: integerIn(props.workerProcesses ?? 1, 1, 64, 'workerProcesses', fail),
    workerConnections: integerIn(props.workerConnections ?? 4096, 64, 65536, 'workerConnections', fail),
    shutdownTimeoutSeconds: integerIn(props.shutdownTimeoutSeconds ?? 25, 1, 3600, 'shutdownTimeoutSeconds', fail),
    contentSecurityPolicy: csp,
    upstreamKeepalive: integerIn(props.upstreamKeepalive ?? 32, 1, 1024, 'upstreamKeepalive', fail),
    trustedProxies: resolveTrustedProxies(props.trustedProxies ?? PRIVATE_RANGES, fail),
    ...(props.tlsOffloadListener ? { tlsOffload: resolveTlsOffload(props.tlsOffloadListener, listenPort, fail) } : {}),
  };
}

function resolveTrustedProxies(cidrs: readonly string[], fail: Fail): readonly string[] {
  // An empty list is legitimate: no peer is believed.
  cidrs.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem !== undefined) fail(`trustedProxies[${i}]`, cidr, problem);
  });
  return [...cidrs];
}

function resolveTlsOffload(listener: TlsOffloadListener, listenPort: number, fail: Fail): { port: number; proxyProtocol: boolean } {
  const port = listener.port ?? 8081;
  const problem = portProblem(port, { unprivileged: true });
  if (problem !== undefined) fail('tlsOffloadListener.port', port, problem);
  if (port === listenPort) fail('tlsOffloadListener.port', port, `a port other than listenPort (${listenPort})`);
  return { port, proxyProtocol: listener.proxyProtocol ?? false };
}

function resolveRoute(route: ProxyRoute, field: string, fail: Fail): ResolvedRoute {
  if (!isWebBackend(route.upstream)) {
    fail(`${field}.upstream`, typeof route.upstream, 'a web backend construct such as a WebService (name, namespace, serviceHost, port, labels, podPorts)');
  }
  if (route.kind === 'http') {
    return {
      kind: 'http',
      field,
      path: matching(route.pathPrefix, PREFIX_PATH, `${field}.pathPrefix`, 'a URL path prefix starting and ending with "/", not "/" itself, e.g. "/api/"', fail),
      upstream: route.upstream,
      maxBodySize: matching(route.maxBodySize ?? '1m', NGINX_SIZE, `${field}.maxBodySize`, 'an nginx size: a positive number of bytes with an optional k, m or g suffix, e.g. "10m"', fail),
      timeoutSeconds: integerIn(route.timeoutSeconds ?? 60, 1, 3600, `${field}.timeoutSeconds`, fail),
    };
  }
  if (route.kind === 'websocket') {
    return {
      kind: 'websocket',
      field,
      path: matching(route.path ?? '/ws', EXACT_PATH, `${field}.path`, EXACT_PATH_ALLOWED, fail),
      upstream: route.upstream,
      idleTimeoutSeconds: integerIn(route.idleTimeoutSeconds ?? 3600, 1, 86400, `${field}.idleTimeoutSeconds`, fail),
    };
  }
  return fail(`${field}.kind`, (route as { kind?: unknown }).kind, '"http" or "websocket"');
}

/** A route must not shadow the health endpoint, the assets, or another route. */
function checkPathsDistinct(settings: Settings, routes: readonly ResolvedRoute[], fail: Fail): void {
  const taken = new Map<string, string>([
    [settings.healthPath, 'healthPath'],
    [settings.hashedAssetsPath, 'hashedAssetsPath'],
  ]);
  for (const route of routes) {
    // A WebSocket route at /ws also takes /ws/.
    const keys = route.kind === 'websocket' ? [route.path, `${route.path}/`] : [route.path];
    for (const key of keys) {
      const owner = taken.get(key);
      if (owner !== undefined) fail(`${route.field}.path`, route.path, `a path not already used by ${owner}`);
    }
    for (const key of keys) taken.set(key, route.field);
  }
  // Prefix locations marked ^~ win over the WebSocket route's regex location: a socket path below
  // one would be proxied without its upgrade headers.
  const prefixes = [
    { path: settings.hashedAssetsPath, owner: 'hashedAssetsPath' },
    ...routes.filter((r) => r.kind === 'http').map((r) => ({ path: r.path, owner: r.field })),
  ];
  for (const route of routes) {
    if (route.kind !== 'websocket') continue;
    const under = prefixes.find((p) => `${route.path}/`.startsWith(p.path));
    if (under) fail(`${route.field}.path`, route.path, `a path outside ${under.owner} (${under.path})`);
  }
  if (settings.healthPath.startsWith(settings.hashedAssetsPath)) {
    fail('healthPath', settings.healthPath, `a path outside hashedAssetsPath (${settings.hashedAssetsPath})`);
  }
}

function regexEscape(path: string): string {
  return path.replace(/[.]/g, '\\.');
}

/** Headers every page and asset of the app is served with, errors included. */
function securityHeaders(settings: Settings): NginxStatement[] {
  return [
    directive('add_header', 'X-Content-Type-Options', 'nosniff', 'always'),
    directive('add_header', 'X-Frame-Options', 'DENY', 'always'),
    directive('add_header', 'Referrer-Policy', 'strict-origin-when-cross-origin', 'always'),
    directive('add_header', 'Content-Security-Policy', settings.contentSecurityPolicy, 'always'),
  ];
}

/** Who a request came through, which decides what its forwarded headers are worth. */
type Hop = 'proxied' | 'tls-offload';

/**
 * Headers the upstream sees; every forwarded header is set here, so none of the client's own
 * passes through unexamined.
 *
 * On `listenPort` (`proxied`), the maps of `forwardedHeaderMaps` decide: the edge's proxies report
 * the client's address, scheme, host and port, anyone else gets this hop's own view. On the
 * TLS-offload listener, the client spoke HTTPS to the load balancer and nothing it sent is
 * believed: the scheme is https, the host is the Host header, the address is the peer's (or
 * PROXY protocol's), and no port is sent, so the upstream takes the scheme's default, 443.
 * `Forwarded` (RFC 7239), `X-Forwarded-Prefix`, `X-Forwarded-Ssl` and `X-Real-IP`, which no hop
 * here writes but upstream frameworks and applications read (Spring's ForwardedHeaderFilter, Jetty,
 * code that logs the client address), are always removed.
 */
function proxyHeaders(hop: Hop, proxyProtocol: boolean): NginxStatement[] {
  const forwarded =
    hop === 'proxied'
      ? { for: '$forwarded_for', proto: '$forwarded_proto', host: '$forwarded_host', port: '$forwarded_port' }
      : { for: proxyProtocol ? '$proxy_protocol_addr' : '$remote_addr', proto: 'https', host: '$host', port: '' };
  return [
    directive('proxy_set_header', 'Host', '$host'),
    directive('proxy_set_header', 'X-Forwarded-For', forwarded.for),
    directive('proxy_set_header', 'X-Forwarded-Proto', forwarded.proto),
    directive('proxy_set_header', 'X-Forwarded-Host', forwarded.host),
    // An empty value: nginx sends no such header.
    directive('proxy_set_header', 'X-Forwarded-Port', forwarded.port),
    directive('proxy_set_header', 'Forwarded', ''),
    directive('proxy_set_header', 'X-Forwarded-Prefix', ''),
    directive('proxy_set_header', 'X-Forwarded-Ssl', ''),
    directive('proxy_set_header', 'X-Real-IP', ''),
  ];
}

/**
 * What `listenPort`'s requests forward: a trusted proxy's reports (its X-Forwarded-For appended
 * to; an empty proto or host filled in with this hop's), anyone else's replaced. `geo` matches the
 * connection's own address ($remote_addr, never a header).
 */
function forwardedHeaderMaps(settings: Settings): NginxStatement[] {
  const trusted = '$forwarded_by_trusted_proxy';
  return [
    comment('Forwarded headers are believed from the edge\'s proxies only (trustedProxies), by connection address.'),
    block('geo', [trusted], [mapEntry('default', '0'), ...settings.trustedProxies.map((cidr) => mapEntry(cidr, '1'))]),
    block('map', ['$http_x_forwarded_proto', '$peer_forwarded_proto'], [mapEntry('default', '$http_x_forwarded_proto'), mapEntry('', '$scheme')]),
    block('map', ['$http_x_forwarded_host', '$peer_forwarded_host'], [mapEntry('default', '$http_x_forwarded_host'), mapEntry('', '$host')]),
    block('map', [trusted, '$forwarded_proto'], [mapEntry('1', '$peer_forwarded_proto'), mapEntry('default', '$scheme')]),
    block('map', [trusted, '$forwarded_host'], [mapEntry('1', '$peer_forwarded_host'), mapEntry('default', '$host')]),
    block('map', [trusted, '$forwarded_for'], [mapEntry('1', '$proxy_add_x_forwarded_for'), mapEntry('default', '$remote_addr')]),
    block('map', [trusted, '$forwarded_port'], [mapEntry('1', '$http_x_forwarded_port'), mapEntry('default', '')]),
  ];
}

function routeLocation(route: ResolvedRoute, headers: readonly NginxStatement[]): NginxStatement {
  const upstream = [directive('proxy_pass', `http://${route.upstream.name}`), directive('proxy_http_version', '1.1')];
  if (route.kind === 'http') {
    return block('location', ['^~', route.path], [
      ...upstream,
      // An empty Connection header keeps the upstream connection alive for the next request.
      directive('proxy_set_header', 'Connection', ''),
      ...headers,
      directive('client_max_body_size', route.maxBodySize),
      directive('proxy_connect_timeout', '5s'),
      directive('proxy_read_timeout', `${route.timeoutSeconds}s`),
      directive('proxy_send_timeout', `${route.timeoutSeconds}s`),
    ]);
  }
  return block('location', ['~', `^${regexEscape(route.path)}(?:/|$)`], [
    ...upstream,
    directive('proxy_set_header', 'Upgrade', '$http_upgrade'),
    directive('proxy_set_header', 'Connection', '$connection_upgrade'),
    ...headers,
    directive('proxy_connect_timeout', '5s'),
    // An open socket is idle most of the time: these bound silence, not the socket's life.
    directive('proxy_read_timeout', `${route.idleTimeoutSeconds}s`),
    directive('proxy_send_timeout', `${route.idleTimeoutSeconds}s`),
  ]);
}

/** One server: the app, the health endpoint and the routes, on one listener. */
function server(settings: Settings, routes: readonly ResolvedRoute[], listen: (string | number)[], hop: Hop): NginxStatement {
  const headers = proxyHeaders(hop, settings.tlsOffload?.proxyProtocol ?? false);
  return block('server', [], [
    directive('listen', ...listen),
    directive('server_name', '_'),
    directive('root', settings.webRoot),
    block('location', ['=', settings.healthPath], [
      directive('access_log', 'off'),
      directive('default_type', 'text/plain'),
      directive('return', '200', 'ok'),
    ]),
    ...routes.map((route) => routeLocation(route, headers)),
    comment('Content-hashed build output never changes under its name. A missing one is a 404, never\nindex.html, which would be cached for a year as a script or a stylesheet.'),
    block('location', ['^~', settings.hashedAssetsPath], [
      directive('try_files', '$uri', '=404'),
      directive('add_header', 'Cache-Control', '$hashed_asset_cache_control', 'always'),
      ...securityHeaders(settings),
    ]),
    comment('The entry page names the current assets: never cached, so a rollout reaches every browser.'),
    block('location', ['=', '/index.html'], [
      directive('add_header', 'Cache-Control', 'no-store', 'always'),
      ...securityHeaders(settings),
    ]),
    comment('Client-side routes: any path that is not a file is the app.'),
    block('location', ['/'], [
      directive('try_files', '$uri', '/index.html'),
      directive('add_header', 'Cache-Control', 'no-cache', 'always'),
      ...securityHeaders(settings),
    ]),
  ]);
}

function nginxConfig(settings: Settings, routes: readonly ResolvedRoute[], upstreams: readonly IWebBackend[]): NginxStatement[] {
  const run = settings.runtimeDirectory;
  return [
    comment('nginx in the foreground as the container\'s main process, unprivileged, on a read-only root filesystem.'),
    directive('daemon', 'off'),
    directive('worker_processes', settings.workerProcesses),
    directive('worker_shutdown_timeout', `${settings.shutdownTimeoutSeconds}s`),
    directive('pid', `${run}/nginx.pid`),
    directive('error_log', 'stderr', 'warn'),
    block('events', [], [directive('worker_connections', settings.workerConnections)]),
    block('http', [], [
      directive('include', settings.mimeTypesFile),
      directive('default_type', 'application/octet-stream'),
      comment('Every file nginx writes lives in the runtime directory, an emptyDir.'),
      directive('client_body_temp_path', `${run}/client_body`),
      directive('proxy_temp_path', `${run}/proxy`),
      directive('fastcgi_temp_path', `${run}/fastcgi`),
      directive('uwsgi_temp_path', `${run}/uwsgi`),
      directive('scgi_temp_path', `${run}/scgi`),
      directive(
        'log_format',
        'main',
        '$remote_addr "$http_x_forwarded_for" [$time_local] "$request" $status $body_bytes_sent ' +
          '"$http_referer" "$http_user_agent" rt=$request_time upstream=$upstream_addr urt=$upstream_response_time',
      ),
      directive('access_log', '/dev/stdout', 'main'),
      directive('server_tokens', 'off'),
      directive('sendfile', 'on'),
      directive('tcp_nopush', 'on'),
      directive('keepalive_timeout', '65s'),
      comment('Redirects keep the client\'s scheme, host and port, not this container\'s.'),
      directive('absolute_redirect', 'off'),
      directive('gzip', 'on'),
      directive('gzip_vary', 'on'),
      directive('gzip_min_length', '1024'),
      directive('gzip_types', 'text/css', 'text/plain', 'application/javascript', 'application/json', 'image/svg+xml'),
      block('map', ['$http_upgrade', '$connection_upgrade'], [mapEntry('default', 'upgrade'), mapEntry('', 'close')]),
      ...forwardedHeaderMaps(settings),
      comment(
        'Only a hashed asset that was found may be cached for good: an error (a 404 for a name an old or\n' +
          'a new pod does not have, during a rollout) must not be kept as immutable by browsers and CDNs.',
      ),
      block('map', ['$status', '$hashed_asset_cache_control'], [
        mapEntry('200', IMMUTABLE),
        mapEntry('206', IMMUTABLE),
        mapEntry('304', IMMUTABLE),
        mapEntry('default', 'no-store'),
      ]),
      ...upstreams.map((u) =>
        block('upstream', [u.name], [
          comment('The Service\'s cluster IP, resolved once at start: it is stable for the life of the Service.'),
          directive('server', `${u.serviceHost}:${u.port}`),
          directive('keepalive', settings.upstreamKeepalive),
        ]),
      ),
      server(settings, routes, [settings.listenPort, 'default_server'], 'proxied'),
      ...(settings.tlsOffload
        ? [
            comment('The TLS-terminating load balancer\'s listener: its requests were HTTPS at the load balancer.'),
            server(settings, routes, [settings.tlsOffload.port, ...(settings.tlsOffload.proxyProtocol ? ['proxy_protocol'] : []), 'default_server'], 'tls-offload'),
          ]
        : []),
    ]),
  ];
}
