import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEnvironments } from '../lib/environment/load-environments';
import { renderTree } from '../app/synthesize';
import { treeFiles } from './support/tree-files';
import { FIXTURE_ENVIRONMENTS } from './support/fixture-project';

// Robustness of the synth as the pipeline runs it: killed at any moment, run twice at once,
// edited by two pipeline runs at once, or fed credentials. Every case runs the real commands.

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');

function scratch(): { root: string; envDir: string; outDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'robust-'));
  const envDir = path.join(root, 'environments');
  fs.cpSync(FIXTURE_ENVIRONMENTS, envDir, { recursive: true });
  return { root, envDir, outDir: path.join(root, 'gitops') };
}

function expected(envDir: string, root: string): Map<string, string> {
  return renderTree(loadEnvironments(envDir, { root })).files;
}

function sameTree(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function synthCli(cwd: string, args: string[] = []) {
  return spawnSync(process.execPath, [RUN, 'main', ...args], { cwd, encoding: 'utf8' });
}

function bumpImage(envDir: string, to: string): void {
  const file = path.join(envDir, 'staging.yaml');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/chat\/backend:[0-9.]+/, `chat/backend:${to}`));
}

beforeAll(() => {
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
}, 120_000);

describe('a synth killed at any moment', () => {
  test('leaves gitops/ exactly the old tree or exactly the new one, and the next synth finishes cleanly', async () => {
    const p = scratch();
    expect(synthCli(p.root).status).toBe(0);
    const versions = ['1.4.2', '1.5.0'];
    const trees = new Map<string, Map<string, string>>();
    for (const v of versions) {
      bumpImage(p.envDir, v);
      trees.set(v, expected(p.envDir, p.root));
    }
    // Time a full run, then kill runs across it and past its end, where the tree is written.
    const t0 = Date.now();
    bumpImage(p.envDir, versions[0]!);
    expect(synthCli(p.root).status).toBe(0);
    const full = Date.now() - t0;

    const states = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const from = versions[i % 2]!;
      const to = versions[(i + 1) % 2]!;
      expect(sameTree(treeFiles(p.outDir), trees.get(from)!)).toBe(true);
      bumpImage(p.envDir, to);
      const child: ChildProcess = spawn(process.execPath, [RUN, 'main'], { cwd: p.root, stdio: 'ignore' });
      const exited = new Promise((r) => child.once('exit', r));
      // From 0.3 to 1.5 times a full run: the last kills land after the swap even when a run is
      // slower than the one timed.
      const delay = Math.round(full * (0.3 + (1.2 * i) / 15));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;

      // gitops/ as the killed run left it, before any recovery: the swap is one atomic exchange.
      expect(fs.existsSync(p.outDir)).toBe(true);
      const after = treeFiles(p.outDir);
      const isOld = sameTree(after, trees.get(from)!);
      const isNew = sameTree(after, trees.get(to)!);
      expect(isOld || isNew).toBe(true);
      states.add(isNew ? 'new' : 'old');

      const rerun = synthCli(p.root);
      expect(rerun.status).toBe(0);
      expect(sameTree(treeFiles(p.outDir), trees.get(to)!)).toBe(true);
      expect(fs.readdirSync(p.root).filter((n) => n.startsWith('.gitops.'))).toEqual([]);
    }
    // The kills must have landed on both sides of the write for the test to mean anything.
    expect(states.has('old')).toBe(true);
    expect(states.has('new')).toBe(true);
  }, 180_000);
});

