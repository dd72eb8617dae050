/**
 * Commits the environment files and the synthesized tree, and pushes them to the branch Argo CD
 * follows.
 *
 * Several pipelines publish to the same branch (one per application, plus promotions and
 * rollbacks), so losing a push race is normal. The loser fetches, rebases its commit onto the
 * branch, re-synthesizes the tree from the merged environment files (which also re-validates it)
 * and pushes again, a bounded number of times. A conflict inside gitops/ is not a real conflict:
 * the tree is generated, so it is regenerated from the merged environments. A conflict in
 * environments/ is: two changes to the same setting, which a person has to decide between.
 */
import * as path from 'node:path';
import { Git, GitCommandError, lines } from '../git/git';
import { describeStagedChange, StagedChange } from './commit-message';
import { ENVIRONMENTS_DIR, GITOPS_DIR } from './environment-file';
import { PipelineError } from './pipeline-error';
import { Resynthesize } from './resynthesize';

export interface PublishOptions {
  /** The project root, inside a git working tree. @default process.cwd() */
  readonly root?: string;
  /** Re-synthesizes (and so re-validates) `gitops/` from the environment files. */
  readonly synthesize: Resynthesize;
  /** The remote to push to. @default 'origin' */
  readonly remote?: string;
  /** The branch to push to. @default the current branch (required when HEAD is detached) */
  readonly branch?: string;
  /** The build that produced the change, named in the commit message. */
  readonly buildUrl?: string;
  /** A subject line for the commit instead of the generated one. */
  readonly title?: string;
  /** How many pushes to try before giving up. @default 5 */
  readonly attempts?: number;
  /**
   * Upper bound of the random pause before retrying attempt n, times n, in milliseconds: it keeps
   * pipelines that lost the same race from colliding again in lockstep.
   * @default 500
   */
  readonly retryJitterMs?: number;
  /** Receives one line per step taken. @default no output */
  readonly log?: (line: string) => void;
}

export type PublishOutcome =
  /** environments/ and gitops/ match HEAD; nothing was committed or pushed. */
  | 'nothing-to-commit'
  /** A commit was pushed. */
  | 'pushed'
  /** The branch already held the same change; the local commit became empty and was dropped. */
  | 'already-upstream';

export interface PublishResult {
  readonly outcome: PublishOutcome;
  /** The change as committed; absent when there was nothing to commit. */
  readonly change?: StagedChange;
  /** The commit now at the tip of the remote branch (absent when nothing was committed). */
  readonly commit?: string;
  /** Pushes tried. */
  readonly attempts: number;
}

/**
 * Paths (relative to the project root) whose change upstream cannot alter the synthesized tree.
 * Any other change means the synthesizer itself moved on: this run's code would regenerate the tree
 * as the old code did, so it must not be the one to publish it.
 */
const NOT_SYNTH_INPUTS = [/\.md$/, /^test\//, /^__snapshots__\//, /^notes\//, /^jenkins\//, /^Jenkinsfile$/, /^\.ci\//, /^\.github\//, /^\.gitignore$/];

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_JITTER_MS = 500;

export function publish(options: PublishOptions): PublishResult {
  const root = path.resolve(options.root ?? process.cwd());
  const log = options.log ?? (() => undefined);
  const remote = options.remote ?? 'origin';
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new PipelineError(`attempts must be a whole number of at least 1, not ${attempts}`);
  }
  const git = new Git(root);
  git.topLevel();
  if (git.rebaseInProgress()) {
    throw new PipelineError('a rebase is in progress in this working tree; finish it (git rebase --continue) or abort it (git rebase --abort) first');
  }
  const branch = options.branch ?? git.currentBranch();
  if (branch === undefined) {
    throw new PipelineError('HEAD is detached, so there is no current branch to push; pass --branch <name>');
  }
  if (git.tryRun(['check-ref-format', '--branch', branch]).status !== 0) {
    throw new PipelineError(`--branch ${JSON.stringify(branch)} is not a valid branch name`);
  }
  if (git.tryRun(['remote', 'get-url', remote]).status !== 0) {
    const known = lines(git.run(['remote']));
    throw new PipelineError(`remote ${JSON.stringify(remote)} is not configured; this repository has: ${known.join(', ') || '(none)'}`);
  }
  const prefix = git.run(['rev-parse', '--show-prefix']).trim();

  // Synth validates everything before writing, so what gets staged below is a complete, valid tree
  // generated from exactly the environment files staged with it.
  options.synthesize(root);
  const change = stage(git, options);
  if (change === undefined) {
    log(`nothing to commit: ${ENVIRONMENTS_DIR}/ and ${GITOPS_DIR}/ match HEAD`);
    return { outcome: 'nothing-to-commit', attempts: 0 };
  }
  git.run(['commit', '--quiet', '-m', change.message, '--', ENVIRONMENTS_DIR, GITOPS_DIR]);
  log(`committed ${git.run(['rev-parse', '--short=12', 'HEAD']).trim()}: ${change.message.split('\n')[0]}`);
  return { ...pushWithRetries(git, { root, remote, branch, attempts, prefix, options, log }), change };
}

