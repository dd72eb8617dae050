/**
 * The `services:` section of an environment file: further web services, each a component of its
 * own, reaching and reached by what the file declares. The fixture test/fixtures/services/ holds a
 * staging environment with two services (media: proxied by the frontend, called by the backend,
 * using S3 and the database; notifier: a Kafka client calling the backend and media).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { renderTree, validateRendered } from '../app/synthesize';
import { addChatPlatform } from '../charts/chat-platform';
import { FrontendChart } from '../charts/frontend-chart';
import { Environment } from '../lib/environment/environment';
import { loadEnvironment, loadEnvironments } from '../lib/environment/load-environments';
import { RunningNginx, describeWithNginx, freePort, localizeConfig, scratchDir, startNginx, writeWebFile } from './local-nginx';
import { Git } from '../lib/git/git';
import { describeStagedChange } from '../lib/pipeline/commit-message';
import { configError } from './support/config-error';
import { FIXTURE_ROOT, RUN, fixtureEnvironment, gitopsConfig } from './support/fixture-project';
import { treeFiles } from './support/tree-files';

const SERVICES_ROOT = path.join(FIXTURE_ROOT, 'services');
const SERVICES_ENVIRONMENTS = path.join(SERVICES_ROOT, 'environments');
const SLOW = 180_000;

function servicesEnvironment(): Environment {
  return loadEnvironments(SERVICES_ENVIRONMENTS, { root: SERVICES_ROOT })[0]!;
}
const fixtureText = () => fs.readFileSync(path.join(SERVICES_ENVIRONMENTS, 'staging.yaml'), 'utf8');

/** The rendered tree of environments, validated as synth validates it; path → parsed manifest. */
function render(environments: Environment[]): Map<string, any> {
  const { objects, files } = renderTree(environments, gitopsConfig());
  validateRendered(objects, environments);
  return new Map([...files].map(([file, text]) => [file, parse(text)]));
}

