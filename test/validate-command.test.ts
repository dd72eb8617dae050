import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { ValidationReport } from '../lib/validation/finding';
import { readTree } from '../lib/tree/read-tree';
import { copyFixtureProject, RUN } from './support/fixture-project';

/** The first run bundles dist/ from scratch. */
const CLI_TIMEOUT = 60_000;

let tmp: string;
/** A tree as `npm run synth` writes it, from the fixture environments beside it. */
let synthesized: string;

beforeAll(() => {
  tmp = copyFixtureProject(fs.mkdtempSync(path.join(os.tmpdir(), 'validate-command-')));
  synthesized = path.join(tmp, 'gitops');
  const synth = spawnSync(process.execPath, [RUN, 'main', '--out', synthesized], { cwd: tmp, encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`synth failed (exit ${synth.status}):\n${synth.stdout}${synth.stderr}`);
}, 2 * CLI_TIMEOUT);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function validate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [RUN, 'commands/validate', ...args], { cwd: tmp, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A copy of the synthesized tree, to break. */
function copyOfTree(name: string): string {
  const dir = path.join(tmp, name);
  fs.cpSync(synthesized, dir, { recursive: true });
  return dir;
}

/** Edits one manifest file in place, keeping its header comment. */
function editManifest(tree: string, rel: string, change: (manifest: any) => void): void {
  const file = path.join(tree, rel);
  const text = fs.readFileSync(file, 'utf8');
  const newline = text.indexOf('\n');
  const manifest = parse(text.slice(newline + 1));
  change(manifest);
  fs.writeFileSync(file, `${text.slice(0, newline + 1)}${stringify(manifest)}`);
}

function brokenTree(name: string): string {
  const tree = copyOfTree(name);
  editManifest(tree, 'envs/staging/backend/Deployment-backend.yaml', (d) => {
    delete d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
  });
  editManifest(tree, 'envs/staging/backend/Service-backend.yaml', (s) => {
    s.spec.selector = { 'app.kubernetes.io/name': 'nothing' };
  });
  editManifest(tree, 'envs/staging/frontend/Deployment-frontend.yaml', (d) => {
    d.spec.template.spec.containers[0].image = 'registry.example.com/chat/frontend:latest';
  });
  return tree;
}

describe('npm run validate', () => {
  test('accepts the tree synth writes, with exit status 0', () => {
    const { status, stdout, stderr } = validate(synthesized);
    expect(stderr).toBe('');
    // The one declared exemption of the fixture tree: staging's cert-manager solver policy selects
    // pods that are never in git.
    expect(stdout).toMatch(/^exempted \[REF-NETPOL-SELECTOR\] NetworkPolicy\/acme-http01-solver-from-edge: [^\n]+\nvalidate: \d+ objects, 0 problems, 1 exemptions \(\d+ ms\)\n$/);
    expect(status).toBe(0);
  }, CLI_TIMEOUT);

  test('reports every broken rule with how to fix it, with exit status 1', () => {
    const { status, stdout } = validate(brokenTree('broken-text'));
    expect(stdout).toContain('staging/backend Deployment/backend [POD-READONLY-ROOT] spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: container "backend" has a writable root filesystem');
    expect(stdout).toContain('staging/backend Service/backend [REF-SERVICE-SELECTOR] spec.selector: selector {"app.kubernetes.io/name":"nothing"} matches no pods');
    expect(stdout).toContain('staging/frontend Deployment/frontend [IMAGE-PINNED]');
    expect(stdout).toContain('fix: set securityContext.readOnlyRootFilesystem: true');
    expect(stdout).toContain("fix: make the Service's selector equal to the pod template labels");
    expect(stdout).toContain('fix: pin the image by a version tag or a digest');
    expect(stdout).toMatch(/validate: \d+ objects, 3 problems, 1 exemptions \(\d+ ms\)\n$/);
    expect(status).toBe(1);
  }, CLI_TIMEOUT);

  test('prints the report as JSON with --format json', () => {
    const { status, stdout } = validate('--format', 'json', brokenTree('broken-json'));
    const report = JSON.parse(stdout) as ValidationReport;
    expect(report.findings.map((f) => `${f.rule} ${f.environment}/${f.component} ${f.object}`).sort()).toEqual([
      'IMAGE-PINNED staging/frontend Deployment/frontend',
      'POD-READONLY-ROOT staging/backend Deployment/backend',
      'REF-SERVICE-SELECTOR staging/backend Service/backend',
    ]);
    expect(report.findings.find((f) => f.rule === 'POD-READONLY-ROOT')).toMatchObject({
      path: 'envs/staging/backend/Deployment-backend.yaml',
      hint: expect.stringContaining('readOnlyRootFilesystem'),
    });
    expect(report.objects).toBe(readTree(synthesized).length);
    expect(report.exemptions.map((x) => `${x.rule} ${x.environment}/${x.component} ${x.object}`)).toEqual(['REF-NETPOL-SELECTOR staging/platform NetworkPolicy/acme-http01-solver-from-edge']);
    expect(status).toBe(1);
  }, CLI_TIMEOUT);

  test('lists exemptions with their reasons and still exits 0', () => {
    const tree = copyOfTree('exempted');
    editManifest(tree, 'envs/staging/backend/Deployment-backend.yaml', (d) => {
      delete d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
      d.metadata.annotations['exempt.policy/POD-READONLY-ROOT'] = 'the JVM agent unpacks into its install dir; tracked in CHAT-142';
    });
    const { status, stdout } = validate(tree);
    expect(stdout).toContain('exempted [POD-READONLY-ROOT] Deployment/backend: the JVM agent unpacks into its install dir; tracked in CHAT-142\n');
    expect(stdout).toMatch(/validate: \d+ objects, 0 problems, 2 exemptions \(\d+ ms\)\n$/);
    expect(status).toBe(0);
  }, CLI_TIMEOUT);

  test('names a missing directory and exits 1', () => {
    const missing = path.join(tmp, 'no-such-tree');
    const { status, stdout, stderr } = validate(missing);
    expect(stderr).toContain(`${missing}: no such directory`);
    expect(stdout).toBe('');
    expect(status).toBe(1);
  }, CLI_TIMEOUT);

  test('names the file and line of invalid YAML and exits 1', () => {
    const tree = copyOfTree('invalid-yaml');
    fs.appendFileSync(path.join(tree, 'envs/dev/backend/Service-backend.yaml'), 'spec: [unclosed\n');
    const { status, stderr } = validate(tree);
    expect(stderr).toContain(`${path.join(tree, 'envs/dev/backend/Service-backend.yaml')}:`);
    expect(stderr).toMatch(/Service-backend\.yaml:\d+: invalid YAML/);
    expect(status).toBe(1);
  }, CLI_TIMEOUT);

  test('refuses an unknown format with exit status 2', () => {
    const { status, stderr } = validate('--format', 'xml', synthesized);
    expect(stderr).toContain('--format must be one of text, json');
    expect(status).toBe(2);
  }, CLI_TIMEOUT);

  test('refuses an unknown option with exit status 2', () => {
    const { status, stderr } = validate('--strict', synthesized);
    expect(stderr).toContain("Unknown option '--strict'");
    expect(stderr).toContain('usage: npm run validate');
    expect(status).toBe(2);
  }, CLI_TIMEOUT);

  test('prints its usage with --help', () => {
    const { status, stdout } = validate('--help');
    expect(stdout).toContain('usage: npm run validate');
    expect(status).toBe(0);
  }, CLI_TIMEOUT);
});

describe('readTree', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-tree-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(rel: string, text: string): void {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }

  const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

  test('places an object under envs/<env>/<component>/ in that environment and component', () => {
    write('envs/dev/backend/ConfigMap-a.yaml', `# Generated\n${configMap('a')}`);
    expect(readTree(dir)).toEqual([
      {
        path: 'envs/dev/backend/ConfigMap-a.yaml',
        environment: 'dev',
        component: 'backend',
        kind: 'ConfigMap',
        namespace: '',
        name: 'a',
        manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
        sources: [],
      },
    ]);
  });

  test("places an environment's Applications in its apps component, and other objects by their first folder", () => {
    write('apps/dev/Application-a.yaml', configMap('a'));
    write('bootstrap/argocd/ConfigMap-b.yaml', configMap('b'));
    write('apps/ConfigMap-c.yaml', configMap('c'));
    expect(readTree(dir).map((o) => `${o.path} ${o.environment} ${o.component}`)).toEqual([
      'apps/ConfigMap-c.yaml apps -',
      'apps/dev/Application-a.yaml dev apps',
      'bootstrap/argocd/ConfigMap-b.yaml bootstrap -',
    ]);
  });

  test('reads one object per document and skips empty documents', () => {
    write('envs/dev/backend/all.yaml', `---\n${configMap('a')}---\n# nothing here\n---\n${configMap('b')}`);
    expect(readTree(dir).map((o) => o.manifest.metadata.name)).toEqual(['a', 'b']);
  });

  test('reads only .yaml files, in path order', () => {
    write('envs/prod/web/ConfigMap-b.yaml', configMap('prod-b'));
    write('envs/dev/web/ConfigMap-b.yaml', configMap('dev-b'));
    write('envs/dev/web/ConfigMap-a.yaml', configMap('dev-a'));
    write('envs/dev/web/README.md', '# notes\n');
    write('envs/dev/web/ConfigMap-c.json', '{}');
    expect(readTree(dir).map((o) => o.manifest.metadata.name)).toEqual(['dev-a', 'dev-b', 'prod-b']);
  });

  test('names the file and line of a YAML error', () => {
    write('envs/dev/web/ConfigMap-a.yaml', `${configMap('a')}data:\n  a: 1\n  a: 2\n`);
    expect(() => readTree(dir)).toThrow(`${path.join(dir, 'envs/dev/web/ConfigMap-a.yaml')}:7: invalid YAML: Map keys must be unique`);
  });

  test('names the line whose indentation is wrong, not the line after it', () => {
    const text = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: a', '  namespace: chat-dev', 'data:', '   a: "1"', '  b: "2"', '  c: "3"', ''].join('\n');
    write('envs/dev/web/ConfigMap-a.yaml', text);
    // Line 7, the first key of data, is one space deeper than the rest; the parser notices it at line 8.
    expect(() => readTree(dir)).toThrow(new RegExp(`ConfigMap-a\\.yaml:7: invalid YAML`));
  });

  test('refuses a document that is not a mapping', () => {
    write('envs/dev/web/list.yaml', `${configMap('a')}---\n- 1\n- 2\n`);
    expect(() => readTree(dir)).toThrow(`${path.join(dir, 'envs/dev/web/list.yaml')}:6: document 2 is not a mapping`);
  });

  test('names a missing directory', () => {
    expect(() => readTree(path.join(dir, 'gitops'))).toThrow(`${path.join(dir, 'gitops')}: no such directory`);
  });

  test('names a path that is a file, not a directory', () => {
    write('gitops', '');
    expect(() => readTree(path.join(dir, 'gitops'))).toThrow(`${path.join(dir, 'gitops')}: not a directory`);
  });
});
