import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderTree, synthesize } from '../app/synthesize';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironments, gitopsConfig } from './support/fixture-project';
import { treeState } from './support/tree-files';

const ROOT = path.resolve(__dirname, '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'synth-test-'));
}

/** A scratch project: a copy of the fixture environments and an empty place for the tree. */
function scratchProject(): { root: string; envDir: string; outDir: string } {
  const root = tempDir();
  const envDir = path.join(root, 'environments');
  fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
  return { root, envDir, outDir: path.join(root, 'gitops') };
}

function runSynthCli(cwd: string, args: string[] = []) {
  return spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run.js'), 'main', ...args], { cwd, encoding: 'utf8' });
}

beforeAll(() => {
  // Build the bundle once, so CLI tests measure behaviour, not the first build.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('the synthesized tree of the fixture environments', () => {
  const { files } = renderTree(fixtureEnvironments(), gitopsConfig());

  test.each(['dev', 'staging', 'prod'])('matches the reviewed snapshot for %s', (env) => {
    const ofEnv = [...files].filter(([p]) => p.startsWith(`envs/${env}/`));
    expect(ofEnv.length).toBeGreaterThan(0);
    expect(Object.fromEntries(ofEnv)).toMatchSnapshot();
  });

  test('matches the reviewed snapshot of bootstrap/', () => {
    const bootstrap = [...files].filter(([p]) => p.startsWith('bootstrap/'));
    expect(bootstrap.length).toBeGreaterThan(0);
    expect(Object.fromEntries(bootstrap)).toMatchSnapshot();
  });

  test.each(['dev', 'staging', 'prod'])('matches the reviewed snapshot of apps/%s', (env) => {
    const apps = [...files].filter(([p]) => p.startsWith(`apps/${env}/`));
    expect(apps.length).toBeGreaterThan(0);
    expect(Object.fromEntries(apps)).toMatchSnapshot();
  });

  test('puts every object in its own file: envs/<env>/<component>/, apps/<env>/ or bootstrap/, named <Kind>-<name>.yaml', () => {
    for (const [file, content] of files) {
      const docs = parseAllDocuments(content);
      expect(docs).toHaveLength(1);
      const manifest = docs[0]!.toJS();
      const parts = file.split('/');
      expect(parts[parts.length - 1]).toBe(`${manifest.kind}-${manifest.metadata.name}.yaml`);
      if (parts[0] === 'envs') {
        expect(parts).toHaveLength(4);
        expect(['dev', 'staging', 'prod']).toContain(parts[1]);
        expect(['platform', 'kafka', 'backend', 'frontend']).toContain(parts[2]);
      } else if (parts[0] === 'apps') {
        expect(parts).toHaveLength(3);
        expect(['dev', 'staging', 'prod']).toContain(parts[1]);
        expect(manifest.kind).toBe('Application');
      } else {
        expect(parts).toEqual(['bootstrap', parts[1]]);
        expect(['AppProject', 'Application', 'ConfigMap']).toContain(manifest.kind);
      }
    }
  });

  test('names carry no generated hash suffixes', () => {
    for (const file of files.keys()) expect(path.basename(file)).not.toMatch(/-[0-9a-f]{8}\.yaml$/);
  });

  test("puts every namespaced object in its environment namespace, and Argo CD's objects in Argo CD's", () => {
    for (const [file, content] of files) {
      const manifest = parseAllDocuments(content)[0]!.toJS();
      const [top, env] = file.split('/');
      if (manifest.kind === 'Namespace' || manifest.kind === 'PriorityClass') continue;
      expect(manifest.metadata.namespace).toBe(top === 'envs' ? `chat-${env}` : 'argocd');
    }
  });

  test('the backend gets its pod name from the downward API and a heap sized from its memory limit', () => {
    const deployment = parseAllDocuments(files.get('envs/prod/backend/Deployment-backend.yaml')!)[0]!.toJS();
    const container = deployment.spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    expect(container.readinessProbe.httpGet.path).toBe('/actuator/health/readiness');
    expect(container.livenessProbe.httpGet.path).toBe('/actuator/health/liveness');
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
    const config = parseAllDocuments(files.get('envs/prod/backend/ConfigMap-backend-config.yaml')!)[0]!.toJS();
    expect(config.data.JAVA_TOOL_OPTIONS).toContain('-Xmx1152m ');
    expect(config.data.SERVER_SHUTDOWN).toBe('graceful');
  });

  test('the namespace enforces the restricted Pod Security Standard', () => {
    const ns = parseAllDocuments(files.get('envs/prod/platform/Namespace-chat-prod.yaml')!)[0]!.toJS();
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('npm run synth', () => {
  test('two synths of the same input give byte-identical trees', () => {
    const a = scratchProject();
    const b = scratchProject();
    synthesize({ root: a.root });
    synthesize({ root: b.root });
    const treeA = treeState(a.outDir);
    const treeB = treeState(b.outDir);
    expect([...treeA.keys()]).toEqual([...treeB.keys()]);
    for (const [file, { content }] of treeA) expect(treeB.get(file)!.content).toBe(content);
  });

  test('a re-run with no change rewrites no file', () => {
    const p = scratchProject();
    synthesize({ root: p.root });
    const before = treeState(p.outDir);
    const result = synthesize({ root: p.root });
    expect(result.write.written).toEqual([]);
    expect(result.write.removed).toEqual([]);
    expect(treeState(p.outDir)).toEqual(before);
  });

  test('a changed image rewrites only the files it changes', () => {
    const p = scratchProject();
    synthesize({ root: p.root });
    const file = path.join(p.envDir, 'dev.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('chat/backend:1.4.2', 'chat/backend:1.4.3'));
    const result = synthesize({ root: p.root });
    // The version label is on every object of the backend workload, so all of them change.
    expect(result.write.written.every((f) => f.startsWith('envs/dev/backend/'))).toBe(true);
    expect(result.write.written).toContain('envs/dev/backend/Deployment-backend.yaml');
  });

  test('removes the files of an environment that is gone once a person allows it', () => {
    const p = scratchProject();
    synthesize({ root: p.root });
    fs.rmSync(path.join(p.envDir, 'staging.yaml'));
    expect(() => synthesize({ root: p.root })).toThrow('(to allow: --allow-removal staging)');
    const result = synthesize({ root: p.root, allowRemoval: ['staging'] });
    expect(result.removals.map((r) => r.unit)).toEqual(['staging']);
    expect(result.write.removed.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(p.outDir, 'envs', 'staging'))).toBe(false);
    expect(fs.existsSync(path.join(p.outDir, 'apps', 'staging'))).toBe(false);
  });

  test('the CLI writes the tree and reports what it did', () => {
    const p = scratchProject();
    const run = runSynthCli(p.root);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/synth: \d+ objects in 3 environments \(dev, prod, staging\); gitops\/: \d+ written, 0 removed, 0 unchanged/);
    expect(fs.existsSync(path.join(p.outDir, 'envs/prod/backend/Deployment-backend.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(p.outDir, 'apps/prod/Application-prod-backend.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(p.outDir, 'bootstrap/Application-chat-platform-root.yaml'))).toBe(true);
  });

  test.each([
    ['min > max', (s: string) => s.replace(/replicas: \{ min: 2, max: 4 \}/, 'replicas: { min: 5, max: 4 }'), 'replicas'],
    ['a missing tag', (s: string) => s.replace('chat/backend:1.4.2', 'chat/backend'), 'components.backend.image'],
    ['the latest tag', (s: string) => s.replace('chat/backend:1.4.2', 'chat/backend:latest'), 'latest'],
    ['an invalid DNS-1123 name', (s: string) => s.replace('namespace: chat-dev', 'namespace: Chat_Dev'), 'namespace'],
    ['an unknown field', (s: string) => s.replace('cpuTargetPercent: 70', 'cpuTargetPercnt: 70'), 'cpuTargetPercnt'],
    ['a wrong type', (s: string) => s.replace('priority: 1000', 'priority: high'), 'priority'],
  ])('refuses %s with file:line, exits non-zero and leaves gitops/ untouched', (_name, mutate, field) => {
    const p = scratchProject();
    expect(runSynthCli(p.root).status).toBe(0);
    const before = treeState(p.outDir);
    const file = path.join(p.envDir, 'dev.yaml');
    const source = fs.readFileSync(file, 'utf8');
    const mutated = mutate(source);
    expect(mutated).not.toBe(source);
    fs.writeFileSync(file, mutated);
    const run = runSynthCli(p.root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/environments\/dev\.yaml:\d+:\d+: /);
    expect(run.stderr).toContain(field);
    expect(run.stderr).toContain('nothing written');
    expect(treeState(p.outDir)).toEqual(before);
  });

  test.each([
    ['an environments folder with no environment file', (envDir: string) => {
      for (const name of fs.readdirSync(envDir)) fs.rmSync(path.join(envDir, name));
    }, 'a folder holding at least one environment file'],
    ['a missing environments folder', (envDir: string) => fs.rmSync(envDir, { recursive: true }), 'a folder of environment files'],
  ])('refuses %s (an empty tree would prune everything deployed) and leaves gitops/ untouched', (_name, breakIt, message) => {
    const p = scratchProject();
    expect(runSynthCli(p.root).status).toBe(0);
    const before = treeState(p.outDir);
    breakIt(p.envDir);
    const run = runSynthCli(p.root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^environments:1:1: \(folder\): /);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('nothing written');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(treeState(p.outDir)).toEqual(before);
  });

  test.each([
    ['a folder of other files', (root: string) => {
      const out = path.join(root, 'elsewhere');
      fs.mkdirSync(path.join(out, 'docs'), { recursive: true });
      fs.writeFileSync(path.join(out, 'README.md'), 'keep me\n');
      fs.writeFileSync(path.join(out, 'docs', 'runbook.yaml'), 'steps: []\n');
      // A YAML file where synth writes manifests is one it may replace; the two above are not.
      fs.mkdirSync(path.join(out, 'bootstrap'));
      fs.writeFileSync(path.join(out, 'bootstrap', 'extra.yaml'), 'kind: ConfigMap\n');
      return 'elsewhere';
    }, 'it holds 2 files this tool did not write (README.md, docs/runbook.yaml)'],
    ['the environments folder', () => 'environments', 'it holds 3 files this tool did not write (dev.yaml, prod.yaml, staging.yaml)'],
  ])('refuses to write over %s given as --out, and changes nothing there', (_name, prepare, message) => {
    const p = scratchProject();
    const out = prepare(p.root);
    const before = treeState(path.join(p.root, out));
    for (const args of [['--out', out, '--dry-run'], ['--out', out]]) {
      const run = runSynthCli(p.root, args);
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`refusing to write the tree there: ${message}`);
      expect(run.stderr).toContain(`nothing written; ${out}/ is unchanged`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(treeState(path.join(p.root, out))).toEqual(before);
  });

  test('refuses a tree that breaks policy and writes nothing', () => {
    const p = scratchProject();
    const file = path.join(p.envDir, 'prod.yaml');
    // Valid for the environment schema, but one replica in prod breaks HPA-BOUNDS.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/replicas: \{ min: 2, max: 4 \}/, 'replicas: { min: 1, max: 1 }'));
    const run = runSynthCli(p.root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[HPA-BOUNDS]');
    expect(run.stderr).toContain('fix:');
    expect(fs.existsSync(p.outDir)).toBe(false);
  });
});
