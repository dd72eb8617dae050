/**
 * The `services:` section of an environment file: further stateless web services, each deployed as
 * a component of its own (`gitops/envs/<env>/<name>/`, one Argo CD Application), built like the
 * backend and the frontend, and reaching, or reached by, exactly what the file declares.
 */
import type { ConfigProblem } from './config-error';
import type { ComponentSettings, Environment } from './environment';
import type { SourceMap } from './source-map';
import { fieldName } from './source-map';
import { WorkloadOwnership, WorkloadSettings, WorkloadStop, workloadSettingsProblems } from './workload-settings';
import { DNS_1035_LABEL_DESCRIPTION, dns1035LabelProblem } from '../predicates/dns-names';
import { isPlainObject, valueAt } from './document-value';

/**
 * One service of `services:`, keyed by its name: the settings of a component, the workload
 * settings every web workload takes (of whose probes a service must give the readiness and
 * liveness paths, having no chart default), and what it calls and is called by.
 */
export interface ServiceSettings extends ComponentSettings, WorkloadSettings {
  /**
   * Port the container listens on for HTTP; the Service publishes it on port 80.
   * @default 8080
   */
  readonly port?: number;
  /**
   * The components allowed to open connections to the service: `backend`, `frontend` (only with
   * `proxyPath`: the frontend's nginx reaches a service through a route only) or another service.
   * @default - none besides the frontend when `proxyPath` is set
   */
  readonly callers?: readonly string[];
  /** What the service may reach, and is configured for. @default - nothing */
  readonly calls?: ServiceCalls;
  /**
   * A path prefix of the public host the frontend's nginx proxies to the service, e.g. `/media/`.
   * Implies `frontend` among the callers.
   * @default - none: the service is reached inside the cluster only
   */
  readonly proxyPath?: string;
  /**
   * IAM role the service's ServiceAccount assumes (IRSA). Each service names its own: a role's
   * trust policy names the ServiceAccount allowed to assume it.
   * @default - none
   */
  readonly roleArn?: string;
}

/** What a service may reach. Every entry opens the egress path and the target's ingress path. */
export interface ServiceCalls {
  /** The backend's API, at `BACKEND_URL`. @default false */
  readonly backend?: boolean;
  /**
   * The environment's Kafka, as a client with a consumer group of its own; with
   * `kafka.authentication: scram-sha-512`, logged in as a user of its own.
   * @default - no Kafka
   */
  readonly kafka?: { readonly consumerGroup: string };
  /** The environment's database, with its credentials Secret. @default false */
  readonly database?: boolean;
  /** The environment's S3 bucket (egress to the object store; AWS credentials through `roleArn`). @default false */
  readonly s3?: boolean;
  /** Other services of the file, at `<NAME>_URL`. @default - none */
  readonly services?: readonly string[];
}

/**
 * Names a service may not take, each with the reason: the built-in components (whose folders and
 * Applications they would take over), and the names of objects those components already own in the
 * namespace, which a service's Deployment, Service, ServiceAccount, autoscaler or budget (all named
 * after it) or its Kafka Secret would collide with.
 */
export const RESERVED_SERVICE_NAMES: Readonly<Record<string, string>> = {
  platform: 'a built-in component',
  kafka: 'a built-in component',
  backend: 'a built-in component',
  frontend: 'a built-in component',
  database: "the name of the database's ExternalName Service",
  'kafka-headless': "the name of the Kafka brokers' headless Service",
  'kafka-topics': "the name of Kafka's topic Job, whose policies are named after it",
  broker: "the Kafka user name whose Secret, kafka-broker-credentials, is the brokers' own",
};

/** Components that may be callers besides the services themselves. */
const BUILT_IN_CALLERS = ['backend', 'frontend'] as const;

/**
 * The frontend's own paths, which a service's `proxyPath` may neither equal nor lie under or above:
 * nginx gives a `^~` prefix location priority over the regular expression of the WebSocket route,
 * and the longest matching prefix wins among prefixes
 * (https://nginx.org/en/docs/http/ngx_http_core_module.html#location).
 */
