/**
 * The delivery loop end to end, as the application pipelines run it: a bare git repository stands
 * in for the GitOps repository (this project's code, the fixture environments and the tree synth
 * makes of them), two pipelines (backend and frontend) release at once with the very commands
 * their Jenkinsfiles run (jenkins/release.sh, then jenkins/notify.sh), a local HTTP server plays
 * Discord's webhook, and a fresh clone of what was pushed must pass this repository's gates.
 * Real git, real processes, loopback only.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readImage } from '../lib/pipeline/image-edit';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const FIXTURE_ENVIRONMENTS = path.join(PROJECT_ROOT, 'test', 'fixtures', 'environments');
const NODE_MODULES = path.join(PROJECT_ROOT, 'node_modules');
/** Each clone bundles its own dist/ on its first command; two pipelines share the machine. */
const SLOW = 240_000;
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
/** What the seed leaves out of this project: its own deployments, tests and build output. */
const NOT_COPIED = /^(environments|gitops|test|__snapshots__|dist|node_modules)(\/|$)/;

type Component = 'backend' | 'frontend';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Received {
  readonly url: string;
  readonly body: any;
}

let tmp: string;
let remote: string;
let seedCommit: string;
let baseEnv: NodeJS.ProcessEnv;
let server: http.Server;
let webhookUrl: string;
const received: Received[] = [];

/** A step of a Jenkinsfile: the one `sh '…'` of a stage, or the notify step of its post block. */
function jenkinsStep(component: Component, which: 'release' | 'notify'): string {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, 'jenkins', `${component}.Jenkinsfile`), 'utf8');
  if (which === 'notify') {
    const steps = [...text.matchAll(/\bsh '([^']*jenkins\/notify\.sh[^']*)'/g)].map((m) => m[1]!);
    expect(steps).toHaveLength(1);
    return steps[0]!;
  }
  const stage = text.slice(text.indexOf("stage('Release to GitOps')"), text.indexOf('\n  post {'));
  const steps = [...stage.matchAll(/\bsh '([^']*)'/g)].map((m) => m[1]!);
  expect(steps).toHaveLength(1);
  return steps[0]!;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: baseEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}:\n${r.stderr}`);
  return r.stdout;
}

function runSync(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(command, args, { cwd, env: { ...baseEnv, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runAsync(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...baseEnv, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function expectSuccess(what: string, r: Run): Run {
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return r;
}

/** A clone that runs this project's commands: node_modules linked in, kept out of git's sight. */
function workingClone(name: string): string {
  const dir = path.join(tmp, name);
  git(tmp, 'clone', '--quiet', `file://${remote}`, dir);
  fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'));
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), '/node_modules\n');
  return dir;
}

interface PipelineRun {
  readonly component: Component;
  /** Exit status of the build step (Jenkins: the stages before Docker build). */
  readonly buildExit: number;
  /** The image repository the pipeline pushes to. */
  readonly repository: string;
  /** What the push stage hands the release: default `<repository>:<commit>@<digest>`. */
  readonly releasedImage?: string;
  readonly allowRepositoryChange?: boolean;
  /** Extra environment of the build, e.g. RELEASE_ATTEMPTS. */
  readonly env?: NodeJS.ProcessEnv;
}

interface PipelineResult {
  readonly status: 'success' | 'failure';
  readonly release?: Run;
  readonly notify: Run;
}

/**
 * One build of main of an application repository, its steps run as Jenkins runs them: the build
 * step, then (when it passed) the release stage's step, then the post block's notify step with the
 * build's status. The workspace holds the jenkins/ folder the application repository carries.
 */
async function pipeline(run: PipelineRun, number: number): Promise<PipelineResult> {
  const workspace = path.join(tmp, `workspace-${run.component}-${number}`);
  fs.mkdirSync(workspace);
  fs.cpSync(path.join(PROJECT_ROOT, 'jenkins'), path.join(workspace, 'jenkins'), { recursive: true });
  const commit = `${number}`.padStart(2, '0').repeat(20);
  const env: NodeJS.ProcessEnv = {
    WORKSPACE: workspace,
    COMPONENT: run.component,
    DEPLOY_ENV: 'staging',
    GITOPS_REPO_URL: `file://${remote}`,
    GITOPS_BRANCH: 'main',
    GITOPS_NODE_MODULES: NODE_MODULES,
    ALLOW_REPOSITORY_CHANGE: run.allowRepositoryChange ? 'true' : 'false',
    IMAGE_REPOSITORY: run.repository,
    IMAGE_TAG: commit,
    BUILD_URL: `https://ci.example.com/job/chat-${run.component}/${number}/`,
    JOB_NAME: `chat-${run.component}`,
    BUILD_NUMBER: `${number}`,
    ...run.env,
  };
  let status: 'success' | 'failure' = 'success';
  let release: Run | undefined;
  const build = await runAsync(workspace, 'sh', ['-c', `exit ${run.buildExit}`], env);
  if (build.status !== 0) {
    status = 'failure';
    env.FAILED_STAGE = 'Build';
  } else {
    env.RELEASED_IMAGE = run.releasedImage ?? `${run.repository}:${commit}@${DIGEST}`;
    env.FAILED_STAGE = 'Release to GitOps';
    release = await runAsync(workspace, 'sh', ['-c', jenkinsStep(run.component, 'release')], env);
    if (release.status === 0) env.FAILED_STAGE = '';
    else status = 'failure';
  }
  const notify = await runAsync(workspace, 'sh', ['-c', jenkinsStep(run.component, 'notify')], { ...env, NOTIFY_STATUS: status, DISCORD_WEBHOOK_URL: webhookUrl });
  return { status, ...(release ? { release } : {}), notify };
}

