import * as path from 'node:path';
import { Dockerfile, Stage, all, copyArgs, keyValues, last, parseDockerfile } from './dockerfile';

/**
 * What a Deployment assumes of the image it runs, and the checks of a Dockerfile against it. No
 * image is built or pulled here (no registry is reachable from the tests): what an image's base
 * ships is taken from {@link BASE_IMAGES}, a table of image families whose contents are
 * documented, and a base outside it ships nothing the checks can count on.
 */

/** The facts of one synthesized workload an image must agree with. */
export interface Workload {
  /** `Deployment/<name>`, for messages. */
  readonly name: string;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly containerPorts: readonly number[];
  /** The container's `command`, replacing the image's entrypoint; absent: the image's own. */
  readonly command?: readonly string[];
  /** The `preStop` exec hook's command, if any. */
  readonly preStop?: readonly string[];
  /** Mount paths of the container's emptyDir volumes: the only places it can write. */
  readonly writablePaths: readonly string[];
  readonly readOnlyRootFilesystem: boolean;
  /** The nginx.conf the container runs with, when it runs nginx with a generated configuration. */
  readonly nginxConfig?: string;
}

/** The label a reference Dockerfile lists the image's writable paths in (space-separated). */
export const WRITABLE_PATHS_LABEL = 'com.example.chat.writable-paths';

/**
 * Base images whose contents are documented, by repository and tag shape, with the files the
 * checks need from them. A tag outside the shape (a distroless or slim variant, another
 * distribution) is not the family, so it counts as shipping nothing.
 */
export const BASE_IMAGES: readonly { readonly repository: string; readonly tag: RegExp; readonly why: string; readonly files: readonly string[] }[] = [
  {
    // Eclipse Temurin's JRE images on Ubuntu: coreutils, with /bin a link to /usr/bin (merged /usr).
    repository: 'eclipse-temurin',
    tag: /^\d+(?:\.\d+)+(?:\.\d+)?_\d+-jre-(?:jammy|noble)$/,
    why: 'Ubuntu-based Temurin JRE',
    files: ['/bin/sleep', '/usr/bin/sleep'],
  },
  {
    // The unprivileged nginx images, on Alpine (BusyBox applets in /bin) or Debian (coreutils),
    // built from the official nginx packages, which install /etc/nginx/mime.types.
    repository: 'nginxinc/nginx-unprivileged',
    tag: /^\d+\.\d+\.\d+-(?:alpine(?:\d+\.\d+)?|bookworm)$/,
    why: 'unprivileged nginx on Alpine or Debian',
    files: ['/bin/sleep', '/etc/nginx/mime.types'],
  },
];

/**
 * The stop signal each main process needs for the shutdown the manifests budget for: the JVM runs
 * its shutdown hooks (Spring's graceful shutdown) on SIGTERM, and takes SIGQUIT as a request for
 * a thread dump, going on running; nginx finishes its requests on SIGQUIT (graceful shutdown) and
 * drops them on SIGTERM (fast shutdown: https://nginx.org/en/docs/control.html).
 */
export const STOP_SIGNALS: Readonly<Record<string, string>> = { java: 'SIGTERM', nginx: 'SIGQUIT' };

