// Exit statuses mean the same in every command (lib/cli/exit-status.ts, docs/exit-statuses.md):
// 1 for an unknown environment (the input is wrong), 2 for a bad command line.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT, EXIT_MEANINGS } from '../lib/cli/exit-status';
import { fixtureProject, RUN } from './support/fixture-project';

const PROJECT = path.resolve(__dirname, '..');
let dir: string;

beforeAll(() => {
  // The fixture environments and the root configuration files, in a scratch project.
  dir = fixtureProject('cli-exit-');
  // The same build `npm run <script>` runs first; a no-op when dist/ is current.
  require(path.join(PROJECT, 'scripts', 'build.js')).build({ quiet: true });
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs an entry the way its npm script does, in the temporary project, outside any npm run. */
function run(entry: string, args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k)));
  return spawnSync(process.execPath, [RUN, entry, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_EC2_METADATA_DISABLED: 'true' },
  });
}

const IMAGE = 'registry.example.com/chat/backend:1.0.1';

test.each([
  ['synth', 'main'],
  ['validate', 'commands/validate'],
  ['diff', 'commands/diff'],
  ['set-image', 'commands/set-image'],
  ['promote', 'commands/promote'],
  ['rollback', 'commands/rollback'],
  ['publish', 'commands/publish'],
  ['notify', 'commands/notify'],
  ['s3-preflight', 'commands/s3-preflight'],
  ['bench', 'commands/bench'],
])('%s: an unknown option is a usage error, status 2 with the usage', (name, entry) => {
  const r = run(entry, ['--no-such-option']);
  expect({ status: r.status, stdout: r.stdout }).toEqual({ status: EXIT.usage, stdout: '' });
  expect(r.stderr).toContain("Unknown option '--no-such-option'");
  expect(r.stderr).toContain(`usage: npm run ${name}`);
}, 60_000);

test.each([
  ['set-image', 'commands/set-image', ['backend', IMAGE, '--env', 'nope']],
  ['promote', 'commands/promote', ['--from', 'staging', '--to', 'nope']],
  ['promote', 'commands/promote', ['--from', 'nope', '--to', 'prod']],
  ['rollback', 'commands/rollback', ['--env', 'nope', '--to', 'HEAD']],
  ['s3-preflight', 'commands/s3-preflight', ['--env', 'nope']],
  // The commands that take every environment are told of them by their folder.
  ['synth', 'main', ['--environments', 'nope']],
  ['diff', 'commands/diff', ['--environments', 'nope']],
  ['validate', 'commands/validate', ['nope']],
])('%s: an unknown environment is wrong input, status 1 (%s %j)', (_name, entry, args) => {
  const r = run(entry, args);
  expect(r.status).toBe(EXIT.failed);
  expect(r.stderr).toContain('nope');
  expect(r.stderr).not.toMatch(/^usage:/m);
}, 60_000);

test('docs/exit-statuses.md holds one table with every status and its meaning as the code defines it', () => {
  const doc = fs.readFileSync(path.join(PROJECT, 'docs', 'exit-statuses.md'), 'utf8');
  expect(doc.match(/^\| status \|/gm)).toHaveLength(1);
  const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [Number(m[1]), m[2]!.trim()]);
  expect(rows).toEqual(Object.entries(EXIT_MEANINGS).map(([status, meaning]) => [Number(status), meaning]));
  expect(Object.values(EXIT).sort()).toEqual(Object.keys(EXIT_MEANINGS).map(Number).sort());
});
