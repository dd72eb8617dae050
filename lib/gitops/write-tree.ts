/**
 * Writes the synthesized manifests into the committed gitops/ tree.
 *
 * Argo CD syncs whatever is in that tree, and reviewers read its git diff, so two properties matter
 * more than speed: a reader must never see a half-written tree, and a synth that changes nothing
 * must not touch a single file (editors, watchers and `git status` all key off mtimes).
 *
 * Layout, for `dir` = `<parent>/<base>` (all siblings on the same filesystem, so renames are atomic):
 *
 *   <parent>/<base>                    the live tree
 *   <parent>/.<base>.staging-<pid>     the next tree, being built
 *   <parent>/.<base>.journal           commit record: names the staging tree that is complete
 *   <parent>/.<base>.previous          the old tree, between the two renames of a swap
 *   <parent>/.<base>.lock              held by the process writing the tree (tree-lock.ts)
 *
 * A swap runs: build staging (flushed to disk); write the journal (naming staging and its inode);
 * exchange staging and live in one atomic renameat2(RENAME_EXCHANGE), so the live path never
 * lacks a tree; delete what is now at the staging path (the old tree); delete the journal. Where
 * the exchange is unavailable: rename live to previous; rename staging to live; delete previous;
 * delete the journal. The journal is the commit point, which gives recovery a single rule that is
 * correct at every crash point:
 *
 *   journal present, live path has the journal's inode → the exchange happened: the staging path
 *                     holds the old tree; delete it.
 *
 *   journal present → the staging tree it names was complete before anything was renamed, so roll
 *                     forward: make it the live tree (moving the live one aside if it is still there).
 *   journal absent  → no swap has got as far as moving the live tree aside, so any staging tree is
 *                     partial or abandoned: delete it (and restore the backup if it is all there is).
 *                     A swap that had finished its renames has no journal only once the backup is
 *                     gone, so a backup next to a live tree is always the older one: delete it.
 *
 * Keeping the commit record outside the tree (rather than a marker file inside staging) means no
 * crash can leave bookkeeping files in the directory Argo CD reads.
 *
 * Unchanged files are hard-linked into staging, so the live tree, staging and the backup may share
 * inodes. Nothing here ever writes into an existing file; every changed file is a new inode.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock } from './tree-lock';
import { describeErrorCode, errorCode, LeftBehind, TreeState, TreeWriteError } from './tree-write-error';

export { acquireLock, TreeLockedError } from './tree-lock';
export { TreeWriteError } from './tree-write-error';

export interface TreeWriteResult {
  /** Relative paths (posix separators) of files created or whose bytes changed, sorted. */
  readonly written: string[];
  /** Relative paths of files that existed and are gone, sorted. */
  readonly removed: string[];
  /** Number of files left byte-identical (and untouched). */
  readonly unchanged: number;
}

export interface WriteTreeOptions {
  /** Compute the result against what is on disk without changing anything (no lock, no recovery). */
  readonly dryRun?: boolean;
  /**
   * Whether an existing file (its path, and its first bytes as text) is one the writer may replace
   * or remove. When given, a directory holding any other file is refused whole, before anything
   * changes: pointed at the wrong folder, the writer would otherwise delete what is there.
   */
  readonly owns?: (rel: string, head: string) => boolean;
  /**
   * Called once the difference to the tree on disk is known, before anything changes (in a dry
   * run too), under the tree's lock: throwing here refuses the write and leaves the tree as it is.
   */
  readonly beforeReplace?: (plan: TreePlan) => void;
}

/** What a write is about to do to the tree on disk, for {@link WriteTreeOptions.beforeReplace}. */
export interface TreePlan {
  /** Relative paths of the regular files the tree holds now (empty when there is no tree). */
  readonly existing: ReadonlySet<string>;
  /** The existing files the write leaves byte-identical. */
  readonly unchanged: ReadonlySet<string>;
  /** The text of an existing file, or undefined when it cannot be read. */
  read(rel: string): string | undefined;
}

