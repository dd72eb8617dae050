import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseDocument, stringify } from 'yaml';
import { copyFixtureProject, RUN } from './support/fixture-project';

/** The first run bundles dist/ from scratch, and each run synthesizes every environment. */
const CLI_TIMEOUT = 90_000;

let tmp: string;
/** A git repository holding a copy of the fixture environments and the tree synth writes from them, committed. */
let template: string;
let repos = 0;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [RUN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function synth(cwd: string): void {
  const r = run(cwd, ['main']);
  if (r.status !== 0) throw new Error(`synth failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

function commit(cwd: string, message: string): void {
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-q', '-m', message);
}

/** A fresh copy of the template repository. */
function repo(): string {
  const dir = path.join(tmp, `repo-${++repos}`);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

/** Edits an environment file in place, keeping its comments and layout. */
function editEnvironment(root: string, env: string, edits: [string[], unknown][]): void {
  const file = path.join(root, 'environments', `${env}.yaml`);
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  for (const [at, value] of edits) doc.setIn(at, value);
  fs.writeFileSync(file, doc.toString());
}

function environmentValue(root: string, env: string, at: string[]): unknown {
  return parseDocument(fs.readFileSync(path.join(root, 'environments', `${env}.yaml`), 'utf8')).getIn(at);
}

function diffJson(cwd: string, ...args: string[]): any {
  const r = run(cwd, ['commands/diff', '--format', 'json', ...args]);
  if (r.status !== 0) throw new Error(`diff failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

function group(report: any, environment: string, component: string): any {
  return report.impact.groups.find((g: any) => g.environment === environment && g.component === component);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-command-'));
  // The inputs synth reads from a project root: the fixture environments and the root configuration files.
  template = copyFixtureProject(path.join(tmp, 'template'));
  git(template, 'init', '-q', '-b', 'main');
  git(template, 'config', 'user.email', 'ci@example.com');
  git(template, 'config', 'user.name', 'CI');
  git(template, 'config', 'commit.gpgsign', 'false');
  synth(template);
  commit(template, 'environments and their synthesized tree');
}, 2 * CLI_TIMEOUT);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm run diff on a real git repository', () => {
  test('a commit that bumps one image reports that image change and a roll of the HPA minimum of pods', () => {
    const root = repo();
    // An HPA minimum other than the default 2, so the count cannot come from anywhere else.
    editEnvironment(root, 'prod', [
      [['components', 'backend', 'replicas'], { min: 3, max: 6 }],
    ]);
    synth(root);
    commit(root, 'prod backend: 3 to 6 replicas');
    const stagingImage = environmentValue(root, 'staging', ['components', 'backend', 'image']) as string;
    const prodImage = environmentValue(root, 'prod', ['components', 'backend', 'image']) as string;
    expect(stagingImage).not.toBe(prodImage);
    editEnvironment(root, 'prod', [[['components', 'backend', 'image'], stagingImage]]);
    synth(root);
    commit(root, 'promote the backend to prod');

    const report = diffJson(root, '--base', 'HEAD~1');
    const images = report.impact.groups.flatMap((g: any) => g.images.map((i: any) => ({ ...i, environment: g.environment })));
    expect(images).toEqual([{ environment: 'prod', resource: 'Deployment/backend', container: 'backend', before: prodImage, after: stagingImage }]);
    const rolling = report.impact.groups.flatMap((g: any) => g.workloads.filter((w: any) => w.rolls).map((w: any) => `${g.environment}/${w.resource}`));
    expect(rolling).toEqual(['prod/Deployment/backend']);
    expect(group(report, 'prod', 'backend').workloads.find((w: any) => w.resource === 'Deployment/backend')).toMatchObject({
      rolls: true,
      pods: 3,
      podsFrom: 'HPA minReplicas',
      podsMax: 6,
      podsReplaced: 3,
      floor: 3,
      ceiling: 4,
    });
    // Staging already runs the image: nothing to warn about.
    expect(report.counts.warnings).toBe(0);

    const text = run(root, ['commands/diff', '--base', 'HEAD~1']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`Deployment/backend backend: ${prodImage} → ${stagingImage}`);
    expect(text.stdout).toContain('Deployment/backend: pods roll: replaces 3 pods (the HPA minimum; up to 6 when scaled out); at least 3 pods stay available and at most 4 run meanwhile (maxSurge 1, maxUnavailable 0)');
    expect(text.stdout).toMatch(/^-\s+image: registry\.example\.com\/chat\/backend:/m);
  }, 4 * CLI_TIMEOUT);

  test('a commit that only raises an HPA maximum reports the new bounds and no roll', () => {
    const root = repo();
    const min = environmentValue(root, 'staging', ['components', 'frontend', 'replicas', 'min']) as number;
    const max = environmentValue(root, 'staging', ['components', 'frontend', 'replicas', 'max']) as number;
    editEnvironment(root, 'staging', [[['components', 'frontend', 'replicas', 'max'], max + 2]]);
    synth(root);
    commit(root, 'staging frontend: allow two more replicas');

    const report = diffJson(root, '--base', 'HEAD~1');
    expect(report.resources.map((r: any) => `${r.status} ${r.key}`)).toEqual([
      `changed staging/frontend/HorizontalPodAutoscaler/chat-staging/frontend`,
    ]);
    const frontend = group(report, 'staging', 'frontend');
    expect(frontend.images).toEqual([]);
    expect(frontend.workloads.map((w: any) => [w.resource, w.rolls, w.podsReplaced])).toEqual([['Deployment/frontend', false, 0]]);
    expect(frontend.changes).toEqual([
      { kind: 'hpa', resource: 'HorizontalPodAutoscaler/frontend', text: `HPA ${min}–${max} → ${min}–${max + 2} pods: max ${max} → ${max + 2}` },
    ]);

    const text = run(root, ['commands/diff', '--base', 'HEAD~1']).stdout;
    expect(text).toContain('Deployment/frontend: pods do not roll (pod template unchanged)');
    expect(text).toContain(`-  maxReplicas: ${max}\n+  maxReplicas: ${max + 2}`);
  }, 3 * CLI_TIMEOUT);

  test('compares with the committed tree by default, so an uncommitted edit shows before synth runs', () => {
    const root = repo();
    editEnvironment(root, 'dev', [[['components', 'backend', 'image'], 'registry.example.com/chat/backend:9.9.9']]);
    const report = diffJson(root);
    expect(report.base).toMatch(/^HEAD \([0-9a-f]{12}\)$/);
    expect(group(report, 'dev', 'backend').images).toEqual([
      expect.objectContaining({ resource: 'Deployment/backend', after: 'registry.example.com/chat/backend:9.9.9' }),
    ]);
    expect(git(root, 'status', '--porcelain', '--', 'gitops')).toBe('');
  }, 2 * CLI_TIMEOUT);

  test('warns when a Deployment selector changes, since Kubernetes rejects that on a live Deployment', () => {
    const root = repo();
    // The base commit holds a Deployment with another selector, as if the construct had changed it.
    const file = path.join(root, 'gitops/envs/dev/backend/Deployment-backend.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const header = text.slice(0, text.indexOf('\n') + 1);
    const manifest = parse(text);
    manifest.spec.selector.matchLabels['app.kubernetes.io/component'] = manifest.spec.template.metadata.labels['app.kubernetes.io/component'];
    fs.writeFileSync(file, header + stringify(manifest));
    commit(root, 'backend selector with the component label');

    const report = diffJson(root);
    expect(group(report, 'dev', 'backend').warnings).toEqual([
      expect.objectContaining({ resource: 'Deployment/backend', text: expect.stringContaining('the selector of a live Deployment is immutable') }),
    ]);
    const plain = run(root, ['commands/diff']).stdout;
    expect(plain).toMatch(/WARNING +Deployment\/backend: spec\.selector changes/);
  }, 2 * CLI_TIMEOUT);

  test('warns about a prod image that staging has not run', () => {
    const root = repo();
    editEnvironment(root, 'prod', [[['components', 'frontend', 'image'], 'registry.example.com/chat/frontend:7.0.0']]);
    const report = diffJson(root);
    expect(group(report, 'prod', 'frontend').warnings).toEqual([
      { resource: 'Deployment/frontend', text: 'prod image registry.example.com/chat/frontend:7.0.0 has not run in staging (neither in the base, nor in this change, nor before in the history of staging or prod)' },
    ]);
  }, 2 * CLI_TIMEOUT);

  test('writes Markdown and HTML reports to a file', () => {
    const root = repo();
    editEnvironment(root, 'dev', [[['components', 'frontend', 'image'], 'registry.example.com/chat/frontend:2.0.0']]);
    const md = run(root, ['commands/diff', '--format', 'markdown', '--output', 'out/diff.md']);
    const html = run(root, ['commands/diff', '--format', 'html', '--output', 'out/diff.html']);
    expect([md.status, html.status]).toEqual([0, 0]);
    expect(md.stdout).toBe('');
    expect(md.stderr).toBe('diff: wrote markdown report to out/diff.md\n');
    const markdown = fs.readFileSync(path.join(root, 'out/diff.md'), 'utf8');
    // The environment was edited without a synth, so gitops/ is stale: the report says so first.
    expect(markdown).toMatch(/^<!-- gitops-diff -->\n> \[!CAUTION\]\n/);
    expect(markdown.indexOf('> [!CAUTION]')).toBeLessThan(markdown.search(/## gitops diff: HEAD \([0-9a-f]{12}\) → working tree/));
    expect(markdown).toContain('| **rolls** | Deployment/frontend: pods roll');
    expect(markdown).toContain('<details><summary>~ dev/frontend Deployment chat-dev/frontend</summary>');
    const page = fs.readFileSync(path.join(root, 'out/diff.html'), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page.indexOf('Rollout impact')).toBeLessThan(page.indexOf('<details>'));
    expect(page).toContain('<span class="add">+          image: registry.example.com/chat/frontend:2.0.0</span>');
    expect(page).not.toMatch(/<script|<link|src=/);
  }, 3 * CLI_TIMEOUT);

  test('colors the text report on a terminal unless NO_COLOR is set, and never when piped', () => {
    const root = repo();
    editEnvironment(root, 'dev', [[['components', 'frontend', 'image'], 'registry.example.com/chat/frontend:2.0.0']]);
    expect(run(root, ['commands/diff']).stdout).not.toContain('\x1b[');
    // util-linux `script` runs the command on a real pseudo-terminal.
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const onTerminal = (env: NodeJS.ProcessEnv) =>
      spawnSync('script', ['-qec', [process.execPath, RUN, 'commands/diff'].map(quote).join(' '), '/dev/null'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...env },
      }).stdout;
    expect(onTerminal({ NO_COLOR: '' })).toContain('\x1b[32m+');
    expect(onTerminal({ NO_COLOR: '1' })).not.toContain('\x1b[');
  }, 3 * CLI_TIMEOUT);

  test('--color forces colors into a pipe and --no-color keeps them out', () => {
    const root = repo();
    editEnvironment(root, 'dev', [[['components', 'frontend', 'image'], 'registry.example.com/chat/frontend:2.0.0']]);
    expect(run(root, ['commands/diff', '--color'], { NO_COLOR: '1' }).stdout).toContain('\x1b[32m+');
    expect(run(root, ['commands/diff', '--no-color']).stdout).not.toContain('\x1b[');
  }, 2 * CLI_TIMEOUT);

  test('reports no changes when the working tree synthesizes to the base tree', () => {
    const root = repo();
    const r = run(root, ['commands/diff']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^gitops diff: HEAD \([0-9a-f]{12}\) → working tree\nno resource changes\n$/);
  }, CLI_TIMEOUT);

  test('refuses an unknown base revision with exit status 1', () => {
    const root = repo();
    const r = run(root, ['commands/diff', '--base', 'no-such-branch']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('diff: base revision "no-such-branch" is not a commit of the repository at');
    expect(r.stdout).toBe('');
  }, CLI_TIMEOUT);
});

describe('npm run diff -- --check', () => {
  test('passes when the tree on disk is what synth produces', () => {
    const root = repo();
    const r = run(root, ['commands/diff', '--check']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^diff --check: gitops\/ is current \(\d+ files match what synth produces\)\n$/);
    expect(r.status).toBe(0);
  }, CLI_TIMEOUT);

  test('fails on a stale tree and names every file that differs, is missing or is extra', () => {
    const root = repo();
    editEnvironment(root, 'staging', [[['components', 'frontend', 'replicas', 'max'], 9]]);
    fs.rmSync(path.join(root, 'gitops/envs/dev/backend/Service-backend.yaml'));
    fs.writeFileSync(path.join(root, 'gitops/envs/dev/backend/ConfigMap-left-over.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: left-over\n');
    const r = run(root, ['commands/diff', '--check']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'diff --check: gitops/ is stale: 3 files out of date',
        '  not produced by synth:    gitops/envs/dev/backend/ConfigMap-left-over.yaml',
        '  missing, synth writes it: gitops/envs/dev/backend/Service-backend.yaml',
        '  differs from synth:       gitops/envs/staging/frontend/HorizontalPodAutoscaler-frontend.yaml',
        'run `npm run synth` and commit gitops/',
        '',
      ].join('\n'),
    );
  }, CLI_TIMEOUT);

  test('passes again once synth has run', () => {
    const root = repo();
    editEnvironment(root, 'staging', [[['components', 'frontend', 'replicas', 'max'], 9]]);
    expect(run(root, ['commands/diff', '--check']).status).toBe(1);
    synth(root);
    expect(run(root, ['commands/diff', '--check']).status).toBe(0);
  }, 3 * CLI_TIMEOUT);
});
