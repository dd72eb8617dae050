/**
 * The application repositories' Jenkinsfiles call this project's commands through
 * jenkins/release.sh and jenkins/notify.sh; nothing here runs Jenkins (there is none on this
 * machine), so these tests check what can drift: that every command and option they use exists,
 * the seed's stages, which builds release, where the GitOps repository and the registry are set,
 * the self-contained notifier, and how credentials are handled. test/delivery-loop.test.ts runs
 * the scripts themselves.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { discordPayload } from '../lib/pipeline/deployment-notice';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const JENKINS = path.join(PROJECT_ROOT, 'jenkins');
const SLOW = 120_000;
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;

const STAGES: Record<string, string[]> = {
  'backend.Jenkinsfile': ['Checkout', 'Clean', 'Compile', 'Test', 'Package', 'Docker build', 'Docker push', 'Release to GitOps'],
  'frontend.Jenkinsfile': ['Checkout', 'Install dependencies', 'Test', 'Build', 'Docker build', 'Docker push', 'Release to GitOps'],
};

function jenkinsfile(name: string): string {
  return fs.readFileSync(path.join(JENKINS, name), 'utf8');
}

const RELEASE_SCRIPT = fs.readFileSync(path.join(JENKINS, 'release.sh'), 'utf8');

/** Each `npm …` command line of a shell script, line continuations joined. */
function npmCommands(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    // Up to the end of the line or of the command (`|| exit 1`).
    .map((line) => /\bnpm (?:run|ci)\b.*/.exec(line)?.[0].replace(/\s*\|\|.*$/, '').trim())
    .filter((c): c is string => c !== undefined);
}