/** The directory holds files the writer did not write: nothing was changed. */
export class ForeignTreeError extends Error {
  readonly foreign: readonly string[];

  constructor(dir: string, foreign: readonly string[]) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, and ${foreign.length - 5} more` : '');
    super(
      `${dir}: refusing to write the tree there: it holds ${foreign.length} file${foreign.length === 1 ? '' : 's'} ` +
        `this tool did not write (${shown}); point it at an empty or missing folder, or at a tree it wrote`,
    );
    this.name = 'ForeignTreeError';
    this.foreign = foreign;
  }
}

/** Bytes of an existing file that `owns` sees. */
const HEAD_BYTES = 256;

/**
 * Makes `dir` contain exactly `files` (relative posix path → UTF-8 content) and nothing else.
 *
 * Takes the tree's lock (waiting for another writer, see {@link acquireLock}), finishes or rolls
 * back any interrupted earlier swap, then either leaves the tree alone (nothing differs) or
 * replaces it atomically. Invalid paths throw before anything on disk changes.
 *
 * When the filesystem refuses a step (no space, no permission, read-only, immutable, a symlink
 * where the tree should be), throws {@link TreeWriteError}: the tree is then exactly the old one or
 * exactly the new one, and the error says which, and what (if anything) is left beside it.
 */
export function writeTree(dir: string, files: ReadonlyMap<string, string>, options: WriteTreeOptions = {}): TreeWriteResult {
  const desired = validateFiles(files);
  const loc = locate(dir);
  refuseSymlink(loc);

  if (options.dryRun) {
    // Read the tree recovery would leave behind, so a dry run after a crash reports what a real
    // run would do.
    const { current, diff } = readCurrent(loc, desired, options, () =>
      fs.existsSync(loc.parent) ? liveTreeAfterRecovery(loc, inspect(loc)) : null,
    );
    options.beforeReplace?.(planOf(current, diff));
    return toResult(diff);
  }

  step(loc, 'create the folder', () => fs.mkdirSync(loc.parent, { recursive: true }));
  const release = acquireLock(dir);
  try {
    recover(loc);
    const { current, diff } = readCurrent(loc, desired, options, () => (fs.existsSync(loc.dir) ? loc.dir : null));
    options.beforeReplace?.(planOf(current, diff));
    if (!diff.identical) swapIn(loc, current, desired, diff);
    return toResult(diff);
  } finally {
    release();
  }
}

/** The live tree (found by `find`) compared with the desired one, refused if it is not ours. */
function readCurrent(
  loc: TreeLocation,
  desired: readonly DesiredFile[],
  options: WriteTreeOptions,
  find: () => string | null,
): { current: string | null; diff: TreeDiff } {
  return step(loc, 'read the current tree', () => {
    const current = find();
    if (current !== null) assertDirectory(loc, current);
    const diff = diffTree(current, desired);
    if (current !== null && options.owns) assertOwned(loc.dir, current, diff, options.owns);
    return { current, diff };
  });
}

/**
 * Brings `dir` back to a consistent state after a writer died mid-swap (see the module comment for
 * the rule). Takes the tree's lock, so it must not be called while holding {@link acquireLock}.
 */
export function recoverTree(dir: string): void {
  const loc = locate(dir);
  if (!fs.existsSync(loc.parent)) return;
  const release = acquireLock(dir);
  try {
    recover(loc);
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------
// Failures

/**
 * Runs a step that changes nothing the reader sees: a filesystem error becomes a
 * {@link TreeWriteError} saying the tree is unchanged. Errors without an errno code (refusals such
 * as {@link ForeignTreeError}, or bugs, which keep their stack) pass through as they are.
 */
function step<T>(loc: TreeLocation, action: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof TreeWriteError || errorCode(err) === undefined) throw err;
    throw new TreeWriteError({ dir: loc.dir, action, tree: 'old', cause: err });
  }
}

/**
 * What to throw for a failure after which the tree is in `tree` state: a TreeWriteError, unless
 * the failure was a bug (no errno code) that changed nothing and left nothing, which keeps its stack.
 */
function failure(loc: TreeLocation, action: string, cause: unknown, tree: TreeState, leftBehind: readonly LeftBehind[] = []): unknown {
  if (cause instanceof TreeWriteError && leftBehind.length === 0 && cause.tree === tree) return cause;
  if (tree === 'old' && leftBehind.length === 0 && errorCode(cause) === undefined && !(cause instanceof TreeWriteError)) return cause;
  return new TreeWriteError({ dir: loc.dir, action, tree, leftBehind, cause });
}

/** Why, in words, for a {@link LeftBehind}. */
function reasonOf(err: unknown): string {
  const code = errorCode(err);
  return code !== undefined ? describeErrorCode(code) : err instanceof Error ? err.message.split('\n', 1)[0]! : String(err);
}

/**
 * Removes what a failed step left, returning what could not be removed. A cause that would stop
 * the next run's recovery the same way (no permission, read-only, immutable) needs a person.
 */
function discard(p: string, what: string): LeftBehind[] {
  try {
    removeTree(p);
    return [];
  } catch (err) {
    const lasting = ['EACCES', 'EPERM', 'EROFS'].includes(errorCode(err) ?? '');
    return [{ path: p, what, reason: reasonOf(err), fate: lasting ? 'by-hand' : 'next-write-removes' }];
  }
}

/**
 * Deletes a file or a tree, depth first, removing all it can and then throwing the first failure
 * with its own errno: `fs.rmSync` retries a refused unlink as a directory and reports ENOTDIR, which
 * would hide an immutable file or a read-only mount.
 */
function removeTree(p: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(p, { withFileTypes: true });
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return;
    if (code !== 'ENOTDIR') throw err;
    fs.unlinkSync(p);
    return;
  }
  let first: unknown;
  for (const entry of entries) {
    const child = path.join(p, entry.name);
    try {
      if (entry.isDirectory()) removeTree(child);
      else fs.unlinkSync(child);
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
  fs.rmdirSync(p);
}

// ---------------------------------------------------------------------------------------------
// Locations

interface TreeLocation {
  /** Absolute path of the live tree. */
  readonly dir: string;
  readonly parent: string;
  readonly base: string;
  readonly stagingPrefix: string;
  readonly backup: string;
  readonly journal: string;
  readonly journalTmp: string;
}

function locate(dir: string): TreeLocation {
  const abs = path.resolve(dir);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  if (base === '' || abs === parent) throw new Error(`writeTree: refusing to replace filesystem root ${abs}`);
  const sibling = (suffix: string) => path.join(parent, `.${base}.${suffix}`);
  return {
    dir: abs,
    parent,
    base,
    stagingPrefix: `.${base}.staging-`,
    backup: sibling('previous'),
    journal: sibling('journal'),
    journalTmp: sibling('journal.tmp'),
  };
}

/**
 * Refuses a symlink where the tree should be, before anything is created: the swap renames the
 * path, which would replace the link and leave the folder it points to as it was.
 */
function refuseSymlink(loc: TreeLocation): void {
  const st = step(loc, 'read the current tree', () => fs.lstatSync(loc.dir, { throwIfNoEntry: false }));
  if (st?.isSymbolicLink()) {
    let target = '?';
    try {
      target = fs.readlinkSync(loc.dir);
    } catch {
      // Named without its target, then.
    }
    throw new TreeWriteError({
      dir: loc.dir,
      action: 'write the tree',
      reason: `it is a symbolic link (to ${target}), and the tree is replaced by renaming, which would replace the link: write to the folder it points to instead`,
      tree: 'old',
    });
  }
}

/**
 * Every existing file the write would replace or remove must be one `owns` accepts (unchanged files
 * equal a desired one, so they are). Usually there is none to look at.
 */
function assertOwned(dir: string, current: string, diff: TreeDiff, owns: NonNullable<WriteTreeOptions['owns']>): void {
  const foreign: string[] = [];
  const head = Buffer.alloc(HEAD_BYTES);
  for (const rel of [...diff.written, ...diff.removed]) {
    const file = path.join(current, rel);
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (st === undefined) continue; // a new file
    if (!st.isFile()) {
      foreign.push(rel);
      continue;
    }
    const fd = fs.openSync(file, 'r');
    try {
      const n = fs.readSync(fd, head, 0, HEAD_BYTES, 0);
      if (!owns(rel, head.toString('utf8', 0, n))) foreign.push(rel);
    } finally {
      fs.closeSync(fd);
    }
  }
  if (foreign.length > 0) throw new ForeignTreeError(dir, foreign.sort(compare));
}

function assertDirectory(loc: TreeLocation, p: string): void {
  const st = fs.lstatSync(p);
  // Renaming a symlink would swap the link, not the tree it points to.
  const problem = st.isSymbolicLink() ? 'it is a symbolic link; write to the folder it points to instead' : !st.isDirectory() ? 'it exists and is not a directory' : null;
  if (problem !== null) throw new TreeWriteError({ dir: loc.dir, action: 'write the tree', path: p, reason: problem, tree: 'old' });
}

// ---------------------------------------------------------------------------------------------
// Input validation

interface DesiredFile {
  readonly rel: string;
  readonly data: Buffer;
}

function validateFiles(files: ReadonlyMap<string, string>): DesiredFile[] {
  const out: DesiredFile[] = [];
  const dirs = new Set<string>();
  for (const [rel, content] of files) {
    const problem = pathProblem(rel);
    if (problem !== null) throw new Error(`writeTree: invalid path ${JSON.stringify(rel)}: ${problem}`);
    if (typeof content !== 'string') throw new Error(`writeTree: content of ${rel} is not a string`);
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) dirs.add(rel.slice(0, i));
    out.push({ rel, data: Buffer.from(content, 'utf8') });
  }
  for (const { rel } of out) {
    if (dirs.has(rel)) throw new Error(`writeTree: invalid path ${JSON.stringify(rel)}: it is both a file and a directory`);
  }
  return out.sort((a, b) => compare(a.rel, b.rel));
}

function pathProblem(rel: unknown): string | null {
  if (typeof rel !== 'string' || rel === '') return 'empty';
  if (rel.includes('\\')) return 'backslashes are not allowed (use /)';
  if (rel.includes('\0')) return 'contains a NUL byte';
  if (rel.startsWith('/') || path.win32.isAbsolute(rel)) return 'must be relative';
  for (const seg of rel.split('/')) {
    if (seg === '') return 'empty path segment';
    if (seg === '.' || seg === '..') return `"${seg}" segments are not allowed`;
  }
  return null;
}

/** Code-unit order: locale-independent, so results are identical on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Diff

function planOf(current: string | null, diff: TreeDiff): TreePlan {
  return {
    existing: diff.existing,
    unchanged: diff.unchanged,
    read(rel) {
      if (current === null || !diff.existing.has(rel)) return undefined;
      try {
        return fs.readFileSync(path.join(current, rel), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

interface TreeDiff {
  /** Regular files of the current tree. */
  readonly existing: ReadonlySet<string>;
  readonly written: string[];
  readonly removed: string[];
  readonly unchanged: ReadonlySet<string>;
  /** True if `dir` already is exactly the desired tree: same files, same bytes, no strays. */
  readonly identical: boolean;
}

function toResult(diff: TreeDiff): TreeWriteResult {
  return { written: diff.written, removed: diff.removed, unchanged: diff.unchanged.size };
}

function diffTree(current: string | null, desired: readonly DesiredFile[]): TreeDiff {
  const existing = current === null ? { files: new Set<string>(), others: new Set<string>(), dirs: new Set<string>() } : scanTree(current);

  const written: string[] = [];
  const unchanged = new Set<string>();
  const wanted = new Set<string>();
  const neededDirs = new Set<string>();
  for (const { rel, data } of desired) {
    wanted.add(rel);
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) neededDirs.add(rel.slice(0, i));
    if (current !== null && existing.files.has(rel) && sameBytes(path.join(current, rel), data)) unchanged.add(rel);
    else written.push(rel);
  }

  const removed: string[] = [];
  for (const rel of existing.files) if (!wanted.has(rel)) removed.push(rel);
  // Symlinks, sockets and the like are never part of a desired tree: gone if unwanted, and replaced
  // by a regular file (already in `written`) if their path is wanted.
  for (const rel of existing.others) if (!wanted.has(rel)) removed.push(rel);
  removed.sort(compare);

  const strayDirs = [...existing.dirs].some((rel) => !neededDirs.has(rel));

  const identical = current !== null && written.length === 0 && removed.length === 0 && !strayDirs;
  return { existing: existing.files, written, removed, unchanged, identical };
}

interface TreeScan {
  /** Regular files. */
  readonly files: Set<string>;
  /** Anything else that is not a directory (symlinks, sockets, ...). */
  readonly others: Set<string>;
  /** Directories below the root. */
  readonly dirs: Set<string>;
}

function scanTree(root: string): TreeScan {
  const scan: TreeScan = { files: new Set(), others: new Set(), dirs: new Set() };
  const visit = (absDir: string, relDir: string): void => {
    for (const entry of fs.readdirSync(absDir, { withFileTypes: true })) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        scan.dirs.add(rel);
        visit(path.join(absDir, entry.name), rel);
      } else if (entry.isFile()) {
        scan.files.add(rel);
      } else {
        scan.others.add(rel);
      }
    }
  };
  visit(root, '');
  return scan;
}

/** Compares without reading files whose size already differs. */
function sameBytes(file: string, data: Buffer): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    if (fs.fstatSync(fd).size !== data.length) return false;
    const buf = Buffer.allocUnsafe(data.length);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) return false;
      off += n;
    }
    return buf.equals(data);
  } finally {
    fs.closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// Swap

function swapIn(loc: TreeLocation, current: string | null, desired: readonly DesiredFile[], diff: TreeDiff): void {
  const stagingName = `${loc.stagingPrefix}${process.pid}`;
  const staging = path.join(loc.parent, stagingName);

  // Until the journal exists, staging is a draft nobody reads: on failure it goes, and the live
  // tree was never touched.
  try {
    buildStaging(staging, current, desired, diff.unchanged);
  } catch (err) {
    throw failure(loc, 'build the new tree', err, 'old', discard(staging, 'the partial new tree'));
  }
  try {
    writeJournal(loc, stagingName, fs.statSync(staging).ino);
  } catch (err) {
    throw failure(loc, 'record the swap in its journal', err, 'old', abandon(loc, staging));
  }

  if (current !== null && exchangeDirectories(staging, loc.dir)) {
    // One atomic step: the live path now holds the new tree, the staging path the old one.
    finishSwap(loc, staging);
    return;
  }
  let movedAside = false;
  try {
    if (current !== null) {
      fs.renameSync(loc.dir, loc.backup);
      movedAside = true;
    }
    fs.renameSync(staging, loc.dir);
  } catch (err) {
    // Undo here rather than leave a committed journal: the next run would roll forward through
    // the same rename that just failed (EBUSY, EPERM, ...), and the caller expects the old tree.
    if (movedAside) {
      try {
        fs.renameSync(loc.backup, loc.dir);
      } catch (undo) {
        // The live path is empty. The journal names the complete new tree, so the next run's
        // recovery finishes the swap: the journal and the new tree must stay for it.
        throw failure(loc, 'swap in the new tree', err, 'interrupted', [
          { path: staging, what: 'the new tree', reason: 'complete, and named by the journal', fate: 'next-write-needs' },
          { path: loc.backup, what: 'the old tree', reason: `putting it back failed: ${reasonOf(undo)}`, fate: 'next-write-removes' },
          { path: loc.journal, what: 'the swap journal', reason: 'it names the new tree', fate: 'next-write-needs' },
        ]);
      }
    }
    throw failure(loc, 'swap in the new tree', err, 'old', abandon(loc, staging));
  }
  finishSwap(loc, current !== null ? loc.backup : null);
}

/** Takes back a swap that never moved the live tree: the journal first, then the staging tree. */
function abandon(loc: TreeLocation, staging: string): LeftBehind[] {
  // Without a journal, any staging tree is one the next recovery deletes.
  const left = [...discard(loc.journal, 'the swap journal'), ...discard(loc.journalTmp, 'the unfinished swap journal')];
  try {
    fsyncDir(loc.parent);
  } catch {
    // Not durable then; a journal that comes back after a power loss names a complete tree.
  }
  return [...left, ...discard(staging, 'the new tree')];
}

/**
 * The new tree is live: what remains is deleting the old one and the journal. A failure here
 * leaves the new tree in place and says so. The journal goes even then: recovery deletes an old
 * tree at the staging or backup path without one, so it would only make the next run repeat work.
 */
function finishSwap(loc: TreeLocation, oldTree: string | null): void {
  let first: { action: string; err: unknown } | undefined;
  const left: LeftBehind[] = [];
  try {
    fsyncDir(loc.parent);
  } catch (err) {
    first = { action: 'flush the swap to disk', err };
  }
  if (oldTree !== null) {
    try {
      removeTree(oldTree);
    } catch (err) {
      first ??= { action: 'remove the old tree', err };
      left.push({ path: oldTree, what: 'the old tree', reason: reasonOf(err), fate: 'by-hand' });
    }
  }
  try {
    fs.rmSync(loc.journal, { force: true });
  } catch (err) {
    first ??= { action: 'remove the swap journal', err };
    left.push({ path: loc.journal, what: 'the swap journal', reason: reasonOf(err), fate: 'next-write-removes' });
  }
  try {
    fsyncDir(loc.parent);
  } catch (err) {
    first ??= { action: 'flush the swap to disk', err };
  }
  if (first !== undefined) throw failure(loc, first.action, first.err, 'new', left);
}

function buildStaging(staging: string, current: string | null, desired: readonly DesiredFile[], unchanged: ReadonlySet<string>): void {
  // A same-pid leftover can only come from pid reuse after a crash; recovery normally removed it.
  removeTree(staging);
  fs.mkdirSync(staging);
  const made = new Set<string>(['']);
  const written: string[] = [];
  for (const { rel, data } of desired) {
    const slash = rel.lastIndexOf('/');
    const relDir = slash === -1 ? '' : rel.slice(0, slash);
    if (!made.has(relDir)) {
      fs.mkdirSync(path.join(staging, relDir), { recursive: true });
      for (let i = relDir.indexOf('/'); i !== -1; i = relDir.indexOf('/', i + 1)) made.add(relDir.slice(0, i));
      made.add(relDir);
    }
    const target = path.join(staging, rel);
    if (current !== null && unchanged.has(rel)) linkOrCopy(path.join(current, rel), target, data, written);
    else writeNewFile(target, data, written);
  }
  // The new entries must be on disk before the journal declares this tree complete.
  flushToDisk(staging, written, [...made].map((relDir) => path.join(staging, relDir)));
}

/** Above this many new files one filesystem-wide flush beats an fsync per file (~0.6 ms each). */
const SYNCFS_THRESHOLD = 32;

/**
 * Makes the given files and directories durable. Many files: one syncfs(2) of the staging
 * filesystem through coreutils `sync -f`; few, or where that is unavailable: fsync each.
 */
function flushToDisk(staging: string, files: readonly string[], dirs: readonly string[]): void {
  if (files.length > SYNCFS_THRESHOLD && process.platform === 'linux') {
    try {
      execFileSync('sync', ['-f', staging], { stdio: 'ignore', timeout: 120_000 });
      return;
    } catch {
      // No coreutils sync (or it failed): fall back to fsync, which is always correct.
    }
  }
  for (const file of files) fsyncPath(file);
  for (const dir of dirs) fsyncDir(dir);
}

/** Hard-links so unchanged files keep their inode and mtime; copies where links are unsupported. */
function linkOrCopy(from: string, to: string, data: Buffer, written: string[]): void {
  try {
    fs.linkSync(from, to);
  } catch (err) {
    const code = errorCode(err);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV' && code !== 'EMLINK' && code !== 'ENOSYS') throw err;
    writeNewFile(to, data, written);
  }
}

function writeNewFile(file: string, data: Buffer, written: string[]): void {
  try {
    fs.writeFileSync(file, data, { flag: 'wx' });
  } catch (err) {
    throw withPath(err, file);
  }
  written.push(file);
}

/** Errors of calls on a descriptor (write, fsync) name no path; the message must name the file. */
function withPath(err: unknown, file: string): unknown {
  if (typeof err === 'object' && err !== null && (err as { path?: unknown }).path === undefined) (err as { path?: string }).path = file;
  return err;
}

function fsyncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    throw withPath(err, file);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  // Windows cannot open directories for fsync; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** renameat2(2) system call numbers, for RENAME_EXCHANGE. */
const RENAMEAT2: Readonly<Record<string, number>> = { x64: 316, arm64: 276 };

/**
 * Swaps two directories in one atomic step with renameat2(RENAME_EXCHANGE), so that no moment
 * exists without a live tree. Node has no binding for it; perl, part of every Debian base system,
 * makes the system call. Returns false where that cannot be done (another OS or architecture, no
 * perl, a filesystem without the flag), and the caller falls back to two renames.
 */
function exchangeDirectories(a: string, b: string): boolean {
  const nr = RENAMEAT2[process.arch];
  if (process.platform !== 'linux' || nr === undefined) return false;
  const script = `exit(syscall(${nr}, -100, $ARGV[0], -100, $ARGV[1], 2) == 0 ? 0 : 1)`;
  const run = spawnSync('perl', ['-e', script, a, b], { stdio: 'ignore', timeout: 10_000 });
  return run.status === 0;
}

function writeJournal(loc: TreeLocation, stagingName: string, ino: number): void {
  // Written aside and renamed in, so the journal either does not exist or is complete. The
  // staging directory's inode survives renames: it tells recovery which path holds the new tree.
  const fd = fs.openSync(loc.journalTmp, 'w');
  try {
    fs.writeFileSync(fd, `${JSON.stringify({ staging: stagingName, ino })}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(loc.journalTmp, loc.journal);
  fsyncDir(loc.parent);
}

