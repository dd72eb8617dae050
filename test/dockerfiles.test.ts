/**
 * The reference Dockerfiles under docker/ against the manifests of the fixture environments: the
 * user, the ports, the stop signal, the pre-stop hook's binary, the writable paths and nginx's
 * files must agree, and the grace periods must cover the shutdowns they were sized for. No image
 * is built: there is no registry to pull the bases from here, so what a base ships comes from the
 * table in test/support/image-contract.ts. Every check is shown failing on a mutated Dockerfile.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { EXIT_MARGIN_SECONDS, backendShutdownSteps } from '../lib/environment/component-workloads';
import { addChatPlatform } from '../charts/chat-platform';
import { terminationGraceProblem } from '../lib/predicates/shutdown-budget';
import { parseDockerfile } from './support/dockerfile';
import { FIXTURE_NAMES, fixtureEnvironment } from './support/fixture-project';
import { Workload, exposedPorts, imageContractProblems, workloadOf } from './support/image-contract';

const DOCKER = path.resolve(__dirname, '..', 'docker');
const FILES = { backend: 'docker/backend.Dockerfile', frontend: 'docker/frontend.Dockerfile' } as const;
const text = (component: keyof typeof FILES) => fs.readFileSync(path.join(DOCKER, path.basename(FILES[component])), 'utf8');

function manifests(envName: string): any[] {
  const app = new App();
  addChatPlatform(app, fixtureEnvironment(envName));
  return app.charts.flatMap((chart) => Testing.synth(chart));
}

const byEnvironment = new Map(FIXTURE_NAMES.map((name) => [name, manifests(name)]));
const prodWorkload = (component: keyof typeof FILES): Workload => workloadOf(byEnvironment.get('prod')!, component);

/** The Dockerfile with one exact piece of text replaced (which must be there once). */
function mutated(component: keyof typeof FILES, from: string, to: string): string {
  const original = text(component);
  expect(original.split(from)).toHaveLength(2);
  return original.replace(from, to);
}