/** The workload of a Deployment in synthesized manifests, with its ConfigMaps for nginx.conf. */
export function workloadOf(manifests: readonly any[], deploymentName: string): Workload {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === deploymentName);
  if (!deployment) throw new Error(`no Deployment ${deploymentName}`);
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const emptyDirs = new Set((pod.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name));
  const configVolumes = new Map<string, string>((pod.volumes ?? []).filter((v: any) => v.configMap).map((v: any) => [v.name, v.configMap.name]));
  let nginxConfig: string | undefined;
  if (container.command?.[0] === 'nginx') {
    const file = container.command[container.command.indexOf('-c') + 1] as string;
    const mount = (container.volumeMounts ?? []).find((m: any) => configVolumes.has(m.name) && file.startsWith(`${m.mountPath}/`));
    const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === configVolumes.get(mount?.name));
    nginxConfig = configMap?.data?.[path.posix.basename(file)];
    if (nginxConfig === undefined) throw new Error(`${deploymentName}: nginx runs ${file}, which no mounted ConfigMap holds`);
  }
  return {
    name: `Deployment/${deploymentName}`,
    runAsUser: container.securityContext?.runAsUser ?? pod.securityContext.runAsUser,
    runAsGroup: container.securityContext?.runAsGroup ?? pod.securityContext.runAsGroup,
    containerPorts: (container.ports ?? []).map((p: any) => p.containerPort),
    ...(container.command ? { command: container.command } : {}),
    ...(container.lifecycle?.preStop?.exec ? { preStop: container.lifecycle.preStop.exec.command } : {}),
    writablePaths: (container.volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath),
    readOnlyRootFilesystem: container.securityContext?.readOnlyRootFilesystem === true,
    ...(nginxConfig !== undefined ? { nginxConfig } : {}),
  };
}

/** Every way `dockerfileText` (named `file` in messages) disagrees with `workload`; empty when none. */
export function imageContractProblems(file: string, dockerfileText: string, workload: Workload): string[] {
  const problems: string[] = [];
  const problem = (what: string, why: string) => problems.push(`${file}: ${what} — ${why} (${workload.name})`);
  let dockerfile: Dockerfile;
  try {
    dockerfile = parseDockerfile(dockerfileText);
  } catch (e) {
    return [`${file}: ${(e as Error).message}`];
  }
  const stage = dockerfile.stages[dockerfile.stages.length - 1];
  if (!stage) return [`${file}: no FROM — a Dockerfile with a stage the image is built from`];

  const shipped = new Set([...baseFiles(stage, problem), ...all(stage, 'COPY').map((c) => copyArgs(c).destination)]);

  // The user the pod runs as.
  const user = last(stage, 'USER');
  const [uid, gid] = (user?.args ?? '').split(':');
  const expectedUser = `${workload.runAsUser}:${workload.runAsGroup}`;
  if (`${uid}:${gid}` !== expectedUser) {
    problem(`USER ${user?.args ?? '(none)'}`, `${expectedUser}, the pod's runAsUser and runAsGroup, as numbers`);
  }

  // The ports the pod declares: each one is exposed. (An image serves every environment, so it
  // may expose a port that only some environments use; exposedPorts lets a test check that
  // each is used somewhere.)
  const exposed = exposedPorts(dockerfile);
  const unexposed = workload.containerPorts.filter((p) => !exposed.includes(p));
  if (unexposed.length > 0) {
    problem(`EXPOSE ${exposed.join(' ') || '(none)'}`, `every container port, including ${unexposed.join(' ')}`);
  }

  // The stop signal of the process that runs.
  const entrypoint = last(stage, 'ENTRYPOINT');
  if (!workload.command && !entrypoint?.exec) {
    problem(`ENTRYPOINT ${entrypoint?.args ?? '(none)'}`, 'the exec form (a JSON array), so that the process itself is PID 1 and receives the stop signal');
  }
  const process = path.posix.basename(workload.command?.[0] ?? entrypoint?.exec?.[0] ?? '');
  const needed = STOP_SIGNALS[process];
  const signal = last(stage, 'STOPSIGNAL')?.args;
  if (needed === undefined) problem(`process ${JSON.stringify(process)}`, `one whose stop signal is known: ${Object.keys(STOP_SIGNALS).join(', ')}`);
  else if (signal !== needed) problem(`STOPSIGNAL ${signal ?? '(none: SIGTERM)'}`, `${needed}, what ${process} shuts down gracefully on`);

  // The pre-stop hook's command must be in the image, by absolute path.
  if (workload.preStop) {
    const binary = workload.preStop[0] ?? '';
    if (!binary.startsWith('/')) problem(`preStop ${JSON.stringify(workload.preStop)}`, 'an absolute path: the image\'s PATH is not checked here');
    else if (!shipped.has(binary)) problem(`preStop ${binary}`, `a file the base image ships (${describeBases()}) or the Dockerfile copies there`);
  }

  // Writable paths: what the label lists, what the pod mounts, and what nginx writes.
  const labels = Object.assign({}, ...all(stage, 'LABEL').map((l) => keyValues(l.args))) as Record<string, string>;
  const writable = (labels[WRITABLE_PATHS_LABEL] ?? '').split(/\s+/).filter(Boolean);
  if (!workload.readOnlyRootFilesystem) problem('readOnlyRootFilesystem', 'true: the writable paths below are the only ones');
  if ([...writable].sort().join(' ') !== [...workload.writablePaths].sort().join(' ')) {
    problem(`LABEL ${WRITABLE_PATHS_LABEL}="${writable.join(' ')}"`, `the pod's emptyDir mounts: ${workload.writablePaths.join(' ') || '(none)'}`);
  }
  if (workload.nginxConfig !== undefined) {
    for (const written of nginxWrites(workload.nginxConfig)) {
      if (!workload.writablePaths.some((w) => written === w || written.startsWith(`${w}/`))) {
        problem(`nginx writes ${written}`, `a path under an emptyDir mount (${workload.writablePaths.join(' ')})`);
      }
    }
    for (const included of directiveValues(workload.nginxConfig, 'include')) {
      if (!shipped.has(included)) problem(`nginx includes ${included}`, `a file the base image ships (${describeBases()}) or the Dockerfile copies there`);
    }
    const roots = directiveValues(workload.nginxConfig, 'root');
    const filled = all(stage, 'COPY').map((c) => copyArgs(c).destination.replace(/\/$/, ''));
    for (const root of roots) if (!filled.includes(root)) problem(`nginx serves ${root}`, 'the destination of a COPY of the app\'s build');
  }
  return problems;
}