// ---------------------------------------------------------------------------------------------
// Recovery

interface SwapState {
  readonly dirExists: boolean;
  readonly backupExists: boolean;
  /** Names (not paths) of all staging directories in the parent. */
  readonly stagings: readonly string[];
  /** Staging name recorded in the journal, or null when there is no journal. */
  readonly committed: string | null;
  /** Inode of the committed staging directory, when the journal records it. */
  readonly committedIno: number | null;
  readonly journalTmpExists: boolean;
}

function inspect(loc: TreeLocation): SwapState {
  const names = fs.readdirSync(loc.parent);
  const has = (p: string) => names.includes(path.basename(p));
  const journalExists = has(loc.journal);
  const journal = journalExists ? readJournal(loc) : null;
  return {
    dirExists: names.includes(loc.base),
    backupExists: has(loc.backup),
    stagings: names.filter((n) => n.startsWith(loc.stagingPrefix)).sort(compare),
    committed: journal?.staging ?? null,
    committedIno: journal?.ino ?? null,
    journalTmpExists: has(loc.journalTmp),
  };
}

function readJournal(loc: TreeLocation): { staging: string; ino: number | null } {
  const raw = fs.readFileSync(loc.journal, 'utf8');
  let staging: unknown;
  let ino: unknown;
  try {
    ({ staging, ino } = JSON.parse(raw) as { staging?: unknown; ino?: unknown });
  } catch {
    staging = undefined;
  }
  if (typeof staging !== 'string' || !staging.startsWith(loc.stagingPrefix) || staging.includes('/') || staging.includes('\\')) {
    // The journal is only ever renamed in complete, so this is outside damage: guessing could drop
    // the newer or the older tree, so leave the decision to a person.
    throw new TreeWriteError({
      dir: loc.dir,
      action: 'finish an interrupted earlier write',
      path: loc.journal,
      reason:
        `this journal of an interrupted swap is unreadable; inspect ${loc.dir}, ${loc.backup} and any ${loc.stagingPrefix}* ` +
        'directory next to it, keep the right one as the tree, then delete the journal',
      tree: 'old',
    });
  }
  return { staging, ino: typeof ino === 'number' ? ino : null };
}

