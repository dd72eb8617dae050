import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Git, GitCommandError, GitError, lines } from '../lib/git/git';
import { isUserFacing } from '../lib/pipeline/describe-failure';

let tmp: string;

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function write(root: string, rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content);
}

/** A repository whose project lives in `deploy/`, with a commit before gitops/ existed and one after. */
function repository(): { top: string; project: string } {
  const top = fs.mkdtempSync(path.join(tmp, 'repo-'));
  git(top, 'init', '-q', '-b', 'main');
  git(top, 'config', 'user.email', 'ci@example.com');
  git(top, 'config', 'user.name', 'CI');
  git(top, 'config', 'commit.gpgsign', 'false');
  write(top, 'deploy/environments/dev.yaml', 'namespace: chat-dev\n');
  git(top, 'add', '-A');
  git(top, 'commit', '-q', '-m', 'environments');
  write(top, 'deploy/gitops/envs/dev/backend/ConfigMap-a.yaml', 'kind: ConfigMap\ndata:\n  greeting: "héllo ✓"\n');
  write(top, 'deploy/gitops/envs/dev/backend/ConfigMap-b.yaml', 'kind: ConfigMap\n');
  write(top, 'deploy/gitops-notes.txt', 'not part of the tree\n');
  git(top, 'add', '-A');
  git(top, 'commit', '-q', '-m', 'tree');
  return { top, project: path.join(top, 'deploy') };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'git-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('reading the gitops tree of a commit', () => {
  test('returns every file below the folder with its exact content, paths relative to the folder', () => {
    const { project } = repository();
    const tree = new Git(project).readTree('HEAD', 'gitops');
    expect([...tree.files.keys()]).toEqual(['envs/dev/backend/ConfigMap-a.yaml', 'envs/dev/backend/ConfigMap-b.yaml']);
    expect(tree.files.get('envs/dev/backend/ConfigMap-a.yaml')).toBe('kind: ConfigMap\ndata:\n  greeting: "héllo ✓"\n');
    expect(tree.commit).toBe(git(project, 'rev-parse', 'HEAD'));
  });

  test('reads the commit, not the working tree', () => {
    const { project } = repository();
    fs.writeFileSync(path.join(project, 'gitops/envs/dev/backend/ConfigMap-b.yaml'), 'edited\n');
    fs.rmSync(path.join(project, 'gitops/envs/dev/backend/ConfigMap-a.yaml'));
    const tree = new Git(project).readTree('HEAD', 'gitops');
    expect(tree.files.get('envs/dev/backend/ConfigMap-b.yaml')).toBe('kind: ConfigMap\n');
    expect(tree.files.has('envs/dev/backend/ConfigMap-a.yaml')).toBe(true);
  });

  test('a commit from before the folder existed is an empty tree', () => {
    const { project } = repository();
    expect(new Git(project).readTree('HEAD~1', 'gitops').files.size).toBe(0);
  });

  test('an unknown revision is an error naming it', () => {
    const { project } = repository();
    expect(() => new Git(project).readTree('v9.9.9', 'gitops')).toThrow(GitError);
    expect(() => new Git(project).readTree('v9.9.9', 'gitops')).toThrow(/base revision "v9\.9\.9" is not a commit/);
  });

  test('a revision that looks like an option is refused', () => {
    const { project } = repository();
    expect(() => new Git(project).readTree('--output=/tmp/x', 'gitops')).toThrow(/is not a revision/);
  });

  test('a folder outside any repository is an error', () => {
    const outside = fs.mkdtempSync(path.join(tmp, 'plain-'));
    expect(() => new Git(outside).readTree('HEAD', 'gitops')).toThrow(/is not inside a git repository/);
  });

  test('takes the folder relative to the working directory, or absolute, and refuses one outside the repository', () => {
    const { top, project } = repository();
    const fromTop = new Git(top).readTree('HEAD', 'deploy/gitops');
    const absolute = new Git(top).readTree('HEAD', path.join(project, 'gitops'));
    expect([...fromTop.files.keys()]).toEqual(['envs/dev/backend/ConfigMap-a.yaml', 'envs/dev/backend/ConfigMap-b.yaml']);
    expect(absolute.files).toEqual(fromTop.files);
    expect(new Git(top).readTree('HEAD', '.').files.has('deploy/gitops-notes.txt')).toBe(true);
    expect(() => new Git(project).readTree('HEAD', '../../elsewhere')).toThrow(/is outside the repository at/);
  });
});