/** A stage's text, from its `stage('…')` to the next stage or the post block. */
function stageText(text: string, name: string): string {
  const at = text.indexOf(`stage('${name}')`);
  expect(at).toBeGreaterThanOrEqual(0);
  const next = text.slice(at + 1).search(/stage\('|\n {2}post \{/);
  return text.slice(at, next === -1 ? undefined : at + 1 + next);
}

function help(command: string): string {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'run.js'), command, '--help'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout;
}

const FILES = Object.keys(STAGES);

describe('jenkins/release.sh', () => {
  const commands = npmCommands(RELEASE_SCRIPT);

  test('installs a fresh checkout and runs set-image, then publish', () => {
    expect(commands.filter((c) => c.startsWith('npm run ')).map((c) => c.split(/\s+/)[c.includes('--silent') ? 3 : 2])).toEqual(['set-image', 'publish']);
    expect(commands).toContain('npm ci --no-audit --no-fund');
  });

  test('every npm script it runs exists, and every option it passes is one the command accepts', () => {
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'package-lock.json'))).toBe(true);
    for (const command of commands.filter((c) => c.startsWith('npm run '))) {
      const script = command.split(/\s+/).filter((w) => !w.startsWith('-'))[2]!;
      expect(scripts[script]).toMatch(new RegExp(`^(NODE_EXTRA_CA_CERTS= )?node (--\\S+ )*scripts/run\\.js commands/${script}$`));
      const usage = help(`commands/${script}`);
      const options = [...(command.slice(command.indexOf(' -- ')).match(/(?<=\s)--[a-z][a-z-]*/g) ?? []), ...(RELEASE_SCRIPT.match(/(?<=allow=)--[a-z-]+/g) ?? [])];
      for (const option of options.filter((o) => script === 'set-image' || o !== '--allow-repository-change')) {
        expect({ command, option, accepted: usage.includes(`${option} `) || usage.includes(`${option}]`) }).toEqual({ command, option, accepted: true });
      }
    }
  }, SLOW);

  test('refuses a wrong command line before touching anything', () => {
    const r = spawnSync('sh', [path.join(JENKINS, 'release.sh'), 'backend'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('usage: release.sh <component> <image> <environment>');
    const unset = spawnSync('sh', [path.join(JENKINS, 'release.sh'), 'backend', 'x:1', 'staging'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(unset.status).not.toBe(0);
    expect(unset.stderr).toContain('GITOPS_REPO_URL is not set');
  });
});

describe('jenkins/notify-discord.cjs', () => {
  test('is what scripts/build-notifier.js makes of commands/notify.ts today', () => {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build-notifier.js'), '--check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('runs with plain node and nothing installed, and posts the message lib/pipeline/deployment-notice.ts builds', async () => {
    // A folder with no node_modules anywhere above it, holding only the two files a pipeline has.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'notifier-'));
    const received: { url: string; body: any }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ url: req.url!, body: JSON.parse(body) });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      for (const file of ['notify.sh', 'notify-discord.cjs']) fs.copyFileSync(path.join(JENKINS, file), path.join(dir, file));
      const port = (server.address() as { port: number }).port;
      const env = {
        PATH: path.dirname(process.execPath) + path.delimiter + '/usr/bin:/bin',
        DISCORD_WEBHOOK_URL: `http://127.0.0.1:${port}/api/webhooks/123/secret-token-abcdefghijklmnop`,
        COMPONENT: 'frontend',
        DEPLOY_ENV: 'staging',
        IMAGE_REPOSITORY: 'docker.io/chat/frontend',
        IMAGE_TAG: 'f00dbabe'.repeat(5),
        FAILED_STAGE: 'Docker push',
        BUILD_URL: 'https://ci.example.com/job/chat-frontend/7/',
        JOB_NAME: 'chat-frontend',
        BUILD_NUMBER: '7',
      };
      const child = spawn('sh', [path.join(dir, 'notify.sh'), 'failure'], { cwd: dir, env });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ status, output }).toEqual({ status: 0, output: 'notify: failure message delivered to Discord (HTTP 204, 1 attempt)\n' });
      expect(received.map((r) => r.url)).toEqual(['/api/webhooks/123/secret-token-abcdefghijklmnop']);
      const expected = discordPayload({
        status: 'failure',
        component: 'frontend',
        environment: 'staging',
        image: `docker.io/chat/frontend:${env.IMAGE_TAG}`,
        commit: env.IMAGE_TAG,
        buildUrl: env.BUILD_URL,
        job: 'chat-frontend',
        buildNumber: '7',
        message: 'stage Docker push failed',
      });
      const { timestamp, ...embed } = received[0]!.body.embeds[0];
      expect(Date.parse(timestamp)).toBeGreaterThan(Date.now() - 60_000);
      expect({ ...received[0]!.body, embeds: [embed] }).toEqual({ ...expected, embeds: [{ ...expected.embeds[0], timestamp: undefined }].map(({ timestamp: _, ...e }) => e) });
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jenkins/dockerfile.sh', () => {
  const SCRIPT = path.join(JENKINS, 'dockerfile.sh');
  let scratch: string;
  let remote: string;
  let commit: string;
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
    expect(r.stderr + (r.status === 0 ? '' : ` (exit ${r.status})`)).not.toMatch(/exit \d+/);
    return r.stdout.trim();
  };
  const run = (args: string[], env: Record<string, string>, cwd = scratch) =>
    spawnSync('sh', [SCRIPT, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });

  beforeAll(() => {
    // A bare repository playing the GitOps remote, holding this repository's docker/ folder.
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-sh-'));
    remote = path.join(scratch, 'gitops.git');
    const work = path.join(scratch, 'work');
    git(scratch, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
    git(scratch, 'init', '--quiet', '--initial-branch=main', work);
    fs.cpSync(path.join(PROJECT_ROOT, 'docker'), path.join(work, 'docker'), { recursive: true });
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'reference Dockerfiles');
    git(work, 'push', '--quiet', remote, 'main');
    commit = git(work, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(scratch, 'Dockerfile'), 'FROM scratch\n');
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  test('gitops:<path> fetches the file from the GitOps branch, outside the build context, and says which commit', () => {
    const r = run(['gitops:docker/backend.Dockerfile'], { GITOPS_REPO_URL: remote, GITOPS_BRANCH: 'main', WORKSPACE: path.join(scratch, 'ws') });
    expect(r.status).toBe(0);
    const fetched = r.stdout.trim();
    expect(fetched).toBe(path.join(fs.realpathSync(scratch), 'ws@dockerfile', 'docker', 'backend.Dockerfile'));
    expect(fs.readFileSync(fetched, 'utf8')).toBe(fs.readFileSync(path.join(PROJECT_ROOT, 'docker', 'backend.Dockerfile'), 'utf8'));
    expect(r.stderr).toContain(`dockerfile: docker/backend.Dockerfile of ${remote} at ${commit}`);
  });

  test('a path is a file of the application\'s checkout, passed through', () => {
    const r = run(['Dockerfile'], {});
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: 'Dockerfile\n' });
  });

  test('refuses a file that is not there, a path out of the repository, and a missing repository setting', () => {
    const missing = run(['gitops:docker/api.Dockerfile'], { GITOPS_REPO_URL: remote, GITOPS_BRANCH: 'main', DOCKERFILE_DIR: path.join(scratch, 'clone') });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`dockerfile: docker/api.Dockerfile is not a file of ${remote} on main`);
    expect(run(['gitops:../etc/passwd'], { GITOPS_REPO_URL: remote, GITOPS_BRANCH: 'main' }).status).toBe(2);
    expect(run(['gitops:docker/backend.Dockerfile'], { GITOPS_BRANCH: 'main' }).stderr).toContain('GITOPS_REPO_URL is not set');
    expect(run(['Dockerfile.missing'], {}).stderr).toContain('dockerfile: Dockerfile.missing is not a file of the application\'s checkout');
    expect(run([], {}).status).toBe(2);
  });
});

