/**
 * The pipeline commands end to end, as Jenkins runs them: real git working clones of a bare
 * repository standing in for the remote, each clone holding the fixture environments as its
 * environments/ and the gitops/ synthesized from them, and the commands run from the clone (the project root is the working
 * directory) with this project's bundled code.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseImageReference } from '../lib/environment/image-reference';
import { readImage } from '../lib/pipeline/image-edit';
import { FIXTURE_ENVIRONMENTS, RUN } from './support/fixture-project';

/** The first run may bundle dist/ from scratch. */
const SLOW = 180_000;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

let tmp: string;
let template: string;
let gitEnv: NodeJS.ProcessEnv;
let counter = 0;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-commands-'));
  const globalConfig = path.join(tmp, 'gitconfig');
  fs.writeFileSync(globalConfig, '');
  // Identity and configuration for these repositories only: nothing is read from or written to
  // the machine's git configuration.
  gitEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_AUTHOR_NAME: 'Pipeline Test',
    GIT_AUTHOR_EMAIL: 'pipeline-test@example.com',
    GIT_COMMITTER_NAME: 'Pipeline Test',
    GIT_COMMITTER_EMAIL: 'pipeline-test@example.com',
    PUBLISH_REMOTE: '',
    PUBLISH_BRANCH: '',
  };
  const seed = path.join(tmp, 'seed');
  fs.mkdirSync(seed);
  git(seed, 'init', '--quiet', '--initial-branch=main');
  fs.cpSync(FIXTURE_ENVIRONMENTS, path.join(seed, 'environments'), { recursive: true });
  fs.writeFileSync(path.join(seed, '.gitignore'), '.gitops.*\n');
  expectSuccess(run(seed, 'main'));
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'Initial environments and tree');
  template = path.join(tmp, 'template.git');
  git(tmp, 'clone', '--quiet', '--bare', seed, template);
}, SLOW);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  return result.stdout;
}

