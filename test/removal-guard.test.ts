/**
 * Removing what is deployed takes an explicit word: synth refuses a tree that drops an
 * environment, a component or a cluster unless `--allow-removal` names it, the pipeline commands
 * never pass that word, and the diff puts such a removal on its first line.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDiffReport } from '../lib/diff/diff-report';
import { renderMarkdown } from '../lib/diff/render-markdown';
import { renderText } from '../lib/diff/render-text';
import { deploymentsOf, Removal, removalsBetween, unallowedRemovals, unusedAllowances } from '../lib/gitops/deployments';
import { treeFiles } from './support/tree-files';

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'environments');
/** The first run may bundle dist/ from scratch. */
const SLOW = 180_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'removal-guard-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// What a tree deploys, on small hand-made trees

function application(env: string, component: string, server: string, cluster?: string): Record<string, any> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `${env}-${component}`, ...(cluster ? { annotations: { cluster } } : {}) },
    spec: { source: { path: `gitops/envs/${env}/${component}` }, destination: { server, namespace: `chat-${env}` } },
  };
}

/** A tree of `env/component` folders, each with one file and one Application per cluster. */
function tree(spec: Record<string, { components: string[]; clusters: [string, string][] }>) {
  const manifests = new Map<string, Record<string, any>>();
  const paths: string[] = [];
  for (const [env, { components, clusters }] of Object.entries(spec)) {
    for (const component of components) {
      paths.push(`envs/${env}/${component}/ConfigMap-x.yaml`);
      clusters.forEach(([name, server], i) => {
        const p = `apps/${env}/Application-${env}-${component}${i === 0 ? '' : `-${name}`}.yaml`;
        paths.push(p);
        manifests.set(p, application(env, component, server, name));
      });
    }
  }
  return deploymentsOf(paths, (rel) => manifests.get(rel));
}

const ONE = [['in-cluster', 'https://kubernetes.default.svc']] as [string, string][];
const TWO = [...ONE, ['eu', 'https://eu.example.com:6443']] as [string, string][];
const units = (removals: readonly Removal[]) => removals.map((r) => `${r.kind} ${r.unit}`);

