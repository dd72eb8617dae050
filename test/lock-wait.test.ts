import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { loadEnvironments } from '../lib/environment/load-environments';
import { renderTree } from '../app/synthesize';
import { treeFiles } from './support/tree-files';
import { FIXTURE_ENVIRONMENTS } from './support/fixture-project';

// The locks of gitops/ and environments/ between real processes: a second run waits for the
// first (bounded, saying for whom) instead of failing, and a lock whose holder is gone (exited,
// a zombie, or a pid since given to another process) is taken over at once.

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');

const temps: string[] = [];
const children: ChildProcess[] = [];
let lockBundle: string;

beforeAll(() => {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-wait-bundle-'));
  temps.push(dir);
  lockBundle = path.join(dir, 'tree-lock.js');
  esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'lib/gitops/tree-lock.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: lockBundle,
    logLevel: 'error',
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function project(): { root: string; envDir: string; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-wait-'));
  temps.push(root);
  const envDir = path.join(root, 'environments');
  fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
  const first = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
  if (first.status !== 0) throw new Error(`synth failed: ${first.stderr}`);
  return { root, envDir, out: path.join(root, 'gitops') };
}

function expected(envDir: string, root: string): Map<string, string> {
  return renderTree(loadEnvironments(envDir, { root })).files;
}

function sameTree(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function bumpImage(envDir: string, to: string): void {
  const file = path.join(envDir, 'staging.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/chat\/backend:[0-9.]+/, `chat/backend:${to}`));
}

interface Finished {
  readonly pid: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

interface Running {
  readonly pid: number;
  readonly done: Promise<Finished>;
  /** Resolves once stderr matches. */
  stderrMatching(pattern: RegExp): Promise<void>;
}

/** Starts `node scripts/run.js <entry> <args>` in `cwd`. */
function start(cwd: string, entry: string, args: string[], env: Record<string, string> = {}): Running {
  const started = Date.now();
  const child = spawn(process.execPath, [RUN, entry, ...args], { cwd, env: { ...process.env, ...env } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of watchers.splice(0)) {
      if (w.pattern.test(stderr)) w.resolve();
      else watchers.push(w);
    }
  });
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code) => resolve({ pid: child.pid!, code, stdout, stderr, ms: Date.now() - started })),
  );
  return {
    pid: child.pid!,
    done,
    stderrMatching: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        watchers.push({ pattern, resolve });
        void done.then(() => (pattern.test(stderr) ? resolve() : reject(new Error(`exited without printing ${pattern}:\n${stderr}`))));
      }),
  };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), and field 3 (state). */
function procStat(pid: number): { state: string; start: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0]!, start: Number(rest[19]) };
}

function writeLock(file: string, pid: number, processStart?: number): string {
  const content = JSON.stringify({ pid, host: os.hostname(), startedAt: new Date().toISOString(), processStart });
  fs.writeFileSync(file, content);
  return content;
}

/** A live process other than this one. */
function sleeper(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child as ChildProcess & { pid: number };
}

const WAITING = /^waiting for pid (\d+) \(holding it since [^)]+\) to release (\S+) \(up to (\d+(?:\.\d+)?) s, see GITOPS_LOCK_WAIT_SECONDS\)$/;

function waitingLines(stderr: string): RegExpExecArray[] {
  return stderr
    .split('\n')
    .map((line) => WAITING.exec(line))
    .filter((m): m is RegExpExecArray => m !== null);
}

const linuxOnly = process.platform === 'linux' ? test : test.skip;

