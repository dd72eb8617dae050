/**
 * What a command's exit status means, the same in every command (docs/exit-statuses.md is the
 * table people read; test/cli-exit-statuses.test.ts holds the two together).
 */
export const EXIT = {
  /** Done: the command did what it was asked, or found nothing wrong. */
  ok: 0,
  /**
   * The input or the tree is wrong, or the check failed: a bad or unknown environment, an unknown
   * revision or folder, a tree with problems or that does not read, a stale tree, a refused
   * change, a failed bucket check, a message not delivered with --strict.
   */
  failed: 1,
  /** The command line is wrong: an unknown or missing option, a bad option value, too many arguments. */
  usage: 2,
  /** The command could not do its work for a reason that is not the input: a bug (its stack is printed). */
  internal: 3,
} as const;

export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

/** One line per status, as docs/exit-statuses.md states them. */
export const EXIT_MEANINGS: Readonly<Record<ExitStatus, string>> = {
  0: 'success',
  1: 'the input or the tree is wrong, or the check failed',
  2: 'bad command-line usage',
  3: 'internal error',
};