/** The directory that holds the live tree once {@link recover} has run, or null if there is none. */
function liveTreeAfterRecovery(loc: TreeLocation, state: SwapState): string | null {
  // Exchanged already: the live path holds the committed tree, the staging path the old one.
  if (state.committedIno !== null && state.dirExists && fs.statSync(loc.dir).ino === state.committedIno) return loc.dir;
  if (state.committed !== null && state.stagings.includes(state.committed)) return path.join(loc.parent, state.committed);
  if (state.dirExists) return loc.dir;
  if (state.backupExists) return loc.backup;
  return null;
}

function recover(loc: TreeLocation): void {
  // How far this recovery got, for what a failure says the tree is.
  let tree: TreeState = 'old';
  try {
    const state = inspect(loc);
    if (state.committed === null && state.stagings.length === 0 && !state.backupExists && !state.journalTmpExists) return;

    const live = liveTreeAfterRecovery(loc, state);
    if (live !== null && live !== loc.dir && state.dirExists && exchangeDirectories(live, loc.dir)) {
      // Rolled forward atomically; the old tree now sits at the staging path, removed below.
      tree = 'recovered';
      fsyncDir(loc.parent);
    } else if (live !== null && live !== loc.dir) {
      if (state.dirExists) {
        // Journal committed but the old tree was not yet moved aside: do that first. A backup seen
        // here is older still (left by a recovery that died before its cleanup) and can go.
        removeTree(loc.backup);
        fs.renameSync(loc.dir, loc.backup);
        tree = 'interrupted';
      }
      fs.renameSync(live, loc.dir);
      tree = 'recovered';
      fsyncDir(loc.parent);
    }

    for (const name of state.stagings) removeTree(path.join(loc.parent, name));
    removeTree(loc.backup);
    fs.rmSync(loc.journalTmp, { force: true });
    // Last, so that a crash during the cleanup above still finds the journal and repeats this.
    fs.rmSync(loc.journal, { force: true });
    fsyncDir(loc.parent);
  } catch (err) {
    if (err instanceof TreeWriteError || (tree === 'old' && errorCode(err) === undefined)) throw err;
    throw new TreeWriteError({ dir: loc.dir, action: 'clean up after an earlier write', tree, leftBehind: leftoversBeside(loc, err), cause: err });
  }
}

/** The swap files recovery could not clear, for the message of its failure. */
function leftoversBeside(loc: TreeLocation, err: unknown): LeftBehind[] {
  let names: string[];
  try {
    names = fs.readdirSync(loc.parent);
  } catch {
    return [];
  }
  const journal = path.basename(loc.journal);
  const journalTmp = path.basename(loc.journalTmp);
  const lasting = ['EACCES', 'EPERM', 'EROFS'].includes(errorCode(err) ?? '');
  const fate = lasting ? 'by-hand' : 'next-write-removes';
  const left: LeftBehind[] = [];
  for (const n of [...names].sort(compare)) {
    const p = path.join(loc.parent, n);
    if (n === journal) left.push({ path: p, what: 'the swap journal', reason: 'recovery still needs it', fate: 'next-write-needs' });
    else if (n === journalTmp) left.push({ path: p, what: 'an unfinished swap journal', reason: reasonOf(err), fate });
    else if (n === path.basename(loc.backup) || n.startsWith(loc.stagingPrefix)) {
      left.push({ path: p, what: "an earlier write's old or unfinished tree", reason: reasonOf(err), fate });
    }
  }
  return left;
}
