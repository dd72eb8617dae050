import { spawnSync, SpawnSyncOptions, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEnvironments } from '../lib/environment/load-environments';
import { RemovalRefusedError } from '../lib/gitops/removal-guard';
import { ForeignTreeError, TreeLockedError, TreeWriteError, writeTree } from '../lib/gitops/write-tree';
import { describeFailure, reportFailure } from '../lib/pipeline/describe-failure';
import { renderTree } from '../app/synthesize';
import { FIXTURE_ENVIRONMENTS } from './support/fixture-project';

// The tree writer when the filesystem refuses it: a symlink where the tree should be, immutable
// files and folders, folders a user may not write, a disk that fills, read-only mounts. Each case
// runs the real synth CLI in a project folder of its own and checks that it exits 1 with one error
// line (the path and the cause) and one line saying what the tree is, never a stack; that the tree
// is byte for byte the old one or the new one; and that nothing is left beside it unless the
// message names it.

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');
const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;

const temps: string[] = [];

function project(): { root: string; envDir: string; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-failure-'));
  // Traversable by user nobody, for the cases that run synth as that user.
  fs.chmodSync(root, 0o755);
  temps.push(root);
  const envDir = path.join(root, 'environments');
  fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
  return { root, envDir, out: path.join(root, 'gitops') };
}

function bumpImage(envDir: string, to: string): void {
  const file = path.join(envDir, 'staging.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/chat\/backend:[0-9.]+/, `chat/backend:${to}`));
}

function build(): void {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
}

function cli(cwd: string, entry: string, args: string[], options: SpawnSyncOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [RUN, entry, ...args], { cwd, encoding: 'utf8', ...options }) as SpawnSyncReturns<string>;
}

function synth(cwd: string, args: string[] = []): SpawnSyncReturns<string> {
  return cli(cwd, 'main', args);
}

/**
 * Runs synth as a user that cannot write what root owns: user nobody when this is root, this user
 * otherwise (the caller then takes the permission away with chmod). dist/ is built first, as this
 * user: nobody could not rebuild it if a source changed since the last build.
 */
function synthUnprivileged(cwd: string, args: string[] = []): SpawnSyncReturns<string> {
  for (let attempt = 0; ; attempt++) {
    build();
    const run = cli(cwd, 'main', args, IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {});
    // A source edited between the build and the run makes run.js rebuild, which nobody may not.
    if (attempt < 3 && /EACCES[^\n]*\/dist\//.test(run.stderr)) continue;
    return run;
  }
}

let nobodyProblem: string | null | undefined;

/** Why user nobody cannot run the CLI here, or null if it can. */
function nobodyCannotRun(): string | null {
  if (!IS_ROOT) return null;
  if (nobodyProblem === undefined) {
    build();
    const probe = spawnSync(
      process.execPath,
      ['-e', `const fs = require('fs'); for (const f of ${JSON.stringify([RUN, path.join(ROOT, 'dist', 'main.js')])}) fs.accessSync(f, fs.constants.R_OK);`],
      { uid: NOBODY, gid: NOBODY, encoding: 'utf8' },
    );
    nobodyProblem = probe.status === 0 ? null : `user nobody cannot read ${RUN} and dist/: ${probe.stderr.trim() || probe.error}`;
  }
  return nobodyProblem;
}

/** Every file and folder below `dir`, files as their exact bytes (latin1 keeps every byte). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        out.set(`${child}/`, '');
        walk(child);
      } else {
        out.set(child, fs.readFileSync(path.join(dir, child)).toString('latin1'));
      }
    }
  };
  walk('');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The tree synth makes of these environment files, in the shape of {@link snapshot}. */
function expectedTree(envDir: string, root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, content] of renderTree(loadEnvironments(envDir, { root })).files) {
    out.set(rel, Buffer.from(content, 'utf8').toString('latin1'));
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.set(`${rel.slice(0, i)}/`, '');
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The writer's files beside the tree: staging, journal, backup, lock. */
function beside(parent: string, base = 'gitops'): string[] {
  return fs.readdirSync(parent).filter((n) => n.startsWith(`.${base}.`)).sort();
}

/** Exit 1, exactly two lines on stderr (the error, then the tree's state), no stack; returns them. */
function failureLines(run: SpawnSyncReturns<string>): [string, string] {
  expect(run.error).toBeUndefined();
  expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status: 1 });
  expect(run.stderr).not.toMatch(/^\s+at /m);
  const lines = run.stderr.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(2);
  return [lines[0]!, lines[1]!];
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function warnSkip(what: string, why: string): void {
  console.warn(`skipped: ${what}: ${why}`);
}

