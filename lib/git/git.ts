/**
 * The one place the project runs git. Everything goes through the `git` executable, so the
 * repository's own configuration (identity, credential helpers, hooks) applies as it would for a
 * person typing the same commands. This module sits below lib/pipeline and lib/diff and imports
 * neither: callers decide how to present a {@link GitError}.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The outcome of one git invocation. */
export interface GitRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * git could not do what was asked: it could not be run, the folder is not in a repository, a
 * revision names no commit, or a command failed. The message says which, for the user to act on.
 */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

/** A git command exited non-zero where that was not expected. */
export class GitCommandError extends GitError {
  constructor(
    readonly args: readonly string[],
    readonly run: GitRun,
  ) {
    super(`git ${args.join(' ')} failed (exit ${run.status}): ${(run.stderr || run.stdout).trim() || '(no output)'}`);
    this.name = 'GitCommandError';
  }
}

/** The files of a folder as committed at a revision: see {@link Git.readTree}. */
export interface GitTree {
  /** The revision as the user gave it. */
  readonly rev: string;
  /** The full commit id it resolved to. */
  readonly commit: string;
  /** Every file below the folder at that commit: path relative to the folder → content. */
  readonly files: Map<string, string>;
}

interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
}

interface BytesRun {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** Runs git in one working directory. */
export class Git {
  constructor(
    /** The working directory; paths given to git are relative to it. */
    readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Runs `git <args>`; throws a `GitCommandError` on a non-zero exit. Returns stdout. */
  run(args: readonly string[], options: RunOptions = {}): string {
    const result = this.tryRun(args, options);
    if (result.status !== 0) throw new GitCommandError(args, result);
    return result.stdout;
  }

  /** Runs `git <args>` and returns its outcome whatever the exit status. Throws a `GitError` if git cannot be run. */
  tryRun(args: readonly string[], options: RunOptions = {}): GitRun {
    const result = this.spawn(args, options);
    return { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  }

  /**
   * Runs `git <args>` with `input` on its stdin and returns stdout as bytes (for output holding
   * several files, whose sizes git gives in bytes); throws a `GitCommandError` on a non-zero exit.
   */
  runBytes(args: readonly string[], options: RunOptions & { input?: Buffer } = {}): Buffer {
    const result = this.spawn(args, options);
    if (result.status !== 0) {
      throw new GitCommandError(args, { status: result.status, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') });
    }
    return result.stdout;
  }

  /** The working tree's top folder. Throws a `GitError` outside a repository. */
  topLevel(): string {
    const result = this.tryRun(['rev-parse', '--show-toplevel']);
    if (result.status !== 0) throw new GitError(`${this.cwd} is not inside a git working tree: ${result.stderr.trim()}`);
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

  /**
   * The patches of every commit reachable from `rev` that touched `dir` (absolute, or relative to
   * the working directory), newest first, as `git log -p` prints them without commit headers: what
   * the folder held over its history. Empty when no commit touched it.
   */
  history(rev: string, dir: string): string {
    if (rev.startsWith('-')) throw new GitError(`revision ${JSON.stringify(rev)} is not a revision`);
    return this.run(['log', '-p', '--root', '--no-color', '--no-ext-diff', '--no-textconv', '--format=', '-U0', rev, '--', dir]);
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

  /**
   * Reads the folder `dir` (absolute, or relative to the working directory) as committed at `rev`,
   * without touching the working tree or the index: one `ls-tree` for the listing, one
   * `cat-file --batch` for all the contents. A folder that does not exist at that commit is an
   * empty tree (everything is new). Throws a `GitError` naming the revision, the folder or the
   * repository when git cannot give the tree.
   */
  readTree(rev: string, dir: string): GitTree {
    if (rev.startsWith('-')) throw new GitError(`base revision ${JSON.stringify(rev)} is not a revision`);
    const top = this.tryRun(['rev-parse', '--show-toplevel']);
    if (top.status !== 0) {
      const reason = top.stderr.trim() || `exit status ${top.status}`;
      throw new GitError(`${this.cwd} is not inside a git repository (git rev-parse --show-toplevel: ${reason})`);
    }
    const topLevel = top.stdout.trim();
    const commit = this.commitOf(rev);
    if (commit === undefined) throw new GitError(`base revision ${JSON.stringify(rev)} is not a commit of the repository at ${topLevel}`);

    const folder = path.relative(topLevel, path.resolve(this.cwd, dir)).split(path.sep).join('/');
    if (folder.startsWith('..') || path.isAbsolute(folder)) throw new GitError(`${dir} is outside the repository at ${topLevel}`);
    const prefix = folder === '' ? '' : `${folder}/`;

    // Run at the top level, where `prefix` is. -z: paths verbatim (no quoting of unusual names);
    // --full-name: relative to the top level.
    const listing = new Git(topLevel, this.env)
      .runBytes(['ls-tree', '-r', '-z', '--full-name', commit, ...(prefix === '' ? [] : ['--', prefix])])
      .toString('utf8');
    const entries: { rel: string; oid: string }[] = [];
    for (const line of listing.split('\0')) {
      if (line === '') continue;
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ') as [string, string, string];
      const full = line.slice(tab + 1);
      // Submodules have no content here; symlinks would be read as their target path, which is not
      // what a cluster would see, so only regular files count.
      if (type !== 'blob' || mode === '120000' || !full.startsWith(prefix)) continue;
      entries.push({ rel: full.slice(prefix.length), oid });
    }

    const files = new Map<string, string>();
    if (entries.length === 0) return { rev, commit, files };
    const out = this.runBytes(['cat-file', '--batch'], { input: Buffer.from(entries.map((e) => `${e.oid}\n`).join('')) });
    let at = 0;
    for (const { rel, oid } of entries) {
      const headerEnd = out.indexOf(0x0a, at);
      const [gotOid, type, size] = out.subarray(at, headerEnd).toString('utf8').split(' ');
      if (gotOid !== oid || type !== 'blob') throw new GitError(`git cat-file: expected blob ${oid} for ${rel}, got "${gotOid} ${type}"`);
      const start = headerEnd + 1;
      const end = start + Number(size);
      files.set(rel, out.subarray(start, end).toString('utf8'));
      at = end + 1;
    }
    return { rev, commit, files };
  }

  private spawn(args: readonly string[], options: RunOptions & { input?: Buffer }): BytesRun {
    const result = spawnSync('git', args, {
      cwd: this.cwd,
      input: options.input,
      // Whole trees pass through here (cat-file --batch): room for a large one.
      maxBuffer: 1 << 30,
      // Never wait for a person: no credential prompts, no editors.
      env: { ...this.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', ...options.env },
    });
    if (result.error) throw new GitError(`cannot run git: ${result.error.message}`);
    return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
  }
}

/** The non-empty lines of a command's output. */
export function lines(output: string): string[] {
  return output.split('\n').filter((line) => line !== '');
}