/** Runs a bundled entry point (`main` or `commands/<name>`) with `cwd` as the project root. */
function run(cwd: string, entry: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [RUN, entry, ...args], { cwd, env: gitEnv, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runAsync(cwd: string, entry: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, entry, ...args], { cwd, env: gitEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function expectSuccess(result: Run): Run {
  if (result.status !== 0) throw new Error(`exit ${result.status}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result;
}

/** A bare repository holding the initial commit, private to one test. */
function newRemote(): string {
  const remote = path.join(tmp, `remote-${++counter}.git`);
  fs.cpSync(template, remote, { recursive: true });
  return remote;
}

function clone(remote: string, name: string): string {
  const dir = path.join(tmp, `${name}-${++counter}`);
  git(tmp, 'clone', '--quiet', remote, dir);
  return dir;
}

function read(root: string, rel: string): string {
  return fs.readFileSync(path.join(root, rel), 'utf8');
}

function image(root: string, env: string, component: 'backend' | 'frontend'): string {
  return readImage(read(root, `environments/${env}.yaml`), env, component)!;
}

/** Another version of the image a clone runs: same repository, new tag. */
function bumped(root: string, env: string, component: 'backend' | 'frontend', tag: string): string {
  return `${parseImageReference(image(root, env, component)).repository}:${tag}`;
}

function deployedImage(root: string, env: string, component: string): string {
  const deployment = parseAllDocuments(read(root, `gitops/envs/${env}/${component}/Deployment-${component}.yaml`))[0]!.toJS();
  return deployment.spec.template.spec.containers[0].image;
}

/** Every file of environments/ and gitops/: relative path → content. */
function tree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) visit(child);
      else files.set(child, read(root, child));
    }
  };
  visit('environments');
  visit('gitops');
  return files;
}

function changedFiles(root: string, from: string, to: string): string[] {
  return git(root, 'diff', '--name-only', from, to).split('\n').filter(Boolean);
}

function head(root: string, rev = 'HEAD'): string {
  return git(root, 'rev-parse', rev).trim();
}

/** The gitops/ tree is exactly what synth makes of the environment files next to it, and valid. */
function expectTreeCurrent(root: string): void {
  const dryRun = expectSuccess(run(root, 'main', '--dry-run'));
  expect(dryRun.stdout).toContain('gitops/: 0 written, 0 removed');
  expectSuccess(run(root, 'commands/validate', 'gitops'));
}

describe('npm run set-image', () => {
  test('changes only the image line of the environment file and only that component’s manifests', () => {
    const work = clone(newRemote(), 'work');
    const before = image(work, 'staging', 'backend');
    const next = bumped(work, 'staging', 'backend', '2.0.0');
    const result = expectSuccess(run(work, 'commands/set-image', 'backend', next, '--env', 'staging'));

    expect(result.stdout).toContain(`staging/backend: ${before} → ${next}\n`);
    expect(git(work, 'diff', '--unified=0', '--', 'environments').split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      `-    image: ${before}`,
      `+    image: ${next}`,
    ]);
    const changed = git(work, 'status', '--porcelain', '--', 'environments', 'gitops').split('\n').filter(Boolean);
    expect(changed).toContain(' M environments/staging.yaml');
    expect(changed).toContain(' M gitops/envs/staging/backend/Deployment-backend.yaml');
    expect(changed.filter((l) => !l.startsWith(' M gitops/envs/staging/backend/') && l !== ' M environments/staging.yaml')).toEqual([]);
    expect(deployedImage(work, 'staging', 'backend')).toBe(next);
  }, SLOW);

  test('running it twice changes nothing the second time', () => {
    const work = clone(newRemote(), 'twice');
    const next = bumped(work, 'staging', 'frontend', '2.0.1');
    expectSuccess(run(work, 'commands/set-image', 'frontend', next, '--env', 'staging'));
    const first = tree(work);
    const mtimes = [...first.keys()].map((f) => fs.statSync(path.join(work, f)).mtimeMs);

    const again = expectSuccess(run(work, 'commands/set-image', 'frontend', next, '--env', 'staging'));
    expect(again.stdout).toContain(`staging/frontend: ${next} (unchanged)\n`);
    expect(again.stdout).toContain('gitops/: 0 written, 0 removed');
    expect(tree(work)).toEqual(first);
    expect([...first.keys()].map((f) => fs.statSync(path.join(work, f)).mtimeMs)).toEqual(mtimes);
  }, SLOW);

  test('accepts a digest, alone or after a tag', () => {
    const work = clone(newRemote(), 'digest');
    const repository = parseImageReference(image(work, 'dev', 'backend')).repository;
    for (const ref of [`${repository}@${DIGEST}`, `${repository}:3.0.0@${DIGEST}`]) {
      expectSuccess(run(work, 'commands/set-image', 'backend', ref, '--env', 'dev'));
      expect(image(work, 'dev', 'backend')).toBe(ref);
      expect(deployedImage(work, 'dev', 'backend')).toBe(ref);
    }
  }, SLOW);

  test('refuses untagged, latest and malformed references, and writes nothing', () => {
    const work = clone(newRemote(), 'refuse');
    const repository = parseImageReference(image(work, 'staging', 'backend')).repository;
    const before = tree(work);
    const cases: [string, RegExp][] = [
      [repository, /untagged/],
      [`${repository}:latest`, /"latest" is refused/],
      [`${repository.toUpperCase()}:1.0`, /malformed/],
      [`${repository}:1.0@sha256:1234`, /malformed: digest/],
      [`${repository}:`, /malformed/],
      ['', /malformed: it is empty/],
    ];
    for (const [ref, why] of cases) {
      const result = run(work, 'commands/set-image', 'backend', ref, '--env', 'staging');
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(why);
      expect(result.stderr).toContain(`refusing image ${JSON.stringify(ref)} for staging/backend (components.backend.image)`);
      expect(result.stderr).toContain('set-image: nothing written');
      expect(result.stdout).toBe('');
    }
    expect(tree(work)).toEqual(before);
  }, SLOW);

  test('refuses an image from another repository than the component runs, unless asked', () => {
    const work = clone(newRemote(), 'repository');
    const frontendRepository = parseImageReference(image(work, 'staging', 'frontend')).repository;
    const wrong = `${frontendRepository}:9.9.9`;
    const refused = run(work, 'commands/set-image', 'backend', wrong, '--env', 'staging');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`runs backend from ${parseImageReference(image(work, 'staging', 'backend')).repository}, not ${frontendRepository}`);
    expect(git(work, 'status', '--porcelain')).toBe('');

    expectSuccess(run(work, 'commands/set-image', 'backend', wrong, '--env', 'staging', '--allow-repository-change'));
    expect(image(work, 'staging', 'backend')).toBe(wrong);
  }, SLOW);

  test('puts the environment file back byte for byte when the synth fails, and writes nothing', () => {
    const work = clone(newRemote(), 'restore');
    // Another environment is broken, so the synth that follows the edit must fail.
    fs.appendFileSync(path.join(work, 'environments/dev.yaml'), 'unexpectedField: 1\n');
    const before = tree(work);
    const result = run(work, 'commands/set-image', 'backend', bumped(work, 'staging', 'backend', '2.0.2'), '--env', 'staging');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environments/dev.yaml');
    expect(result.stderr).toContain('unexpectedField');
    expect(result.stderr).toContain('set-image: nothing written; environments/ and gitops/ are unchanged');
    expect(tree(work)).toEqual(before);
  }, SLOW);

  test('names the environments that exist when the environment is unknown', () => {
    const work = clone(newRemote(), 'unknown');
    const result = run(work, 'commands/set-image', 'backend', bumped(work, 'staging', 'backend', '2.0.3'), '--env', 'qa');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environment "qa" has no file environments/qa.yaml; environments/ has: dev, prod, staging');
  }, SLOW);
});

describe('npm run publish', () => {
  test('set-image then publish: a fresh clone has the new image in gitops/envs/<env>/backend/ and nothing else changed', () => {
    const remote = newRemote();
    const work = clone(remote, 'publisher');
    const base = head(work);
    const before = image(work, 'staging', 'backend');
    const next = bumped(work, 'staging', 'backend', '2.1.0');
    expectSuccess(run(work, 'commands/set-image', 'backend', next, '--env', 'staging'));
    const published = expectSuccess(run(work, 'commands/publish', '--message-from', 'https://ci.example.com/job/chat-backend/42/'));
    expect(published.stdout).toContain('publish: pushed');

    const fresh = clone(remote, 'fresh');
    expect(deployedImage(fresh, 'staging', 'backend')).toBe(next);
    const changed = changedFiles(fresh, base, 'HEAD');
    expect(changed).toContain('environments/staging.yaml');
    expect(changed).toContain('gitops/envs/staging/backend/Deployment-backend.yaml');
    expect(changed.filter((f) => f !== 'environments/staging.yaml' && !f.startsWith('gitops/envs/staging/backend/'))).toEqual([]);
    expect(git(fresh, 'rev-list', '--count', `${base}..HEAD`).trim()).toBe('1');

    const message = git(fresh, 'log', '-1', '--format=%B');
    expect(message).toMatch(/^Deploy staging: backend 2\.1\.0\n\n/);
    expect(message).toContain(`staging/backend: ${before} → ${next}\n`);
    expect(message).toContain('Build: https://ci.example.com/job/chat-backend/42/\n');
    expectTreeCurrent(fresh);
  }, SLOW);

  test('with nothing to commit it does nothing and says so', () => {
    const remote = newRemote();
    const work = clone(remote, 'idle');
    const result = expectSuccess(run(work, 'commands/publish'));
    expect(result.stdout).toBe('publish: nothing to commit: environments/ and gitops/ match HEAD\n');
    expect(head(work)).toBe(git(remote, 'rev-parse', 'main').trim());
    expect(git(work, 'status', '--porcelain')).toBe('');
  }, SLOW);

  test('commits only environments/ and gitops/, leaving other changes in the working tree', () => {
    const remote = newRemote();
    const work = clone(remote, 'only');
    fs.appendFileSync(path.join(work, '.gitignore'), 'scratch/\n');
    fs.writeFileSync(path.join(work, 'notes.txt'), 'not for the tree\n');
    git(work, 'add', 'notes.txt');
    expectSuccess(run(work, 'commands/set-image', 'frontend', bumped(work, 'staging', 'frontend', '2.2.0'), '--env', 'staging'));
    expectSuccess(run(work, 'commands/publish'));

    const committed = changedFiles(work, 'HEAD~1', 'HEAD');
    expect(committed.every((f) => f.startsWith('environments/') || f.startsWith('gitops/'))).toBe(true);
    expect(git(work, 'status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([' M .gitignore', 'A  notes.txt']);
  }, SLOW);

  test('never commits a tree that does not validate', () => {
    const remote = newRemote();
    const work = clone(remote, 'invalid');
    const file = path.join(work, 'environments/staging.yaml');
    fs.writeFileSync(file, read(work, 'environments/staging.yaml').replace(/replicas: \{ min: 2, max: 4 \}/, 'replicas: { min: 5, max: 4 }'));
    const before = head(work);
    const result = run(work, 'commands/publish');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environments/staging.yaml');
    expect(result.stderr).toContain('publish: nothing pushed');
    expect(head(work)).toBe(before);
    expect(git(work, 'diff', '--cached', '--name-only')).toBe('');
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(before);
  }, SLOW);

  test('two clones publishing at once both land, and neither change is lost', async () => {
    const remote = newRemote();
    const a = clone(remote, 'racer-a');
    const b = clone(remote, 'racer-b');
    const backend = bumped(a, 'staging', 'backend', '3.1.0');
    const frontend = bumped(b, 'staging', 'frontend', '3.1.0');
    expectSuccess(run(a, 'commands/set-image', 'backend', backend, '--env', 'staging'));
    expectSuccess(run(b, 'commands/set-image', 'frontend', frontend, '--env', 'staging'));

    const results = await Promise.all([runAsync(a, 'commands/publish'), runAsync(b, 'commands/publish')]);
    results.forEach(expectSuccess);
    // Both started from the same commit, so whichever pushed second was rejected, rebased and retried.
    expect(results.filter((r) => r.stdout.includes('push rejected')).length).toBe(1);

    const fresh = clone(remote, 'race-result');
    expect(deployedImage(fresh, 'staging', 'backend')).toBe(backend);
    expect(deployedImage(fresh, 'staging', 'frontend')).toBe(frontend);
    expect(image(fresh, 'staging', 'backend')).toBe(backend);
    expect(image(fresh, 'staging', 'frontend')).toBe(frontend);
    // Linear history: two new commits, no merge.
    expect(git(fresh, 'rev-list', '--count', 'HEAD').trim()).toBe('3');
    expect(git(fresh, 'rev-list', '--merges', 'HEAD')).toBe('');
    expectTreeCurrent(fresh);
  }, SLOW);

  test('a conflict in generated gitops/ files is resolved by regenerating them from the merged environments', () => {
    const remote = newRemote();
    const a = clone(remote, 'gen-a');
    const b = clone(remote, 'gen-b');
    const frontend = bumped(a, 'staging', 'frontend', '4.0.0');
    const backend = bumped(b, 'staging', 'backend', '4.0.0');

    // A's commit carries a generated file that differs from ours right next to the line B's change
    // touches, as when it was synthesized by another version of the charts.
    expectSuccess(run(a, 'commands/set-image', 'frontend', frontend, '--env', 'staging'));
    const deployment = 'gitops/envs/staging/backend/Deployment-backend.yaml';
    const lines = read(a, deployment).split('\n');
    const imageLine = lines.findIndex((l) => l.trim() === `image: ${image(a, 'staging', 'backend')}`);
    expect(imageLine).toBeGreaterThan(0);
    lines[imageLine + 1] += ' # as another synthesizer version writes it';
    fs.writeFileSync(path.join(a, deployment), lines.join('\n'));
    git(a, 'commit', '--quiet', '--all', '-m', 'Frontend 4.0.0');
    git(a, 'push', '--quiet', 'origin', 'main');

    expectSuccess(run(b, 'commands/set-image', 'backend', backend, '--env', 'staging'));
    const published = expectSuccess(run(b, 'commands/publish'));
    expect(published.stdout).toContain('conflict in generated files (1); regenerating gitops/ from the merged environments/');

    const fresh = clone(remote, 'gen-result');
    expect(deployedImage(fresh, 'staging', 'backend')).toBe(backend);
    expect(deployedImage(fresh, 'staging', 'frontend')).toBe(frontend);
    expect(read(fresh, deployment)).not.toContain('another synthesizer version');
    expectTreeCurrent(fresh);
  }, SLOW);

  test('a conflict in environments/ stops it, with nothing pushed and the clone left on its own commit', () => {
    const remote = newRemote();
    const a = clone(remote, 'conflict-a');
    const b = clone(remote, 'conflict-b');
    expectSuccess(run(a, 'commands/set-image', 'backend', bumped(a, 'staging', 'backend', '5.0.0'), '--env', 'staging'));
    expectSuccess(run(a, 'commands/publish'));
    const theirs = git(remote, 'rev-parse', 'main').trim();

    const ours = bumped(b, 'staging', 'backend', '5.0.1');
    expectSuccess(run(b, 'commands/set-image', 'backend', ours, '--env', 'staging'));
    const result = run(b, 'commands/publish', '--attempts', '3');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('environments/staging.yaml changed there too, on the same lines');
    expect(result.stderr).toContain('publish: nothing pushed');
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(theirs);
    expect(fs.existsSync(path.join(b, '.git', 'rebase-merge'))).toBe(false);
    expect(git(b, 'log', '-1', '--format=%B')).toContain(ours);
    expect(git(b, 'status', '--porcelain', '--', 'environments', 'gitops')).toBe('');
  }, SLOW);

  test('refuses to regenerate the tree when the branch changed the synthesizer meanwhile', () => {
    const remote = newRemote();
    const a = clone(remote, 'code-a');
    const b = clone(remote, 'code-b');
    fs.mkdirSync(path.join(a, 'charts'));
    fs.writeFileSync(path.join(a, 'charts', 'extra-chart.ts'), '// a new chart\n');
    git(a, 'add', 'charts');
    git(a, 'commit', '--quiet', '-m', 'Add a chart');
    git(a, 'push', '--quiet', 'origin', 'main');
    const theirs = head(a);

    expectSuccess(run(b, 'commands/set-image', 'backend', bumped(b, 'staging', 'backend', '6.0.0'), '--env', 'staging'));
    const result = run(b, 'commands/publish');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('changes to the synthesizer itself (charts/extra-chart.ts)');
    expect(git(remote, 'rev-parse', 'main').trim()).toBe(theirs);
  }, SLOW);
});

describe('npm run promote', () => {
  test('copies staging’s images to prod, prints old → new, and gives the tree set-image would', () => {
    const remote = newRemote();
    const work = clone(remote, 'promote');
    const staged = { backend: bumped(work, 'staging', 'backend', '7.0.0'), frontend: bumped(work, 'staging', 'frontend', '7.0.0') };
    for (const [component, ref] of Object.entries(staged)) {
      expectSuccess(run(work, 'commands/set-image', component, ref, '--env', 'staging'));
    }
    expectSuccess(run(work, 'commands/publish'));
    const prodBefore = { backend: image(work, 'prod', 'backend'), frontend: image(work, 'prod', 'frontend') };
    const prodText = read(work, 'environments/prod.yaml');
    const stagingTree = [...tree(work)].filter(([f]) => f.includes('staging'));

    const result = expectSuccess(run(work, 'commands/promote', '--from', 'staging', '--to', 'prod'));
    expect(result.stdout).toContain(`prod/backend: ${prodBefore.backend} → ${staged.backend}\n`);
    expect(result.stdout).toContain(`prod/frontend: ${prodBefore.frontend} → ${staged.frontend}\n`);
    expect(result.stdout).toContain('promote: staging → prod: 2 images changed');
    expect(read(work, 'environments/prod.yaml')).toBe(
      prodText.replace(`image: ${prodBefore.backend}`, `image: ${staged.backend}`).replace(`image: ${prodBefore.frontend}`, `image: ${staged.frontend}`),
    );
    expect([...tree(work)].filter(([f]) => f.includes('staging'))).toEqual(stagingTree);

    // The same change made by hand gives the same tree.
    const byHand = clone(remote, 'promote-by-hand');
    for (const [component, ref] of Object.entries(staged)) {
      expectSuccess(run(byHand, 'commands/set-image', component, ref, '--env', 'prod'));
    }
    expect(tree(work)).toEqual(tree(byHand));

    const published = expectSuccess(run(work, 'commands/publish'));
    expect(published.stdout).toContain('Deploy prod: backend 7.0.0, frontend 7.0.0');
  }, SLOW);

  test('promotes only the components named', () => {
    const work = clone(newRemote(), 'promote-one');
    const backend = image(work, 'prod', 'backend');
    expectSuccess(run(work, 'commands/promote', '--from', 'staging', '--to', 'prod', 'frontend'));
    expect(image(work, 'prod', 'frontend')).toBe(image(work, 'staging', 'frontend'));
    expect(image(work, 'prod', 'backend')).toBe(backend);
  }, SLOW);

  test('refuses to promote an environment onto itself', () => {
    const work = clone(newRemote(), 'promote-self');
    const result = run(work, 'commands/promote', '--from', 'prod', '--to', 'prod');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--from and --to are both "prod"');
    expect(git(work, 'status', '--porcelain')).toBe('');
  }, SLOW);
});

describe('npm run rollback', () => {
  test('restores only the images of a revision, as a new commit on top of history', () => {
    const remote = newRemote();
    const work = clone(remote, 'rollback');
    const good = head(work);
    const original = image(work, 'prod', 'backend');

    const broken = bumped(work, 'prod', 'backend', '8.0.0');
    expectSuccess(run(work, 'commands/set-image', 'backend', broken, '--env', 'prod'));
    expectSuccess(run(work, 'commands/publish'));
    // A later change of another setting, which the rollback must keep.
    const file = path.join(work, 'environments/prod.yaml');
    const text = read(work, 'environments/prod.yaml');
    const target = /cpuTargetPercent: (\d+)/.exec(text)!;
    const newTarget = Number(target[1]) - 5;
    fs.writeFileSync(file, text.replace(target[0], `cpuTargetPercent: ${newTarget}`));
    expectSuccess(run(work, 'commands/publish'));
    const tip = head(work);

    const result = expectSuccess(run(work, 'commands/rollback', '--env', 'prod', '--to', good));
    expect(result.stdout).toContain(`prod/backend: ${broken} → ${original}\n`);
    expect(result.stdout).toContain(`prod/frontend: ${image(work, 'prod', 'frontend')} (unchanged)\n`);
    expect(read(work, 'environments/prod.yaml')).toContain(`cpuTargetPercent: ${newTarget}`);
    expect(image(work, 'prod', 'backend')).toBe(original);

    // The expected tree: the tip's tree with only the image set back.
    const expected = clone(remote, 'rollback-expected');
    expectSuccess(run(expected, 'commands/set-image', 'backend', original, '--env', 'prod'));
    expect(tree(work)).toEqual(tree(expected));

    expectSuccess(run(work, 'commands/publish', '--title', `Roll back prod to ${good.slice(0, 12)}`));
    const fresh = clone(remote, 'rollback-result');
    expect(deployedImage(fresh, 'prod', 'backend')).toBe(original);
    // Never a rewrite: every earlier commit is still an ancestor of the branch.
    for (const rev of [good, tip]) git(fresh, 'merge-base', '--is-ancestor', rev, 'HEAD');
    expect(git(fresh, 'rev-list', '--count', 'HEAD').trim()).toBe('4');
    expect(git(fresh, 'log', '-1', '--format=%s').trim()).toBe(`Roll back prod to ${good.slice(0, 12)}`);
    expectTreeCurrent(fresh);
  }, SLOW);

  test('refuses a revision that names no commit, writing nothing', () => {
    const work = clone(newRemote(), 'rollback-missing');
    const result = run(work, 'commands/rollback', '--env', 'prod', '--to', 'no-such-tag');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--to "no-such-tag" names no commit of this repository');
    expect(result.stderr).toContain('rollback: nothing written');
    expect(git(work, 'status', '--porcelain')).toBe('');
  }, SLOW);
});
