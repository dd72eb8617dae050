// The oldest Argo CD release the tree is written for: stated in gitops.config.yaml
// (argocd.minVersion), carried by the root Application, and checked against every version-gated
// field the tree uses (ARGO-VERSION-FLOOR).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { renderTree, synthesize } from '../app/synthesize';
import { ConfigError } from '../lib/environment/config-error';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { ARGOCD_MIN_VERSION_ANNOTATION, compareReleases, parseRelease } from '../lib/tree/argocd-release';
import { TreeObject } from '../lib/tree/tree-object';
import { ARGOCD_VERSION_GATES, ARGO_VERSION_FLOOR_RULE } from '../lib/validation/argocd-version-floor';
import { validateTree } from '../lib/validation/validate';
import { ValidationError } from '../lib/validation/validation-error';
import { formatFinding } from '../lib/validation/finding';
import { copyFixtureProject, fixtureEnvironments, gitopsConfig } from './support/fixture-project';

const ROOT_APP = 'bootstrap/Application-chat-platform-root.yaml';
const CONFIG = fs.readFileSync(path.resolve(__dirname, '..', 'gitops.config.yaml'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-floor-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The fixture project with `minVersion` set to `floor` in its gitops.config.yaml. */
function projectWithFloor(floor: string): string {
  const root = copyFixtureProject(path.join(dir, 'project'));
  expect(CONFIG).toContain('minVersion: "3.3.0"');
  fs.writeFileSync(path.join(root, 'gitops.config.yaml'), CONFIG.replace('minVersion: "3.3.0"', `minVersion: ${floor}`));
  return root;
}

function synthError(root: string): ValidationError {
  try {
    synthesize({ root, gitopsConfig: 'gitops.config.yaml', dryRun: true });
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected synth to refuse the tree');
}

function floorFindings(objects: readonly TreeObject[]): string[] {
  return validateTree(objects, { rules: [ARGO_VERSION_FLOOR_RULE] }).findings.map((f) => `${f.object}: ${f.message}`);
}

describe('argocd.minVersion', () => {
  test('the project states Argo CD 3.3.0, and the root Application carries it', () => {
    expect(gitopsConfig().argocd.minVersion).toBe('3.3.0');
    const { files } = renderTree(fixtureEnvironments(), gitopsConfig());
    expect(parse(files.get(ROOT_APP)!).metadata.annotations[ARGOCD_MIN_VERSION_ANNOTATION]).toBe('3.3.0');
  });

  test('the rendered tree needs no Argo CD newer than the floor', () => {
    expect(floorFindings(renderTree(fixtureEnvironments(), gitopsConfig()).objects)).toEqual([]);
  });

  test('a floor below 3.3.0 stops synth: the AppProject grants cluster-scoped objects by name', () => {
    const error = synthError(projectWithFloor('"3.2.0"'));
    const findings = error.report.findings.filter((f) => f.rule === 'ARGO-VERSION-FLOOR');
    expect(findings.map(formatFinding)).toEqual([
      'bootstrap/- AppProject/chat-platform [ARGO-VERSION-FLOOR] spec.clusterResourceWhitelist[0].name: needs Argo CD 3.3.0 or later ' +
        '(cluster-scoped grants by name; 6 uses in this object), but the floor is 3.2.0 (argocd.minVersion in gitops.config.yaml); ' +
        'on older releases, an unknown field: `kubectl apply` refuses the AppProject (strict field validation), and where it is ' +
        'pruned instead the entry grants every object of its kind\n' +
        '    file: bootstrap/AppProject-chat-platform.yaml\n' +
        '    fix: upgrade Argo CD and raise argocd.minVersion in gitops.config.yaml to the release named, or stop using the field',
    ]);
    expect(error.message).toContain(formatFinding(findings[0]!).replace(/\n/g, '\n  '));
  });

  test('a floor below 3.2.0 also names retry.refresh, on every Application', () => {
    const findings = synthError(projectWithFloor('"3.1.9"')).report.findings;
    const refresh = findings.filter((f) => f.rule === 'ARGO-VERSION-FLOOR' && f.message.startsWith('spec.syncPolicy.retry.refresh: '));
    expect(refresh.map((f) => f.path).sort()).toEqual(
      [...renderTree(fixtureEnvironments(), gitopsConfig()).files.keys()].filter((f) => /(^apps\/|^bootstrap\/Application-)/.test(f)).sort(),
    );
    expect(refresh.find((f) => f.path === ROOT_APP)!.message).toBe(
      'spec.syncPolicy.retry.refresh: needs Argo CD 3.2.0 or later (retries that sync the newest revision), ' +
        'but the floor is 3.1.9 (argocd.minVersion in gitops.config.yaml); on older releases, an unknown field: ' +
        '`kubectl apply` refuses the Application (strict field validation), and where it is pruned instead each retry ' +
        're-syncs the revision that failed',
    );
  });

  test('a floor below 2.14.0 names the Prune=confirm of the protected objects', () => {
    const findings = synthError(projectWithFloor('"2.13.5"')).report.findings;
    const namespace = findings.find((f) => f.rule === 'ARGO-VERSION-FLOOR' && f.path === 'envs/prod/platform/Namespace-chat-prod.yaml');
    expect(namespace?.message).toBe(
      'metadata.annotations[argocd.argoproj.io/sync-options]: needs Argo CD 2.14.0 or later (sync option Prune=confirm), but the floor ' +
        'is 2.13.5 (argocd.minVersion in gitops.config.yaml); on older releases, the sync option is unknown to it and ignored: ' +
        'the object is pruned with no confirmation',
    );
  });

  test.each([
    ['a YAML number', '3.3', 'argocd.minVersion: 3.3 — an Argo CD release as MAJOR.MINOR.PATCH in quotes'],
    ['a "v" prefix', '"v3.3.0"', 'argocd.minVersion: "v3.3.0" — an Argo CD release as MAJOR.MINOR.PATCH in quotes'],
    ['a pre-release', '"3.3.0-rc1"', 'argocd.minVersion: "3.3.0-rc1" — an Argo CD release as MAJOR.MINOR.PATCH in quotes'],
  ])('refuses %s with file, line, field, value and what is allowed', (_name, value, expected) => {
    const root = projectWithFloor(value);
    expect(() => loadGitopsConfig(path.join(root, 'gitops.config.yaml'), { root })).toThrow(ConfigError);
    expect(() => loadGitopsConfig(path.join(root, 'gitops.config.yaml'), { root })).toThrow(
      new RegExp(`^gitops\\.config\\.yaml:\\d+:\\d+: ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  test('is required', () => {
    const file = path.join(dir, 'gitops.config.yaml');
    fs.writeFileSync(file, CONFIG.replace(/\n\s*minVersion: "3\.3\.0"\n/, '\n'));
    expect(() => loadGitopsConfig(file, { root: dir })).toThrow('argocd.minVersion: (missing) — required: an Argo CD release as MAJOR.MINOR.PATCH');
  });
});

describe('ARGO-VERSION-FLOOR on a tree', () => {
  const { objects } = renderTree(fixtureEnvironments(), gitopsConfig());
  const withRootAnnotation = (value: unknown): TreeObject[] =>
    objects.map((o) => {
      if (o.path !== ROOT_APP) return o;
      const annotations = { ...o.manifest.metadata.annotations };
      if (value === undefined) delete annotations[ARGOCD_MIN_VERSION_ANNOTATION];
      else annotations[ARGOCD_MIN_VERSION_ANNOTATION] = value;
      return { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, annotations } } };
    });

  test('a tree stating no floor (a folder of the tree without bootstrap/) is not checked', () => {
    expect(floorFindings(withRootAnnotation(undefined))).toEqual([]);
  });

  test('a floor that is no release is refused on the object stating it', () => {
    expect(floorFindings(withRootAnnotation('latest'))).toEqual([
      'Application/chat-platform-root: metadata.annotations[argocd-min-version]: "latest" is no Argo CD release; allowed: ' +
        'MAJOR.MINOR.PATCH, e.g. "3.3.0" (synth writes it from argocd.minVersion in gitops.config.yaml)',
    ]);
  });

  test('two different floors in one tree are refused', () => {
    const twice = withRootAnnotation('3.3.0').map((o) =>
      o.path === 'bootstrap/AppProject-chat-platform.yaml'
        ? { ...o, manifest: { ...o.manifest, metadata: { ...o.manifest.metadata, annotations: { ...o.manifest.metadata.annotations, [ARGOCD_MIN_VERSION_ANNOTATION]: '3.4.0' } } } }
        : o,
    );
    expect(floorFindings(twice)).toEqual([
      'AppProject/chat-platform: metadata.annotations[argocd-min-version]: "3.4.0" is one of several floors (3.3.0, 3.4.0); allowed: one floor for the whole tree',
      'Application/chat-platform-root: metadata.annotations[argocd-min-version]: "3.3.0" is one of several floors (3.3.0, 3.4.0); allowed: one floor for the whole tree',
    ]);
  });

  test('the full rule set runs the rule: synth validation refuses what it finds', () => {
    const findings = validateTree(withRootAnnotation('3.2.0')).findings.filter((f) => f.rule === 'ARGO-VERSION-FLOOR');
    expect(findings.map((f) => f.path)).toEqual(['bootstrap/AppProject-chat-platform.yaml']);
  });
});

describe('the table of version-gated fields', () => {
  test('every entry names a release and where Argo CD introduced it', () => {
    for (const gate of ARGOCD_VERSION_GATES) {
      expect(parseRelease(gate.since)).toBeDefined();
      expect(gate.source).toMatch(/v\d+\.\d+\.\d+/);
      expect(gate.source).toContain(`v${gate.since}`);
    }
  });

  test('the floor of the project is the newest release a field of its tree needs', () => {
    const { objects } = renderTree(fixtureEnvironments(), gitopsConfig());
    const needed = ARGOCD_VERSION_GATES.filter((g) => objects.some((o) => g.uses(o.manifest).length > 0)).map((g) => g.since);
    expect(needed.sort(compareReleases).at(-1)).toBe(gitopsConfig().argocd.minVersion);
  });

  test('releases compare by number, not as text', () => {
    expect(compareReleases('3.10.0', '3.9.9')).toBeGreaterThan(0);
    expect(compareReleases('2.14.0', '2.14.0')).toBe(0);
    expect(() => compareReleases('3.3', '3.3.0')).toThrow('not a MAJOR.MINOR.PATCH release: 3.3');
  });
});