describe('two pipeline runs at once', () => {
  test('set-image on backend and on frontend both land; the second waits for the first, naming its pid and the lock', async () => {
    const p = project();
    let waits = 0;
    // Started together, one nearly always finds the other holding the lock; a few rounds make
    // sure at least one did.
    for (let round = 0; round < 4 && waits === 0; round++) {
      const backend = `registry.example.com/chat/backend:2.0.${round}`;
      const frontend = `registry.example.com/chat/frontend:2.0.${round}`;
      const runs = [
        start(p.root, 'commands/set-image', ['backend', backend, '--env', 'staging']),
        start(p.root, 'commands/set-image', ['frontend', frontend, '--env', 'staging']),
      ];
      const results = await Promise.all(runs.map((r) => r.done));

      for (const [i, r] of results.entries()) {
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
        const lines = r.stderr.split('\n').filter((l) => l !== '');
        const waited = waitingLines(r.stderr);
        // Nothing on stderr but the one waiting line, which names the other run and the lock.
        expect(lines).toHaveLength(waited.length);
        for (const m of waited) {
          expect(Number(m[1])).toBe(results[1 - i]!.pid);
          expect(m[2]).toBe(path.join(p.root, '.environments.lock'));
          expect(m[3]).toBe('120');
        }
        waits += waited.length;
      }
      const text = fs.readFileSync(path.join(p.envDir, 'staging.yaml'), 'utf8');
      expect(text).toContain(backend);
      expect(text).toContain(frontend);
      expect(sameTree(treeFiles(p.out), expected(p.envDir, p.root))).toBe(true);
      expect(fs.readdirSync(p.root).filter((n) => n.startsWith('.'))).toEqual([]);
    }
    expect(waits).toBeGreaterThan(0);
  }, 120_000);

  test('promote and set-image on the same target at once both land', async () => {
    const p = project();
    const staging = fs.readFileSync(path.join(p.envDir, 'staging.yaml'), 'utf8');
    const stagingBackend = /image: (\S*chat\/backend:\S+)/.exec(staging)![1]!;
    const frontend = 'registry.example.com/chat/frontend:3.1.0';
    const results = await Promise.all([
      start(p.root, 'commands/promote', ['--from', 'staging', '--to', 'prod', 'backend']).done,
      start(p.root, 'commands/set-image', ['frontend', frontend, '--env', 'prod']).done,
    ]);
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l !== '' && !WAITING.test(l))).toEqual([]);
    }
    const prod = fs.readFileSync(path.join(p.envDir, 'prod.yaml'), 'utf8');
    expect(prod).toContain(`image: ${stagingBackend}`);
    expect(prod).toContain(`image: ${frontend}`);
    expect(sameTree(treeFiles(p.out), expected(p.envDir, p.root))).toBe(true);
  }, 60_000);
});

describe('two synths at once', () => {
  test('both succeed; the one that waited wrote last, so the tree is its', async () => {
    const p = project();
    const other = path.join(p.root, 'environments-b');
    fs.cpSync(p.envDir, other, { recursive: true });
    bumpImage(other, '9.9.9');
    const trees: Record<string, Map<string, string>> = { environments: expected(p.envDir, p.root), 'environments-b': expected(other, p.root) };
    let waits = 0;
    for (let round = 0; round < 4 && waits === 0; round++) {
      const runs = { environments: start(p.root, 'main', ['--environments', 'environments']), 'environments-b': start(p.root, 'main', ['--environments', 'environments-b']) };
      const results = await Promise.all(Object.entries(runs).map(async ([envs, r]) => ({ envs, ...(await r.done) })));
      for (const r of results) {
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^synth: \d+ objects/m);
      }
      const waited = results.filter((r) => waitingLines(r.stderr).length > 0);
      for (const r of waited) {
        const [m] = waitingLines(r.stderr);
        expect(Number(m![1])).toBe(results.find((x) => x !== r)!.pid);
        expect(m![2]).toBe(path.join(p.root, '.gitops.lock'));
      }
      const tree = treeFiles(p.out);
      if (waited.length === 1) expect(sameTree(tree, trees[waited[0]!.envs]!)).toBe(true);
      else expect(sameTree(tree, trees.environments!) || sameTree(tree, trees['environments-b']!)).toBe(true);
      waits += waited.length;
    }
    expect(waits).toBeGreaterThan(0);
  }, 120_000);
});

describe('a lock whose holder is gone', () => {
  test('naming a pid that has exited is taken over at once', async () => {
    const p = project();
    const dead = spawnSync('true').pid!;
    writeLock(path.join(p.root, '.gitops.lock'), dead);
    bumpImage(p.envDir, '4.0.1');

    const r = await start(p.root, 'main', []).done;

    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sameTree(treeFiles(p.out), expected(p.envDir, p.root))).toBe(true);
    expect(fs.existsSync(path.join(p.root, '.gitops.lock'))).toBe(false);
  }, 30_000);

  linuxOnly('naming a zombie (exited, not reaped, so kill(pid, 0) still succeeds) is taken over at once', async () => {
    const p = project();
    // A forked child that exits at once, whose parent sleeps and never waits for it. (A shell's
    // `sleep 0 & … exec sleep 30` may reap the child itself before the exec, on a busy machine.)
    const parent = spawn('perl', ['-e', '$| = 1; my $pid = fork(); exit 0 unless $pid; print "$pid\\n"; sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    children.push(parent);
    const zombie = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d).trim()))));
    const deadline = Date.now() + 5_000;
    while (procStat(zombie).state !== 'Z') {
      if (Date.now() > deadline) throw new Error(`pid ${zombie} did not become a zombie`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(() => process.kill(zombie, 0)).not.toThrow();
    // Its own start time, so only its state tells that it is gone.
    writeLock(path.join(p.root, '.gitops.lock'), zombie, procStat(zombie).start);
    bumpImage(p.envDir, '4.0.2');

    const r = await start(p.root, 'main', []).done;

    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sameTree(treeFiles(p.out), expected(p.envDir, p.root))).toBe(true);
    expect(procStat(zombie).state).toBe('Z');
  }, 30_000);

  linuxOnly('naming a live pid whose start time differs (the pid was reused) is taken over at once', async () => {
    const p = project();
    const other = sleeper();
    writeLock(path.join(p.root, '.gitops.lock'), other.pid, procStat(other.pid).start + 1);
    bumpImage(p.envDir, '4.0.3');

    const r = await start(p.root, 'main', []).done;

    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sameTree(treeFiles(p.out), expected(p.envDir, p.root))).toBe(true);
  }, 30_000);
});