export const FRONTEND_PATHS = {
  /** The backend's REST API. */
  api: '/api/',
  /** The backend's WebSocket endpoint (and everything below it). */
  webSocket: '/ws',
  /** The single-page app's content-hashed files (ReverseProxy's default). */
  assets: '/assets/',
} as const;

/** A `proxyPath`: one or more path segments between slashes, as ReverseProxy takes a prefix. */
export const PROXY_PATH_PATTERN = '^(?:/[A-Za-z0-9._~-]+)+/$';
export const PROXY_PATH_DESCRIPTION = 'a URL path prefix starting and ending with "/", not "/" itself, e.g. "/media/"';
/** A Kafka consumer group: the characters of a topic name, which every client and tool accepts. */
export const CONSUMER_GROUP_PATTERN = '^[A-Za-z0-9._-]{1,249}$';
export const CONSUMER_GROUP_DESCRIPTION = 'a Kafka consumer group: 1 to 249 letters, digits, ".", "_" and "-"';

/** The services of an environment, in the file's order. */
export function serviceNames(env: Pick<Environment, 'services'>): string[] {
  return Object.keys(env.services ?? {});
}

/** The services that are Kafka clients, in the file's order. */
export function kafkaClientServices(env: Pick<Environment, 'services'>): string[] {
  return serviceNames(env).filter((name) => env.services![name]!.calls?.kafka !== undefined);
}

/** One allowed connection between two components (built-in or services), by name. */
export interface ServiceFlow {
  readonly from: string;
  readonly to: string;
}

/**
 * Every connection the `services:` section allows, each once, in the order of the file: a service's
 * callers (and the frontend, for a `proxyPath`), then what it calls among the backend and the other
 * services. A flow declared on both ends (`a.calls.services: [b]` and `b.callers: [a]`) is one flow.
 */
export function serviceFlows(env: Pick<Environment, 'services'>): ServiceFlow[] {
  const flows = new Map<string, ServiceFlow>();
  const add = (from: string, to: string) => {
    const key = `${from}\0${to}`;
    if (!flows.has(key)) flows.set(key, { from, to });
  };
  for (const name of serviceNames(env)) {
    const service = env.services![name]!;
    if (service.proxyPath !== undefined) add('frontend', name);
    for (const caller of service.callers ?? []) add(caller, name);
    if (service.calls?.backend) add(name, 'backend');
    for (const target of service.calls?.services ?? []) add(name, target);
  }
  return [...flows.values()];
}

/**
 * The services a built-in component calls, by the file's `callers` (in the file's order), read from
 * a loaded environment or from a file's data before its schema has vouched for it.
 */
export function servicesCalledBy(caller: string, services: unknown): string[] {
  if (!isPlainObject(services)) return [];
  return Object.keys(services).filter((name) => {
    const callers = valueAt(services, [name, 'callers']);
    return Array.isArray(callers) && callers.includes(caller);
  });
}

/** `MEDIA_URL` for service `media`: the variable a caller finds a service's URL in. */
export function serviceUrlVariable(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}

/**
 * The environment variables a service's `calls` set, which its own `env` may not set too: two
 * values for one name would leave the container with whichever the kubelet applies last.
 */
export function callEnvNames(calls: ServiceCalls | undefined): string[] {
  const names: string[] = [];
  if (calls?.backend) names.push(serviceUrlVariable('backend'));
  for (const target of calls?.services ?? []) names.push(serviceUrlVariable(target));
  if (calls?.kafka) names.push(...KAFKA_ENV, ...KAFKA_SASL_ENV);
  if (calls?.database) names.push(...DATABASE_ENV);
  if (calls?.s3) names.push(...S3_ENV);
  return names;
}

/**
 * How a service's pods stop, unless its settings say otherwise: the pre-stop delay, then, after
 * the stop signal, the frontend's drain budget for an application whose own drain is not known
 * here (25 s), and 5 s to exit: 40 s in all.
 */
