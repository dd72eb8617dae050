// How commands read their command line under `npm run`: paths from the caller's directory
// (INIT_CWD), and options npm swallowed (typed without `--`) answered with the line to type.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCommandLine, POSITIONALS } from '../lib/cli/command-line';
import { callerPath, suggestedCommand, swallowedOptions } from '../lib/cli/npm-launch';
import { fixtureProject, synthFixtureTree } from './support/fixture-project';

const PROJECT = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * A scratch project that `npm run` runs in as it runs in this one: this project's package.json
 * (its scripts) and scripts/ (linked: run.js builds and runs this project's dist/), node_modules
 * linked in, the fixture environments, and the tree synth makes of them in gitops/.
 */
let project: string;

beforeAll(() => {
  project = fixtureProject('cli-npm-run-');
  fs.copyFileSync(path.join(PROJECT, 'package.json'), path.join(project, 'package.json'));
  fs.symlinkSync(path.join(PROJECT, 'scripts'), path.join(project, 'scripts'), 'dir');
  fs.symlinkSync(path.join(PROJECT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  synthFixtureTree(project);
}, 180_000);
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

/** `npm run <args>` in `cwd`, as a person types it, without this test's own npm variables. */
function npmRun(cwd: string, args: string[]) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$)/i.test(k)));
  // npm stays off the network: no update check.
  const env = { ...inherited, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' };
  return spawnSync(npm, ['run', '-s', ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

function quiet<T>(fn: () => T): { result: T; err: string } {
  const err: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return { result: fn(), err: err.join('\n') };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

describe('paths typed on the command line are read from the caller directory', () => {
  const SPEC = { options: { out: { type: 'string', default: 'gitops' }, name: { type: 'string' } }, positionals: true, paths: ['out', POSITIONALS] } as const;
  const read = (argv: string[], env: NodeJS.ProcessEnv) =>
    quiet(() => readCommandLine('demo', 'usage', argv, SPEC, ({ values, positionals }) => ({ out: values.out, name: values.name, positionals }), { env, cwd: '/repo' })).result;

  test('under npm run <command>, typed paths resolve from INIT_CWD; defaults and other options stay', () => {
    const env = { npm_lifecycle_event: 'demo', INIT_CWD: '/repo/gitops/envs' };
    expect(read(['.', 'dev', '--out', '../x', '--name', 'a/b'], env)).toEqual({ out: 'gitops/x', name: 'a/b', positionals: ['gitops/envs', 'gitops/envs/dev'] });
    expect(read([], env)).toEqual({ out: 'gitops', name: undefined, positionals: [] });
    expect(read(['/abs/tree', '--out=/tmp/o'], env)).toEqual({ out: '/tmp/o', name: undefined, positionals: ['/abs/tree'] });
    expect(read(['../../..'], { npm_lifecycle_event: 'demo', INIT_CWD: '/repo/gitops/envs' })).toEqual({ out: 'gitops', name: undefined, positionals: ['/'] });
  });

  test('without npm as the launcher (or under another script), paths stay as typed', () => {
    expect(read(['.', '--out', 'x'], { INIT_CWD: '/elsewhere' })).toEqual({ out: 'x', name: undefined, positionals: ['.'] });
    expect(read(['.'], { npm_lifecycle_event: 'test', INIT_CWD: '/elsewhere' })).toEqual({ out: 'gitops', name: undefined, positionals: ['.'] });
  });

  test('callerPath keeps a path unchanged when the caller is the project root', () => {
    expect(callerPath('./gitops/', '/repo', '/repo')).toBe('./gitops/');
    expect(callerPath('.', '/repo/gitops', '/repo')).toBe('gitops');
    expect(callerPath('..', '/repo/gitops', '/repo')).toBe('.');
  });

  test('`cd gitops/envs/dev && npm run validate -- .` validates that folder only', () => {
    // The folder alone lacks what its objects refer to elsewhere (status 1), but it is what is read.
    const whole = npmRun(path.join(project, 'gitops'), ['validate', '--', '.']);
    const dev = npmRun(path.join(project, 'gitops', 'envs', 'dev'), ['validate', '--', '.']);
    const objects = (out: string) => Number(/validate: (\d+) objects/.exec(out)?.[1]);
    expect({ status: whole.status, stderr: whole.stderr }).toEqual({ status: 0, stderr: '' });
    expect([0, 1]).toContain(dev.status);
    expect(objects(dev.stdout)).toBeGreaterThan(0);
    expect(objects(dev.stdout)).toBeLessThan(objects(whole.stdout));
    const root = npmRun(project, ['validate']);
    expect(objects(root.stdout)).toBe(objects(whole.stdout));
  }, 180_000);
});

describe('options npm swallowed', () => {
  const OPTIONS = { env: { type: 'string' }, 'allow-repository-change': { type: 'boolean' }, color: { type: 'boolean' }, 'no-color': { type: 'boolean' } } as const;
  const npmEnv = (vars: Record<string, string>) => ({ npm_lifecycle_event: 'set-image', npm_config_local_prefix: '/repo', ...vars });

  test('a declared option npm set as npm_config_<name> is found, its value taken back from the arguments', () => {
    const found = swallowedOptions('set-image', OPTIONS, ['backend', 'img:1', 'staging'], npmEnv({ npm_config_env: 'true', npm_config_allow_repository_change: 'true' }), () => undefined);
    expect(found).toEqual({ options: [{ name: 'env', values: ['staging'] }, { name: 'allow-repository-change', values: [] }], positionals: ['backend', 'img:1'] });
    expect(suggestedCommand('set-image', found)).toBe('npm run set-image -- backend img:1 --env staging --allow-repository-change');
    expect(suggestedCommand('x', { options: [{ name: 'title', values: ["it's"] }], positionals: [] })).toBe(`npm run x -- --title 'it'\\''s'`);
  });

  test('npm settings are not options: another script, a key from an .npmrc, an undeclared name, one typed after --', () => {
    expect(swallowedOptions('set-image', OPTIONS, [], { npm_lifecycle_event: 'test', npm_config_env: 'x' }).options).toEqual([]);
    const npmrc = (file: string) => (file === path.join('/repo', '.npmrc') ? 'color=false\n' : undefined);
    expect(swallowedOptions('set-image', OPTIONS, [], npmEnv({ npm_config_color: '', npm_config_registry: 'https://r' }), npmrc).options).toEqual([]);
    expect(swallowedOptions('set-image', OPTIONS, ['--env', 'x'], npmEnv({ npm_config_env: 'x' }), () => undefined).options).toEqual([]);
    expect(swallowedOptions('set-image', OPTIONS, [], npmEnv({ npm_config_color: '' }), () => undefined).options).toEqual([{ name: 'no-color', values: [] }]);
  });

  test('readCommandLine stops with 2 and the command to type', () => {
    const { result, err } = quiet(() =>
      readCommandLine('set-image', 'usage', ['backend', 'img:1', 'staging'], { options: OPTIONS, positionals: true }, () => ({}), {
        env: npmEnv({ npm_config_env: 'true' }),
      }),
    );
    expect(result).toBe(2);
    expect(err).toContain('set-image: npm took --env for its own option');
    expect(err).toContain('\n  npm run set-image -- backend img:1 --env staging\n');
  });

  test('`npm run set-image backend <image> --env staging` (no --) exits 2 naming the command to type, touching nothing', () => {
    const image = 'registry.example.com/chat/backend:9.9.9';
    const before = fs.readFileSync(path.join(project, 'environments', 'staging.yaml'), 'utf8');
    const run = npmRun(project, ['set-image', 'backend', image, '--env', 'staging']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`npm run set-image -- backend ${image} --env staging`);
    expect(run.stdout).toBe('');
    // With -- the same line reaches the command: it reads the file, which declares no such
    // component, and refuses it (exit 1, as for any value the environment file does not allow).
    const typed = npmRun(project, ['set-image', '--', 'nope', image, '--env', 'staging']);
    expect(typed.status).toBe(1);
    expect(typed.stderr).toContain('"nope"');
    expect(typed.stderr).not.toContain('npm took');
    expect(fs.readFileSync(path.join(project, 'environments', 'staging.yaml'), 'utf8')).toBe(before);
  }, 120_000);
});