describe('running git', () => {
  test('run returns stdout; a non-zero exit is a GitCommandError naming the command, its status and stderr', () => {
    const { project } = repository();
    const git = new Git(project);
    expect(git.run(['rev-parse', 'HEAD']).trim()).toMatch(/^[0-9a-f]{40}$/);
    let error: unknown;
    try {
      git.run(['rev-parse', '--verify', 'no-such-ref']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GitCommandError);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitCommandError).args).toEqual(['rev-parse', '--verify', 'no-such-ref']);
    expect((error as GitCommandError).run.status).toBe(128);
    expect((error as Error).message).toMatch(/^git rev-parse --verify no-such-ref failed \(exit 128\): fatal: /);
  });

  test('tryRun reports a non-zero exit instead of throwing', () => {
    const { project } = repository();
    const result = new Git(project).tryRun(['rev-parse', '--verify', '--quiet', 'no-such-ref']);
    expect(result).toEqual({ status: 1, stdout: '', stderr: '' });
  });

  test('runBytes passes stdin and returns the bytes git wrote', () => {
    const { project } = repository();
    const git = new Git(project);
    const oid = git.run(['rev-parse', 'HEAD:./gitops/envs/dev/backend/ConfigMap-a.yaml']).trim();
    const out = git.runBytes(['cat-file', '--batch'], { input: Buffer.from(`${oid}\n`) });
    const content = Buffer.from('kind: ConfigMap\ndata:\n  greeting: "héllo ✓"\n');
    expect(out).toEqual(Buffer.concat([Buffer.from(`${oid} blob ${content.length}\n`), content, Buffer.from('\n')]));
  });

  test('topLevel, commitOf and showFile answer about the repository', () => {
    const { top, project } = repository();
    const git = new Git(project);
    expect(fs.realpathSync(git.topLevel())).toBe(fs.realpathSync(top));
    expect(git.commitOf('HEAD~1')).toBe(git.run(['rev-parse', 'HEAD~1']).trim());
    expect(git.commitOf('v9.9.9')).toBeUndefined();
    expect(git.showFile('HEAD', 'environments/dev.yaml')).toBe('namespace: chat-dev\n');
    expect(git.showFile('HEAD~1', 'gitops/envs/dev/backend/ConfigMap-b.yaml')).toBeUndefined();
    expect(git.currentBranch()).toBe('main');
  });

  test('outside a repository, topLevel is a GitError', () => {
    const outside = fs.mkdtempSync(path.join(tmp, 'plain-'));
    expect(() => new Git(outside).topLevel()).toThrow(GitError);
    expect(() => new Git(outside).topLevel()).toThrow(/is not inside a git working tree/);
  });

  test('a git that cannot be run is a GitError', () => {
    const { project } = repository();
    const git = new Git(project, { ...process.env, PATH: fs.mkdtempSync(path.join(tmp, 'empty-path-')) });
    expect(() => git.tryRun(['status'])).toThrow(GitError);
    expect(() => git.tryRun(['status'])).toThrow(/^cannot run git: /);
  });

  test('a failed git command is a user-facing failure: its message is printed, not a stack', () => {
    expect(isUserFacing(new GitError('x is not inside a git working tree'))).toBe(true);
    expect(isUserFacing(new GitCommandError(['push'], { status: 1, stdout: '', stderr: 'rejected' }))).toBe(true);
  });

  test('lines drops the empty lines of a command output', () => {
    expect(lines('a\n\nb\n')).toEqual(['a', 'b']);
    expect(lines('')).toEqual([]);
  });
});
