/**
 * The one error the tree writer throws when the filesystem refuses it (no space, no permission, a
 * read-only mount, an immutable file, a symlink where the tree should be): what it could not do,
 * on which path, why in words, and what state it left the tree in.
 */

/**
 * What the tree is after the failed write.
 *
 * - `old`: exactly as it was before this write (or still absent).
 * - `new`: exactly the new tree; only the cleanup after the swap failed.
 * - `recovered`: the tree an earlier, interrupted write had completed; this write changed nothing else.
 * - `interrupted`: the swap stopped between its two renames; the live path holds no tree, and the
 *   journal beside it lets the next write finish the swap.
 */
export type TreeState = 'old' | 'new' | 'recovered' | 'interrupted';

/** Something the failed write could not clean up beside the tree. */
export interface LeftBehind {
  /** Absolute path of what is left. */
  readonly path: string;
  /** What it is, as a noun phrase: `the old tree`, `the partial new tree`, `the swap journal`. */
  readonly what: string;
  /** Why it is left, in words (see {@link describeErrorCode}). */
  readonly reason: string;
  /**
   * What becomes of it: `next-write-removes` when the next write's recovery deletes it,
   * `next-write-needs` when that recovery needs it (a journal: it must not be deleted), `by-hand`
   * when a person must remove it (the recovery would fail the same way).
   */
  readonly fate: 'next-write-removes' | 'next-write-needs' | 'by-hand';
}

export interface TreeWriteErrorProps {
  /** The tree (or folder) being written. */
  readonly dir: string;
  /** What could not be done, as a verb phrase: `take the lock on <dir>`, `build the new tree`. */
  readonly action: string;
  /** The path the operation failed on. @default dir */
  readonly path?: string;
  /** The errno code (`ENOSPC`, `EACCES`, ...), when the failure came from a system call. */
  readonly code?: string;
  /** Why, in words. @default - the errno code in words, or the message of `cause` */
  readonly reason?: string;
  /** What the tree is now. */
  readonly tree: TreeState;
  /** What the write could not clean up beside the tree. @default [] */
  readonly leftBehind?: readonly LeftBehind[];
  /** The error that stopped the write. */
  readonly cause?: unknown;
}

/**
 * A write of the tree failed. The message is one line: `cannot <action>: <path>: <reason>`; what
 * the tree is now (and what is left beside it) is {@link TreeWriteError.outcome}.
 */
export class TreeWriteError extends Error {
  /** The tree (or folder) being written. */
  readonly dir: string;
  /** What could not be done. */
  readonly action: string;
  /** The path the operation failed on. */
  readonly path: string;
  /** The errno code, when a system call failed. */
  readonly code: string | undefined;
  /** Why, in words. */
  readonly reason: string;
  /** What the tree is now. */
  readonly tree: TreeState;
  /** What is left beside the tree, and what becomes of it. */
  readonly leftBehind: readonly LeftBehind[];

  constructor(props: TreeWriteErrorProps) {
    const code = props.code ?? errorCode(props.cause);
    const reason = props.reason ?? (code !== undefined ? describeErrorCode(code) : messageOf(props.cause));
    const at = props.path ?? errorPath(props.cause) ?? props.dir;
    super(`cannot ${props.action}: ${at}: ${reason}`, props.cause === undefined ? undefined : { cause: props.cause });
    this.name = 'TreeWriteError';
    this.dir = props.dir;
    this.action = props.action;
    this.path = at;
    this.code = code;
    this.reason = reason;
    this.tree = props.tree;
    this.leftBehind = props.leftBehind ?? [];
  }

  /**
   * The state of the tree in one sentence, naming it by `label` (how the user knows it, e.g.
   * `gitops/`): `nothing written; gitops/ is unchanged`, or `gitops/ now holds the new tree; the
   * old tree is left at <path>: <reason>; remove it by hand`.
   */
  outcome(label: string): string {
    const head: Record<TreeState, string> = {
      old: `nothing written; ${label} is unchanged`,
      new: `${label} now holds the new tree`,
      recovered: `${label} now holds the tree an interrupted earlier write had completed; nothing else was written`,
      interrupted: `${label} is between the two renames of a swap and holds no tree`,
    };
    return [head[this.tree], ...this.leftBehind.map(describeLeftBehind)].join('; ');
  }

  /** What is left beside the tree, as clauses for a sentence about it; empty when nothing is. */
  leftBehindNote(): string {
    return this.leftBehind.map(describeLeftBehind).join('; ');
  }
}

const FATE: Readonly<Record<LeftBehind['fate'], string>> = {
  'next-write-removes': 'the next synth removes it',
  'next-write-needs': 'keep it: the next synth needs it to finish the swap',
  'by-hand': 'remove it by hand',
};

function describeLeftBehind(left: LeftBehind): string {
  // A colon, not parentheses: the reason may hold some of its own.
  return `${left.what} is left at ${left.path}: ${left.reason}; ${FATE[left.fate]}`;
}

/** Words for the errno codes a write can meet; each says what a person can check. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted (immutable file? see lsattr)',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EBUSY: 'device or resource busy (a mount point?)',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  EXDEV: 'on another filesystem',
  EMLINK: 'too many links',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOMEM: 'out of memory',
  ETXTBSY: 'text file busy',
  EFBIG: 'file too large',
  EINVAL: 'invalid argument',
};

/** `ENOSPC` → `no space left on device`; an unlisted code is shown as it is. */
export function describeErrorCode(code: string): string {
  return ERRNO_WORDS[code] ?? code;
}

/** Duck-typed: `instanceof Error` is false for errors from another realm (vm contexts, test runners). */
export function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function errorPath(err: unknown): string | undefined {
  const p = typeof err === 'object' && err !== null ? (err as { path?: unknown }).path : undefined;
  return typeof p === 'string' ? p : undefined;
}

/** The first line only: the error is printed as one line. */
function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : err === undefined ? 'failed' : String(err);
  return text.split('\n', 1)[0]!;
}
