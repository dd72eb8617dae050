import * as path from 'node:path';
import { ConfigError } from '../environment/config-error';
import { GitError } from '../git/git';
import { RemovalRefusedError } from '../gitops/removal-guard';
import { TreeLockedError } from '../gitops/tree-lock';
import { TreeWriteError } from '../gitops/tree-write-error';
import { ForeignTreeError } from '../gitops/write-tree';
import { SynthError, ValidationError } from '../validation/validation-error';
import { PipelineError } from './pipeline-error';

/**
 * Whether a failure is one its user caused or can act on (bad input, a refused tree, a held lock,
 * a failed git command, a full, read-only or locked-down filesystem): its message says all, and a
 * stack would only bury it.
 */
export function isUserFacing(e: unknown): e is Error {
  return (
    e instanceof PipelineError ||
    e instanceof GitError ||
    e instanceof ConfigError ||
    e instanceof SynthError ||
    e instanceof ValidationError ||
    e instanceof RemovalRefusedError ||
    e instanceof ForeignTreeError ||
    e instanceof TreeLockedError ||
    e instanceof TreeWriteError
  );
}

/**
 * What a pipeline command prints when it fails: the message alone for the failures its user
 * caused and can fix ({@link isUserFacing}), the stack for anything else, which is a bug worth the
 * full trace.
 */
export function describeFailure(e: unknown): string {
  if (isUserFacing(e)) return e.message;
  return (e as Error)?.stack ?? String(e);
}

/**
 * Prints a pipeline command's failure and what it left as it was (`<command>: <untouched>`); exit
 * status 1. When the tree writer reports that the tree did change (the new tree is in place and
 * only its cleanup failed) or that it left files beside it, the line says that instead.
 */
export function reportFailure(command: string, e: unknown, untouched: string): 1 {
  console.error(describeFailure(e));
  console.error(`${command}: ${afterFailure(e, untouched)}`);
  return 1;
}

function afterFailure(e: unknown, untouched: string): string {
  if (!(e instanceof TreeWriteError)) return untouched;
  if (e.tree !== 'old') return e.outcome(`${path.relative(process.cwd(), e.dir) || '.'}/`);
  const note = e.leftBehindNote();
  return note === '' ? untouched : `${untouched}; ${note}`;
}