export const SERVICE_STOP: WorkloadStop = {
  preStopDelaySeconds: 10,
  terminationGracePeriodSeconds: 40,
  steps: (preStopDelaySeconds) => [
    { name: 'pre-stop delay', seconds: preStopDelaySeconds },
    { name: 'the application\'s drain after the stop signal', seconds: 25 },
  ],
  marginSeconds: 5,
};

/** The name of the container port a service serves HTTP on, which its probes may name. */
export const SERVICE_PORT_NAME = 'http';

/** What a service's chart sets in its pods, by what the service calls. */
export function serviceOwnership(calls: ServiceCalls | undefined): WorkloadOwnership {
  return {
    env: Object.fromEntries(callEnvNames(calls).map((name) => [name, 'set from calls, which the network policies follow too'])),
    configMaps: {},
    podAnnotations: {},
    portNames: [SERVICE_PORT_NAME],
    stop: SERVICE_STOP,
  };
}

/** What a Kafka client service is told; the SASL ones are set only with authentication on. */
export const KAFKA_ENV = ['KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_SECURITY_PROTOCOL', 'KAFKA_CONSUMER_GROUP'] as const;
export const KAFKA_SASL_ENV = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_JAAS_CONFIG'] as const;
export const DATABASE_ENV = ['DATABASE_ENGINE', 'DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USERNAME', 'DATABASE_PASSWORD'] as const;
export const S3_ENV = ['AWS_REGION', 'S3_BUCKET', 'S3_REGION', 'S3_PUBLIC_URL_BASE', 'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE'] as const;

/**
 * The `services:` section beyond its shape: names, who calls whom, consumer groups and proxy paths.
 * Fields that already failed the schema are not judged again.
 */