function read(root: string, rel: string): string {
  return fs.readFileSync(path.join(root, rel), 'utf8');
}

function deployedImage(root: string, env: string, component: Component): string {
  const deployment = parseAllDocuments(read(root, `gitops/envs/${env}/${component}/Deployment-${component}.yaml`))[0]!.toJS();
  return deployment.spec.template.spec.containers[0].image;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-loop-'));
  const globalConfig = path.join(tmp, 'gitconfig');
  fs.writeFileSync(globalConfig, '');
  baseEnv = {
    PATH: process.env.PATH,
    HOME: tmp,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_AUTHOR_NAME: 'Jenkins',
    GIT_AUTHOR_EMAIL: 'jenkins@example.com',
    GIT_COMMITTER_NAME: 'Jenkins',
    GIT_COMMITTER_EMAIL: 'jenkins@example.com',
    // npm stays off the network: no update check, no registry.
    npm_config_update_notifier: 'false',
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };

  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/webhooks/42/loop-token-abcdefghijklmnop`;

  // The GitOps repository: this project's code (as it is in the working tree), the fixture
  // environments and the tree synth makes of them.
  const seed = path.join(tmp, 'seed');
  const listed = (args: string[]) => runSync(PROJECT_ROOT, 'git', ['ls-files', '-z', ...args]).stdout.split('\0').filter(Boolean);
  for (const file of [...listed([]), ...listed(['--others', '--exclude-standard'])]) {
    if (NOT_COPIED.test(file) || !fs.existsSync(path.join(PROJECT_ROOT, file))) continue;
    fs.mkdirSync(path.dirname(path.join(seed, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(seed, file));
  }
  fs.cpSync(FIXTURE_ENVIRONMENTS, path.join(seed, 'environments'), { recursive: true });
  git(tmp, 'init', '--quiet', '--initial-branch=main', seed);
  fs.symlinkSync(NODE_MODULES, path.join(seed, 'node_modules'));
  fs.appendFileSync(path.join(seed, '.git', 'info', 'exclude'), '/node_modules\n');
  expectSuccess('synth of the fixture environments', runSync(seed, 'npm', ['run', '--silent', 'synth']));
  git(seed, 'add', '--all');
  git(seed, 'commit', '--quiet', '-m', 'GitOps repository: code, fixture environments and their tree');
  seedCommit = git(seed, 'rev-parse', 'HEAD').trim();
  remote = path.join(tmp, 'gitops.git');
  git(tmp, 'clone', '--quiet', '--bare', seed, remote);
}, SLOW);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the delivery loop', () => {
  test('two pipelines release at once; what they pushed passes every gate; Discord hears once from each', async () => {
    const started = Date.now();
    const before = workingClone('before');
    const staging = read(before, 'environments/staging.yaml');
    const backendRepository = readImage(staging, 'staging', 'backend')!.replace(/:.*$/, '');
    expect(backendRepository).toBe('registry.example.com/chat/backend');

    // The backend releases from the repository the environment runs; the frontend from Docker Hub,
    // the registry the pipelines push to, which is a repository change the job must allow.
    const [backend, frontend] = await Promise.all([
      pipeline({ component: 'backend', buildExit: 0, repository: backendRepository }, 11),
      pipeline({ component: 'frontend', buildExit: 0, repository: 'docker.io/chat/frontend', allowRepositoryChange: true }, 12),
    ]);
    for (const [name, result] of [['backend', backend], ['frontend', frontend]] as const) {
      expectSuccess(`${name} release`, result.release!);
      expect({ name, status: result.status }).toEqual({ name, status: 'success' });
      expectSuccess(`${name} notify`, result.notify);
      expect(result.notify.stdout).toContain('notify: success message delivered to Discord (HTTP 204, 1 attempt)');
    }
    const backendImage = `registry.example.com/chat/backend:${'11'.repeat(20)}@${DIGEST}`;
    const frontendImage = `docker.io/chat/frontend:${'12'.repeat(20)}@${DIGEST}`;

    // One success message per pipeline, each naming its component and image, to the webhook's path.
    expect(received).toHaveLength(2);
    expect(new Set(received.map((r) => r.url))).toEqual(new Set(['/api/webhooks/42/loop-token-abcdefghijklmnop']));
    const byTitle = new Map(received.map((r) => [r.body.embeds[0].title as string, r.body.embeds[0]]));
    expect([...byTitle.keys()].sort()).toEqual(['✅ backend → staging: released', '✅ frontend → staging: released']);
    expect(byTitle.get('✅ backend → staging: released').fields).toEqual(expect.arrayContaining([{ name: 'Image', value: `\`${backendImage}\``, inline: false }]));
    expect(byTitle.get('✅ frontend → staging: released').url).toBe('https://ci.example.com/job/chat-frontend/12/');

    // The branch holds both releases on top of the seed, one commit each, each touching only
    // environments/ and gitops/.
    const after = workingClone('after');
    const log = git(after, 'log', '--format=%s', `${seedCommit}..HEAD`).trim().split('\n');
    expect(log.sort()).toEqual([`Deploy staging: backend ${'11'.repeat(20)}`, `Deploy staging: frontend ${'12'.repeat(20)}`]);
    const touched = git(after, 'diff', '--name-only', seedCommit, 'HEAD').trim().split('\n');
    expect(touched.filter((f) => !f.startsWith('environments/') && !f.startsWith('gitops/'))).toEqual([]);
    expect(touched).toEqual(expect.arrayContaining(['environments/staging.yaml', 'gitops/envs/staging/backend/Deployment-backend.yaml', 'gitops/envs/staging/frontend/Deployment-frontend.yaml']));
    const released = read(after, 'environments/staging.yaml');
    expect([readImage(released, 'staging', 'backend'), readImage(released, 'staging', 'frontend')]).toEqual([backendImage, frontendImage]);
    expect([deployedImage(after, 'staging', 'backend'), deployedImage(after, 'staging', 'frontend')]).toEqual([backendImage, frontendImage]);

    // This repository's gates, on the fresh clone of what was pushed, as its CI runs them.
    const validate = expectSuccess('npm run validate', runSync(after, 'npm', ['run', '--silent', 'validate']));
    expect(validate.stdout + validate.stderr).not.toMatch(/error/i);
    const check = expectSuccess('npm run diff -- --check', runSync(after, 'npm', ['run', '--silent', 'diff', '--', '--check']));
    expect(check.stdout).toMatch(/^diff --check: gitops\/ is current \(\d+ files match what synth produces\)\n$/);
    // The live tree is what synth makes of the environments: a dry run would write nothing.
    const dryRun = expectSuccess('synth --dry-run', runSync(after, 'npm', ['run', '--silent', 'synth', '--', '--dry-run']));
    expect(dryRun.stdout).toContain('gitops/: 0 written, 0 removed');
    const report = expectSuccess('npm run diff', runSync(after, 'npm', ['run', '--silent', 'diff', '--', '--base', seedCommit]));
    expect(report.stdout).not.toContain('STALE TREE');
    expect(report.stdout).toContain(`Deployment/backend backend: registry.example.com/chat/backend:1.4.2 → ${backendImage}`);
    const raced = [backend, frontend].some((r) => /push rejected/.test(r.release!.stdout));
    console.log(`delivery loop: two releases and the gates in ${((Date.now() - started) / 1000).toFixed(1)} s${raced ? '; one push lost the race and was rebased' : ''}`);
  }, SLOW);

  test('a pipeline whose build fails releases nothing and sends one failure message', async () => {
    const tip = git(tmp, '--git-dir', remote, 'rev-parse', 'refs/heads/main').trim();
    received.length = 0;
    const result = await pipeline({ component: 'backend', buildExit: 1, repository: 'registry.example.com/chat/backend' }, 13);
    expect(result.status).toBe('failure');
    expect(result.release).toBeUndefined();
    expectSuccess('notify', result.notify);
    expect(received).toHaveLength(1);
    const embed = received[0]!.body.embeds[0];
    expect(embed.title).toBe('❌ backend → staging: failed');
    expect(embed.description).toBe('stage Build failed');
    expect(embed.fields).toEqual(expect.arrayContaining([{ name: 'Status', value: 'failure', inline: true }]));
    expect(git(tmp, '--git-dir', remote, 'rev-parse', 'refs/heads/main').trim()).toBe(tip);
    // The failure message needed no checkout of the GitOps repository.
    expect(fs.existsSync(path.join(tmp, 'workspace-backend-13@gitops'))).toBe(false);
  }, SLOW);

  test('a release that set-image refuses pushes nothing and sends one failure message naming the stage', async () => {
    const tip = git(tmp, '--git-dir', remote, 'rev-parse', 'refs/heads/main').trim();
    received.length = 0;
    const result = await pipeline({ component: 'frontend', buildExit: 0, repository: 'docker.io/chat/frontend', releasedImage: 'docker.io/chat/frontend:latest', env: { RELEASE_ATTEMPTS: '1' } }, 14);
    expect(result.status).toBe('failure');
    expect(result.release!.status).toBe(1);
    expect(result.release!.stderr).toContain('refusing image "docker.io/chat/frontend:latest"');
    expect(result.release!.stderr).toContain('release: failed after 1 attempt(s); nothing more was pushed');
    expectSuccess('notify', result.notify);
    expect(received.map((r) => [r.body.embeds[0].title, r.body.embeds[0].description])).toEqual([['❌ frontend → staging: failed', 'stage Release to GitOps failed']]);
    expect(git(tmp, '--git-dir', remote, 'rev-parse', 'refs/heads/main').trim()).toBe(tip);
  }, SLOW);
});
