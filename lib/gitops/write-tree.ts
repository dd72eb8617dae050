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
 *   <parent>/.<base>.lock              held by the process writing the tree
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
import { execFileSync, spawnSync } from '../runtime/lazy-child-process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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
 * Takes the tree's lock, finishes or rolls back any interrupted earlier swap, then either leaves the
 * tree alone (nothing differs) or replaces it atomically. Invalid paths throw before anything on
 * disk changes.
 */
export function writeTree(dir: string, files: ReadonlyMap<string, string>, options: WriteTreeOptions = {}): TreeWriteResult {
  const desired = validateFiles(files);
  const loc = locate(dir);

  if (options.dryRun) {
    // Read the tree recovery would leave behind, so a dry run after a crash reports what a real
    // run would do.
    const current = fs.existsSync(loc.parent) ? liveTreeAfterRecovery(loc, inspect(loc)) : null;
    if (current !== null) assertDirectory(current);
    const diff = diffTree(current, desired);
    if (current !== null && options.owns) assertOwned(dir, current, diff, options.owns);
    return toResult(diff);
  }

  fs.mkdirSync(loc.parent, { recursive: true });
  const release = acquireLock(dir);
  try {
    recover(loc);
    const current = fs.existsSync(loc.dir) ? loc.dir : null;
    if (current !== null) assertDirectory(current);
    const diff = diffTree(current, desired);
    if (current !== null && options.owns) assertOwned(dir, current, diff, options.owns);
    if (!diff.identical) swapIn(loc, current, desired, diff);
    return toResult(diff);
  } finally {
    release();
  }
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

/**
 * Takes the exclusive lock on `dir` (`<parent>/.<base>.lock`) and returns its release function.
 *
 * Throws if another live process holds it. A lock left behind by a process that no longer exists
 * is taken over. The release function is idempotent and only removes the lock if it is still ours.
 */
export function acquireLock(dir: string): () => void {
  const loc = locate(dir);
  const token = `${JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() })}\n`;

  let holder: LockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreateLock(loc.lock, token)) return releaser(loc.lock, token);
    holder = readSettledLock(loc.lock);
    if (holder === null) continue; // released between our two looks
    if (isHolderAlive(holder)) throw lockBusyError(loc, holder);
    breakStaleLock(loc, holder);
  }
  // Only reachable if other processes keep taking the lock as fast as we free stale ones.
  throw lockBusyError(loc, holder);
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
  readonly lock: string;
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
    lock: sibling('lock'),
  };
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