describe('two synths at once', () => {
  test('never interleave: both finish, one waiting for the other, and the tree is exactly the later one', async () => {
    const a = scratch();
    const b = path.join(a.root, 'environments-b');
    fs.cpSync(a.envDir, b, { recursive: true });
    bumpImage(b, '9.9.9');
    const trees: Record<string, Map<string, string>> = { environments: expected(a.envDir, a.root), 'environments-b': expected(b, a.root) };
    for (let i = 0; i < 4; i++) {
      const run = (envs: string) =>
        new Promise<{ envs: string; code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [RUN, 'main', '--environments', envs], { cwd: a.root });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => resolve({ envs, code, stderr }));
        });
      const results = await Promise.all([run('environments'), run('environments-b')]);
      for (const r of results) {
        expect(r.code).toBe(0);
        // A waiting run says so in one line; nothing else goes to stderr.
        expect(r.stderr).toMatch(/^(waiting for pid \d+ \(holding it since [^)]+\) to release .*\.gitops\.lock \(up to 120 s, see GITOPS_LOCK_WAIT_SECONDS\)\n)?$/);
      }
      const tree = treeFiles(a.outDir);
      const waited = results.filter((r) => r.stderr !== '');
      // The one that waited wrote after the other; without overlap either may have been last.
      if (waited.length === 1) expect(sameTree(tree, trees[waited[0]!.envs]!)).toBe(true);
      else expect(sameTree(tree, trees.environments!) || sameTree(tree, trees['environments-b']!)).toBe(true);
      expect(fs.readdirSync(a.root).filter((n) => n.startsWith('.gitops.'))).toEqual([]);
    }
  }, 120_000);
});

describe('two pipeline runs editing environments/ at once', () => {
  test('both changes land at the first try: the second waits for the first, and neither is lost', async () => {
    const p = scratch();
    expect(synthCli(p.root).status).toBe(0);
    const setImage = (component: string, image: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [RUN, 'commands/set-image', component, image, '--env', 'staging'], { cwd: p.root });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([
      setImage('backend', 'registry.example.com/chat/backend:2.0.0'),
      setImage('frontend', 'registry.example.com/chat/frontend:2.0.0'),
    ]);
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const text = fs.readFileSync(path.join(p.envDir, 'staging.yaml'), 'utf8');
    expect(text).toContain('registry.example.com/chat/backend:2.0.0');
    expect(text).toContain('registry.example.com/chat/frontend:2.0.0');
    expect(sameTree(treeFiles(p.outDir), expected(p.envDir, p.root))).toBe(true);
    expect(fs.readdirSync(p.root).filter((n) => /^\.(gitops|environments)\./.test(n))).toEqual([]);
  }, 120_000);
});

describe('credentials', () => {
  const webhook = 'https://discord.com/api/webhooks/123456789012345678/Zx9SecretTokenValue_abcdefghijklmnop';

  test('synth refuses an environment file holding one, without printing it, and writes nothing', () => {
    const p = scratch();
    const file = path.join(p.envDir, 'dev.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/endpoint: .*|publicUrlBase: .*/, `publicUrlBase: ${webhook}`));
    const run = synthCli(p.root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('looks like a Discord webhook URL');
    expect(run.stdout + run.stderr).not.toContain('Zx9SecretTokenValue');
    expect(fs.existsSync(p.outDir)).toBe(false);
  });

  test('validate fails on one in gitops/ or in environments/, naming where, never the value', () => {
    const p = scratch();
    expect(synthCli(p.root).status).toBe(0);
    const validate = () => spawnSync(process.execPath, [RUN, 'commands/validate'], { cwd: p.root, encoding: 'utf8' });
    expect(validate().status).toBe(0);

    const manifest = path.join(p.outDir, 'envs/dev/backend/Service-backend.yaml');
    const original = fs.readFileSync(manifest, 'utf8');
    fs.writeFileSync(manifest, original.replace('metadata:\n', `metadata:\n  annotations:\n    hook: ${webhook}\n`));
    let run = validate();
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('[NO-CREDENTIALS] metadata.annotations.hook: holds what looks like a Discord webhook URL');
    expect(run.stdout + run.stderr).not.toContain('Zx9SecretTokenValue');
    fs.writeFileSync(manifest, original);

    fs.appendFileSync(path.join(p.envDir, 'prod.yaml'), `# token: ${'ghp_'}${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}\n`);
    run = validate();
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/environments\/prod\.yaml:\d+ \[NO-CREDENTIALS\] line \d+ holds what looks like a GitHub token/);
    expect(run.stdout).not.toContain('a1B2c3D4');
  });
});