describe('an environment with services', () => {
  const env = servicesEnvironment();
  const tree = render([env]);
  const at = (file: string) => {
    const manifest = tree.get(file);
    if (manifest === undefined) throw new Error(`no ${file}; have: ${[...tree.keys()].filter((f) => f.startsWith('envs/staging/')).join(', ')}`);
    return manifest;
  };
  const container = (service: string) => at(`envs/staging/${service}/Deployment-${service}.yaml`).spec.template.spec.containers[0];
  const envOf = (service: string) => Object.fromEntries(container(service).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  test('each service is a component of its own: a WebService with its disruption budget, and an Application', () => {
    for (const service of ['media', 'notifier']) {
      const kinds = [...tree.keys()].filter((f) => f.startsWith(`envs/staging/${service}/`) && !f.includes('NetworkPolicy')).sort();
      expect(kinds).toEqual(
        ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'ServiceAccount'].map((kind) => `envs/staging/${service}/${kind}-${service}.yaml`),
      );
      const app = at(`apps/staging/Application-staging-${service}.yaml`);
      expect(app.spec.source.path).toBe(`gitops/envs/staging/${service}`);
    }
    expect(at('envs/staging/media/PodDisruptionBudget-media.yaml').spec.maxUnavailable).toBe(1);
  });

  test('the file decides image, port, probes, replicas, autoscaling, resources and env', () => {
    const media = container('media');
    expect(media.image).toBe('registry.example.com/chat/media:2.1.0');
    expect(media.ports).toEqual([{ name: 'http', containerPort: 8081, protocol: 'TCP' }]);
    expect(media.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(media.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(media.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    expect(envOf('media').THUMBNAIL_SIZES).toBe('64,256');
    const hpa = at('envs/staging/media/HorizontalPodAutoscaler-media.yaml').spec;
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.metrics[0].resource.target.averageUtilization]).toEqual([2, 3, 75]);
    expect(at('envs/staging/media/Service-media.yaml').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(at('envs/staging/media/ServiceAccount-media.yaml').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/chat-staging-media' });
  });

  test('the workload settings apply as to the built-in components: env from out-of-band Secrets, scheduling, stop timing', () => {
    const pod = at('envs/staging/media/Deployment-media.yaml').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(pod.terminationGracePeriodSeconds).toBe(60);
    expect(envOf('media').IMAGE_SIGNING_KEY).toEqual({ secretKeyRef: { name: 'media-signing', key: 'key' } });
    expect(Object.keys(at('envs/staging/media/Deployment-media.yaml').metadata.annotations)).toContain('external.policy/Secret.media-signing');
    // The defaults: 10 s of pre-stop delay in a 40 s grace period.
    const notifier = at('envs/staging/notifier/Deployment-notifier.yaml').spec.template.spec;
    expect(notifier.terminationGracePeriodSeconds).toBe(40);
    expect(notifier.containers[0].lifecycle.preStop.exec.command).toEqual(['/bin/sleep', '10']);
  });

  test('both ends of every declared path are open, and nothing else between the components', () => {
    const policies = (component: string) =>
      [...tree.keys()]
        .filter((f) => f.startsWith(`envs/staging/${component}/NetworkPolicy-`))
        .map((f) => f.slice(f.lastIndexOf('NetworkPolicy-') + 'NetworkPolicy-'.length, -'.yaml'.length))
        .sort();
    expect(policies('media')).toEqual(['media-from-backend', 'media-from-frontend', 'media-from-notifier', 'media-to-database', 'media-to-object-storage']);
    expect(policies('notifier')).toEqual(['notifier-to-backend', 'notifier-to-kafka', 'notifier-to-media']);
    expect(policies('backend')).toEqual(expect.arrayContaining(['backend-from-notifier', 'backend-to-media']));
    expect(policies('frontend')).toContain('frontend-to-media');
    expect(policies('kafka')).toContain('kafka-from-notifier');
    expect(policies('kafka')).not.toContain('kafka-from-media');

    const ingress = at('envs/staging/media/NetworkPolicy-media-from-notifier.yaml').spec;
    expect(ingress.podSelector.matchLabels['app.kubernetes.io/name']).toBe('media');
    expect(ingress.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'notifier', 'app.kubernetes.io/name': 'notifier' } } }], ports: [{ protocol: 'TCP', port: 8081 }] },
    ]);
    // The object store's rule is the backend's, for another workload.
    const storage = (component: string) => at(`envs/staging/${component}/NetworkPolicy-${component}-to-object-storage.yaml`).spec.egress;
    expect(storage('media')).toEqual(storage('backend'));
  });

  test('a path declared at both ends (a caller of one, a call of the other) is one path', () => {
    const media = { ...env.services!.media!, callers: ['backend', 'notifier'] };
    const both = render([{ ...env, services: { ...env.services, media } }]);
    const policies = [...both.keys()].filter((f) => /NetworkPolicy-(media-from|notifier-to)-/.test(f)).sort();
    expect(policies).toEqual([...tree.keys()].filter((f) => /NetworkPolicy-(media-from|notifier-to)-/.test(f)).sort());
  });

  test('the frontend proxies the proxyPath to the service', () => {
    const nginx = at('envs/staging/frontend/ConfigMap-frontend-nginx.yaml').data['nginx.conf'] as string;
    expect(nginx).toContain('upstream media {');
    expect(nginx).toContain('server media.chat-staging.svc.cluster.local:80;');
    expect(nginx).toMatch(/location \^~ \/media\/ \{\n\s+proxy_pass http:\/\/media;/);
    expect(nginx).toContain('client_max_body_size 20m;');
  });

  test('a caller is told where what it calls is; a Kafka client gets its own group and SASL user', () => {
    const notifier = envOf('notifier');
    expect(notifier.BACKEND_URL).toBe('http://backend.chat-staging.svc.cluster.local:8080');
    expect(notifier.MEDIA_URL).toBe('http://media.chat-staging.svc.cluster.local:80');
    expect(notifier.KAFKA_BOOTSTRAP_SERVERS).toBe('kafka.chat-staging.svc.cluster.local:9092');
    expect(notifier.KAFKA_CONSUMER_GROUP).toBe('notifier');
    expect(notifier.KAFKA_SECURITY_PROTOCOL).toBe('SASL_PLAINTEXT');
    expect(notifier.KAFKA_SASL_MECHANISM).toBe('SCRAM-SHA-512');
    expect(notifier.KAFKA_SASL_USERNAME).toEqual({ secretKeyRef: { name: 'kafka-notifier-credentials', key: 'username' } });
    expect(notifier.KAFKA_SASL_JAAS_CONFIG).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="$(KAFKA_SASL_USERNAME)" password="$(KAFKA_SASL_PASSWORD)";',
    );
    const deployment = at('envs/staging/notifier/Deployment-notifier.yaml');
    expect(Object.keys(deployment.metadata.annotations)).toContain('external.policy/Secret.kafka-notifier-credentials');
    const job = at('envs/staging/kafka/Job-kafka-topics.yaml');
    expect(job.spec.template.spec.containers[0].command[2]).toContain('(notifier, Secret kafka-notifier-credentials)');
    expect(job.metadata.annotations['external.policy/Secret.kafka-notifier-credentials']).toBe(
      'the SCRAM user "notifier" (keys username and password), created out of band in the namespace',
    );

    const media = envOf('media');
    expect(media.DATABASE_HOST).toBe('database.chat-staging.svc.cluster.local');
    expect(media.DATABASE_PASSWORD).toEqual({ secretKeyRef: { name: 'chat-db-credentials', key: 'password' } });
    expect(media.S3_BUCKET).toBe('chat-staging-images');
    expect(Object.keys(media).filter((name) => name.startsWith('KAFKA_'))).toEqual([]);
  });

  test("the backend is told where the services that admit it as a caller are, in its ConfigMap, so the pods roll", () => {
    const config = at('envs/staging/backend/ConfigMap-backend-config.yaml').data;
    expect(config.MEDIA_URL).toBe('http://media.chat-staging.svc.cluster.local:80');
    // notifier does not name backend among its callers.
    expect(Object.keys(config).filter((key) => /^[A-Z0-9]+_URL$/.test(key))).toEqual(['MEDIA_URL']);
    const standard = render([fixtureEnvironment('staging')]);
    expect(at('envs/staging/backend/Deployment-backend.yaml').spec.template.metadata.annotations['checksum/config']).not.toBe(
      standard.get('envs/staging/backend/Deployment-backend.yaml').spec.template.metadata.annotations['checksum/config'],
    );
  });

  test('without Kafka authentication a client gets no SASL settings and no user', () => {
    const plain = render([{ ...env, kafka: { ...env.kafka, authentication: 'none' } }]);
    const notifier = plain.get('envs/staging/notifier/Deployment-notifier.yaml').spec.template.spec.containers[0];
    const names = notifier.env.map((e: any) => e.name);
    expect(names).toContain('KAFKA_BOOTSTRAP_SERVERS');
    expect(names.filter((n: string) => n.startsWith('KAFKA_SASL_'))).toEqual([]);
    expect(notifier.env.find((e: any) => e.name === 'KAFKA_SECURITY_PROTOCOL').value).toBe('PLAINTEXT');
  });

  test('services sync in the backend\'s wave: after Kafka, before the frontend that proxies to them', () => {
    const wave = (component: string) => Number(at(`apps/staging/Application-staging-${component}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('media')).toBe(wave('backend'));
    expect(wave('notifier')).toBe(wave('backend'));
    expect(wave('kafka')).toBeLessThan(wave('media'));
    expect(wave('media')).toBeLessThan(wave('frontend'));
  });

  test('without its services: section the file renders exactly the standard staging tree', () => {
    const text = fixtureText();
    const without = text
      .slice(0, text.indexOf('# Further web services'))
      .replace(/\n {2}# The notifier logs in[^\n]*\n {2}authentication: scram-sha-512/, '')
      .replace(/^# Staging with two services[^\n]*\n/, '');
    const standard = fs.readFileSync(path.join(FIXTURE_ROOT, 'environments', 'staging.yaml'), 'utf8');
    expect(without).toBe(standard.replace(/^# [^\n]*\n/, ''));
    const { files: plain } = renderTree([fixtureEnvironment('staging')], gitopsConfig());
    const { files: mine } = renderTree([{ ...env, kafka: { ...env.kafka, authentication: undefined }, services: undefined }], gitopsConfig());
    expect(Object.fromEntries(mine)).toEqual(Object.fromEntries(plain));
  });
});

describe('a services section that cannot be deployed as written stops the load, naming file, line, field, value and what is allowed', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'services-section-'));
    fs.mkdirSync(path.join(root, 'environments'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Loads the fixture with `edit` applied; the refusal's lines, and the edited text. */
  function refusal(edit: (text: string) => string): { lines: string[]; text: string } {
    const text = edit(fixtureText());
    expect(text).not.toBe(fixtureText());
    const file = path.join(root, 'environments', 'staging.yaml');
    fs.writeFileSync(file, text);
    return { lines: configError(() => loadEnvironment(file, { root })).message.split('\n'), text };
  }
  /** `environments/staging.yaml:<line>:<column>` of the first `needle` at or after `after`. */
  function where(text: string, needle: string, after = '\nservices:'): string {
    const offset = text.indexOf(needle, text.indexOf(after));
    const before = text.slice(0, offset).split('\n');
    return `environments/staging.yaml:${before.length}:${before[before.length - 1]!.length + 1}`;
  }

  const RESERVED: Record<string, string> = {
    kafka: 'a built-in component',
    backend: 'a built-in component',
    platform: 'a built-in component',
    frontend: 'a built-in component',
    database: "the name of the database's ExternalName Service",
    broker: "the Kafka user name whose Secret, kafka-broker-credentials, is the brokers' own",
  };
  test.each(Object.keys(RESERVED))('a service named like a built-in component or its objects: %s', (name) => {
    const { lines, text } = refusal((t) => t.replace('\n  notifier:\n', `\n  ${name}:\n`));
    expect(lines).toEqual([`${where(text, `${name}:\n    image:`)}: services.${name}: "${name}" — a name other than platform, kafka, backend, frontend, database, kafka-headless, kafka-topics, broker ("${name}" is ${RESERVED[name]})`]);
  });

  test('a service name that is no DNS-1035 label', () => {
    const { lines, text } = refusal((t) => t.replace('\n  notifier:\n', '\n  9notifier:\n'));
    expect(lines).toEqual([
      `${where(text, '9notifier:')}: services.9notifier: "9notifier" — a DNS-1035 label: at most 63 characters, lowercase letters, digits and "-", starting with a letter and ending with a letter or digit: the name of the service's Service, Deployment and component folder`,
    ]);
  });

  test('an unknown caller', () => {
    const { lines, text } = refusal((t) => t.replace('callers: [backend]', 'callers: [backend, mailer]'));
    expect(lines).toEqual([`${where(text, 'mailer')}: services.media.callers[1]: "mailer" — one of backend, frontend, notifier (platform and kafka run nothing that calls a service)`]);
  });

  test('a service among its own callers', () => {
    const { lines, text } = refusal((t) => t.replace('callers: [backend]', 'callers: [media]'));
    expect(lines).toEqual([`${where(text, 'media]', 'callers:')}: services.media.callers[0]: "media" — one of backend, frontend, notifier, not the service itself`]);
  });

  test('a service calling itself', () => {
    const { lines, text } = refusal((t) => t.replace('services: [media]', 'services: [notifier]'));
    expect(lines).toEqual([
      `${where(text, 'notifier]', 'services: [')}: services.notifier.calls.services[0]: "notifier" — one of the other services of this file (media); the backend, Kafka, the database and S3 are calls.backend, calls.kafka, calls.database and calls.s3, not the service itself`,
    ]);
  });

  test('a call to a service the file does not declare', () => {
    const { lines, text } = refusal((t) => t.replace('services: [media]', 'services: [thumbnails]'));
    expect(lines).toEqual([
      `${where(text, 'thumbnails]')}: services.notifier.calls.services[0]: "thumbnails" — one of the other services of this file (media); the backend, Kafka, the database and S3 are calls.backend, calls.kafka, calls.database and calls.s3`,
    ]);
  });

  test('the frontend as a caller without a proxyPath', () => {
    const { lines, text } = refusal((t) => t.replace('    calls:\n      backend: true', '    callers: [frontend]\n    calls:\n      backend: true'));
    expect(lines).toEqual([
      `${where(text, 'frontend]', 'notifier:')}: services.notifier.callers[0]: "frontend" — one of backend, frontend, media; the frontend only with proxyPath, since its nginx reaches a service through a proxied path alone`,
    ]);
  });

  test.each([
    ['/api/media/', '/api/'],
    ['/ws/', '/ws/'],
    ['/ws/chat/', '/ws/'],
    ['/assets/', '/assets/'],
  ])('a proxyPath on the frontend\'s own paths: %s', (proxyPath, clash) => {
    const { lines, text } = refusal((t) => t.replace('proxyPath: /media/', `proxyPath: ${proxyPath}`));
    expect(lines).toEqual([
      `${where(text, proxyPath)}: services.media.proxyPath: "${proxyPath}" — a URL path prefix starting and ending with "/", not "/" itself, e.g. "/media/", neither containing nor inside the frontend's own /api/, /ws/, /assets/ (it would take ${clash} over)`,
    ]);
  });

  test('a proxyPath beside the frontend\'s own paths, neither containing nor inside them, is accepted', () => {
    for (const proxyPath of ['/w/', '/apis/', '/media/v2/']) {
      const file = path.join(root, 'environments', 'staging.yaml');
      fs.writeFileSync(file, fixtureText().replace('proxyPath: /media/', `proxyPath: ${proxyPath}`));
      expect(loadEnvironment(file, { root }).services!.media!.proxyPath).toBe(proxyPath);
    }
  });

  test('a proxyPath that is no path prefix', () => {
    const { lines, text } = refusal((t) => t.replace('proxyPath: /media/', 'proxyPath: /media'));
    expect(lines).toEqual([`${where(text, '/media', 'proxyPath')}: services.media.proxyPath: "/media" — a URL path prefix starting and ending with "/", not "/" itself, e.g. "/media/"`]);
  });

  test('one consumer group for two services', () => {
    const { lines, text } = refusal((t) => t.replace('      s3: true\n      database: true', '      s3: true\n      database: true\n      kafka: { consumerGroup: notifier }'));
    expect(lines).toEqual([
      `${where(text, 'notifier }', 'notifier:')}: services.notifier.calls.kafka.consumerGroup: "notifier" — a consumer group of this service alone (services.media has it: one group shares the messages out between its members)`,
    ]);
  });

  test('a service without the paths of its probes', () => {
    const { lines, text } = refusal((t) => t.replace('      readiness: { path: /ready }\n      liveness: { path: /live }\n', '      liveness: { path: /live }\n'));
    expect(lines).toEqual([
      `${where(text, 'liveness: { path: /live }', 'notifier:')}: services.notifier.probes.readiness.path: (missing) — required for a service: the path its readiness probe requests, e.g. "/ready" (a service has no default)`,
    ]);
  });

  test('a pre-stop delay the default grace period does not cover', () => {
    const { lines, text } = refusal((t) => t.replace('      services: [media]\n', '      services: [media]\n    preStopDelaySeconds: 20\n'));
    // The wording is the workload settings' (lib/environment/workload-settings.ts); the budget is the service's.
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`${where(text, '20', 'preStopDelaySeconds')}: services.notifier.preStopDelaySeconds: 20 — `)).toBe(true);
    expect(lines[0]).toContain("an integer of at least 50: pre-stop delay 20 s + the application's drain after the stop signal 25 s + 5 s to exit");
  });

  test('an env variable the service\'s calls set', () => {
    const { lines, text } = refusal((t) => t.replace('      - name: THUMBNAIL_SIZES', '      - name: DATABASE_HOST'));
    expect(lines).toEqual([
      `${where(text, 'DATABASE_HOST')}: services.media.env[0].name: "DATABASE_HOST" — a name the chart does not set: the chart sets DATABASE_HOST (set from calls, which the network policies follow too); overriding it would break that`,
    ]);
  });

  test("a backend env variable that holds the URL of a service it calls", () => {
    const { lines, text } = refusal((t) => t.replace('components:\n  backend:\n', 'components:\n  backend:\n    env:\n      - { name: MEDIA_URL, value: "http://media.example.net" }\n'));
    expect(lines).toEqual([
      `${where(text, 'MEDIA_URL', 'components:')}: components.backend.env[0].name: "MEDIA_URL" — a name the chart does not set: the chart sets MEDIA_URL ` +
        '(the URL of service media, which the backend calls (services.media.callers)); overriding it would break that',
    ]);
  });

  test('an unknown field of a service, with the fields allowed', () => {
    const { lines } = refusal((t) => t.replace('    proxyPath: /media/', '    proxyPath: /media/\n    calers: [backend]'));
    expect(lines).toEqual([expect.stringMatching(/^environments\/staging\.yaml:\d+:5: services\.media\.calers: \["backend"\] — unknown field; allowed: .*callers.* \(did you mean "callers"\?\)$/)]);
  });

  test('synth refuses such a file, exits 1 and leaves gitops/ as it was', () => {
    fs.cpSync(SERVICES_ENVIRONMENTS, path.join(root, 'environments'), { recursive: true });
    for (const file of ['gitops.config.yaml', 'cdk8s.yaml']) fs.copyFileSync(path.join(__dirname, '..', file), path.join(root, file));
    const first = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
    expect(first.status).toBe(0);
    const before = treeFiles(path.join(root, 'gitops'));
    const file = path.join(root, 'environments', 'staging.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('services: [media]', 'services: [notifier]'));
    const second = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('services.notifier.calls.services[0]: "notifier"');
    expect(second.stderr).toContain('synth: nothing written; gitops/ is unchanged');
    expect(treeFiles(path.join(root, 'gitops'))).toEqual(before);
  }, SLOW);
});

