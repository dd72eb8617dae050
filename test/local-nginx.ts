// Runs the nginx configuration a ReverseProxy deploys on this machine's real nginx (Debian
// nginx-light), as an ordinary foreground process on loopback.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReverseProxy } from '../constructs/reverse-proxy';
import { describeNeeding, findExecutable, isExecutableFile } from './support/system-tool';

const INSTALL_HINT = 'install it with `apt-get install -y nginx-light` (.ci/run does)';

/**
 * Path of the nginx binary, or undefined when it is not installed. `NGINX` names a binary
 * explicitly (and only that one is tried).
 */
export function findNginx(): string | undefined {
  if (process.env.NGINX) return isExecutableFile(process.env.NGINX) ? process.env.NGINX : undefined;
  return findExecutable('nginx', ['/usr/sbin', '/usr/local/sbin', '/sbin']);
}

/**
 * `describe` when nginx is installed. Without it, CI (CI set) gets a failing test saying so, and
 * a developer's machine gets the suite skipped with a warning: nginx is a system package.
 */
export function describeWithNginx(name: string, body: (nginx: string) => void): void {
  const nginx = findNginx();
  describeNeeding(name, nginx ? undefined : `nginx is not installed: ${INSTALL_HINT}`, () => body(nginx!));
}

/** Where a deployed configuration runs locally. */
export interface LocalTargets {
  /** Scratch directory: the runtime directory and web root live below it. */
  readonly dir: string;
  /** Loopback port nginx listens on instead of the deployed port. */
  readonly listenPort: number;
  /** Loopback port of the TLS-offload listener, when the proxy has one. */
  readonly tlsOffloadPort?: number;
  /** Loopback port of each upstream, by the upstream's name. */
  readonly upstreamPorts: Readonly<Record<string, number>>;
}

/** One line changed by `localizeConfig`. */
export interface LocalizedLine {
  /** The directive on the line. */
  readonly directive: string;
  readonly deployed: string;
  readonly local: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The deployed configuration, rewritten line by line to run here: the listen port and upstream
 * servers become loopback addresses, and the runtime directory and web root move into `dir`
 * (the cluster's names do not resolve here, and this machine's /var/cache is not ours). Every
 * other line is the deployed one, byte for byte; `changes` lists exactly what differs.
 */
export function localizeConfig(proxy: ReverseProxy, targets: LocalTargets): { config: string; changes: LocalizedLine[] } {
  const run = escape(proxy.runtimeDirectory);
  const rules: { re: RegExp; to: (m: RegExpMatchArray) => string }[] = [
    { re: new RegExp(`^(\\s*)listen ${proxy.listenPort}( .*)?;$`), to: (m) => `${m[1]}listen 127.0.0.1:${targets.listenPort}${m[2] ?? ''};` },
    ...(proxy.tlsOffloadPort !== undefined
      ? [
          {
            re: new RegExp(`^(\\s*)listen ${proxy.tlsOffloadPort}( .*)?;$`),
            to: (m: RegExpMatchArray) => {
              if (targets.tlsOffloadPort === undefined) throw new Error('no local port given for the TLS-offload listener');
              return `${m[1]}listen 127.0.0.1:${targets.tlsOffloadPort}${m[2] ?? ''};`;
            },
          },
        ]
      : []),
    ...proxy.upstreams.map((u) => ({
      re: new RegExp(`^(\\s*)server ${escape(`${u.serviceHost}:${u.port}`)}(\\s.*)?;$`),
      to: (m: RegExpMatchArray) => {
        const port = targets.upstreamPorts[u.name];
        if (port === undefined) throw new Error(`no local port given for upstream "${u.name}"`);
        return `${m[1]}server 127.0.0.1:${port}${m[2] ?? ''};`;
      },
    })),
    {
      re: new RegExp(`^(\\s*)(pid|client_body_temp_path|proxy_temp_path|fastcgi_temp_path|uwsgi_temp_path|scgi_temp_path) ${run}/([^\\s;]+);$`),
      to: (m) => `${m[1]}${m[2]} ${path.join(targets.dir, 'run', m[3]!)};`,
    },
    { re: new RegExp(`^(\\s*)root ${escape(proxy.webRoot)};$`), to: (m) => `${m[1]}root ${path.join(targets.dir, 'html')};` },
  ];
  const changes: LocalizedLine[] = [];
  const lines = proxy.config.split('\n').map((line) => {
    for (const rule of rules) {
      const m = line.match(rule.re);
      if (!m) continue;
      const local = rule.to(m);
      changes.push({ directive: line.trim().split(/\s+/)[0]!, deployed: line, local });
      return local;
    }
    return line;
  });
  return { config: lines.join('\n'), changes };
}

/** A scratch directory nginx's workers can read (they drop to `nobody` when started as root). */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-test-'));
  fs.mkdirSync(path.join(dir, 'run'));
  fs.mkdirSync(path.join(dir, 'html'));
  for (const d of [dir, path.join(dir, 'run'), path.join(dir, 'html')]) fs.chmodSync(d, 0o755);
  return dir;
}

/** Writes a file below the scratch web root, readable by nginx's workers. */
export function writeWebFile(dir: string, rel: string, content: string): void {
  const file = path.join(dir, 'html', rel);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  fs.writeFileSync(file, content, { mode: 0o644 });
}

/**
 * Output of nginx goes to a file beside its configuration: nginx reopens /dev/stdout for its access
 * log, which works on the pipe a container runtime provides and on a file, but not on the socket
 * Node's 'pipe' stdio would be.
 */
function withLogFile<T>(configFile: string, run: (fd: number) => T): { result: T; read: () => string } {
  const logFile = path.join(path.dirname(configFile), 'nginx.log');
  const fd = fs.openSync(logFile, 'a', 0o644);
  try {
    return { result: run(fd), read: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '') };
  } finally {
    fs.closeSync(fd);
  }
}

/** `nginx -t` on a configuration file: whether it passed, and what nginx said. */
export function nginxTest(nginx: string, configFile: string): { ok: boolean; output: string } {
  const { result, read } = withLogFile(configFile, (fd) =>
    spawnSync(nginx, ['-t', '-c', configFile], { stdio: ['ignore', fd, fd], timeout: 20_000 }),
  );
  return { ok: result.status === 0, output: `${read()}${result.error ? String(result.error) : ''}` };
}

/** A free TCP port on loopback (the kernel's pick; released just before nginx binds it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningNginx {
  readonly port: number;
  /** What nginx printed so far (error log and access log). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx on a configuration file exactly as the container does (`nginx -c <file>`, in the
 * foreground: the configuration says `daemon off`) and waits until it accepts connections.
 */
export async function startNginx(nginx: string, configFile: string, port: number): Promise<RunningNginx> {
  const { result: child, read: output } = withLogFile(configFile, (fd): ChildProcess =>
    spawn(nginx, ['-c', configFile], { stdio: ['ignore', fd, fd] }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const stop = async () => {
    if (running) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!running) throw new Error(`nginx exited before accepting connections:\n${output()}`);
    if (await connects(port)) return { port, output, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not accept connections on 127.0.0.1:${port} within 10 s:\n${output()}`);
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
