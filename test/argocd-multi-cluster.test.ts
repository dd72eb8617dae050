import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../lib/environment/config-error';
import { loadEnvironment, loadEnvironments } from '../lib/environment/load-environments';
import { renderTree } from '../app/synthesize';
import { validateTree } from '../lib/validation/validate';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironmentText, gitopsConfig } from './support/fixture-project';

const gitops = gitopsConfig();
const PROD = fixtureEnvironmentText('prod');
const SINGLE = 'cluster:\n  name: prod\n  server: https://prod.k8s.example.com:6443\n';
const TWO_CLUSTERS = `clusters:
  - name: prod-seoul
    server: https://seoul.k8s.example.com:6443
  - name: prod-tokyo
    server: https://tokyo.k8s.example.com:6443
`;

let root: string;
let dir: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-cluster-'));
  dir = path.join(root, 'environments');
  fs.mkdirSync(dir);
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** prod.yaml with its `cluster:` block replaced by `clusters` text. */
function writeProd(clusters: string): string {
  expect(PROD).toContain(SINGLE);
  const file = path.join(dir, 'prod.yaml');
  fs.writeFileSync(file, PROD.replace(SINGLE, clusters));
  return file;
}

function problemsOf(file: string): string {
  try {
    loadEnvironment(file, { root });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('an environment targeting two clusters', () => {
  test('loads with both clusters, in the order of the file', () => {
    const env = loadEnvironment(writeProd(TWO_CLUSTERS), { root });
    expect(env.clusters).toEqual([
      { name: 'prod-seoul', server: 'https://seoul.k8s.example.com:6443' },
      { name: 'prod-tokyo', server: 'https://tokyo.k8s.example.com:6443' },
    ]);
    expect(env.cluster).toBeUndefined();
  });

  test('gets one Application per component and cluster: the first cluster under the plain name, the second under its own', () => {
    writeProd(TWO_CLUSTERS);
    const { files } = renderTree(loadEnvironments(dir, { root }), gitops);
    const apps = [...files.keys()].filter((f) => f.startsWith('apps/prod/'));
    const components = ['backend', 'frontend', 'kafka', 'platform'];
    expect(apps.sort()).toEqual(
      components.flatMap((c) => [`apps/prod/Application-prod-${c}.yaml`, `apps/prod/Application-prod-${c}-prod-tokyo.yaml`]).sort(),
    );
    for (const c of components) {
      for (const [name, server] of [
        [`prod-${c}`, 'https://seoul.k8s.example.com:6443'],
        [`prod-${c}-prod-tokyo`, 'https://tokyo.k8s.example.com:6443'],
      ]) {
        const app = parseAllDocuments(files.get(`apps/prod/Application-${name}.yaml`)!)[0]!.toJS();
        expect(app.spec.destination).toEqual({ server, namespace: 'chat-prod' });
        // Both clusters run the same manifests: one folder, synthesized once.
        expect(app.spec.source.path).toBe(`gitops/envs/prod/${c}`);
      }
    }
  });

  test("adding a second cluster leaves the first cluster's Applications and every manifest byte-identical", () => {
    writeProd(SINGLE);
    const before = renderTree(loadEnvironments(dir, { root }), gitops).files;
    writeProd(`clusters:
  - name: prod
    server: https://prod.k8s.example.com:6443
  - name: prod-tokyo
    server: https://tokyo.k8s.example.com:6443
`);
    const after = renderTree(loadEnvironments(dir, { root }), gitops).files;
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect(changed).toEqual([
      `bootstrap/AppProject-${gitops.argocd.project}.yaml`,
      ...['backend', 'frontend', 'kafka', 'platform'].map((c) => `apps/prod/Application-prod-${c}-prod-tokyo.yaml`),
    ].sort());
  });

  test('the project grants both clusters, and the tree passes validation', () => {
    writeProd(TWO_CLUSTERS);
    const { files, objects } = renderTree(loadEnvironments(dir, { root }), gitops);
    const project = parseAllDocuments(files.get(`bootstrap/AppProject-${gitops.argocd.project}.yaml`)!)[0]!.toJS();
    expect(project.spec.destinations).toEqual([
      { server: 'https://seoul.k8s.example.com:6443', namespace: 'chat-prod' },
      { server: 'https://tokyo.k8s.example.com:6443', namespace: 'chat-prod' },
    ]);
    expect(validateTree(objects).findings).toEqual([]);
  });

  test('a one-cluster environment beside it keeps its plain names', () => {
    writeProd(TWO_CLUSTERS);
    fs.copyFileSync(path.join(FIXTURE_ENVIRONMENTS, 'dev.yaml'), path.join(dir, 'dev.yaml'));
    const { files } = renderTree(loadEnvironments(dir, { root }), gitops);
    expect(files.has('apps/dev/Application-dev-backend.yaml')).toBe(true);
    expect(files.has('apps/prod/Application-prod-backend-prod-tokyo.yaml')).toBe(true);
    expect(files.has('apps/prod/Application-prod-backend-prod-seoul.yaml')).toBe(false);
  });
});

describe('the cluster fields of an environment file', () => {
  test('`cluster:` still works and means a list of one', () => {
    const env = loadEnvironment(writeProd(SINGLE), { root });
    expect(env.clusters).toEqual([{ name: 'prod', server: 'https://prod.k8s.example.com:6443' }]);
    expect(env.cluster).toEqual({ name: 'prod', server: 'https://prod.k8s.example.com:6443' });
  });

  test('refuses both `cluster:` and `clusters:`', () => {
    expect(problemsOf(writeProd(SINGLE + TWO_CLUSTERS))).toMatch(
      /^environments\/prod\.yaml:6:1: clusters: .* — either cluster \(one\) or clusters \(a list\), not both$/m,
    );
  });

  test('refuses a file with neither', () => {
    expect(problemsOf(writeProd(''))).toContain('environments/prod.yaml:2:1: cluster: (missing) — required: cluster (a mapping with keys name, server) or clusters');
  });

  test('refuses an empty list', () => {
    expect(problemsOf(writeProd('clusters: []\n'))).toContain('clusters: [] — a list of 1 to 20 clusters');
  });

  test('refuses the same server twice, naming the first', () => {
    const text = TWO_CLUSTERS.replace('https://tokyo.k8s.example.com:6443', 'https://seoul.k8s.example.com:6443');
    expect(problemsOf(writeProd(text))).toContain(
      'clusters[1].server: "https://seoul.k8s.example.com:6443" — a server no other cluster of this environment has (clusters[0] has it)',
    );
  });

  test('refuses the same name twice: it is part of the Application names', () => {
    expect(problemsOf(writeProd(TWO_CLUSTERS.replace('name: prod-tokyo', 'name: prod-seoul')))).toContain(
      'clusters[1].name: "prod-seoul" — a name no other cluster of this environment has (clusters[0] has it)',
    );
  });

  test('refuses an environment sharing a namespace with another on any of its clusters', () => {
    writeProd(TWO_CLUSTERS);
    const other = PROD.replace(SINGLE, 'cluster:\n  name: tokyo\n  server: https://tokyo.k8s.example.com:6443\n');
    fs.writeFileSync(path.join(dir, 'prod2.yaml'), other);
    expect(() => loadEnvironments(dir, { root })).toThrow(
      'namespace: "chat-prod" — a namespace no other environment uses on https://tokyo.k8s.example.com:6443 (environments/prod.yaml already deploys there)',
    );
  });
});
