import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { ConfigError } from '../lib/environment/config-error';
import { renderTree, synthesize } from '../app/synthesize';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironments, RUN } from './support/fixture-project';

const ROOT = path.resolve(__dirname, '..');
const CONFIG = fs.readFileSync(path.join(ROOT, 'gitops.config.yaml'), 'utf8');
const environments = fixtureEnvironments();

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-config-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function writeConfig(text: string): string {
  const file = path.join(root, 'gitops.config.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function edit(from: string, to: string): string {
  expect(CONFIG).toContain(from);
  return CONFIG.replace(from, to);
}

function problemsOf(text: string): string[] {
  try {
    loadGitopsConfig(writeConfig(text), { root });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('gitops.config.yaml', () => {
  test("the project's file loads", () => {
    const config = loadGitopsConfig();
    expect(config.file).toBe('gitops.config.yaml');
    expect(config.repository.url).toMatch(/^https:\/\//);
    expect(config.argocd.namespace).toBe('argocd');
  });

  test('is the one place of the repository URL and revision: changing them changes every Argo CD object that reads git and nothing under envs/', () => {
    const config = loadGitopsConfig(
      writeConfig(
        edit('url: https://github.com/example/chat-platform.git', 'url: git@git.example.com:platform/chat.git').replace(
          'targetRevision: main',
          'targetRevision: release/2024.06',
        ),
      ),
      { root },
    );
    const before = renderTree(environments).files;
    const after = renderTree(environments, config).files;
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(changed.filter((f) => f.startsWith('envs/'))).toEqual([]);
    const argo = [...after.keys()].filter((f) => f.startsWith('apps/') || f.startsWith('bootstrap/'));
    for (const file of argo) {
      const m = parseAllDocuments(after.get(file)!)[0]!.toJS();
      const text = JSON.stringify(m);
      expect(text).not.toContain('github.com/example');
      if (m.kind === 'Application') {
        for (const source of m.spec.sources ?? [m.spec.source]) {
          expect(source).toMatchObject({ repoURL: 'git@git.example.com:platform/chat.git', targetRevision: 'release/2024.06' });
        }
      }
      if (m.kind === 'AppProject') expect(m.spec.sourceRepos).toEqual(['git@git.example.com:platform/chat.git']);
    }
  });

  test.each([
    ['an http:// repository', 'url: https://github.com/example/chat-platform.git', 'url: http://github.com/example/chat.git', /gitops\.config\.yaml:8:8: repository\.url: "http:\/\/github\.com\/example\/chat\.git" — a git repository URL/],
    ['a revision with a space', 'targetRevision: main', 'targetRevision: my branch', /:10:19: repository\.targetRevision: "my branch" — a branch, tag or commit SHA/],
    ['a revision with ".."', 'targetRevision: main', 'targetRevision: main..dev', /repository\.targetRevision: "main\.\.dev"/],
    ['an Argo CD URL with a trailing slash', 'url: https://argocd.example.com', 'url: https://argocd.example.com/', /argocd\.url: "https:\/\/argocd\.example\.com\/" — an https:\/\/ URL of the Argo CD web UI, without a trailing slash/],
    ['a namespace in capitals', 'namespace: argocd', 'namespace: ArgoCD', /argocd\.namespace: "ArgoCD" — a namespace name/],
    ['an unknown field', 'targetRevision: main', 'targetRevision: main\n  branch: main', /repository\.branch: "main" — unknown field; allowed: targetRevision, url/],
  ])('refuses %s with file:line, field, value and what is allowed', (_name, from, to, expected) => {
    expect(problemsOf(edit(from, to)).join('\n')).toMatch(expected);
  });

  test('lists every problem at once', () => {
    const text = edit('namespace: argocd', 'namespace: ArgoCD').replace('targetRevision: main', 'targetRevision: "-main"');
    expect(problemsOf(text)).toHaveLength(2);
  });

  test('refuses a missing field, naming it', () => {
    expect(problemsOf(edit('  project: chat-platform\n', '')).join('\n')).toContain('argocd.project: (missing) — required: an AppProject name');
  });

  test('a missing file is a clear error, not a crash', () => {
    expect(() => loadGitopsConfig(path.join(root, 'nope.yaml'), { root })).toThrow(/^nope\.yaml:1:1: \(file\): \(missing\) — a readable gitops\.config\.yaml/);
  });

  test('a bad config stops synth before anything is written', () => {
    const envDir = path.join(root, 'environments');
    fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
    writeConfig(edit('namespace: argocd', 'namespace: Argo_CD'));
    expect(() => synthesize({ root, gitopsConfig: 'gitops.config.yaml' })).toThrow(ConfigError);
    expect(fs.existsSync(path.join(root, 'gitops'))).toBe(false);
  });

  test('synth reads the config from the project whatever folder it writes to', () => {
    const envDir = path.join(root, 'environments');
    fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
    const run = spawnSync(process.execPath, [RUN, 'main'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rootApp = parse(fs.readFileSync(path.join(root, 'gitops', 'bootstrap', 'Application-chat-platform-root.yaml'), 'utf8'));
    expect(rootApp.spec.sources[0].repoURL).toBe(parse(CONFIG).repository.url);
  }, 120_000);
});
