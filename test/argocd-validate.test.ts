import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { copyFixtureProject, FIXTURE_NAMES, RUN } from './support/fixture-project';

const CLI_TIMEOUT = 60_000;

let tmp: string;
let tree: string;

beforeAll(() => {
  // A project of the fixture environments: synth writes its tree, validate reads its environments.
  tmp = copyFixtureProject(fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-validate-')));
  tree = path.join(tmp, 'gitops');
  const synth = spawnSync(process.execPath, [RUN, 'main', '--out', tree], { cwd: tmp, encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stdout}${synth.stderr}`);
}, 2 * CLI_TIMEOUT);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function validate(dir: string) {
  return spawnSync(process.execPath, [RUN, 'commands/validate', dir], { cwd: tmp, encoding: 'utf8' });
}

/** A copy of the synthesized tree with one manifest changed, keeping its header comment. */
function treeWith(name: string, rel: string, change: (manifest: any) => void): string {
  const dir = path.join(tmp, name);
  fs.cpSync(tree, dir, { recursive: true });
  const file = path.join(dir, rel);
  const text = fs.readFileSync(file, 'utf8');
  const newline = text.indexOf('\n');
  const manifest = parse(text.slice(newline + 1));
  change(manifest);
  fs.writeFileSync(file, `${text.slice(0, newline + 1)}${stringify(manifest)}`);
  return dir;
}

describe('npm run validate on the synthesized tree', () => {
  test('accepts bootstrap/ and apps/ with every other folder: every Argo CD object matches its CRD schema', () => {
    expect(fs.readdirSync(path.join(tree, 'bootstrap')).length).toBe(4);
    expect(fs.readdirSync(path.join(tree, 'apps')).sort()).toEqual(FIXTURE_NAMES);
    const run = validate(tree);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\nvalidate: \d+ objects, 0 problems, 1 exemptions/);
    expect(run.status).toBe(0);
  }, CLI_TIMEOUT);

  test('reports an Application field its CRD does not know', () => {
    const dir = treeWith('unknown-field', 'apps/prod/Application-prod-backend.yaml', (app) => {
      app.spec.syncPolicy.automated.selfheal = true;
    });
    const run = validate(dir);
    expect(run.stdout).toContain('prod/apps Application/prod-backend [K8S-SCHEMA] spec.syncPolicy.automated: unknown field "selfheal"');
    expect(run.status).toBe(1);
  }, CLI_TIMEOUT);

  test('reports an AppProject field its CRD does not know', () => {
    const dir = treeWith('project-field', 'bootstrap/AppProject-chat-platform.yaml', (project) => {
      project.spec.sourceRepo = project.spec.sourceRepos;
    });
    const run = validate(dir);
    expect(run.stdout).toContain('AppProject/chat-platform [K8S-SCHEMA] spec: unknown field "sourceRepo"');
    expect(run.status).toBe(1);
  }, CLI_TIMEOUT);

  test('reports an Application whose path is not a folder of the tree', () => {
    const dir = treeWith('bad-path', 'apps/dev/Application-dev-frontend.yaml', (app) => {
      app.spec.source.path = 'gitops/envs/dev/web';
    });
    const run = validate(dir);
    expect(run.stdout).toContain('dev/apps Application/dev-frontend [REF-ARGO-PATH] spec.source.path: source path "gitops/envs/dev/web" is not a folder of the tree');
    expect(run.status).toBe(1);
  }, CLI_TIMEOUT);
});
