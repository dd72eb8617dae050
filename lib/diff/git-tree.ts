import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** git could not give the tree: not a repository, unknown revision, git missing. */
export class GitTreeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitTreeError';
  }
}

export interface GitTree {
  /** The revision as the user gave it. */
  readonly rev: string;
  /** The full commit id it resolved to. */
  readonly commit: string;
  /** Every file below the folder at that commit: path relative to the folder → content. */
  readonly files: Map<string, string>;
}

function git(cwd: string, args: string[], input?: Buffer): Buffer {
  const run = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30 });
  if (run.error) throw new GitTreeError(`git ${args[0]}: ${run.error.message}`);
  if (run.status !== 0) {
    throw new GitTreeError(`git ${args.join(' ')}: ${run.stderr.toString('utf8').trim() || `exit status ${run.status}`}`);
  }
  return run.stdout;
}

/**
 * Reads the folder `dir` (absolute, or relative to `root`) as committed at `rev`, without touching
 * the working tree or the index: one `ls-tree` for the listing, one `cat-file --batch` for all the
 * contents. A folder that does not exist at that commit is an empty tree (everything is new).
 */
export function readGitTree(root: string, rev: string, dir: string): GitTree {
  if (rev.startsWith('-')) throw new GitTreeError(`base revision ${JSON.stringify(rev)} is not a revision`);
  let topLevel: string;
  try {
    topLevel = git(root, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
  } catch (e) {
    throw new GitTreeError(`${root} is not inside a git repository (${(e as Error).message})`);
  }
  const resolved = spawnSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { cwd: root });
  if (resolved.status !== 0) throw new GitTreeError(`base revision ${JSON.stringify(rev)} is not a commit of the repository at ${topLevel}`);
  const commit = resolved.stdout.toString('utf8').trim();

  const folder = path.relative(topLevel, path.resolve(root, dir)).split(path.sep).join('/');
  if (folder.startsWith('..') || path.isAbsolute(folder)) throw new GitTreeError(`${dir} is outside the repository at ${topLevel}`);
  const prefix = folder === '' ? '' : `${folder}/`;

  // -z: paths verbatim (no quoting of unusual names); --full-name: relative to the top level.
  const listing = git(topLevel, ['ls-tree', '-r', '-z', '--full-name', commit, ...(prefix === '' ? [] : ['--', prefix])]).toString('utf8');
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
  const out = git(root, ['cat-file', '--batch'], Buffer.from(entries.map((e) => `${e.oid}\n`).join('')));
  let at = 0;
  for (const { rel, oid } of entries) {
    const headerEnd = out.indexOf(0x0a, at);
    const [gotOid, type, size] = out.subarray(at, headerEnd).toString('utf8').split(' ');
    if (gotOid !== oid || type !== 'blob') throw new GitTreeError(`git cat-file: expected blob ${oid} for ${rel}, got "${gotOid} ${type}"`);
    const start = headerEnd + 1;
    const end = start + Number(size);
    files.set(rel, out.subarray(start, end).toString('utf8'));
    at = end + 1;
  }
  return { rev, commit, files };
}