describe('a lock held by a live process', () => {
  test('synth waits GITOPS_LOCK_WAIT_SECONDS, then fails in one line naming the lock, the holder and the wait', async () => {
    const p = project();
    const holder = sleeper();
    const lock = path.join(p.root, '.gitops.lock');
    const content = writeLock(lock, holder.pid, process.platform === 'linux' ? procStat(holder.pid).start : undefined);
    const startedAt = JSON.parse(content).startedAt;
    bumpImage(p.envDir, '5.0.1');
    const before = treeFiles(p.out);

    const r = await start(p.root, 'main', [], { GITOPS_LOCK_WAIT_SECONDS: '1' }).done;

    expect(r.code).toBe(1);
    expect(r.ms).toBeGreaterThanOrEqual(1_000);
    expect(r.stderr.split('\n')).toEqual([
      `waiting for pid ${holder.pid} (holding it since ${startedAt}) to release ${lock} (up to 1 s, see GITOPS_LOCK_WAIT_SECONDS)`,
      `timed out after 1 s waiting for the lock ${lock}, held by pid ${holder.pid} (holding it since ${startedAt}): ` +
        'retry when that process has finished, or delete the lock file if it is gone (GITOPS_LOCK_WAIT_SECONDS sets the wait)',
      'synth: nothing written; gitops/ is unchanged',
      '',
    ]);
    expect(sameTree(treeFiles(p.out), before)).toBe(true);
    expect(fs.readFileSync(lock, 'utf8')).toBe(content);
  }, 30_000);

  test('set-image waits for the holder of environments/ and goes ahead as soon as it releases the lock', async () => {
    const p = project();
    const envDir = p.envDir;
    const script = `
      const { acquireLock } = require(${JSON.stringify(lockBundle)});
      const release = acquireLock(${JSON.stringify(envDir)});
      process.stdout.write('locked\\n');
      process.stdin.once('data', () => { release(); process.stdout.write('released\\n'); });
    `;
    const holder = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const image = 'registry.example.com/chat/backend:6.0.0';

    const run = start(p.root, 'commands/set-image', ['backend', image, '--env', 'staging']);
    await run.stderrMatching(new RegExp(`waiting for pid ${holder.pid} .*to release ${path.join(p.root, '.environments.lock').replace(/[.]/g, '\\.')}`));
    // Still waiting, and nothing changed yet.
    expect(fs.readFileSync(path.join(envDir, 'staging.yaml'), 'utf8')).not.toContain(image);
    const releasedAt = Date.now();
    holder.stdin!.write('go\n');
    const r = await run.done;

    expect(r.code).toBe(0);
    // It polls at most every 250 ms: it goes ahead soon after the release (plus its own synth).
    expect(Date.now() - releasedAt).toBeLessThan(10_000);
    expect(waitingLines(r.stderr)).toHaveLength(1);
    expect(fs.readFileSync(path.join(envDir, 'staging.yaml'), 'utf8')).toContain(image);
    expect(sameTree(treeFiles(p.out), expected(envDir, p.root))).toBe(true);
  }, 30_000);

  test('set-image that cannot get the lock of environments/ in time changes nothing and says so in one line', async () => {
    const p = project();
    const holder = sleeper();
    const lock = path.join(p.root, '.environments.lock');
    writeLock(lock, holder.pid, process.platform === 'linux' ? procStat(holder.pid).start : undefined);
    const before = fs.readFileSync(path.join(p.envDir, 'staging.yaml'), 'utf8');

    const r = await start(p.root, 'commands/set-image', ['backend', 'registry.example.com/chat/backend:6.1.0', '--env', 'staging'], {
      GITOPS_LOCK_WAIT_SECONDS: '0.5',
    }).done;

    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(WAITING);
    expect(lines[1]).toMatch(new RegExp(`^timed out after 0\\.5 s waiting for the lock \\S+\\.environments\\.lock, held by pid ${holder.pid} `));
    expect(lines[2]).toBe('set-image: nothing written; environments/ and gitops/ are unchanged');
    expect(fs.readFileSync(path.join(p.envDir, 'staging.yaml'), 'utf8')).toBe(before);
  }, 30_000);
});