describe('the removals between two trees', () => {
  test('none when the new tree deploys everything the old one did', () => {
    const before = tree({ dev: { components: ['kafka', 'backend'], clusters: ONE } });
    expect(removalsBetween(before, before)).toEqual([]);
  });

  test('a whole environment is one removal, not one per component or file', () => {
    const before = tree({ dev: { components: ['kafka', 'backend'], clusters: ONE }, prod: { components: ['kafka'], clusters: ONE } });
    const after = tree({ dev: { components: ['kafka', 'backend'], clusters: ONE } });
    const removals = removalsBetween(before, after);
    expect(units(removals)).toEqual(['environment prod']);
    expect(removals[0]!.detail).toMatch(/^2 files under envs\/prod\/ and apps\/prod\/, 1 Application; pruning its Applications deletes/);
  });

  test('a component gone from an environment that stays is named env/component', () => {
    const before = tree({ prod: { components: ['kafka', 'backend'], clusters: TWO } });
    const after = tree({ prod: { components: ['backend'], clusters: TWO } });
    expect(units(removalsBetween(before, after))).toEqual(['component prod/kafka']);
  });

  test('a cluster gone from every component is named env@cluster, with its server as another name for it', () => {
    const before = tree({ prod: { components: ['kafka', 'backend'], clusters: TWO } });
    const after = tree({ prod: { components: ['kafka', 'backend'], clusters: ONE } });
    const removals = removalsBetween(before, after);
    expect(units(removals)).toEqual(['cluster prod@eu']);
    expect(removals[0]!.aliases).toEqual(['prod@https://eu.example.com:6443']);
  });

  test('one Application gone while its component and cluster stay elsewhere is named env/component@cluster', () => {
    const before = tree({ prod: { components: ['kafka', 'backend'], clusters: TWO } });
    const after = deploymentsOf(
      [...['kafka', 'backend'].map((c) => `envs/prod/${c}/ConfigMap-x.yaml`), 'apps/prod/a.yaml', 'apps/prod/b.yaml', 'apps/prod/c.yaml'],
      (rel) =>
        ({
          'apps/prod/a.yaml': application('prod', 'kafka', TWO[0]![1], 'in-cluster'),
          'apps/prod/b.yaml': application('prod', 'backend', TWO[0]![1], 'in-cluster'),
          'apps/prod/c.yaml': application('prod', 'backend', TWO[1]![1], 'eu'),
        })[rel],
    );
    expect(units(removalsBetween(before, after))).toEqual(['application prod/kafka@eu']);
  });

  test('an Application that leaves its objects running and waits for a confirmation is described so', () => {
    const paths = ['envs/prod/kafka/ConfigMap-x.yaml', 'apps/prod/Application-prod-kafka.yaml'];
    const guarded = application('prod', 'kafka', ONE[0]![1]);
    guarded.metadata.annotations = { 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=confirm' };
    const before = deploymentsOf(paths, () => guarded);
    const [removal] = removalsBetween(before, deploymentsOf([], () => undefined));
    expect(removal!.detail).toContain('Argo CD waits for a confirmation to prune its Applications, then leaves their objects running');
  });
});

describe('what --allow-removal covers', () => {
  const removals: Removal[] = [
    { kind: 'environment', unit: 'qa', aliases: [], detail: '' },
    { kind: 'component', unit: 'prod/kafka', aliases: [], detail: '' },
    { kind: 'cluster', unit: 'prod@eu', aliases: ['prod@https://eu.example.com:6443'], detail: '' },
    { kind: 'application', unit: 'staging/backend@eu', aliases: [], detail: '' },
  ];

  test('nothing is allowed without a word', () => {
    expect(unallowedRemovals(removals, [])).toEqual(removals);
  });

  test('a name allows its unit and everything inside it, and nothing beside it', () => {
    expect(units(unallowedRemovals(removals, ['qa', 'prod/kafka']))).toEqual(['cluster prod@eu', 'application staging/backend@eu']);
    expect(units(unallowedRemovals(removals, ['prod']))).toEqual(['environment qa', 'application staging/backend@eu']);
    expect(units(unallowedRemovals(removals, ['staging/backend']))).toHaveLength(3);
    expect(units(unallowedRemovals(removals, ['staging@eu']))).toHaveLength(3);
  });

  test('a cluster is allowed by its server URL too', () => {
    expect(units(unallowedRemovals(removals, ['prod@https://eu.example.com:6443']))).not.toContain('cluster prod@eu');
  });

  test('a name that covers nothing is reported as unused', () => {
    expect(unusedAllowances(removals, ['qa', 'prod/backend', 'dev'])).toEqual(['prod/backend', 'dev']);
  });
});

// ---------------------------------------------------------------------------------------------
// The real synth

interface Project {
  readonly root: string;
  readonly envDir: string;
  readonly outDir: string;
}

/** A project folder with the fixture environments and the tree synth made of them. */
function project(): Project {
  const root = fs.mkdtempSync(path.join(tmp, 'project-'));
  const envDir = path.join(root, 'environments');
  fs.cpSync(FIXTURES, envDir, { recursive: true });
  const p = { root, envDir, outDir: path.join(root, 'gitops') };
  const r = synth(p);
  if (r.status !== 0) throw new Error(`synth of the fixtures failed:\n${r.stderr}`);
  return p;
}

function synth(p: Project, ...args: string[]) {
  return spawnSync(process.execPath, [RUN, 'main', ...args], { cwd: p.root, encoding: 'utf8' });
}

function run(p: Project, entry: string, ...args: string[]) {
  return spawnSync(process.execPath, [RUN, entry, ...args], { cwd: p.root, encoding: 'utf8' });
}

/** Every file below the project, with its content: environments/, gitops/ and what is beside them. */
const snapshot = (p: Project) => treeFiles(p.root);

describe('synth refuses to remove what is deployed', () => {
  let p: Project;
  beforeAll(() => {
    p = project();
  }, SLOW);

  test('an environment whose file is gone: exit 1, names it and the flag, and changes nothing', () => {
    fs.renameSync(path.join(p.envDir, 'staging.yaml'), path.join(tmp, 'staging.yaml.aside'));
    try {
      const before = snapshot(p);
      const r = synth(p);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('refusing to remove what is deployed');
      expect(r.stderr).toMatch(/environment staging: 44 files under envs\/staging\/ and apps\/staging\/, 4 Applications.*\(to allow: --allow-removal staging\)/);
      expect(r.stderr).toContain('synth: nothing written; gitops/ is unchanged');
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(snapshot(p)).toEqual(before);
    } finally {
      fs.renameSync(path.join(tmp, 'staging.yaml.aside'), path.join(p.envDir, 'staging.yaml'));
    }
  }, SLOW);

  test('a renamed prod.yaml is refused as the removal of prod, not deployed as a new environment beside nothing', () => {
    const from = path.join(p.envDir, 'prod.yaml');
    const to = path.join(p.envDir, 'production.yaml');
    fs.renameSync(from, to);
    try {
      const before = snapshot(p);
      const r = synth(p);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/environment prod: 43 files under envs\/prod\/ and apps\/prod\/, 4 Applications; Argo CD waits for a confirmation .*\(to allow: --allow-removal prod\)/);
      expect(snapshot(p)).toEqual(before);
    } finally {
      fs.renameSync(to, from);
    }
  }, SLOW);

  test('a dry run refuses the same way, so it says what the real run would do', () => {
    const file = path.join(p.envDir, 'dev.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    try {
      const r = synth(p, '--dry-run');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('(to allow: --allow-removal dev)');
    } finally {
      fs.writeFileSync(file, text);
    }
  }, SLOW);

  test('a cluster dropped from an environment is refused by name, and --allow-removal env@cluster lets it go', () => {
    const file = path.join(p.envDir, 'staging.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const twoClusters = text.replace(
      /^cluster:\n {2}name: in-cluster\n {2}server: https:\/\/kubernetes\.default\.svc\n/m,
      'clusters:\n  - name: in-cluster\n    server: https://kubernetes.default.svc\n  - name: eu\n    server: https://eu.k8s.example.com:6443\n',
    );
    expect(twoClusters).not.toBe(text);
    try {
      fs.writeFileSync(file, twoClusters);
      expect(synth(p).status).toBe(0);
      fs.writeFileSync(file, text);
      const before = snapshot(p);
      const refused = synth(p);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/cluster staging@eu: 4 Applications deploying to https:\/\/eu\.k8s\.example\.com:6443.*\(to allow: --allow-removal staging@eu\)/);
      expect(snapshot(p)).toEqual(before);

      const allowed = synth(p, '--allow-removal', 'staging@eu');
      expect(allowed.status).toBe(0);
      expect(allowed.stdout).toContain('retired cluster staging@eu');
      expect([...treeFiles(p.outDir).keys()].filter((f) => f.includes('-eu.yaml'))).toEqual([]);
    } finally {
      fs.writeFileSync(file, text);
      synth(p, '--allow-removal', 'staging@eu');
    }
  }, SLOW);

  test('--allow-removal <env> retires exactly that environment and says so', () => {
    const q = project();
    fs.rmSync(path.join(q.envDir, 'dev.yaml'));
    const r = synth(q, '--allow-removal', 'dev', '--allow-removal', 'qa');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/retired environment dev: 41 files/);
    expect(r.stdout).toContain('--allow-removal qa: nothing of it is removed');
    const files = [...treeFiles(q.outDir).keys()];
    expect(files.filter((f) => /^(envs|apps)\/dev\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('envs/prod/')).length).toBe(43 - 4);
  }, SLOW);

  test('a malformed --allow-removal is a usage error (exit 2) and writes nothing', () => {
    const before = snapshot(p);
    const r = synth(p, '--allow-removal', 'Prod/');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--allow-removal "Prod/" names nothing; allowed: <env>, <env>/<component>');
    expect(snapshot(p)).toEqual(before);
  }, SLOW);

  test('the pipeline never passes the word: set-image refuses while a removal is pending, and restores the file', () => {
    const q = project();
    fs.rmSync(path.join(q.envDir, 'dev.yaml'));
    const staging = fs.readFileSync(path.join(q.envDir, 'staging.yaml'), 'utf8');
    const before = snapshot(q);
    const r = run(q, 'commands/set-image', 'backend', 'registry.example.com/chat/backend:9.9.9', '--env', 'staging');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(to allow: --allow-removal dev)');
    expect(fs.readFileSync(path.join(q.envDir, 'staging.yaml'), 'utf8')).toBe(staging);
    expect(snapshot(q)).toEqual(before);
  }, SLOW);
});

describe('npm run diff', () => {
  test('puts the removal of an environment on the first line of every report', () => {
    const p = project();
    const base = treeFiles(p.outDir);
    const head = new Map([...base].filter(([f]) => !/^(envs|apps)\/staging\//.test(f)));
    const report = buildDiffReport(base, head, { base: 'main', head: 'working tree' });
    expect(report.removals.map((r) => r.unit)).toEqual(['staging']);
    expect(renderText(report).split('\n')[0]).toMatch(
      /^REMOVES ENVIRONMENT staging: 44 files .* synth refuses it without --allow-removal staging$/,
    );
    const markdown = renderMarkdown(report).split('\n');
    expect(markdown.slice(1, 3)).toEqual(['> [!CAUTION]', expect.stringMatching(/^> \*\*REMOVES ENVIRONMENT staging: /)]);
  }, SLOW);

  test('reports no removal when every environment stays', () => {
    const p = project();
    const base = treeFiles(p.outDir);
    const report = buildDiffReport(base, base, { base: 'main', head: 'working tree' });
    expect(report.removals).toEqual([]);
    expect(renderText(report).split('\n')[0]).toBe('gitops diff: main → working tree');
  }, SLOW);
});