export function serviceProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const services = valueAt(data, ['services']);
  if (!isPlainObject(services) || flagged.has('services')) return problems;
  const report = (segments: string[], value: unknown, allowed: string, offset = source.valueOffset(segments)) => {
    if (!flagged.has(fieldName(segments))) problems.push(source.problem(offset, fieldName(segments), value, allowed));
  };
  const names = Object.keys(services);
  const declared = new Set(names);
  const otherServices = (self: string) => names.filter((n) => n !== self);
  const groups = new Map<string, string>();
  const paths = new Map<string, string>();

  for (const name of names) {
    const base = ['services', name];
    const nameProblem = dns1035LabelProblem(name);
    if (nameProblem !== undefined) {
      report(base, name, `${DNS_1035_LABEL_DESCRIPTION}: the name of the service's Service, Deployment and component folder`, source.keyOffset(base));
    } else if (Object.prototype.hasOwnProperty.call(RESERVED_SERVICE_NAMES, name)) {
      report(base, name, `a name other than ${Object.keys(RESERVED_SERVICE_NAMES).join(', ')} (${JSON.stringify(name)} is ${RESERVED_SERVICE_NAMES[name]})`, source.keyOffset(base));
    }
    const service = services[name];
    if (!isPlainObject(service)) continue;
    const calls = service.calls;
    for (const kind of ['readiness', 'liveness'] as const) {
      const at = [...base, 'probes', kind, 'path'];
      if (valueAt(service, ['probes', kind, 'path']) === undefined && !flagged.has(fieldName([...base, 'probes'])) && !flagged.has(fieldName([...base, 'probes', kind]))) {
        const parent = valueAt(service, ['probes', kind]) !== undefined ? [...base, 'probes', kind] : valueAt(service, ['probes']) !== undefined ? [...base, 'probes'] : base;
        problems.push(source.problem(source.valueOffset(parent), fieldName(at), undefined, `required for a service: the path its ${kind} probe requests, e.g. "/${kind === 'readiness' ? 'ready' : 'healthz'}" (a service has no default)`));
      }
    }
    const ownership = serviceOwnership(isPlainObject(calls) && !flagged.has(fieldName([...base, 'calls'])) ? (calls as ServiceCalls) : undefined);
    for (const p of workloadSettingsProblems(service, base, ownership, (segments) => flagged.has(fieldName(segments)))) {
      const segments = [...p.segments];
      problems.push(source.problem(p.at === 'key' ? source.keyOffset(segments) : source.valueOffset(segments), fieldName(segments), p.value, p.allowed));
    }
    const proxyPath = typeof service.proxyPath === 'string' && !flagged.has(fieldName([...base, 'proxyPath'])) ? service.proxyPath : undefined;

    const callers = service.callers;
    if (Array.isArray(callers) && !flagged.has(fieldName([...base, 'callers']))) {
      const seen = new Set<string>();
      callers.forEach((caller, i) => {
        const at = [...base, 'callers', String(i)];
        if (typeof caller !== 'string') return;
        const allowed = `one of ${[...BUILT_IN_CALLERS, ...otherServices(name)].join(', ')}`;
        if (caller === name) report(at, caller, `${allowed}, not the service itself`);
        else if (seen.has(caller)) report(at, caller, 'each caller once');
        else if (caller === 'frontend' && proxyPath === undefined) {
          report(at, caller, `${allowed}; the frontend only with proxyPath, since its nginx reaches a service through a proxied path alone`);
        } else if (!(BUILT_IN_CALLERS as readonly string[]).includes(caller) && !declared.has(caller)) {
          report(at, caller, `${allowed} (platform and kafka run nothing that calls a service)`);
        }
        seen.add(caller);
      });
    }

    if (isPlainObject(calls) && !flagged.has(fieldName([...base, 'calls']))) {
      const targets = calls.services;
      if (Array.isArray(targets) && !flagged.has(fieldName([...base, 'calls', 'services']))) {
        const seen = new Set<string>();
        targets.forEach((target, i) => {
          const at = [...base, 'calls', 'services', String(i)];
          if (typeof target !== 'string') return;
          const others = otherServices(name);
          const allowed = `one of the other services of this file (${others.join(', ') || 'none'}); the backend, Kafka, the database and S3 are calls.backend, calls.kafka, calls.database and calls.s3`;
          if (target === name) report(at, target, `${allowed}, not the service itself`);
          else if (seen.has(target)) report(at, target, 'each service once');
          else if (!declared.has(target)) report(at, target, allowed);
          seen.add(target);
        });
      }
      const group = valueAt(calls, ['kafka', 'consumerGroup']);
      const groupField = [...base, 'calls', 'kafka', 'consumerGroup'];
      if (typeof group === 'string' && !flagged.has(fieldName(groupField))) {
        const owner = groups.get(group);
        if (group.startsWith('backend-')) {
          report(groupField, group, 'a group not starting with "backend-": the backend\'s pods consume as backend-<pod name>');
        } else if (owner !== undefined) {
          report(groupField, group, `a consumer group of this service alone (services.${owner} has it: one group shares the messages out between its members)`);
        } else groups.set(group, name);
      }
    }

    if (proxyPath !== undefined) {
      const at = [...base, 'proxyPath'];
      const reserved = Object.values(FRONTEND_PATHS).map((p) => (p.endsWith('/') ? p : `${p}/`));
      const clash = reserved.find((p) => proxyPath.startsWith(p) || p.startsWith(proxyPath));
      const other = [...paths].find(([p]) => proxyPath.startsWith(p) || p.startsWith(proxyPath));
      if (clash !== undefined) {
        report(at, proxyPath, `${PROXY_PATH_DESCRIPTION}, neither containing nor inside the frontend's own ${reserved.join(', ')} (it would take ${clash} over)`);
      } else if (other !== undefined) {
        report(at, proxyPath, `a path neither containing nor inside services.${other[1]}.proxyPath (${JSON.stringify(other[0])})`);
      } else paths.set(proxyPath, name);
    }
  }
  return problems;
}

/** The resources paths of each service, for the loader's quantity spelling. */
export function serviceBases(data: unknown): string[][] {
  const services = valueAt(data, ['services']);
  return isPlainObject(services) ? Object.keys(services).map((name) => ['services', name]) : [];
}

