import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GitTreeError, readGitTree } from '../lib/diff/git-tree';

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
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-git-tree-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('reading the gitops tree of a commit', () => {
  test('returns every file below the folder with its exact content, paths relative to the folder', () => {
    const { project } = repository();
    const tree = readGitTree(project, 'HEAD', 'gitops');
    expect([...tree.files.keys()]).toEqual(['envs/dev/backend/ConfigMap-a.yaml', 'envs/dev/backend/ConfigMap-b.yaml']);
    expect(tree.files.get('envs/dev/backend/ConfigMap-a.yaml')).toBe('kind: ConfigMap\ndata:\n  greeting: "héllo ✓"\n');
    expect(tree.commit).toBe(git(project, 'rev-parse', 'HEAD'));
  });

  test('reads the commit, not the working tree', () => {
    const { project } = repository();
    fs.writeFileSync(path.join(project, 'gitops/envs/dev/backend/ConfigMap-b.yaml'), 'edited\n');
    fs.rmSync(path.join(project, 'gitops/envs/dev/backend/ConfigMap-a.yaml'));
    const tree = readGitTree(project, 'HEAD', 'gitops');
    expect(tree.files.get('envs/dev/backend/ConfigMap-b.yaml')).toBe('kind: ConfigMap\n');
    expect(tree.files.has('envs/dev/backend/ConfigMap-a.yaml')).toBe(true);
  });

  test('a commit from before the folder existed is an empty tree', () => {
    const { project } = repository();
    expect(readGitTree(project, 'HEAD~1', 'gitops').files.size).toBe(0);
  });

  test('an unknown revision is an error naming it', () => {
    const { project } = repository();
    expect(() => readGitTree(project, 'v9.9.9', 'gitops')).toThrow(GitTreeError);
    expect(() => readGitTree(project, 'v9.9.9', 'gitops')).toThrow(/base revision "v9\.9\.9" is not a commit/);
  });

  test('a revision that looks like an option is refused', () => {
    const { project } = repository();
    expect(() => readGitTree(project, '--output=/tmp/x', 'gitops')).toThrow(/is not a revision/);
  });

  test('a folder outside any repository is an error', () => {
    const outside = fs.mkdtempSync(path.join(tmp, 'plain-'));
    expect(() => readGitTree(outside, 'HEAD', 'gitops')).toThrow(/is not inside a git repository/);
  });
});