let chattrProblem: string | null | undefined;

/** Why `chattr +i` does not work on the temp filesystem, or null if it does. */
function chattrUnsupported(): string | null {
  if (chattrProblem === undefined) {
    const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chattr-probe-')), 'f');
    fs.writeFileSync(probe, '');
    const set = spawnSync('chattr', ['+i', probe], { encoding: 'utf8' });
    spawnSync('chattr', ['-i', probe]);
    fs.rmSync(path.dirname(probe), { recursive: true, force: true });
    chattrProblem = set.status === 0 ? null : `chattr +i failed: ${(set.stderr || String(set.error)).trim()}`;
  }
  return chattrProblem;
}

function chattr(flag: '+i' | '-i', target: string): void {
  const run = spawnSync('chattr', [flag, target], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`chattr ${flag} ${target}: ${run.stderr}`);
}

/** Mounts a tmpfs of `sizeK` KiB at `dir`; the reason it could not, or null. */
function mountTmpfs(dir: string, sizeK: number): string | null {
  if (!IS_ROOT) return 'not root';
  fs.mkdirSync(dir, { recursive: true });
  const run = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeK}k,mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  return run.status === 0 ? null : `mount refused: ${(run.stderr || String(run.error)).trim()}`;
}

function mount(args: string[]): void {
  const run = spawnSync('mount', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`mount ${args.join(' ')}: ${run.stderr}`);
}

/** Read-only bind mount of `dir` onto itself; the reason it could not, or null. */
function bindReadOnly(dir: string): string | null {
  if (!IS_ROOT) return 'not root';
  const bind = spawnSync('mount', ['--bind', dir, dir], { encoding: 'utf8' });
  if (bind.status !== 0) return `mount --bind refused: ${bind.stderr.trim()}`;
  mount(['-o', 'remount,bind,ro', dir]);
  return null;
}

/** Unmounts everything mounted below the temp folders (deepest first), wherever a rename moved it. */
function unmountBelow(roots: readonly string[]): void {
  if (!IS_ROOT) return;
  const points = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((p): p is string => p !== undefined && roots.some((r) => p === r || p.startsWith(`${r}/`)))
    .sort((a, b) => b.length - a.length);
  for (const p of points) {
    if (spawnSync('umount', [p]).status !== 0) spawnSync('umount', ['-l', p]);
  }
}

beforeAll(() => {
  build();
}, 120_000);