describe('the Dockerfile reader', () => {
  test('joins continuations, drops comments inside them, and reads keywords in any case', () => {
    const file = parseDockerfile('# syntax=docker/dockerfile:1\nfrom base:1.0\nrun a \\\n# a comment\n  && b\nEXPOSE 80\n');
    expect(file.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(file.instructions.map((i) => [i.keyword, i.args, i.line])).toEqual([
      ['FROM', 'base:1.0', 2],
      ['RUN', 'a && b', 3],
      ['EXPOSE', '80', 6],
    ]);
  });

  test('reads the exec form as words, and a shell form as text', () => {
    const [exec, shell] = parseDockerfile('FROM b:1.0\nENTRYPOINT ["java", "-jar", "/a b.jar"]\nCMD java -jar x\n').stages[0]!.instructions;
    expect(exec!.exec).toEqual(['java', '-jar', '/a b.jar']);
    expect(shell!.exec).toBeUndefined();
  });

  test('follows the escape directive', () => {
    const file = parseDockerfile('# escape=`\nFROM b:1.0\nRUN a `\n  b\n');
    expect(file.stages[0]!.instructions[0]!.args).toBe('a b');
  });

  test('splits stages at FROM, with their names', () => {
    const file = parseDockerfile('ARG V=1\nFROM build:1.0 AS build\nRUN make\nFROM run:2.0\nCOPY --from=build /out /app\n');
    expect(file.stages.map((s) => [s.from, s.name, s.instructions.length])).toEqual([
      ['build:1.0', 'build', 1],
      ['run:2.0', undefined, 1],
    ]);
  });

  test('refuses what it does not read rather than guessing: heredocs, variables in FROM', () => {
    expect(() => parseDockerfile('FROM b:1.0\nRUN <<EOF\nx\nEOF\n')).toThrow('heredocs are not read here');
    expect(() => parseDockerfile('ARG BASE=b:1.0\nFROM $BASE\n')).toThrow('FROM with a variable');
  });
});

describe.each(FIXTURE_NAMES)('the reference Dockerfiles and the %s manifests', (envName) => {
  test.each(Object.keys(FILES) as (keyof typeof FILES)[])('docker/%s.Dockerfile agrees with its Deployment', (component) => {
    const workload = workloadOf(byEnvironment.get(envName)!, component);
    expect(imageContractProblems(FILES[component], text(component), workload)).toEqual([]);
  });
});

describe('the ports each image exposes', () => {
  test.each(Object.keys(FILES) as (keyof typeof FILES)[])('docker/%s.Dockerfile exposes no port that no environment uses', (component) => {
    const used = new Set([...byEnvironment.values()].flatMap((objects) => workloadOf(objects, component).containerPorts));
    expect(exposedPorts(text(component)).filter((p) => !used.has(p))).toEqual([]);
  });

  test('a port exposed for nothing is found', () => {
    const used = new Set([...byEnvironment.values()].flatMap((objects) => workloadOf(objects, 'frontend').containerPorts));
    const dockerfile = mutated('frontend', 'EXPOSE 8080 8081', 'EXPOSE 8080 8081 9090');
    expect(exposedPorts(dockerfile).filter((p) => !used.has(p))).toEqual([9090]);
  });
});

describe('a Dockerfile that disagrees with the manifests is refused', () => {
  test.each([
    ['backend', 'USER 10001:10001', 'USER 10002:10001', 'USER 10002:10001 — 10001:10001, the pod\'s runAsUser and runAsGroup'],
    ['backend', 'USER 10001:10001', 'USER app', 'USER app — 10001:10001'],
    ['frontend', 'USER 101:101', 'USER 101', 'USER 101 — 101:101'],
    ['backend', 'EXPOSE 8080', 'EXPOSE 8081', 'EXPOSE 8081 — every container port, including 8080'],
    ['backend', 'STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGQUIT', 'STOPSIGNAL SIGQUIT — SIGTERM, what java shuts down gracefully on'],
    ['frontend', 'STOPSIGNAL SIGQUIT', 'STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGTERM — SIGQUIT, what nginx shuts down gracefully on'],
    ['frontend', 'STOPSIGNAL SIGQUIT', '', 'STOPSIGNAL (none: SIGTERM) — SIGQUIT'],
    ['backend', 'ENTRYPOINT ["java", "-jar", "/app/app.jar"]', 'ENTRYPOINT java -jar /app/app.jar', 'ENTRYPOINT java -jar /app/app.jar — the exec form'],
    ['backend', 'FROM eclipse-temurin:21.0.6_7-jre-noble', 'FROM gcr.io/distroless/java21-debian12:nonroot-1.0', 'preStop /bin/sleep — a file the base image ships'],
    ['backend', 'FROM eclipse-temurin:21.0.6_7-jre-noble', 'FROM eclipse-temurin:latest', 'FROM eclipse-temurin:latest — a base pinned by a versioned tag'],
    ['frontend', 'FROM nginxinc/nginx-unprivileged:1.27.4-alpine3.21', 'FROM cgr.dev/chainguard/nginx:1.27.4', 'nginx includes /etc/nginx/mime.types — a file the base image ships'],
    ['backend', 'LABEL com.example.chat.writable-paths="/tmp"', 'LABEL com.example.chat.writable-paths="/tmp /app/logs"', 'the pod\'s emptyDir mounts: /tmp'],
    ['frontend', 'LABEL com.example.chat.writable-paths="/var/cache/nginx"', 'LABEL com.example.chat.writable-paths="/tmp"', 'the pod\'s emptyDir mounts: /var/cache/nginx'],
    ['frontend', 'COPY dist/ /usr/share/nginx/html/', 'COPY dist/ /srv/www/', 'nginx serves /usr/share/nginx/html — the destination of a COPY'],
  ] as const)('%s: %s → %s', (component, from, to, message) => {
    const problems = imageContractProblems(FILES[component], mutated(component, from, to), prodWorkload(component));
    expect(problems.join('\n')).toContain(message);
    expect(problems.every((p) => p.startsWith(`${FILES[component]}: `) && p.endsWith(`(Deployment/${component})`))).toBe(true);
  });

  test('a distroless base that copies a static sleep to /bin/sleep is accepted', () => {
    const dockerfile = mutated(
      'backend',
      'FROM eclipse-temurin:21.0.6_7-jre-noble',
      'FROM busybox:1.36.1-musl AS tools\nFROM gcr.io/distroless/java21-debian12:nonroot-1.0\nCOPY --from=tools /bin/sleep /bin/sleep',
    );
    expect(imageContractProblems(FILES.backend, dockerfile, prodWorkload('backend'))).toEqual([]);
  });
});

describe('a manifest that disagrees with the Dockerfiles is refused', () => {
  test('a pre-stop hook that relies on PATH', () => {
    const workload = { ...prodWorkload('backend'), preStop: ['sleep', '10'] };
    expect(imageContractProblems(FILES.backend, text('backend'), workload)).toEqual([
      'docker/backend.Dockerfile: preStop ["sleep","10"] — an absolute path: the image\'s PATH is not checked here (Deployment/backend)',
    ]);
  });

  test('nginx writing outside its emptyDir', () => {
    const frontend = prodWorkload('frontend');
    const workload = { ...frontend, nginxConfig: frontend.nginxConfig!.replace(/pid [^;]+;/, 'pid /run/nginx.pid;') };
    expect(imageContractProblems(FILES.frontend, text('frontend'), workload)).toEqual([
      'docker/frontend.Dockerfile: nginx writes /run — a path under an emptyDir mount (/var/cache/nginx) (Deployment/frontend)',
    ]);
  });

  test('a writable root filesystem', () => {
    const workload = { ...prodWorkload('backend'), readOnlyRootFilesystem: false };
    expect(imageContractProblems(FILES.backend, text('backend'), workload)).toEqual([
      'docker/backend.Dockerfile: readOnlyRootFilesystem — true: the writable paths below are the only ones (Deployment/backend)',
    ]);
  });
});

describe.each(FIXTURE_NAMES)('the %s grace periods cover the shutdowns', (envName) => {
  const objects = byEnvironment.get(envName)!;
  const pod = (name: string) => objects.find((m) => m.kind === 'Deployment' && m.metadata.name === name).spec.template.spec;
  const preStopSeconds = (name: string) => Number(pod(name).containers[0].lifecycle.preStop.exec.command[1]);

  test('backend: the pre-stop delay and each Spring phase waited on, with the phase timeout the pods are given', () => {
    const config = objects.find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'backend-config').data;
    const phaseTimeoutSeconds = Number(/^(\d+)s$/.exec(config.SPRING_LIFECYCLE_TIMEOUTPERSHUTDOWNPHASE)![1]);
    const steps = backendShutdownSteps({ preStopSeconds: preStopSeconds('backend'), phaseTimeoutSeconds });
    expect(steps.map((s) => s.seconds)).toEqual([10, 30, 30]);
    expect(terminationGraceProblem(pod('backend').terminationGracePeriodSeconds, steps, EXIT_MARGIN_SECONDS)).toBeUndefined();
  });

  test('frontend: the pre-stop delay and nginx\'s worker_shutdown_timeout', () => {
    const nginx = workloadOf(objects, 'frontend').nginxConfig!;
    const workerSeconds = Number(/^\s*worker_shutdown_timeout (\d+)s;/m.exec(nginx)![1]);
    const steps = [
      { name: 'pre-stop delay', seconds: preStopSeconds('frontend') },
      { name: 'nginx worker_shutdown_timeout', seconds: workerSeconds },
    ];
    expect(terminationGraceProblem(pod('frontend').terminationGracePeriodSeconds, steps, EXIT_MARGIN_SECONDS)).toBeUndefined();
    expect(terminationGraceProblem(pod('frontend').terminationGracePeriodSeconds - 1, steps, EXIT_MARGIN_SECONDS)).toContain('at least 40');
  });
});
