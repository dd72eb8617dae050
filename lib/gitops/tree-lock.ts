/**
 * The lock that lets one process at a time write a tree (or edit a folder): a file
 * `<parent>/.<base>.lock` created exclusively, holding its owner's pid, host, start time and the
 * kernel's start time of that pid.
 *
 * A second process waits for the holder, bounded, and takes over a lock whose holder no longer
 * runs: gone, a zombie, or a pid the kernel has since given to another process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errorCode, TreeWriteError } from './tree-write-error';

/** Environment variable: how many seconds to wait for a lock held by a live process. */
export const LOCK_WAIT_VARIABLE = 'GITOPS_LOCK_WAIT_SECONDS';

/** Wait for a live holder when {@link LOCK_WAIT_VARIABLE} is unset: longer than any synth takes. */
export const DEFAULT_LOCK_WAIT_SECONDS = 120;

export interface AcquireLockOptions {
  /**
   * Longest wait for a lock held by a live process, in milliseconds; 0 refuses at once.
   * @default - `GITOPS_LOCK_WAIT_SECONDS` × 1000, else 120 s
   */
  readonly waitMs?: number;
  /**
   * Told, once, when the lock is found held and the wait starts, with a line saying for whom and
   * for which lock.
   * @default - the line is written to stderr
   */
  readonly onWait?: (line: string) => void;
}

/** The lock could not be had: held by a live process for longer than the wait, or misused. */
export class TreeLockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeLockedError';
  }
}

/** Path of the lock of `dir`: `<parent>/.<base>.lock`, beside the tree rather than in it. */
export function lockFileOf(dir: string): string {
  const abs = path.resolve(dir);
  return path.join(path.dirname(abs), `.${path.basename(abs)}.lock`);
}

/**
 * Takes the exclusive lock on `dir` (`<parent>/.<base>.lock`) and returns its release function.
 *
 * While another live process holds it, waits for it (polling, backing off to
 * {@link MAX_POLL_MS}), up to `options.waitMs`, by default the seconds in the environment
 * variable `GITOPS_LOCK_WAIT_SECONDS`, else 120 s; says once, through `options.onWait`, that it
 * waits and for which pid; then throws {@link TreeLockedError} naming the lock file, its holder
 * and the time waited. A lock whose holder has exited, is a zombie (Linux `/proc/<pid>/stat`
 * state Z or X), or whose pid now belongs to a process started at another time, is taken over at
 * once. The release function is idempotent and only removes the lock if it is still ours.
 *
 * This is not `proper-lockfile`: that judges a lock stale by the age of its mtime, so a dead
 * holder blocks everyone for the whole stale period and a live one stalled past it loses its
 * lock, and its synchronous API cannot wait.
 *
 * Filesystem failures (no permission, a read-only or full filesystem) throw {@link TreeWriteError}.
 */