afterAll(() => {
  unmountBelow(temps);
  for (const dir of temps) {
    // Immutable files would keep the temp folder from being deleted.
    spawnSync('chattr', ['-R', '-i', dir], { stdio: 'ignore' });
    spawnSync('chmod', ['-R', 'u+rwx', dir], { stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('gitops/ is a symbolic link', () => {
  test.each([
    ['a synth', []],
    ['a dry run', ['--dry-run']],
  ])('%s is refused in one line naming the link, and neither the link nor its target changes', (_name, args) => {
    const p = project();
    expect(synth(p.root, ['--out', 'gitops-real']).status).toBe(0);
    fs.symlinkSync('gitops-real', p.out);
    bumpImage(p.envDir, '7.0.1');
    const before = snapshot(path.join(p.root, 'gitops-real'));

    const [error, state] = failureLines(synth(p.root, args));

    expect(error).toBe(
      `cannot write the tree: ${p.out}: it is a symbolic link (to gitops-real), and the tree is replaced by renaming, ` +
        'which would replace the link: write to the folder it points to instead',
    );
    expect(state).toBe('synth: nothing written; gitops/ is unchanged');
    expect(fs.readlinkSync(p.out)).toBe('gitops-real');
    expect(snapshot(path.join(p.root, 'gitops-real'))).toEqual(before);
    expect(beside(p.root)).toEqual([]);
  });
});

describe('immutable files and folders (chattr +i)', () => {
  function immutableCase(target: (out: string) => string) {
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.2');
    const newTree = expectedTree(p.envDir, p.root);
    const immutable = target(p.out);
    chattr('+i', immutable);
    return { ...p, newTree, immutable };
  }

  test('an immutable file: the new tree is in place, and the old one is left at a named path to remove by hand', () => {
    const why = chattrUnsupported();
    if (why !== null) return warnSkip('immutable file', why);
    const p = immutableCase((out) => path.join(out, 'envs/staging/backend/Deployment-backend.yaml'));

    const [error, state] = failureLines(synth(p.root));

    const staging = new RegExp(`^cannot remove the old tree: (${escape(p.root)}/\\.gitops\\.staging-\\d+)/envs/staging/backend/Deployment-backend\\.yaml: operation not permitted \\(immutable file\\? see lsattr\\)$`);
    expect(error).toMatch(staging);
    const left = staging.exec(error)![1]!;
    expect(state).toBe(`synth: gitops/ now holds the new tree; the old tree is left at ${left}: operation not permitted (immutable file? see lsattr); remove it by hand`);
    expect(snapshot(p.out)).toEqual(p.newTree);
    expect(beside(p.root)).toEqual([path.basename(left)]);

    // Until a person clears it, the next synth says the same in its own words and writes nothing.
    const [again, againState] = failureLines(synth(p.root));
    expect(again).toBe(`cannot clean up after an earlier write: ${left}/envs/staging/backend/Deployment-backend.yaml: operation not permitted (immutable file? see lsattr)`);
    expect(againState).toBe(
      `synth: nothing written; gitops/ is unchanged; an earlier write's old or unfinished tree is left at ${left}: operation not permitted (immutable file? see lsattr); remove it by hand`,
    );
    expect(snapshot(p.out)).toEqual(p.newTree);
    // Once the file may be deleted, the next synth clears the leftover itself.
    chattr('-i', `${left}/envs/staging/backend/Deployment-backend.yaml`);
    expect(synth(p.root).status).toBe(0);
    expect(beside(p.root)).toEqual([]);
    expect(snapshot(p.out)).toEqual(p.newTree);
  });

  test('an immutable folder inside gitops/: the new tree is in place, and the old one is left at a named path', () => {
    const why = chattrUnsupported();
    if (why !== null) return warnSkip('immutable folder', why);
    const p = immutableCase((out) => path.join(out, 'envs/dev'));

    const [error, state] = failureLines(synth(p.root));

    const staging = new RegExp(`^cannot remove the old tree: (${escape(p.root)}/\\.gitops\\.staging-\\d+)/envs/dev/[^ ]+: operation not permitted \\(immutable file\\? see lsattr\\)$`);
    expect(error).toMatch(staging);
    const left = staging.exec(error)![1]!;
    expect(state).toBe(`synth: gitops/ now holds the new tree; the old tree is left at ${left}: operation not permitted (immutable file? see lsattr); remove it by hand`);
    expect(snapshot(p.out)).toEqual(p.newTree);
    expect(beside(p.root)).toEqual([path.basename(left)]);
  });

  test('gitops/ itself immutable: the swap is refused, the tree is the old one, and nothing is left beside it', () => {
    const why = chattrUnsupported();
    if (why !== null) return warnSkip('immutable gitops/', why);
    const p = immutableCase((out) => out);
    chattr('-i', p.out);
    const before = snapshot(p.out);
    chattr('+i', p.out);

    const [error, state] = failureLines(synth(p.root));

    expect(error).toBe(`cannot swap in the new tree: ${p.out}: operation not permitted (immutable file? see lsattr)`);
    expect(state).toBe('synth: nothing written; gitops/ is unchanged');
    expect(snapshot(p.out)).toEqual(before);
    expect(beside(p.root)).toEqual([]);
  });
});

describe('folders a user may not write', () => {
  test('the parent of gitops/: neither the lock nor staging can be made, and the tree is the old one', () => {
    const why = nobodyCannotRun();
    if (why !== null) return warnSkip('unwritable parent', why);
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.3');
    const before = snapshot(p.out);
    // As root the project stays root's (0755) and synth runs as nobody; otherwise it is made read-only.
    if (!IS_ROOT) fs.chmodSync(p.root, 0o555);
    try {
      const [error, state] = failureLines(synthUnprivileged(p.root));
      expect(error).toBe(`cannot take the lock on ${p.out}: ${p.root}/.gitops.lock: permission denied`);
      expect(state).toBe('synth: nothing written; gitops/ is unchanged');
    } finally {
      fs.chmodSync(p.root, 0o755);
    }
    expect(snapshot(p.out)).toEqual(before);
    expect(beside(p.root)).toEqual([]);
  });

  test('a folder inside gitops/: the new tree is in place, and the old one is left at a named path', () => {
    const why = nobodyCannotRun();
    if (why !== null) return warnSkip('unwritable sub-folder', why);
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.4');
    const newTree = expectedTree(p.envDir, p.root);
    const locked = path.join(p.out, 'envs/dev/backend');
    if (IS_ROOT) {
      // Everything nobody's but one folder, which stays root's (0755): nobody cannot delete in it.
      spawnSync('chown', ['-R', `${NOBODY}:${NOBODY}`, p.root]);
      fs.chownSync(locked, 0, 0);
    } else {
      fs.chmodSync(locked, 0o555);
    }

    const [error, state] = failureLines(synthUnprivileged(p.root));

    const staging = new RegExp(`^cannot remove the old tree: (${escape(p.root)}/\\.gitops\\.staging-\\d+)/envs/dev/backend/[^ ]+: permission denied$`);
    expect(error).toMatch(staging);
    const left = staging.exec(error)![1]!;
    expect(state).toBe(`synth: gitops/ now holds the new tree; the old tree is left at ${left}: permission denied; remove it by hand`);
    expect(snapshot(p.out)).toEqual(newTree);
    expect(beside(p.root)).toEqual([path.basename(left)]);
  });

  test('a dry run over a folder it cannot read fails in one line naming it', () => {
    const why = nobodyCannotRun();
    if (why !== null) return warnSkip('unreadable folder, dry run', why);
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.5');
    const hidden = path.join(p.out, 'envs/dev/backend');
    fs.chmodSync(hidden, IS_ROOT ? 0o700 : 0o000);
    try {
      const run = synthUnprivileged(p.root, ['--dry-run']);
      const [error, state] = failureLines(run);
      expect(error).toBe(`cannot read the current tree: ${hidden}: permission denied`);
      expect(state).toBe('synth: nothing written; gitops/ is unchanged');
    } finally {
      fs.chmodSync(hidden, 0o755);
    }
    expect(beside(p.root)).toEqual([]);
  });
});

describe('a disk that fills while the new tree is built (a small tmpfs)', () => {
  test('is refused naming the file and the cause; the partial new tree is removed, the old tree kept', () => {
    const p = project();
    const mnt = path.join(p.root, 'mnt');
    const why = mountTmpfs(mnt, 4096);
    if (why !== null) return warnSkip('ENOSPC on tmpfs', why);
    const out = path.join(mnt, 'gitops');
    // The old tree holds one environment, the new one three: twice the files and more.
    const devOnly = path.join(p.root, 'envs-dev');
    fs.mkdirSync(devOnly);
    fs.copyFileSync(path.join(p.envDir, 'dev.yaml'), path.join(devOnly, 'dev.yaml'));
    expect(synth(p.root, ['--environments', 'envs-dev', '--out', out]).status).toBe(0);
    const before = snapshot(out);
    // Room for the old tree, the lock and a few new files; not for two more environments.
    const st = fs.statfsSync(mnt);
    const usedK = ((st.blocks - st.bfree) * st.bsize) / 1024;
    mount(['-o', `remount,size=${usedK + 64}k`, mnt]);

    const [error, state] = failureLines(synth(p.root, ['--out', out]));

    expect(error).toMatch(new RegExp(`^cannot build the new tree: ${escape(mnt)}/\\.gitops\\.staging-\\d+/[^ ]+\\.yaml: no space left on device$`));
    expect(state).toBe(`synth: nothing written; ${out}/ is unchanged`);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(mnt)).toEqual(['gitops']);

    // With room again, the same synth writes the new tree.
    mount(['-o', 'remount,size=4096k', mnt]);
    expect(synth(p.root, ['--out', out]).status).toBe(0);
    expect(snapshot(out)).toEqual(expectedTree(p.envDir, p.root));
  });

  test('writeTree itself throws a TreeWriteError that says ENOSPC and that the tree is the old one', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tree-failure-unit-'));
    temps.push(root);
    const why = mountTmpfs(root, 64);
    if (why !== null) return warnSkip('ENOSPC on tmpfs (unit)', why);
    const dir = path.join(root, 'gitops');
    const small = new Map([['a.yaml', 'a: 1\n']]);
    writeTree(dir, small);
    const big = new Map([...small, ...Array.from({ length: 40 }, (_, i) => [`big/${i}.yaml`, `${'x'.repeat(4000)}\n`] as const)]);

    let error: unknown;
    try {
      writeTree(dir, big);
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(TreeWriteError);
    const e = error as TreeWriteError;
    expect({ code: e.code, reason: e.reason, tree: e.tree, leftBehind: e.leftBehind }).toEqual({
      code: 'ENOSPC',
      reason: 'no space left on device',
      tree: 'old',
      leftBehind: [],
    });
    expect(e.outcome('gitops/')).toBe('nothing written; gitops/ is unchanged');
    expect(fs.readdirSync(root)).toEqual(['gitops']);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe('a: 1\n');
  });
});

describe('read-only mounts', () => {
  test('a tmpfs remounted read-only: refused at the lock, naming it, with the tree as it was', () => {
    const p = project();
    const mnt = path.join(p.root, 'mnt');
    const why = mountTmpfs(mnt, 4096);
    if (why !== null) return warnSkip('EROFS on tmpfs', why);
    const out = path.join(mnt, 'gitops');
    expect(synth(p.root, ['--out', out]).status).toBe(0);
    bumpImage(p.envDir, '7.0.6');
    mount(['-o', 'remount,ro', mnt]);
    const before = snapshot(out);

    const [error, state] = failureLines(synth(p.root, ['--out', out]));

    expect(error).toBe(`cannot take the lock on ${out}: ${mnt}/.gitops.lock: read-only file system`);
    expect(state).toBe(`synth: nothing written; ${out}/ is unchanged`);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(mnt)).toEqual(['gitops']);
  });

  test('gitops/ itself bind-mounted read-only: the swap is refused, staging and journal are removed', () => {
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.7');
    const before = snapshot(p.out);
    const why = bindReadOnly(p.out);
    if (why !== null) return warnSkip('read-only bind mount of gitops/', why);

    const [error, state] = failureLines(synth(p.root));

    expect(error).toBe(`cannot swap in the new tree: ${p.out}: device or resource busy (a mount point?)`);
    expect(state).toBe('synth: nothing written; gitops/ is unchanged');
    expect(snapshot(p.out)).toEqual(before);
    expect(beside(p.root)).toEqual([]);
  });

  test('a folder inside gitops/ bind-mounted read-only: the new tree is in place, the old one left at a named path', () => {
    const p = project();
    expect(synth(p.root).status).toBe(0);
    bumpImage(p.envDir, '7.0.8');
    const newTree = expectedTree(p.envDir, p.root);
    const why = bindReadOnly(path.join(p.out, 'envs/prod'));
    if (why !== null) return warnSkip('read-only bind mount inside gitops/', why);

    const [error, state] = failureLines(synth(p.root));

    const staging = new RegExp(`^cannot remove the old tree: (${escape(p.root)}/\\.gitops\\.staging-\\d+)/envs/prod/[^ ]+: read-only file system$`);
    expect(error).toMatch(staging);
    const left = staging.exec(error)![1]!;
    expect(state).toBe(`synth: gitops/ now holds the new tree; the old tree is left at ${left}: read-only file system; remove it by hand`);
    expect(snapshot(p.out)).toEqual(newTree);
    expect(beside(p.root)).toEqual([path.basename(left)]);
  });

  test('set-image in a read-only project fails in one line at the lock of environments/, changing nothing', () => {
    const p = project();
    expect(synth(p.root).status).toBe(0);
    const before = { envs: snapshot(p.envDir), tree: snapshot(p.out) };
    const why = bindReadOnly(p.root);
    if (why !== null) return warnSkip('read-only project', why);

    const [error, state] = failureLines(cli(p.root, 'commands/set-image', ['backend', 'registry.example.com/chat/backend:7.0.9', '--env', 'staging']));

    expect(error).toBe(`cannot take the lock on ${p.envDir}: ${p.root}/.environments.lock: read-only file system`);
    expect(state).toBe('set-image: nothing written; environments/ and gitops/ are unchanged');
    expect({ envs: snapshot(p.envDir), tree: snapshot(p.out) }).toEqual(before);
  });
});

describe('pipeline commands report writer and lock failures by their message', () => {
  const dir = path.join(os.tmpdir(), 'nowhere', 'gitops');

  test.each([
    ['TreeWriteError', new TreeWriteError({ dir, action: 'build the new tree', code: 'ENOSPC', path: `${dir}/a.yaml`, tree: 'old' })],
    ['TreeLockedError', new TreeLockedError('timed out after 1 s waiting for the lock /x/.gitops.lock, held by pid 1')],
    ['ForeignTreeError', new ForeignTreeError(dir, ['README.md'])],
    ['RemovalRefusedError', new RemovalRefusedError([{ kind: 'environment', unit: 'prod', aliases: [], detail: '40 files under envs/prod/' }])],
  ])('a %s prints its message alone', (_name, error) => {
    expect(describeFailure(error)).toBe(error.message);
    expect(describeFailure(error)).not.toMatch(/^\s+at /m);
  });

  test('an unexpected error keeps its stack', () => {
    expect(describeFailure(new TypeError('boom'))).toMatch(/^TypeError: boom\n\s+at /);
  });

  test('after a swap whose cleanup failed, the state line says the new tree is in place, not that nothing changed', () => {
    const error = new TreeWriteError({
      // The tree as the commands name it, relative to their working directory; nothing here touches it.
      dir: 'gitops',
      action: 'remove the old tree',
      code: 'EPERM',
      path: '/p/.gitops.staging-7/a.yaml',
      tree: 'new',
      leftBehind: [{ path: '/p/.gitops.staging-7', what: 'the old tree', reason: 'operation not permitted (immutable file? see lsattr)', fate: 'by-hand' }],
    });
    const lines: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    try {
      expect(reportFailure('set-image', error, 'nothing written; environments/ and gitops/ are unchanged')).toBe(1);
    } finally {
      jest.restoreAllMocks();
    }
    expect(lines).toEqual([
      'cannot remove the old tree: /p/.gitops.staging-7/a.yaml: operation not permitted (immutable file? see lsattr)',
      'set-image: gitops/ now holds the new tree; the old tree is left at /p/.gitops.staging-7: operation not permitted (immutable file? see lsattr); remove it by hand',
    ]);
  });
});