/** The TCP ports the final stage exposes. */
export function exposedPorts(dockerfile: Dockerfile | string): number[] {
  const parsed = typeof dockerfile === 'string' ? parseDockerfile(dockerfile) : dockerfile;
  const stage = parsed.stages[parsed.stages.length - 1];
  return stage ? all(stage, 'EXPOSE').flatMap((e) => e.args.split(/\s+/)).map((p) => Number(p.replace(/\/tcp$/i, ''))) : [];
}

/** The files the final stage's base ships, from {@link BASE_IMAGES}; refuses an unpinned base. */
function baseFiles(stage: Stage, problem: (what: string, why: string) => void): readonly string[] {
  const match = /^(?:docker\.io\/)?(?:library\/)?([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(stage.from);
  const [repository, tag] = [match?.[1], match?.[2]];
  if (!match || tag === undefined || tag === 'latest' || !/\d+\.\d+/.test(tag)) {
    problem(`FROM ${stage.from}`, 'a base pinned by a versioned tag (and a digest, where it can be read from the registry)');
    return [];
  }
  const family = BASE_IMAGES.find((b) => b.repository === repository && b.tag.test(tag));
  return family ? family.files : [];
}

function describeBases(): string {
  return BASE_IMAGES.map((b) => `${b.repository}, ${b.why}`).join('; ');
}

/** Values of one nginx directive, wherever it appears (a directive per line, as ReverseProxy writes). */
function directiveValues(config: string, name: string): string[] {
  return [...config.matchAll(new RegExp(`^\\s*${name}\\s+([^\\s;]+)[^;]*;`, 'gm'))].map((m) => m[1]!);
}

/** Where nginx writes: the pid file's directory and the temporary paths. */
function nginxWrites(config: string): string[] {
  return [
    ...directiveValues(config, 'pid').map((p) => path.posix.dirname(p)),
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].flatMap((kind) => directiveValues(config, `${kind}_temp_path`)),
  ];
}