describe.each(FILES)('jenkins/%s', (name) => {
  const text = jenkinsfile(name);
  const component = name.split('.')[0]!;

  test('builds the image with the DOCKERFILE parameter, by default the reference Dockerfile of this repository', () => {
    const declared = /string\(\s*name: 'DOCKERFILE',\s*defaultValue: '([^']+)'/.exec(text);
    expect(declared?.[1]).toBe(`gitops:docker/${component}.Dockerfile`);
    expect(fs.existsSync(path.join(PROJECT_ROOT, 'docker', `${component}.Dockerfile`))).toBe(true);
    const build = stageText(text, 'Docker build');
    expect(build).toContain('withEnv(["DOCKERFILE=${params.DOCKERFILE}"])');
    expect(build).toContain(`env.DOCKERFILE_PATH = sh(script: 'sh jenkins/dockerfile.sh "$DOCKERFILE"', returnStdout: true).trim()`);
    expect(build).toContain("withCredentials([gitUsernamePassword(credentialsId: 'gitops-repo')])");
    expect([...build.matchAll(/\bsh '(docker build[^']*)'/g)].map((m) => m[1])).toEqual(['docker build --pull -f "$DOCKERFILE_PATH" -t "$IMAGE_REPOSITORY:$IMAGE_TAG" .']);
    expect(text).toContain('dockerfile.sh');
    expect(fs.existsSync(path.join(JENKINS, 'dockerfile.sh'))).toBe(true);
  });

  test('releases with jenkins/release.sh alone, and notifies with jenkins/notify.sh alone', () => {
    const release = stageText(text, 'Release to GitOps');
    expect([...release.matchAll(/\bsh '([^']*)'/g)].map((m) => m[1])).toEqual(['sh jenkins/release.sh "$COMPONENT" "$RELEASED_IMAGE" "$DEPLOY_ENV"']);
    expect(release).toContain("withCredentials([gitUsernamePassword(credentialsId: 'gitops-repo')])");
    expect([...text.matchAll(/\bsh '([^']*notify[^']*)'/g)].map((m) => m[1])).toEqual(['sh jenkins/notify.sh "$NOTIFY_STATUS"']);
    // No step of the pipeline checks out or installs this project itself any more.
    expect(text).not.toMatch(/npm run (set-image|publish|notify)|gitopsDir|checkoutGitops/);
    for (const file of ['release.sh', 'notify.sh', 'notify-discord.cjs']) expect(fs.existsSync(path.join(JENKINS, file))).toBe(true);
  });

  test('has the seed pipeline’s stages, in order', () => {
    const stages = [...text.matchAll(/stage\('([^']+)'\)/g)].map((m) => m[1]);
    expect(stages).toEqual(STAGES[name]);
  });

  test('pull requests build and test only; builds of main also push, release and notify', () => {
    expect(text).toMatch(/def releases\(\) \{\n\s+return env\.BRANCH_NAME == env\.RELEASE_BRANCH && env\.CHANGE_ID == null\n\s*\}/);
    expect(text).toContain("RELEASE_BRANCH = 'main'");
    const releasing = ['Docker build', 'Docker push', 'Release to GitOps'];
    for (const stage of STAGES[name]!) {
      const when = /^\s*when \{ expression \{ return releases\(\) \} \}$/m.test(stageText(text, stage));
      expect({ stage, gated: when }).toEqual({ stage, gated: releasing.includes(stage) });
      expect(stageText(text, stage)).not.toMatch(/when \{(?! expression \{ return releases\(\) \} \})/);
    }
    // The Discord message is for releasing builds only.
    expect(text).toMatch(/def notifyDiscord\(String status\) \{\n\s+if \(!releases\(\)\) \{\n\s+return\n\s+\}/);
  });

  test('names the GitOps repository and branch of gitops.config.yaml', () => {
    const config = loadGitopsConfig(path.join(PROJECT_ROOT, 'gitops.config.yaml'), { root: PROJECT_ROOT });
    const value = (variable: string) => [...text.matchAll(new RegExp(`^\\s*${variable} = '([^']*)'$`, 'gm'))].map((m) => m[1]);
    expect(value('GITOPS_REPO_URL')).toEqual([config.repository.url]);
    expect(value('GITOPS_BRANCH')).toEqual([config.repository.targetRevision]);
    // No other repository URL hides anywhere in the file.
    expect([...text.matchAll(/https?:\/\/[^\s'"]+\.git\b/g)].map((m) => m[0])).toEqual([config.repository.url]);
  });

  test('sets the registry once, Docker Hub, and builds, logs in to and pushes only that', () => {
    expect([...text.matchAll(/^\s*REGISTRY = '([^']*)'$/gm)].map((m) => m[1])).toEqual(['docker.io']);
    expect(text).toContain(`IMAGE_REPOSITORY = "\${REGISTRY}/chat/${name.split('.')[0]}"`);
    expect(text).toContain('docker login "$REGISTRY"');
    expect(text).not.toMatch(/registry\.example\.com|ghcr\.io|quay\.io|amazonaws/);
  });

  test('tags the image with the commit id, never latest, and releases it by digest', () => {
    expect(text).toContain("env.IMAGE_TAG = sh(script: 'git rev-parse HEAD', returnStdout: true).trim()");
    expect(text).toContain('docker push "$IMAGE_REPOSITORY:$IMAGE_TAG"');
    expect(text).toContain('env.RELEASED_IMAGE = "${env.IMAGE_REPOSITORY}:${env.IMAGE_TAG}@${digest.substring(digest.indexOf(\'@\') + 1)}"');
    expect(text).not.toMatch(/:latest\b/);
  });

  test('notifies Discord on success and on failure', () => {
    const post = text.slice(text.lastIndexOf('  post {'));
    expect(post).toMatch(/success \{\s+script \{ notifyDiscord\('success'\) \}/);
    expect(post).toMatch(/failure \{\s+script \{ notifyDiscord\('failure'\) \}/);
  });

  test('uses credentials by id only, and never interpolates a secret in Groovy', () => {
    const ids = [...text.matchAll(/credentialsId: '([^']+)'/g)].map((m) => m[1]);
    expect([...new Set(ids)].sort()).toEqual(['discord-webhook-url', 'gitops-repo', 'registry-credentials']);
    for (const id of ids) expect(text).toContain(`//   ${id} `);
    // Secrets reach the shell as environment variables in single-quoted scripts, so Groovy never
    // sees (or logs) their values.
    for (const secret of ['REGISTRY_PASSWORD', 'DISCORD_WEBHOOK_URL']) {
      expect(text).not.toMatch(new RegExp(`sh\\s*\\(?\\s*"[^"]*\\$\\{?(env\\.)?${secret}`));
    }
    expect(text).not.toMatch(/(password|token|webhook)\s*[:=]\s*'[^']+'/i);
  });
});