interface PushContext {
  readonly root: string;
  readonly remote: string;
  readonly branch: string;
  readonly attempts: number;
  /** The project root's path inside the repository, `''` or ending with `/`. */
  readonly prefix: string;
  readonly options: PublishOptions;
  readonly log: (line: string) => void;
}

function pushWithRetries(git: Git, ctx: PushContext): Omit<PublishResult, 'change'> {
  const target = `refs/heads/${ctx.branch}`;
  for (let attempt = 1; ; attempt++) {
    const head = git.run(['rev-parse', 'HEAD']).trim();
    const push = git.tryRun(['push', '--porcelain', ctx.remote, `HEAD:${target}`]);
    if (push.status === 0) {
      ctx.log(`pushed ${head.slice(0, 12)} to ${ctx.remote} ${ctx.branch}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      return { outcome: 'pushed', commit: head, attempts: attempt };
    }
    const output = `${push.stdout}\n${push.stderr}`;
    if (!lostRace(output)) {
      throw new PipelineError(
        `git push ${ctx.remote} HEAD:${target} failed: ${summarizePush(output)}\n` +
          `the commit ${head.slice(0, 12)} is in this working tree only; nothing was published`,
      );
    }
    if (attempt >= ctx.attempts) {
      throw new PipelineError(
        `git push ${ctx.remote} HEAD:${target} was rejected ${attempt} times: the branch keeps moving. ` +
          `The commit ${head.slice(0, 12)} is in this working tree only; re-run publish to try again`,
      );
    }
    ctx.log(`push rejected: ${ctx.remote} ${ctx.branch} moved on; fetching and rebasing (attempt ${attempt + 1} of ${ctx.attempts})`);
    sleep(Math.random() * (ctx.options.retryJitterMs ?? DEFAULT_JITTER_MS) * attempt);
    const upstream = fetchBranch(git, ctx.remote, target);
    refuseSynthesizerChanges(git, head, upstream, ctx.prefix);
    rebaseOnto(git, upstream, ctx);

    // The merged environments may give a tree neither side had; the regenerated tree is validated
    // by synth before a byte is written.
    ctx.options.synthesize(ctx.root);
    const rebased = git.run(['rev-parse', 'HEAD']).trim();
    const fix = stage(git, ctx.options);
    if (fix !== undefined) {
      if (rebased === upstream) {
        git.run(['commit', '--quiet', '-m', fix.message, '--', ENVIRONMENTS_DIR, GITOPS_DIR]);
      } else {
        git.run(['commit', '--quiet', '--amend', '--no-edit', '--', ENVIRONMENTS_DIR, GITOPS_DIR]);
      }
      ctx.log(`regenerated ${GITOPS_DIR}/ from the merged ${ENVIRONMENTS_DIR}/ (${fix.gitopsFiles} files)`);
    } else if (rebased === upstream) {
      ctx.log(`${ctx.remote} ${ctx.branch} already has this change; nothing left to push`);
      return { outcome: 'already-upstream', commit: upstream, attempts: attempt };
    }
  }
}

/** Stages environments/ and gitops/ (only them); returns what is staged, or `undefined` if nothing. */
function stage(git: Git, options: PublishOptions): StagedChange | undefined {
  git.run(['add', '--all', '--', ENVIRONMENTS_DIR, GITOPS_DIR]);
  if (git.tryRun(['diff', '--cached', '--quiet', '--', ENVIRONMENTS_DIR, GITOPS_DIR]).status === 0) return undefined;
  return describeStagedChange(git, { buildUrl: options.buildUrl, title: options.title });
}

/** Rejections that mean someone else pushed first, which fetching and rebasing resolves. */
function lostRace(pushOutput: string): boolean {
  return (
    /\[rejected\].*\((fetch first|non-fast-forward)\)/.test(pushOutput) ||
    /\[remote rejected\].*\((cannot lock ref|failed to update ref|failed to lock|incorrect old value)/.test(pushOutput)
  );
}

function summarizePush(output: string): string {
  const relevant = lines(output).filter((l) => !/^(To |Done$)/.test(l));
  return relevant.join('; ').trim() || '(no output)';
}

function fetchBranch(git: Git, remote: string, target: string): string {
  git.run(['fetch', '--quiet', '--no-tags', remote, target]);
  return git.run(['rev-parse', 'FETCH_HEAD^{commit}']).trim();
}

function refuseSynthesizerChanges(git: Git, head: string, upstream: string, prefix: string): void {
  const base = git.tryRun(['merge-base', head, upstream]);
  if (base.status !== 0) {
    throw new PipelineError(`the remote branch (${upstream.slice(0, 12)}) shares no history with HEAD; refusing to rebase onto it`);
  }
  const changed = lines(git.run(['diff', '--name-only', base.stdout.trim(), upstream]));
  const code = changed
    .filter((file) => file.startsWith(prefix))
    .map((file) => file.slice(prefix.length))
    .filter((file) => !file.startsWith(`${ENVIRONMENTS_DIR}/`) && !file.startsWith(`${GITOPS_DIR}/`))
    .filter((file) => !NOT_SYNTH_INPUTS.some((pattern) => pattern.test(file)));
  if (code.length > 0) {
    const shown = code.slice(0, 8).join(', ') + (code.length > 8 ? `, and ${code.length - 8} more` : '');
    throw new PipelineError(
      `the branch moved on with changes to the synthesizer itself (${shown}). This run's code predates them, ` +
        `so it cannot regenerate ${GITOPS_DIR}/ as the branch now would. Nothing was pushed; ` +
        're-run from a fresh checkout of the branch (the pipeline stage retries from scratch)',
    );
  }
}

/**
 * Rebases HEAD onto `upstream`, regenerating gitops/ at every stop where only generated files
 * conflict. Aborts the rebase, leaving HEAD as it was, on any other conflict.
 */
function rebaseOnto(git: Git, upstream: string, ctx: PushContext): void {
  const generated = `${ctx.prefix}${GITOPS_DIR}/`;
  let step = git.tryRun(['rebase', '--autostash', upstream]);
  while (git.rebaseInProgress()) {
    const conflicted = lines(git.run(['diff', '--name-only', '--diff-filter=U']));
    const real = conflicted.filter((file) => !file.startsWith(generated));
    if (conflicted.length === 0 && git.tryRun(['diff', '--cached', '--quiet']).status === 0) {
      // Resolving left nothing of this commit: the branch already has the same change.
      step = git.tryRun(['rebase', '--skip']);
      continue;
    }
    if (conflicted.length === 0 || real.length > 0) {
      git.tryRun(['rebase', '--abort']);
      if (real.length > 0) {
        throw new PipelineError(
          `cannot rebase onto ${ctx.remote} ${ctx.branch}: ${real.join(', ')} changed there too, on the same lines. ` +
            'Two changes to the same setting need a person to pick one; nothing was pushed',
        );
      }
      throw new GitCommandError(['rebase', upstream], step);
    }
    ctx.log(`conflict in generated files (${conflicted.length}); regenerating ${GITOPS_DIR}/ from the merged ${ENVIRONMENTS_DIR}/`);
    try {
      ctx.options.synthesize(ctx.root);
    } catch (e) {
      git.tryRun(['rebase', '--abort']);
      throw e;
    }
    git.run(['add', '--all', '--', path.join(ctx.root, GITOPS_DIR)]);
    step = git.tryRun(['rebase', '--continue']);
  }
  if (step.status !== 0) throw new GitCommandError(['rebase', upstream], step);
}

function sleep(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.round(ms));
}
