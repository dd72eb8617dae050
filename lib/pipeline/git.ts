import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PipelineError } from './pipeline-error';

/** The outcome of one git invocation. */
export interface GitRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A git command exited non-zero where that was not expected. */
export class GitError extends PipelineError {
  constructor(
    readonly args: readonly string[],
    readonly run: GitRun,
  ) {
    super(`git ${args.join(' ')} failed (exit ${run.status}): ${(run.stderr || run.stdout).trim() || '(no output)'}`);
    this.name = 'GitError';
  }
}

/**
 * Runs git in one working directory. Everything goes through the `git` executable, so the
 * repository's own configuration (identity, credentials helpers, hooks) applies as it would for a
 * person typing the same commands.
 */
export class Git {
  constructor(
    /** The working directory; paths given to git are relative to it. */
    readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Runs `git <args>`; throws a `GitError` on a non-zero exit. Returns stdout. */
  run(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): string {
    const result = this.tryRun(args, options);
    if (result.status !== 0) throw new GitError(args, result);
    return result.stdout;
  }

  /** Runs `git <args>` and returns its outcome whatever the exit status. */
  tryRun(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): GitRun {
    const result = spawnSync('git', args, {
      cwd: this.cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      // Never wait for a person: no credential prompts, no editors.
      env: { ...this.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', ...options.env },
    });
    if (result.error) throw new PipelineError(`cannot run git: ${result.error.message}`);
    return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  }

  /** The working tree's top folder. Throws a `PipelineError` outside a repository. */
  topLevel(): string {
    const result = this.tryRun(['rev-parse', '--show-toplevel']);
    if (result.status !== 0) throw new PipelineError(`${this.cwd} is not inside a git working tree: ${result.stderr.trim()}`);
    return result.stdout.trim();
  }

  /** The current branch's short name, or `undefined` when HEAD is detached. */
  currentBranch(): string | undefined {
    const result = this.tryRun(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    return result.status === 0 ? result.stdout.trim() : undefined;
  }

  /** The full commit id a revision names, or `undefined` if it names no commit. */
  commitOf(rev: string): string | undefined {
    const result = this.tryRun(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    return result.status === 0 ? result.stdout.trim() : undefined;
  }

  /** The content of `file` (relative to the working directory) at `rev`, or `undefined` if absent there. */
  showFile(rev: string, file: string): string | undefined {
    const result = this.tryRun(['show', `${rev}:./${file}`]);
    return result.status === 0 ? result.stdout : undefined;
  }

  /** Whether a rebase is stopped, waiting for conflicts to be resolved. */
  rebaseInProgress(): boolean {
    // git prints --git-path relative to the working directory unless it is absolute.
    return ['rebase-merge', 'rebase-apply'].some((name) =>
      fs.existsSync(path.resolve(this.cwd, this.run(['rev-parse', '--git-path', name]).trim())),
    );
  }

  /** Paths (relative to the working directory) with unresolved conflicts. */
  conflictedFiles(): string[] {
    return lines(this.run(['diff', '--name-only', '--relative', '--diff-filter=U']));
  }
}

/** The non-empty lines of a command's output. */
export function lines(output: string): string[] {
  return output.split('\n').filter((line) => line !== '');
}
