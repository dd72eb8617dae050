// `npm run diff --format markdown` fits a pull-request comment by default; `npm run s3-preflight`
// prints no AWS SDK notice about Node versions.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixtureProject, RUN } from './support/fixture-project';

const PROJECT = path.resolve(__dirname, '..');
/** GitHub's limit of a pull-request comment, in characters. */
const GITHUB_COMMENT_LIMIT = 65_536;
let dir: string;

beforeAll(() => {
  // The fixture environments and the root configuration files, in a scratch project.
  dir = fixtureProject('cli-diff-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'empty tree: every object of the synth is new');
  require(path.join(PROJECT, 'scripts', 'build.js')).build({ quiet: true });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(entry: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$|AWS_)/i.test(k)));
  return spawnSync(process.execPath, [RUN, entry, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 90_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...base, ...env },
  });
}

describe('diff --format markdown', () => {
  test('is cut to fit a pull-request comment without --max-length; --max-length still decides when given; html is whole', () => {
    const markdown = run('commands/diff', ['--format', 'markdown']);
    expect(markdown.status).toBe(0);
    expect(markdown.stdout.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    // The whole report is far longer: what the default left out.
    const whole = run('commands/diff', ['--format', 'markdown', '--max-length', '100000000']);
    expect(whole.status).toBe(0);
    expect(whole.stdout.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    const short = run('commands/diff', ['--format', 'markdown', '--max-length', '20000']);
    expect(short.stdout.length).toBeLessThanOrEqual(20_000);
    const html = run('commands/diff', ['--format', 'html']);
    expect(html.status).toBe(0);
    expect(html.stdout.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT);
    // --max-length stays markdown's only.
    expect(run('commands/diff', ['--format', 'html', '--max-length', '20000']).status).toBe(2);
  }, 240_000);
});

describe('s3-preflight', () => {
  test('prints no NodeVersionSupportWarning of the AWS SDK', () => {
    const r = run('commands/s3-preflight', ['--env', 'staging'], {
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    });
    // The client was made and asked (the endpoint refuses connections): the SDK ran its start-up.
    expect(r.stdout).toContain('s3-preflight');
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|upgrade to node/);
  }, 90_000);

  test('the SDK does print it otherwise on this Node, so the test above can fail', () => {
    if (Number(process.versions.node.split('.')[0]) >= 22) return;
    const r = spawnSync(process.execPath, ['-e', "new (require('@aws-sdk/client-s3').S3Client)({ region: 'us-east-1' })"], {
      cwd: PROJECT,
      encoding: 'utf8',
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
    });
    expect(r.stderr).toMatch(/NodeVersionSupportWarning/);
  });
});