function assertDirectory(p: string): void {
  const st = fs.lstatSync(p);
  // Renaming a symlink would swap the link, not the tree it points to.
  if (st.isSymbolicLink()) throw new Error(`writeTree: ${p} is a symbolic link; pass the real directory`);
  if (!st.isDirectory()) throw new Error(`writeTree: ${p} exists and is not a directory`);
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

interface TreeDiff {
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
  return { written, removed, unchanged, identical };
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
  try {
    buildStaging(staging, current, desired, diff.unchanged);
    writeJournal(loc, stagingName, fs.statSync(staging).ino);
    if (current !== null && exchangeDirectories(staging, loc.dir)) {
      // One atomic step: the live path now holds the new tree, the staging path the old one.
      fsyncDir(loc.parent);
      fs.rmSync(staging, { recursive: true, force: true });
      fs.unlinkSync(loc.journal);
      fsyncDir(loc.parent);
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
      if (movedAside) fs.renameSync(loc.backup, loc.dir);
      fs.unlinkSync(loc.journal);
      fsyncDir(loc.parent);
      throw err;
    }
    fsyncDir(loc.parent);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  fs.rmSync(loc.backup, { recursive: true, force: true });
  fs.unlinkSync(loc.journal);
  fsyncDir(loc.parent);
}

function buildStaging(staging: string, current: string | null, desired: readonly DesiredFile[], unchanged: ReadonlySet<string>): void {
  // A same-pid leftover can only come from pid reuse after a crash; recovery normally removed it.
  fs.rmSync(staging, { recursive: true, force: true });
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
  fs.writeFileSync(file, data, { flag: 'wx' });
  written.push(file);
}

function fsyncPath(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
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
    throw new Error(
      `writeTree: swap journal ${loc.journal} is unreadable; inspect ${loc.dir}, ${loc.backup} and any ${loc.stagingPrefix}* ` +
        'directory next to it, keep the right one as the tree, then delete the journal',
    );
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
  const state = inspect(loc);
  if (state.committed === null && state.stagings.length === 0 && !state.backupExists && !state.journalTmpExists) return;

  const live = liveTreeAfterRecovery(loc, state);
  if (live !== null && live !== loc.dir && state.dirExists && exchangeDirectories(live, loc.dir)) {
    // Rolled forward atomically; the old tree now sits at the staging path, removed below.
    fsyncDir(loc.parent);
  } else if (live !== null && live !== loc.dir) {
    if (state.dirExists) {
      // Journal committed but the old tree was not yet moved aside: do that first. A backup seen
      // here is older still (left by a recovery that died before its cleanup) and can go.
      fs.rmSync(loc.backup, { recursive: true, force: true });
      fs.renameSync(loc.dir, loc.backup);
    }
    fs.renameSync(live, loc.dir);
    fsyncDir(loc.parent);
  }

  for (const name of state.stagings) fs.rmSync(path.join(loc.parent, name), { recursive: true, force: true });
  fs.rmSync(loc.backup, { recursive: true, force: true });
  fs.rmSync(loc.journalTmp, { force: true });
  // Last, so that a crash during the cleanup above still finds the journal and repeats this.
  fs.rmSync(loc.journal, { force: true });
  fsyncDir(loc.parent);
}

// ---------------------------------------------------------------------------------------------
// Lock

interface LockHolder {
  /** Exact file content, to tell this lock apart from a newer one at the same path. */
  readonly raw: string;
  readonly pid: number | null;
  readonly host: string | null;
  readonly startedAt: string | null;
  readonly mtimeMs: number;
}

/**
 * How long a lock without a readable pid is given for its owner to write one. The owner fills the
 * file right after creating it, so this only runs out when the owner died in between (or the file
 * was damaged); generous, because taking over from a stalled owner would let two writers in.
 */
const UNREADABLE_LOCK_GRACE_MS = 5_000;
const LOCK_POLL_MS = 25;

function tryCreateLock(lockPath: string, token: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lockPath, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeFileSync(fd, token);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(lockPath, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return true;
}

function releaser(lockPath: string, token: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    // Someone may have removed our lock by hand and another synth taken it; that one is not ours.
    if (readLock(lockPath)?.raw === token) fs.rmSync(lockPath, { force: true });
  };
}

function readLock(lockPath: string): LockHolder | null {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
    mtimeMs = fs.statSync(lockPath).mtimeMs;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  let parsed: { pid?: unknown; host?: unknown; startedAt?: unknown } = {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === 'object') parsed = value;
  } catch {
    // Unreadable content is handled by the grace period in readSettledLock.
  }
  const pid = typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed.pid : null;
  return {
    raw,
    pid,
    host: typeof parsed.host === 'string' ? parsed.host : null,
    startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : null,
    mtimeMs,
  };
}

/**
 * Reads the lock, waiting while it has no pid yet: the owner creates the file and then writes it,
 * so a fresh empty lock is almost always one caught in between, and its pid is what decides.
 */
function readSettledLock(lockPath: string): LockHolder | null {
  for (;;) {
    const holder = readLock(lockPath);
    if (holder === null || holder.pid !== null || Date.now() - holder.mtimeMs >= UNREADABLE_LOCK_GRACE_MS) return holder;
    sleep(LOCK_POLL_MS);
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isHolderAlive(holder: LockHolder): boolean {
  // Still without a pid after the grace period: its owner died before writing it.
  if (holder.pid === null) return false;
  // A pid from another machine (shared volume) cannot be checked here.
  if (holder.host !== null && holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) !== 'ESRCH';
  }
}

/**
 * Removes a lock whose owner is gone, without removing a fresh lock that a concurrent process may
 * have created in its place since we read it: the file is moved aside atomically and only deleted
 * if it is still the one we judged stale.
 */
function breakStaleLock(loc: TreeLocation, stale: LockHolder): void {
  const aside = `${loc.lock}.stale-${process.pid}`;
  try {
    fs.renameSync(loc.lock, aside);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return; // another process cleared it first
    throw err;
  }
  const moved = readLock(aside);
  if (moved === null || moved.raw === stale.raw) {
    fs.rmSync(aside, { force: true });
    return;
  }
  // We moved a live lock another process took a moment ago: put it back and yield to it.
  try {
    fs.linkSync(aside, loc.lock);
  } finally {
    fs.rmSync(aside, { force: true });
  }
  throw lockBusyError(loc, moved);
}

/** Another process holds the lock of the tree (or folder) this one wanted to write. */
export class TreeLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeLockedError';
  }
}

function lockBusyError(loc: TreeLocation, holder: LockHolder | null): Error {
  let who = holder?.pid ? `pid ${holder.pid}` : 'pid unknown';
  if (holder?.host && holder.host !== os.hostname()) who += ` on ${holder.host}`;
  const since = holder?.startedAt ? ` since ${holder.startedAt}` : '';
  return new TreeLockedError(
    `Another synth (${who}) is writing ${loc.dir}${since}. Retry when it has finished, ` +
      `or remove the lock file ${loc.lock} if that process is gone.`,
  );
}

/** Duck-typed: `instanceof Error` is false for errors from another realm (vm contexts, test runners). */
function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