describe('set-image, promote, rollback and the removal guard, on a service by name', () => {
  // A real git repository holding the services fixture as staging and a qa environment made from
  // it (older service images), with the tree synth made of them committed, as a pipeline clone is.
  let tmp: string;
  let gitEnv: NodeJS.ProcessEnv;
  let counter = 0;
  let template: string;
  const MEDIA = 'registry.example.com/chat/media';

  const git = (cwd: string, ...args: string[]): string => {
    const r = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout;
  };
  const run = (cwd: string, entry: string, ...args: string[]) => spawnSync(process.execPath, [RUN, entry, ...args], { cwd, env: gitEnv, encoding: 'utf8' });
  const read = (root: string, rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
  const deployed = (root: string, env: string, service: string) =>
    parse(read(root, `gitops/envs/${env}/${service}/Deployment-${service}.yaml`)).spec.template.spec.containers[0].image as string;
  /** A working copy of the template repository, private to one test. */
  const project = (): string => {
    const dir = path.join(tmp, `work-${++counter}`);
    git(tmp, 'clone', '--quiet', template, dir);
    return dir;
  };
  const changed = (root: string) => git(root, 'status', '--porcelain', '--', 'environments', 'gitops').split('\n').filter(Boolean);

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'services-pipeline-'));
    const gitConfig = path.join(tmp, 'gitconfig');
    fs.writeFileSync(gitConfig, '');
    gitEnv = {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: gitConfig,
      GIT_AUTHOR_NAME: 'Services Test',
      GIT_AUTHOR_EMAIL: 'services-test@example.com',
      GIT_COMMITTER_NAME: 'Services Test',
      GIT_COMMITTER_EMAIL: 'services-test@example.com',
    };
    const seed = path.join(tmp, 'seed');
    fs.mkdirSync(path.join(seed, 'environments'), { recursive: true });
    git(seed, 'init', '--quiet', '--initial-branch=main');
    const staging = fixtureText();
    fs.writeFileSync(path.join(seed, 'environments', 'staging.yaml'), staging);
    fs.writeFileSync(
      path.join(seed, 'environments', 'qa.yaml'),
      staging.replace(/staging/g, 'qa').replace(`${MEDIA}:2.1.0`, `${MEDIA}:2.0.0`).replace('notifier:0.9.3', 'notifier:0.9.0'),
    );
    for (const file of ['gitops.config.yaml', 'cdk8s.yaml']) fs.copyFileSync(path.join(__dirname, '..', file), path.join(seed, file));
    fs.writeFileSync(path.join(seed, '.gitignore'), '.gitops.*\n');
    const synth = run(seed, 'main');
    if (synth.status !== 0) throw new Error(`synth failed:\n${synth.stdout}${synth.stderr}`);
    git(seed, 'add', '--all');
    git(seed, 'commit', '--quiet', '-m', 'Environments with services, and their tree');
    template = path.join(tmp, 'template.git');
    git(tmp, 'clone', '--quiet', '--bare', seed, template);
  }, SLOW);
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('set-image changes only services.<name>.image and only that service\'s manifests', () => {
    const work = project();
    const r = run(work, 'commands/set-image', 'media', `${MEDIA}:2.2.0`, '--env', 'staging');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`staging/media: ${MEDIA}:2.1.0 → ${MEDIA}:2.2.0\n`);
    expect(git(work, 'diff', '--unified=0', '--', 'environments').split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      `-    image: ${MEDIA}:2.1.0`,
      `+    image: ${MEDIA}:2.2.0`,
    ]);
    expect(changed(work)).toContain(' M gitops/envs/staging/media/Deployment-media.yaml');
    expect(changed(work).filter((l) => !l.startsWith(' M gitops/envs/staging/media/') && l !== ' M environments/staging.yaml')).toEqual([]);
    expect(deployed(work, 'staging', 'media')).toBe(`${MEDIA}:2.2.0`);
    // What publish would commit says so.
    git(work, 'add', '--', 'environments', 'gitops');
    expect(describeStagedChange(new Git(work)).message.split('\n')[0]).toBe('Deploy staging: media 2.2.0');
  }, SLOW);

  test('set-image refuses a component the environment does not declare, naming those it has, and writes nothing', () => {
    const work = project();
    const r = run(work, 'commands/set-image', 'mailer', 'registry.example.com/chat/mailer:1.0.0', '--env', 'staging');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('environments/staging.yaml: unknown component "mailer"; allowed: backend, frontend, kafka, media, notifier (a service is one the file declares under services:)');
    expect(changed(work)).toEqual([]);
  }, SLOW);

  test('promote copies the services both files declare by default, and only the named ones when named', () => {
    const all = project();
    const r = run(all, 'commands/promote', '--from', 'staging', '--to', 'qa');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`qa/media: ${MEDIA}:2.0.0 → ${MEDIA}:2.1.0\n`);
    expect(r.stdout).toContain('qa/notifier: registry.example.com/chat/notifier:0.9.0 → registry.example.com/chat/notifier:0.9.3\n');
    expect(deployed(all, 'qa', 'notifier')).toBe('registry.example.com/chat/notifier:0.9.3');

    const one = project();
    expect(run(one, 'commands/promote', '--from', 'staging', '--to', 'qa', 'media').status).toBe(0);
    expect(deployed(one, 'qa', 'media')).toBe(`${MEDIA}:2.1.0`);
    expect(deployed(one, 'qa', 'notifier')).toBe('registry.example.com/chat/notifier:0.9.0');
    expect(changed(one).filter((l) => !l.startsWith(' M gitops/envs/qa/media/') && l !== ' M environments/qa.yaml')).toEqual([]);
  }, SLOW);

  test('rollback restores a service\'s image as of a revision, leaving the others as they are', () => {
    const work = project();
    const base = git(work, 'rev-parse', 'HEAD').trim();
    expect(run(work, 'commands/set-image', 'media', `${MEDIA}:2.2.0`, '--env', 'staging').status).toBe(0);
    expect(run(work, 'commands/set-image', 'notifier', 'registry.example.com/chat/notifier:1.0.0', '--env', 'staging').status).toBe(0);
    git(work, 'commit', '--quiet', '-am', 'Deploy staging: media 2.2.0, notifier 1.0.0');
    const r = run(work, 'commands/rollback', '--env', 'staging', '--to', base, 'media');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`staging/media: ${MEDIA}:2.2.0 → ${MEDIA}:2.1.0\n`);
    expect(r.stdout).toContain('staging/notifier: left at registry.example.com/chat/notifier:1.0.0 (was registry.example.com/chat/notifier:0.9.3');
    expect(deployed(work, 'staging', 'media')).toBe(`${MEDIA}:2.1.0`);
    expect(deployed(work, 'staging', 'notifier')).toBe('registry.example.com/chat/notifier:1.0.0');
  }, SLOW);

  test('a service dropped from the file is a deployed component: refused without --allow-removal <env>/<service>, removed with it', () => {
    const work = project();
    const file = path.join(work, 'environments', 'staging.yaml');
    const text = read(work, 'environments/staging.yaml');
    fs.writeFileSync(file, text.slice(0, text.indexOf('  notifier:\n')));
    const before = treeFiles(path.join(work, 'gitops'));

    const refused = run(work, 'main');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/component staging\/notifier: \d+ files under envs\/staging\/notifier\/, 1 Application.* \(to allow: --allow-removal staging\/notifier\)/);
    expect(refused.stderr).toContain('synth: nothing written; gitops/ is unchanged');
    expect(treeFiles(path.join(work, 'gitops'))).toEqual(before);
    // The pipeline never passes the word.
    const bump = run(work, 'commands/set-image', 'media', `${MEDIA}:2.2.0`, '--env', 'staging');
    expect(bump.status).toBe(1);
    expect(bump.stderr).toContain('--allow-removal staging/notifier');
    expect(treeFiles(path.join(work, 'gitops'))).toEqual(before);

    const allowed = run(work, 'main', '--allow-removal', 'staging/notifier');
    expect(allowed.status).toBe(0);
    const after = [...treeFiles(path.join(work, 'gitops')).keys()];
    expect(after.filter((f) => f.includes('notifier') && /^(envs|apps)\/staging\//.test(f))).toEqual([]);
    expect(after).toContain('envs/staging/media/Deployment-media.yaml');
    expect(after).toContain('envs/qa/notifier/Deployment-notifier.yaml');
  }, SLOW);
});

