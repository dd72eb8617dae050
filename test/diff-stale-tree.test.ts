/**
 * `npm run diff` on a tree that is not what synth makes of the environment files beside it: the
 * report opens with that verdict and shows each hand edit, and `--check` fails. A real git
 * repository seeded from the fixture environments and the tree synth writes from them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { FIXTURE_ENVIRONMENTS, RUN } from './support/fixture-project';

const SLOW = 120_000;
const HPA = 'gitops/envs/prod/backend/HorizontalPodAutoscaler-backend.yaml';

let tmp: string;
let template: string;
let repos = 0;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [RUN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function repo(): string {
  const dir = path.join(tmp, `repo-${++repos}`);
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

function setMaxReplicas(file: string, max: number): void {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  doc.setIn(['spec', 'maxReplicas'], max);
  fs.writeFileSync(file, doc.toString());
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-stale-'));
  template = path.join(tmp, 'template');
  fs.mkdirSync(template);
  fs.cpSync(FIXTURE_ENVIRONMENTS, path.join(template, 'environments'), { recursive: true });
  git(template, 'init', '-q', '-b', 'main');
  const synth = run(template, 'main');
  if (synth.status !== 0) throw new Error(`synth failed:\n${synth.stdout}${synth.stderr}`);
  git(template, 'add', '-A');
  git(template, 'commit', '-q', '-m', 'fixture environments and their tree');
}, SLOW);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm run diff on a stale tree', () => {
  test('a hand edit of the committed tree opens every report with the verdict and the edit, and fails --check', () => {
    const root = repo();
    setMaxReplicas(path.join(root, HPA), 40);
    git(root, 'commit', '-q', '-am', 'hand edit');

    const text = run(root, 'commands/diff', '--base', 'HEAD~1');
    expect(text.status).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^STALE TREE: gitops\/ is not what synth makes of environments\/ \(1 file: 1 hand edited\)/);
    expect(lines[1]).toMatch(new RegExp(`^  edited by hand \\(differs from synth and from the base\\)  ${HPA}$`));
    expect(text.stdout).toContain(`--- synth/envs/prod/backend/HorizontalPodAutoscaler-backend.yaml\n+++ ${HPA}\n`);
    expect(text.stdout).toMatch(/^- {2}maxReplicas: \d+\n\+ {2}maxReplicas: 40$/m);
    // What synth makes of the environments is what the base has: no resource changes besides the edit.
    expect(text.stdout).toContain('no resource changes in what synth makes of this change; only the stale files above differ');
    expect(text.stdout.indexOf('STALE TREE')).toBeLessThan(text.stdout.indexOf('gitops diff:'));

    const md = run(root, 'commands/diff', '--base', 'HEAD~1', '--format', 'markdown');
    expect(md.status).toBe(0);
    expect(md.stdout.split('\n').slice(0, 3)).toEqual([
      '<!-- gitops-diff -->',
      '> [!CAUTION]',
      expect.stringMatching(/^> \*\*STALE TREE: gitops\/ is not what synth makes of environments\/ /),
    ]);
    expect(md.stdout).toContain(`> - edited by hand (differs from synth and from the base): \`${HPA}\``);
    expect(md.stdout).toContain('+  maxReplicas: 40');

    const html = run(root, 'commands/diff', '--base', 'HEAD~1', '--format', 'html');
    expect(html.stdout.indexOf('STALE TREE')).toBeGreaterThan(0);
    expect(html.stdout.indexOf('STALE TREE')).toBeLessThan(html.stdout.indexOf('<h1>'));

    const json = JSON.parse(run(root, 'commands/diff', '--base', 'HEAD~1', '--format', 'json').stdout);
    expect(json.stale.files).toEqual([{ path: HPA.replace(/^gitops\//, ''), reason: 'hand-edited' }]);
    expect(json.stale.edits.map((e: any) => [e.status, e.key])).toEqual([['changed', 'prod/backend/HorizontalPodAutoscaler/chat-prod/backend']]);

    const check = run(root, 'commands/diff', '--check');
    expect(check.status).toBe(1);
    expect(check.stderr).toContain(`differs from synth: ${HPA}`);
  }, SLOW);

  test('tells a forgotten synth, a file added by hand and a deleted file apart', () => {
    const root = repo();
    const env = path.join(root, 'environments', 'staging.yaml');
    const doc = parseDocument(fs.readFileSync(env, 'utf8'));
    doc.setIn(['components', 'frontend', 'replicas', 'max'], 9);
    fs.writeFileSync(env, doc.toString());
    fs.writeFileSync(path.join(root, 'gitops/envs/dev/backend/ConfigMap-left-over.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: left-over\n  namespace: chat-dev\n');
    fs.rmSync(path.join(root, 'gitops/envs/dev/backend/Service-backend.yaml'));
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'environment change without synth, and hand changes');

    const json = JSON.parse(run(root, 'commands/diff', '--base', 'HEAD~1', '--format', 'json').stdout);
    expect(json.stale.files).toEqual([
      { path: 'envs/dev/backend/ConfigMap-left-over.yaml', reason: 'added-by-hand' },
      { path: 'envs/dev/backend/Service-backend.yaml', reason: 'deleted' },
      { path: 'envs/staging/frontend/HorizontalPodAutoscaler-frontend.yaml', reason: 'not-synthesized' },
    ]);
    // The forgotten synth shows in the resource diffs already; the hand changes show on their own.
    expect(json.stale.edits.map((e: any) => `${e.status} ${e.key}`)).toEqual([
      'added dev/backend/ConfigMap/chat-dev/left-over',
      'removed dev/backend/Service/chat-dev/backend',
    ]);
    expect(json.resources.map((r: any) => `${r.status} ${r.key}`)).toEqual(['changed staging/frontend/HorizontalPodAutoscaler/chat-staging/frontend']);

    const text = run(root, 'commands/diff', '--base', 'HEAD~1').stdout;
    expect(text.split('\n')[0]).toMatch(/^STALE TREE: .*\(3 files: 1 added by hand, 1 deleted, 1 not synthesized\)/);

    // A file added by hand that is not even YAML is named, with why it cannot be compared.
    fs.writeFileSync(path.join(root, 'gitops/envs/dev/backend/ConfigMap-broken.yaml'), 'data: [unclosed\n');
    const broken = run(root, 'commands/diff', '--base', 'HEAD~1');
    expect(broken.status).toBe(0);
    expect(broken.stdout.split('\n')[0]).toMatch(/\(4 files: 2 added by hand, 1 deleted, 1 not synthesized\)/);
    expect(broken.stdout).toMatch(/^ {2}unreadable gitops\/envs\/dev\/backend\/ConfigMap-broken\.yaml: gitops\/envs\/dev\/backend\/ConfigMap-broken\.yaml:\d+: invalid YAML/m);
    expect(text).toContain('  as at the base, but synth makes another (synth not run after an environment change)  gitops/envs/staging/frontend/HorizontalPodAutoscaler-frontend.yaml');
  }, SLOW);

  test('a current tree gets the report it always had, with no stale section', () => {
    const root = repo();
    const r = run(root, 'commands/diff');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^gitops diff: HEAD \([0-9a-f]{12}\) → working tree\nno resource changes\n$/);
    const json = JSON.parse(run(root, 'commands/diff', '--format', 'json').stdout);
    expect(json.stale).toBeUndefined();
  }, SLOW);
});