export function acquireLock(dir: string, options: AcquireLockOptions = {}): () => void {
  const abs = path.resolve(dir);
  const lock = lockFileOf(abs);
  const token = `${JSON.stringify({
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    processStart: ownProcessStart(),
  })}\n`;

  let waitMs = options.waitMs;
  let waitStarted: number | undefined;
  let pollMs = FIRST_POLL_MS;
  for (;;) {
    if (tryCreateLock(abs, lock, token)) return releaser(lock, token);
    const holder = readSettledLock(abs, lock);
    if (holder === null) continue; // released between our two looks
    if (isOwnLock(holder)) {
      // A process cannot wait for itself: nothing would ever release the lock.
      throw new TreeLockedError(`${lock}: this process (pid ${process.pid}) already holds the lock on ${abs}`);
    }
    if (!isHolderAlive(holder)) {
      breakStaleLock(abs, lock, holder);
      continue;
    }
    const now = Date.now();
    if (waitStarted === undefined) {
      waitStarted = now;
      waitMs ??= lockWaitMs();
      if (waitMs > 0) (options.onWait ?? printLine)(`waiting for ${describeHolder(holder)} to release ${lock} (up to ${seconds(waitMs)}, see ${LOCK_WAIT_VARIABLE})`);
    }
    const waited = now - waitStarted;
    if (waited >= waitMs!) {
      throw new TreeLockedError(
        `timed out after ${seconds(waited)} waiting for the lock ${lock}, held by ${describeHolder(holder)}: ` +
          `retry when that process has finished, or delete the lock file if it is gone (${LOCK_WAIT_VARIABLE} sets the wait)`,
      );
    }
    sleep(Math.min(pollMs, waitMs! - waited));
    pollMs = Math.min(MAX_POLL_MS, pollMs * 2);
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting

/** First pause between looks at a held lock; doubled up to {@link MAX_POLL_MS}. */
const FIRST_POLL_MS = 25;
/** Longest pause between looks: a waiter starts at most this long after the holder is done. */
export const MAX_POLL_MS = 250;

/** The wait from {@link LOCK_WAIT_VARIABLE}, read when a wait starts so a test or a caller can set it. */
function lockWaitMs(): number {
  const raw = process.env[LOCK_WAIT_VARIABLE];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LOCK_WAIT_SECONDS * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new TreeLockedError(`${LOCK_WAIT_VARIABLE}=${JSON.stringify(raw)}: expected the seconds to wait for a lock, a number ≥ 0`);
  }
  return value * 1000;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function printLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

function describeHolder(holder: LockHolder): string {
  let who = holder.pid !== null ? `pid ${holder.pid}` : 'a process of unknown pid';
  if (holder.host !== null && holder.host !== os.hostname()) who += ` on ${holder.host}`;
  return `${who} (holding it since ${holder.startedAt ?? 'an unknown time'})`;
}

/** Blocks the thread without spinning: the writer is synchronous from its lock to its release. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, ms));
}

// ---------------------------------------------------------------------------------------------
// The lock file

interface LockHolder {
  /** Exact file content, to tell this lock apart from a newer one at the same path. */
  readonly raw: string;
  readonly pid: number | null;
  readonly host: string | null;
  readonly startedAt: string | null;
  /** The holder's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), if recorded. */
  readonly processStart: number | null;
  readonly mtimeMs: number;
}

/**
 * How long a lock without a readable pid is given for its owner to write one. The owner fills the
 * file right after creating it, so this only runs out when the owner died in between (or the file
 * was damaged); generous, because taking over from a stalled owner would let two writers in.
 */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

function tryCreateLock(dir: string, lock: string, token: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lock, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw lockError(dir, lock, err);
  }
  try {
    fs.writeFileSync(fd, token);
  } catch (err) {
    fs.closeSync(fd);
    try {
      // An empty lock would make every other process wait out the grace period.
      fs.rmSync(lock, { force: true });
    } catch {
      // Then it does: the grace period exists for exactly this.
    }
    throw lockError(dir, lock, err);
  }
  fs.closeSync(fd);
  return true;
}

function lockError(dir: string, lock: string, cause: unknown): TreeWriteError {
  return new TreeWriteError({ dir, action: `take the lock on ${dir}`, path: lock, tree: 'old', cause });
}

function releaser(lock: string, token: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      // Someone may have removed our lock by hand and another process taken it; that one is not ours.
      if (readLock(lock)?.raw === token) fs.rmSync(lock, { force: true });
    } catch {
      // A lock we cannot remove names this process, which is gone once it exits: the next run
      // takes it over. Throwing here would hide the outcome of the write the lock protected.
    }
  };
}

/** The lock's content, or null if there is none; throws what `fs` throws. */
function readLock(lock: string): LockHolder | null {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = fs.readFileSync(lock, 'utf8');
    mtimeMs = fs.statSync(lock).mtimeMs;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  let parsed: { pid?: unknown; host?: unknown; startedAt?: unknown; processStart?: unknown } = {};
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
    processStart: typeof parsed.processStart === 'number' && Number.isInteger(parsed.processStart) ? parsed.processStart : null,
    mtimeMs,
  };
}

