import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { acquireLock, ForeignTreeError, recoverTree, TreeLockedError, writeTree } from '../lib/gitops/write-tree';

const PROJECT_ROOT = path.resolve(__dirname, '..');

let root: string;
let dir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'write-tree-'));
  dir = path.join(root, 'gitops');
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Sibling names the module uses next to `dir`; the tests build crash states out of them. */
const sibling = {
  staging: (pid: number) => path.join(root, `.gitops.staging-${pid}`),
  backup: () => path.join(root, '.gitops.previous'),
  journal: () => path.join(root, '.gitops.journal'),
  lock: () => path.join(root, '.gitops.lock'),
};

function tree(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/** Every entry below `base` that is not a directory, with its content. */
function readTree(base: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (abs: string, rel: string): void => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(path.join(abs, entry.name), childRel);
      else out.set(childRel, fs.readFileSync(path.join(abs, entry.name), 'utf8'));
    }
  };
  visit(base, '');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Every directory below `base`, relative. */
function readDirs(base: string): string[] {
  const out: string[] = [];
  const visit = (abs: string, rel: string): void => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      out.push(childRel);
      visit(path.join(abs, entry.name), childRel);
    }
  };
  visit(base, '');
  return out.sort();
}

interface Stamp {
  readonly ino: number;
  readonly mtimeMs: number;
}

/** Inode and mtime of the tree root and of every file below it. */
function stamps(base: string): Map<string, Stamp> {
  const out = new Map<string, Stamp>();
  const take = (rel: string) => {
    const st = fs.statSync(rel === '.' ? base : path.join(base, rel));
    out.set(rel, { ino: st.ino, mtimeMs: st.mtimeMs });
  };
  take('.');
  for (const rel of readTree(base).keys()) take(rel);
  return out;
}

function sortedMap(m: Map<string, string>): Map<string, string> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Names in the temp root other than the tree itself: staging, backup, journal, lock leftovers. */
function leftovers(): string[] {
  return fs.readdirSync(root).filter((n) => n !== 'gitops').sort();
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('could not spawn a child process');
  return child.pid;
}

function writeLock(pid: number, processStart?: number): void {
  fs.writeFileSync(sibling.lock(), JSON.stringify({ pid, host: os.hostname(), startedAt: new Date().toISOString(), processStart }));
}

function lockContent(): { pid: number; host: string; startedAt: string; processStart: number } {
  return JSON.parse(fs.readFileSync(sibling.lock(), 'utf8'));
}

/** Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot. */
function processStart(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Polls (synchronously, briefly) until `ready` holds. */
function waitFor(ready: () => boolean, timeoutMs = 5_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a child process');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

const BASE = tree({
  'envs/dev/backend/Deployment-backend.yaml': 'kind: Deployment\nname: backend\n',
  'envs/dev/backend/Service-backend.yaml': 'kind: Service\nname: backend\n',
  'envs/dev/frontend/Deployment-frontend.yaml': 'kind: Deployment\nname: frontend\n',
  'envs/prod/backend/Deployment-backend.yaml': 'kind: Deployment\nname: backend\nreplicas: 3\n',
  'apps/dev.yaml': 'kind: Application\nname: dev\n',
});

describe('writeTree', () => {
  test('first write creates the tree, including missing parents, and leaves nothing beside it', () => {
    const nested = path.join(root, 'out', 'gitops');
    const result = writeTree(nested, BASE);

    expect(result).toEqual({ written: [...BASE.keys()].sort(), removed: [], unchanged: 0 });
    expect(readTree(nested)).toEqual(sortedMap(BASE));
    expect(fs.readdirSync(path.join(root, 'out'))).toEqual(['gitops']);
  });

  test('an identical second write touches nothing', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);

    const result = writeTree(dir, BASE);

    expect(result).toEqual({ written: [], removed: [], unchanged: BASE.size });
    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('a changed file is rewritten while unchanged siblings keep their inode and mtime', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    const changed = 'envs/dev/backend/Deployment-backend.yaml';
    const next = new Map(BASE).set(changed, 'kind: Deployment\nname: backend\nreplicas: 2\n');

    const result = writeTree(dir, next);

    expect(result).toEqual({ written: [changed], removed: [], unchanged: BASE.size - 1 });
    expect(readTree(dir)).toEqual(sortedMap(next));
    const after = stamps(dir);
    expect(after.get(changed)!.ino).not.toBe(before.get(changed)!.ino);
    for (const rel of BASE.keys()) {
      if (rel !== changed) expect(after.get(rel)).toEqual(before.get(rel));
    }
    expect(leftovers()).toEqual([]);
  });

  test('a same-size change is detected', () => {
    writeTree(dir, tree({ 'a.yaml': 'replicas: 1\n' }));
    expect(writeTree(dir, tree({ 'a.yaml': 'replicas: 2\n' })).written).toEqual(['a.yaml']);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe('replicas: 2\n');
  });

  test('a removed resource takes its file and its now-empty directories with it', () => {
    writeTree(dir, BASE);
    const next = new Map(BASE);
    next.delete('envs/prod/backend/Deployment-backend.yaml');
    next.set('envs/dev/backend/ConfigMap-backend.yaml', 'kind: ConfigMap\n');

    const result = writeTree(dir, next);

    expect(result).toEqual({
      written: ['envs/dev/backend/ConfigMap-backend.yaml'],
      removed: ['envs/prod/backend/Deployment-backend.yaml'],
      unchanged: BASE.size - 1,
    });
    expect(readTree(dir)).toEqual(sortedMap(next));
    expect(fs.existsSync(path.join(dir, 'envs/prod'))).toBe(false);
    expect(readDirs(dir)).toEqual(['apps', 'envs', 'envs/dev', 'envs/dev/backend', 'envs/dev/frontend']);
  });

  test('stray files, symlinks and empty directories are removed', () => {
    writeTree(dir, BASE);
    fs.writeFileSync(path.join(dir, 'envs/dev/notes.txt'), 'hand-edited\n');
    fs.symlinkSync('apps/dev.yaml', path.join(dir, 'link.yaml'));
    fs.mkdirSync(path.join(dir, 'envs/empty/deeper'), { recursive: true });

    const result = writeTree(dir, BASE);

    expect(result).toEqual({ written: [], removed: ['envs/dev/notes.txt', 'link.yaml'], unchanged: BASE.size });
    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(fs.existsSync(path.join(dir, 'envs/empty'))).toBe(false);
  });

  describe('with an owner check', () => {
    const MARK = '# ours\n';
    const owns = (rel: string, head: string): boolean => rel.endsWith('.yaml') && head.startsWith(MARK);
    const ours = (entries: Record<string, string>) => tree(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, MARK + v])));

    test('replaces and removes the files it owns', () => {
      writeTree(dir, ours({ 'a.yaml': 'one\n', 'b/c.yaml': 'two\n' }), { owns });
      const result = writeTree(dir, ours({ 'a.yaml': 'changed\n' }), { owns });
      expect(result).toEqual({ written: ['a.yaml'], removed: ['b/c.yaml'], unchanged: 0 });
      expect(readTree(dir)).toEqual(ours({ 'a.yaml': 'changed\n' }));
    });

    test.each([
      ['a file of another kind', 'README.md', 'notes\n'],
      ['a YAML file it did not write', 'envs/dev.yaml', 'name: dev\n'],
      ['a file it would overwrite', 'a.yaml', 'hand-written\n'],
    ])('refuses a folder holding %s, in a dry run too, and changes nothing', (_name, rel, content) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
      const before = readTree(dir);
      for (const dryRun of [true, false]) {
        let error: unknown;
        try {
          writeTree(dir, ours({ 'a.yaml': 'one\n' }), { owns, dryRun });
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ForeignTreeError);
        expect((error as ForeignTreeError).foreign).toEqual([rel]);
        expect((error as Error).message).toContain(`${dir}: refusing to write the tree there: it holds 1 file this tool did not write (${rel})`);
      }
      expect(readTree(dir)).toEqual(before);
      expect(fs.readdirSync(root).sort()).toEqual(['gitops']);
    });

    test('counts a symbolic link as not its own', () => {
      writeTree(dir, ours({ 'a.yaml': 'one\n' }), { owns });
      fs.symlinkSync('a.yaml', path.join(dir, 'link.yaml'));
      expect(() => writeTree(dir, ours({ 'a.yaml': 'one\n' }), { owns })).toThrow(ForeignTreeError);
      expect(fs.lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    });
  });

  test('an empty stray directory alone is enough to replace the tree, keeping file inodes', () => {
    writeTree(dir, BASE);
    fs.mkdirSync(path.join(dir, 'leftover'));
    const before = stamps(dir);

    expect(writeTree(dir, BASE)).toEqual({ written: [], removed: [], unchanged: BASE.size });
    expect(fs.existsSync(path.join(dir, 'leftover'))).toBe(false);
    const after = stamps(dir);
    for (const rel of BASE.keys()) expect(after.get(rel)).toEqual(before.get(rel));
  });

  test('a file is replaced by a directory of the same name and back', () => {
    writeTree(dir, tree({ 'a/b': 'file\n' }));
    expect(writeTree(dir, tree({ 'a/b/c': 'nested\n' }))).toEqual({ written: ['a/b/c'], removed: ['a/b'], unchanged: 0 });
    expect(readTree(dir)).toEqual(tree({ 'a/b/c': 'nested\n' }));
    expect(writeTree(dir, tree({ 'a/b': 'file\n' }))).toEqual({ written: ['a/b'], removed: ['a/b/c'], unchanged: 0 });
    expect(readTree(dir)).toEqual(tree({ 'a/b': 'file\n' }));
  });

  test('an empty map leaves an empty directory', () => {
    writeTree(dir, BASE);
    expect(writeTree(dir, new Map())).toEqual({ written: [], removed: [...BASE.keys()].sort(), unchanged: 0 });
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('content is written as UTF-8', () => {
    writeTree(dir, tree({ 'a.yaml': 'description: naïve café ✓\n' }));
    expect(fs.readFileSync(path.join(dir, 'a.yaml'))).toEqual(Buffer.from('description: naïve café ✓\n', 'utf8'));
    expect(writeTree(dir, tree({ 'a.yaml': 'description: naïve café ✓\n' })).written).toEqual([]);
  });

  test.each([
    ['absolute', '/etc/passwd'],
    ['windows absolute', 'C:/x.yaml'],
    ['parent segment', 'envs/../../escape.yaml'],
    ['leading parent', '../escape.yaml'],
    ['dot segment', 'envs/./dev.yaml'],
    ['empty segment', 'envs//dev.yaml'],
    ['trailing slash', 'envs/dev/'],
    ['backslash', 'envs\\dev.yaml'],
    ['empty', ''],
    ['NUL byte', 'envs/dev\0.yaml'],
  ])('an invalid path (%s) throws and leaves the tree as it was', (_kind, bad) => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    const next = new Map(BASE).set('apps/dev.yaml', 'changed\n').set(bad, 'x\n');

    expect(() => writeTree(dir, next)).toThrow(/invalid path/);
    expect(() => writeTree(dir, next, { dryRun: true })).toThrow(/invalid path/);

    expect(stamps(dir)).toEqual(before);
    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(leftovers()).toEqual([]);
  });

  test('a path that is both a file and a directory throws before the tree is created', () => {
    expect(() => writeTree(dir, tree({ 'envs/dev': 'x\n', 'envs/dev/a.yaml': 'y\n' }))).toThrow(/both a file and a directory/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  test('a regular file where the tree should be is refused', () => {
    fs.writeFileSync(dir, 'not a directory\n');
    expect(() => writeTree(dir, BASE)).toThrow(/not a directory/);
    expect(fs.readFileSync(dir, 'utf8')).toBe('not a directory\n');
    expect(leftovers()).toEqual([]);
  });

  describe('dryRun', () => {
    test('reports a first write without creating anything', () => {
      const nested = path.join(root, 'out', 'gitops');
      expect(writeTree(nested, BASE, { dryRun: true })).toEqual({ written: [...BASE.keys()].sort(), removed: [], unchanged: 0 });
      expect(fs.readdirSync(root)).toEqual([]);
    });

    test('reports the same result as the real write and changes nothing', () => {
      writeTree(dir, BASE);
      const next = new Map(BASE).set('apps/dev.yaml', 'changed\n').set('apps/prod.yaml', 'new\n');
      next.delete('envs/dev/frontend/Deployment-frontend.yaml');
      const before = stamps(dir);

      const dry = writeTree(dir, next, { dryRun: true });

      expect(stamps(dir)).toEqual(before);
      expect(readTree(dir)).toEqual(sortedMap(BASE));
      expect(leftovers()).toEqual([]);
      expect(dry).toEqual({
        written: ['apps/dev.yaml', 'apps/prod.yaml'],
        removed: ['envs/dev/frontend/Deployment-frontend.yaml'],
        unchanged: BASE.size - 2,
      });
      expect(writeTree(dir, next)).toEqual(dry);
    });

    test('reads the tree recovery would produce after an interrupted swap', () => {
      writeTree(dir, BASE);
      fs.renameSync(dir, sibling.backup());

      expect(writeTree(dir, BASE, { dryRun: true })).toEqual({ written: [], removed: [], unchanged: BASE.size });
      expect(fs.existsSync(dir)).toBe(false);
    });
  });

  test('results do not depend on map insertion order or directory listing order', () => {
    const entries = [...BASE.entries()];
    writeTree(dir, new Map([...entries].reverse()));
    const changed = new Map(entries.map(([k, v]) => [k, `${v}# changed\n`]));
    changed.set('zz/last.yaml', 'z\n').set('aa/first.yaml', 'a\n');
    changed.delete('envs/dev/backend/Service-backend.yaml');
    changed.delete('apps/dev.yaml');

    const forward = writeTree(dir, changed, { dryRun: true });
    const reversed = writeTree(dir, new Map([...changed].reverse()), { dryRun: true });

    expect(reversed).toEqual(forward);
    expect(forward.written).toEqual([...forward.written].sort());
    expect(forward.removed).toEqual(['apps/dev.yaml', 'envs/dev/backend/Service-backend.yaml']);
    expect(writeTree(dir, new Map([...changed].reverse()))).toEqual(forward);
  });
});

describe('recoverTree', () => {
  test('a leftover staging directory is deleted and the tree is untouched', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    fs.mkdirSync(path.join(sibling.staging(4242), 'envs'), { recursive: true });
    fs.writeFileSync(path.join(sibling.staging(4242), 'envs/partial.yaml'), 'half');

    recoverTree(dir);

    expect(leftovers()).toEqual([]);
    expect(stamps(dir)).toEqual(before);
  });

  test('dir missing, backup present, complete staging: the swap is finished', () => {
    const next = new Map(BASE).set('apps/dev.yaml', 'new\n');
    writeTree(dir, next);
    // The committed staging tree, as it stood after its journal was written.
    fs.renameSync(dir, sibling.staging(4242));
    fs.writeFileSync(sibling.journal(), JSON.stringify({ staging: '.gitops.staging-4242' }));
    // The old tree, moved aside by the first rename of the swap.
    writeTree(path.join(root, 'old'), BASE);
    fs.renameSync(path.join(root, 'old'), sibling.backup());

    recoverTree(dir);

    expect(readTree(dir)).toEqual(sortedMap(next));
    expect(leftovers()).toEqual([]);
  });

  test('dir present, complete staging not yet swapped in: the swap is finished', () => {
    const next = new Map(BASE).set('apps/dev.yaml', 'new\n');
    writeTree(dir, BASE);
    writeTree(path.join(root, 'next'), next);
    fs.renameSync(path.join(root, 'next'), sibling.staging(4242));
    fs.writeFileSync(sibling.journal(), JSON.stringify({ staging: '.gitops.staging-4242' }));

    recoverTree(dir);

    expect(readTree(dir)).toEqual(sortedMap(next));
    expect(leftovers()).toEqual([]);
  });

  test('dir missing, backup present, incomplete staging: the backup is restored', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    fs.renameSync(dir, sibling.backup());
    fs.mkdirSync(path.join(sibling.staging(4242), 'apps'), { recursive: true });
    fs.writeFileSync(path.join(sibling.staging(4242), 'apps/dev.yaml'), 'partial');

    recoverTree(dir);

    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('dir and backup both present: the backup is deleted', () => {
    writeTree(dir, BASE);
    fs.mkdirSync(sibling.backup());
    fs.writeFileSync(path.join(sibling.backup(), 'old.yaml'), 'old\n');
    const before = stamps(dir);

    recoverTree(dir);

    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('after an atomic exchange (old tree at the staging path), the new tree stays and the old goes', () => {
    const next = new Map(BASE).set('apps/dev.yaml', 'new\n');
    writeTree(dir, next);
    const before = stamps(dir);
    // What a crash right after the exchange leaves: the journal names the staging path and the new
    // tree's inode, which is now the live path's; the staging path holds the old tree.
    writeTree(path.join(root, 'old'), BASE);
    fs.renameSync(path.join(root, 'old'), sibling.staging(4242));
    fs.writeFileSync(sibling.journal(), JSON.stringify({ staging: '.gitops.staging-4242', ino: fs.statSync(dir).ino }));

    recoverTree(dir);

    expect(readTree(dir)).toEqual(sortedMap(next));
    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('a committed staging tree not yet swapped in becomes the live tree', () => {
    const next = new Map(BASE).set('apps/dev.yaml', 'new\n');
    writeTree(dir, BASE);
    writeTree(path.join(root, 'next'), next);
    fs.renameSync(path.join(root, 'next'), sibling.staging(4242));
    const ino = fs.statSync(sibling.staging(4242)).ino;
    fs.writeFileSync(sibling.journal(), JSON.stringify({ staging: '.gitops.staging-4242', ino }));

    recoverTree(dir);

    expect(fs.statSync(dir).ino).toBe(ino);
    expect(readTree(dir)).toEqual(sortedMap(next));
    expect(leftovers()).toEqual([]);
  });

  test('journal left after a finished swap is cleared without touching the tree', () => {
    writeTree(dir, BASE);
    fs.writeFileSync(sibling.journal(), JSON.stringify({ staging: '.gitops.staging-4242' }));
    const before = stamps(dir);

    recoverTree(dir);

    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('an unreadable journal is refused rather than guessed at', () => {
    writeTree(dir, BASE);
    fs.writeFileSync(sibling.journal(), '{"stag');
    expect(() => recoverTree(dir)).toThrow(/journal .* is unreadable/);
    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(fs.existsSync(sibling.lock())).toBe(false);
  });

  test('writeTree recovers first, then compares against the recovered tree', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    fs.renameSync(dir, sibling.backup());
    fs.mkdirSync(sibling.staging(4242));

    expect(writeTree(dir, BASE)).toEqual({ written: [], removed: [], unchanged: BASE.size });
    expect(stamps(dir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  test('does nothing when the parent directory does not exist', () => {
    expect(() => recoverTree(path.join(root, 'missing', 'gitops'))).not.toThrow();
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('locking', () => {
  /** Children started by a test, killed (and reaped) after it. */
  const children: ChildProcess[] = [];
  let savedWait: string | undefined;
  let stderrLines: string[];

  beforeEach(() => {
    savedWait = process.env.GITOPS_LOCK_WAIT_SECONDS;
    stderrLines = [];
    // The waiting line goes to stderr; keep it for the assertions and out of the test output.
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderrLines.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    if (savedWait === undefined) delete process.env.GITOPS_LOCK_WAIT_SECONDS;
    else process.env.GITOPS_LOCK_WAIT_SECONDS = savedWait;
    await Promise.all(children.splice(0).map(stop));
  });

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A live process that is not this one: `sleep 30`. */
  function liveProcess(): ChildProcess & { pid: number } {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    if (child.pid === undefined) throw new Error('could not spawn sleep');
    return child as ChildProcess & { pid: number };
  }

  test('writeTree waits for a live holder, says so once, then refuses naming the lock, its holder and the wait', () => {
    writeTree(dir, BASE);
    const before = stamps(dir);
    const holder = liveProcess();
    writeLock(holder.pid, processStart(holder.pid));
    process.env.GITOPS_LOCK_WAIT_SECONDS = '0.3';

    const started = Date.now();
    let error: unknown;
    try {
      writeTree(dir, new Map(BASE).set('apps/dev.yaml', 'changed\n'));
    } catch (e) {
      error = e;
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error).toBeInstanceOf(TreeLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(`^timed out after 0\\.3 s waiting for the lock ${escape(sibling.lock())}, held by pid ${holder.pid} \\(holding it since \\d{4}-`),
    );
    expect((error as Error).message).not.toContain('\n');
    expect(stderrLines).toEqual([`waiting for pid ${holder.pid} (holding it since ${lockContent().startedAt}) to release ${sibling.lock()} (up to 0.3 s, see GITOPS_LOCK_WAIT_SECONDS)\n`]);
    expect(() => recoverTree(dir)).toThrow(`held by pid ${holder.pid}`);

    expect(stamps(dir)).toEqual(before);
    expect(lockContent().pid).toBe(holder.pid);
  });

  test('a waiting writeTree goes ahead as soon as the holder releases the lock', () => {
    const script = `
      const fs = require('node:fs');
      fs.writeFileSync(${JSON.stringify(sibling.lock())}, JSON.stringify({ pid: process.pid }));
      setTimeout(() => fs.rmSync(${JSON.stringify(sibling.lock())}), 400);
      setTimeout(() => {}, 30000);
    `;
    const holder = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    children.push(holder);
    waitFor(() => fs.existsSync(sibling.lock()) && fs.readFileSync(sibling.lock(), 'utf8') !== '');

    const started = Date.now();
    expect(writeTree(dir, BASE).written).toHaveLength(BASE.size);
    // Polled, not spun: it goes ahead within a poll interval (≤ 250 ms) of the release.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stderrLines.join('')).toContain(`waiting for pid ${holder.pid} `);
    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(leftovers()).toEqual([]);
  });

  test('a lock left by a dead process is taken over at once', () => {
    writeLock(deadPid());

    expect(writeTree(dir, BASE).written).toHaveLength(BASE.size);
    expect(readTree(dir)).toEqual(sortedMap(BASE));
    expect(leftovers()).toEqual([]);
    expect(stderrLines).toEqual([]);
  });

  test('a lock naming a live pid with another start time (a reused pid) is taken over at once', () => {
    const other = liveProcess();
    writeLock(other.pid, processStart(other.pid) - 1);

    expect(writeTree(dir, BASE).written).toHaveLength(BASE.size);
    expect(leftovers()).toEqual([]);
    expect(stderrLines).toEqual([]);
  });

  test('acquireLock records pid, host, start times, refuses a second take by the same process, and releases once', () => {
    const release = acquireLock(dir);
    const content = lockContent();
    expect(content.pid).toBe(process.pid);
    expect(content.host).toBe(os.hostname());
    expect(Number.isNaN(Date.parse(content.startedAt))).toBe(false);
    expect(content.processStart).toBe(processStart(process.pid));
    // Waiting for itself would never end: refused at once.
    expect(() => acquireLock(dir)).toThrow(`this process (pid ${process.pid}) already holds the lock on ${dir}`);
    expect(() => writeTree(dir, BASE)).toThrow(TreeLockedError);

    release();
    expect(fs.existsSync(sibling.lock())).toBe(false);
    release();

    const again = acquireLock(dir);
    again();
    expect(leftovers()).toEqual([]);
  });

  test('release does not remove a lock that another process has taken since', () => {
    const release = acquireLock(dir);
    fs.rmSync(sibling.lock());
    writeLock(process.pid);
    const other = fs.readFileSync(sibling.lock(), 'utf8');

    release();

    expect(fs.readFileSync(sibling.lock(), 'utf8')).toBe(other);
  });

  test('an empty lock is waited on until its owner has written its pid, and then for the owner', () => {
    fs.writeFileSync(sibling.lock(), '');
    const script = `
      setTimeout(() => {
        require('node:fs').writeFileSync(${JSON.stringify(sibling.lock())}, JSON.stringify({ pid: process.pid }));
        setTimeout(() => {}, 30000);
      }, 300);
    `;
    const owner = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    children.push(owner);
    process.env.GITOPS_LOCK_WAIT_SECONDS = '0.5';

    expect(() => writeTree(dir, BASE)).toThrow(new RegExp(`waiting for the lock .*, held by pid ${owner.pid} `));
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('an empty lock older than the grace period is taken over', () => {
    fs.writeFileSync(sibling.lock(), '');
    const minuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(sibling.lock(), minuteAgo, minuteAgo);

    expect(writeTree(dir, BASE).written).toHaveLength(BASE.size);
    expect(leftovers()).toEqual([]);
  });

  test('an unusable GITOPS_LOCK_WAIT_SECONDS is refused when a wait starts', () => {
    const holder = liveProcess();
    writeLock(holder.pid, processStart(holder.pid));
    process.env.GITOPS_LOCK_WAIT_SECONDS = 'soon';
    expect(() => writeTree(dir, BASE)).toThrow('GITOPS_LOCK_WAIT_SECONDS="soon": expected the seconds to wait for a lock, a number ≥ 0');
  });

  test('the lock is released when the write fails', () => {
    fs.writeFileSync(dir, 'not a directory\n');
    expect(() => writeTree(dir, BASE)).toThrow();
    expect(fs.existsSync(sibling.lock())).toBe(false);
  });
});

describe('crash safety', () => {
  const FILES = 2_000;
  const RUNS = 20;
  let workDir: string;
  let bundle: string;
  let treeA: Map<string, string>;
  let treeB: Map<string, string>;

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-tree-crash-'));
    bundle = path.join(workDir, 'write-tree.js');
    esbuild.buildSync({
      entryPoints: [path.join(PROJECT_ROOT, 'lib/gitops/write-tree.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'error',
    });

    // B rewrites every tenth file of A, drops A's last 100 files (and with them whole
    // directories) and adds 100 elsewhere, so a swap links, writes and removes.
    treeA = new Map();
    treeB = new Map();
    const pad = '#'.repeat(200);
    for (let i = 0; i < FILES; i++) {
      const rel = `envs/env-${i % 4}/comp-${Math.floor(i / 200)}/Resource-${i}.yaml`;
      treeA.set(rel, `kind: Resource\nname: r-${i}\nversion: a\n${pad}\n`);
      if (i >= FILES - 100) treeB.set(`extra/comp-${i % 7}/Resource-${i}.yaml`, `kind: Extra\nname: e-${i}\n`);
      else treeB.set(rel, i % 10 === 0 ? `kind: Resource\nname: r-${i}\nversion: b\n${pad}\n` : treeA.get(rel)!);
    }
    fs.writeFileSync(path.join(workDir, 'a.json'), JSON.stringify([...treeA]));
    fs.writeFileSync(path.join(workDir, 'b.json'), JSON.stringify([...treeB]));
  });

  afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  /** Starts a process that rewrites `target` with B, A, B, ... until it is killed. */
  function startWriter(target: string): { child: ReturnType<typeof spawn>; ready: Promise<void>; exited: Promise<string> } {
    const script = `
      const fs = require('node:fs');
      const { writeTree } = require(${JSON.stringify(bundle)});
      const load = (f) => new Map(JSON.parse(fs.readFileSync(f, 'utf8')));
      const trees = [load(${JSON.stringify(path.join(workDir, 'b.json'))}), load(${JSON.stringify(path.join(workDir, 'a.json'))})];
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) writeTree(${JSON.stringify(target)}, trees[i % 2]);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', () => reject(new Error(`writer exited before it started:\n${stderr}`)));
    });
    const exited = new Promise<string>((resolve) => child.once('exit', (_code, signal) => resolve(`${signal}\n${stderr}`)));
    return { child, ready, exited };
  }

  function matches(actual: Map<string, string>, expected: Map<string, string>): boolean {
    if (actual.size !== expected.size) return false;
    for (const [rel, content] of expected) if (actual.get(rel) !== content) return false;
    return true;
  }

  test(
    `a writer killed at ${RUNS} points of a swap always leaves exactly one of the two trees`,
    async () => {
      writeTree(dir, treeA);
      // Kill delays are spread over one and a half swaps, measured here so that they cover the
      // writer's first swap (B over A) and part of its second on fast disks; capped so a slow or
      // busy machine still finishes in reasonable time, with kills landing earlier in the cycle.
      const started = Date.now();
      writeTree(dir, treeB);
      const swapMs = Math.min(800, Math.max(20, Date.now() - started));
      writeTree(dir, treeA);

      let interrupted = 0;
      for (let run = 0; run < RUNS; run++) {
        const writer = startWriter(dir);
        await writer.ready;
        await new Promise((resolve) => setTimeout(resolve, ((run + 0.5) / RUNS) * 1.5 * swapMs));
        writer.child.kill('SIGKILL');
        expect(await writer.exited).toMatch(/^SIGKILL\n$/);

        if (leftovers().some((n) => n !== '.gitops.lock')) interrupted++;
        recoverTree(dir);

        const actual = readTree(dir);
        if (!matches(actual, treeA) && !matches(actual, treeB)) {
          throw new Error(`run ${run}: the tree is neither A nor B (${actual.size} files)`);
        }
        expect(leftovers()).toEqual([]);
      }

      // Kills that all landed between swaps would make this test vacuous.
      expect(interrupted).toBeGreaterThan(0);
    },
    60_000,
  );
});