describeWithNginx('the frontend\'s nginx in front of a service, on real nginx', (nginx) => {
  // Two local HTTP servers stand in for the backend and the media service; the configuration is the
  // deployed one, with only the listen port, upstream addresses and scratch paths made local.
  const app = Testing.app();
  addChatPlatform(app, servicesEnvironment());
  const frontend = app.node.findAll().find((c): c is FrontendChart => c.constructor === FrontendChart)!;
  let dir: string;
  let server: RunningNginx;
  let listenPort: number;
  const seen: { upstream: string; url: string; headers: http.IncomingHttpHeaders }[] = [];
  const stands: http.Server[] = [];

  beforeAll(async () => {
    const upstreamPorts: Record<string, number> = {};
    for (const name of frontend.proxy.upstreams.map((u) => u.name)) {
      const stand = http.createServer((req, res) => {
        seen.push({ upstream: name, url: req.url!, headers: req.headers });
        res.end(name);
      });
      await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
      stands.push(stand);
      upstreamPorts[name] = (stand.address() as { port: number }).port;
    }
    dir = scratchDir();
    writeWebFile(dir, 'index.html', '<!doctype html><title>chat</title>');
    listenPort = await freePort();
    const { config } = localizeConfig(frontend.proxy, { dir, listenPort, tlsOffloadPort: await freePort(), upstreamPorts });
    fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
    server = await startNginx(nginx, path.join(dir, 'nginx.conf'), listenPort);
  });
  afterAll(async () => {
    await server?.stop();
    for (const stand of stands) await new Promise((resolve) => stand.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (target: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: listenPort, path: target, headers: { host: 'chat.staging.example.com' } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        })
        .on('error', reject);
    });

  test('the proxyPath reaches the service with path and query unchanged, /api/ still the backend, and anything else the app', async () => {
    expect(frontend.proxy.upstreams.map((u) => u.name)).toEqual(['backend', 'media']);
    expect(await get('/media/thumbs/1.png?size=64')).toEqual({ status: 200, body: 'media' });
    expect(seen.at(-1)).toMatchObject({ upstream: 'media', url: '/media/thumbs/1.png?size=64' });
    expect(seen.at(-1)!.headers['x-forwarded-host']).toBe('chat.staging.example.com');
    expect(await get('/api/rooms')).toEqual({ status: 200, body: 'backend' });
    const app = await get('/mediafiles/x');
    expect(app.status).toBe(200);
    expect(app.body).toContain('<title>chat</title>');
    expect(seen.filter((s) => s.url.startsWith('/mediafiles'))).toEqual([]);
  });
});