/**
 * Reads the lock, waiting while it has no pid yet: the owner creates the file and then writes it,
 * so a fresh empty lock is almost always one caught in between, and its pid is what decides.
 */
function readSettledLock(dir: string, lock: string): LockHolder | null {
  for (;;) {
    let holder: LockHolder | null;
    try {
      holder = readLock(lock);
    } catch (err) {
      throw new TreeWriteError({ dir, action: `read the lock on ${dir}`, path: lock, tree: 'old', cause: err });
    }
    if (holder === null || holder.pid !== null || Date.now() - holder.mtimeMs >= UNREADABLE_LOCK_GRACE_MS) return holder;
    sleep(FIRST_POLL_MS);
  }
}

// ---------------------------------------------------------------------------------------------
// Is the holder still running?

function isOwnLock(holder: LockHolder): boolean {
  if (holder.pid !== process.pid) return false;
  if (holder.host !== null && holder.host !== os.hostname()) return false;
  // Same pid, other start time: an earlier process that had this pid left it; stale, not ours.
  const own = ownProcessStart();
  return holder.processStart === null || own === null || holder.processStart === own;
}

function isHolderAlive(holder: LockHolder): boolean {
  // Still without a pid after the grace period: its owner died before writing it.
  if (holder.pid === null) return false;
  // A pid from another machine (shared volume) cannot be checked here.
  if (holder.host !== null && holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: it exists, as another user's process.
    if (errorCode(err) === 'ESRCH') return false;
  }
  // kill(pid, 0) also succeeds for a zombie, which has exited but not been reaped by its parent,
  // and for an unrelated process that was given the same pid since.
  const stat = readProcessStat(holder.pid);
  if (stat === null) return true; // no /proc, or hidden from us: all we know is that the pid exists
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
  return holder.processStart === null || stat.start === holder.processStart;
}

interface ProcessStat {
  /** One-letter state (field 3): R, S, D, Z (zombie), X (dead), ... */
  readonly state: string;
  /** Start time in clock ticks since boot (field 22): with the pid, it names one process. */
  readonly start: number;
}

/** Reads `/proc/<pid>/stat`; null where there is no procfs or the entry cannot be read. */
function readProcessStat(pid: number | 'self'): ProcessStat | null {
  if (process.platform !== 'linux') return null;
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 is the command name in parentheses, which may itself hold spaces and parentheses:
  // the fields after it start after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = Number(rest[19]);
  if (rest[0] === undefined || !Number.isInteger(start)) return null;
  return { state: rest[0], start };
}

let ownStart: number | null | undefined;

function ownProcessStart(): number | null {
  if (ownStart === undefined) ownStart = readProcessStat('self')?.start ?? null;
  return ownStart;
}

/**
 * Removes a lock whose owner is gone, without removing a fresh lock that a concurrent process may
 * have created in its place since we read it: the file is moved aside atomically and only deleted
 * if it is still the one we judged stale; a fresh one is put back, and waited for like any other.
 */
function breakStaleLock(dir: string, lock: string, stale: LockHolder): void {
  const aside = `${lock}.stale-${process.pid}`;
  try {
    try {
      fs.renameSync(lock, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return; // another process cleared it first
      throw err;
    }
    const moved = readLock(aside);
    if (moved === null || moved.raw === stale.raw) {
      fs.rmSync(aside, { force: true });
      return;
    }
    // We moved a live lock another process took a moment ago: put it back.
    try {
      fs.linkSync(aside, lock);
    } catch (err) {
      // A third process has taken the free path meanwhile; the lock it made is the one to wait for.
      if (errorCode(err) !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(aside, { force: true });
    }
  } catch (err) {
    throw new TreeWriteError({ dir, action: `take over the stale lock on ${dir}`, path: lock, tree: 'old', cause: err });
  }
}
