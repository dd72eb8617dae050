/**
 * Argo CD never deletes state on its own: Namespaces and what holds data carry Delete=false and
 * Prune=confirm, a protected environment's Applications neither cascade nor get pruned without a
 * confirmation, and validation refuses a tree where any of that was dropped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadEnvironments } from '../lib/environment/load-environments';
import { renderTree } from '../app/synthesize';
import { TreeObject, treeObject } from '../lib/tree/tree-object';
import { validateTree } from '../lib/validation/validate';
import { parseSyncOptions, SYNC_OPTIONS_ANNOTATION } from '../lib/tree/deletion';
import { Testing } from 'cdk8s';
import { ArgoApplication, ArgoApplicationProps } from '../constructs/argo-application';
import { ArgoProject } from '../constructs/argo-project';
import { isProtected } from '../lib/environment/environment';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(__dirname, 'fixtures', 'environments');
const RUN = path.join(ROOT, 'scripts', 'run.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-protection-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of the fixture environments, each edited by `edit` (file name → new text). */
function environmentsDir(edit: (name: string, text: string) => string = (_, t) => t): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'environments-'));
  for (const name of fs.readdirSync(FIXTURES)) {
    fs.writeFileSync(path.join(dir, name), edit(name, fs.readFileSync(path.join(FIXTURES, name), 'utf8')));
  }
  return dir;
}

function render(dir: string) {
  const environments = loadEnvironments(dir, { root: tmp });
  const protectedNames = new Set(environments.filter(isProtected).map((e) => e.name));
  const { objects } = renderTree(environments);
  return { environments, objects, isProtected: (name: string) => protectedNames.has(name) };
}

const byPath = (objects: readonly TreeObject[], p: string) => {
  const found = objects.find((o) => o.path === p);
  if (!found) throw new Error(`no object at ${p}`);
  return found.manifest;
};
const syncOptions = (manifest: Record<string, any> | undefined) => parseSyncOptions(manifest?.metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION]);
const apps = (objects: readonly TreeObject[], env: string) => objects.filter((o) => o.path.startsWith(`apps/${env}/`));

/** A deep copy of the tree with one object's manifest replaced by `edit(copy)`. */
function edited(objects: readonly TreeObject[], p: string, edit: (m: Record<string, any>) => void): TreeObject[] {
  return objects.map((o) => {
    if (o.path !== p) return o;
    const manifest = structuredClone(o.manifest);
    edit(manifest);
    return { ...o, manifest };
  });
}

const fixture = render(environmentsDir());
const findings = (objects: readonly TreeObject[], isProtected = fixture.isProtected) =>
  validateTree(objects, { isProtected }).findings.filter((f) => f.rule.startsWith('ARGOCD-PROTECT'));

describe('objects that hold state', () => {
  test('every Namespace is kept when its Application is deleted, and pruned only once a person confirms', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const ns = byPath(fixture.objects, `envs/${env}/platform/Namespace-chat-${env}.yaml`);
      expect(syncOptions(ns).get('Delete')).toBe('false');
      expect(syncOptions(ns).get('Prune')).toBe('confirm');
    }
  });

  test('the Kafka StatefulSet carries the same protection and keeps its claims, whose templates stay untouched', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const sts = byPath(fixture.objects, `envs/${env}/kafka/StatefulSet-kafka.yaml`);
      expect(Object.fromEntries(syncOptions(sts))).toEqual({ Delete: 'false', Prune: 'confirm' });
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      // The API server refuses any change to volumeClaimTemplates: annotating them would fail the
      // sync of every running cluster.
      for (const template of sts.spec.volumeClaimTemplates) expect(template.metadata.annotations).toBeUndefined();
    }
  });

  test('the fixture tree passes both deletion rules', () => {
    expect(findings(fixture.objects)).toEqual([]);
  });

  test('a Namespace without Delete=false is refused by validation, naming what it lacks', () => {
    const tree = edited(fixture.objects, 'envs/prod/platform/Namespace-chat-prod.yaml', (m) => {
      m.metadata.annotations[SYNC_OPTIONS_ANNOTATION] = 'Prune=confirm';
    });
    expect(findings(tree).map((f) => [f.rule, f.object, f.message])).toEqual([
      ['ARGOCD-PROTECT-STATE', 'Namespace/chat-prod', expect.stringContaining('metadata.annotations[argocd.argoproj.io/sync-options]: lacks Delete=false')],
    ]);
  });

  test('a StatefulSet that would delete its volumes with it is refused', () => {
    const tree = edited(fixture.objects, 'envs/dev/kafka/StatefulSet-kafka.yaml', (m) => {
      m.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
    });
    expect(findings(tree).map((f) => f.message)).toEqual([
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: persistentVolumeClaimRetentionPolicy.whenDeleted is "Delete": the volumes would be deleted with the StatefulSet (allowed: Retain, the default)',
    ]);
  });

  test('a PersistentVolumeClaim added to the tree without protection is refused', () => {
    const claim = treeObject('envs/dev/kafka/PersistentVolumeClaim-extra.yaml', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'extra', namespace: 'chat-dev' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect(findings([...fixture.objects, claim]).map((f) => f.object)).toEqual(['PersistentVolumeClaim/extra']);
  });

  test('Delete=confirm and Prune=false are accepted as protection too', () => {
    const tree = edited(fixture.objects, 'envs/dev/platform/Namespace-chat-dev.yaml', (m) => {
      m.metadata.annotations[SYNC_OPTIONS_ANNOTATION] = ' Prune=false , Delete=confirm ';
    });
    expect(findings(tree)).toEqual([]);
  });
});

describe('protected environments', () => {
  test('prod is protected by default: its Applications have no resources finalizer and wait for a confirmation to be pruned', () => {
    const prodApps = apps(fixture.objects, 'prod');
    expect(prodApps.length).toBe(4);
    for (const app of prodApps) {
      expect(app.manifest.metadata.finalizers).toBeUndefined();
      expect(syncOptions(app.manifest).get('Prune')).toBe('confirm');
    }
  });

  test('an environment that is not protected keeps the finalizer, so retiring it removes what it deployed', () => {
    for (const app of apps(fixture.objects, 'dev')) {
      expect(app.manifest.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
      expect(syncOptions(app.manifest).size).toBe(0);
    }
  });

  test('protected: true in a file protects that environment, and protected: false lifts the default of prod', () => {
    const dir = environmentsDir((name, text) =>
      name === 'staging.yaml' ? `${text}protected: true\n` : name === 'prod.yaml' ? text.replace(/^protected: .*\n/m, '') + 'protected: false\n' : text,
    );
    const { objects } = render(dir);
    for (const app of apps(objects, 'staging')) expect(app.manifest.metadata.finalizers).toBeUndefined();
    for (const app of apps(objects, 'prod')) expect(app.manifest.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
  });

  test('a protected value that is not a boolean is refused with the file, the field and what is allowed', () => {
    const dir = environmentsDir((name, text) => (name === 'dev.yaml' ? `${text}protected: "yes"\n` : text));
    expect(() => loadEnvironments(dir, { root: tmp })).toThrow(/dev\.yaml:\d+:\d+: protected: "yes" — .*true or false/);
  });

  test('validation refuses a protected environment whose Application got the resources finalizer back', () => {
    const tree = edited(fixture.objects, 'apps/prod/Application-prod-kafka.yaml', (m) => {
      m.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io/foreground'];
    });
    expect(findings(tree).map((f) => [f.rule, f.object, f.message])).toEqual([
      ['ARGOCD-PROTECTED-ENVIRONMENT', 'Application/prod-kafka', expect.stringContaining('carries the resources finalizer')],
    ]);
  });

  test('validation refuses a protected environment whose Application may be pruned without a confirmation', () => {
    const tree = edited(fixture.objects, 'apps/prod/Application-prod-platform.yaml', (m) => {
      delete m.metadata.annotations[SYNC_OPTIONS_ANNOTATION];
    });
    expect(findings(tree).map((f) => f.message)).toEqual([expect.stringMatching(/^metadata\.annotations\[argocd\.argoproj\.io\/sync-options\]: environment prod is protected, but this Application lacks .*Prune=confirm/)]);
  });

  test('the same edits pass for an environment that is not protected', () => {
    const tree = edited(fixture.objects, 'apps/dev/Application-dev-kafka.yaml', (m) => {
      m.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io'];
    });
    expect(findings(tree)).toEqual([]);
  });
});

describe('npm run validate on a hand-edited tree', () => {
  test('fails, naming the rule and the file, when a Namespace lost its protection', () => {
    const project = fs.mkdtempSync(path.join(tmp, 'project-'));
    fs.cpSync(FIXTURES, path.join(project, 'environments'), { recursive: true });
    expect(spawnSync(process.execPath, [RUN, 'main'], { cwd: project, encoding: 'utf8' }).status).toBe(0);
    const file = path.join(project, 'gitops', 'envs', 'prod', 'platform', 'Namespace-chat-prod.yaml');
    const before = fs.readFileSync(file, 'utf8');
    const after = before.replace(/^ {4}argocd\.argoproj\.io\/sync-options: .*\n/m, '');
    expect(after).not.toBe(before);
    fs.writeFileSync(file, after);
    const r = spawnSync(process.execPath, [RUN, 'commands/validate'], { cwd: project, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/prod\/platform Namespace\/chat-prod \[ARGOCD-PROTECT-STATE\] metadata\.annotations\[argocd\.argoproj\.io\/sync-options\]: lacks Delete=false/);
  }, 120_000);

  test('takes which environments are protected from the environment files next to the tree', () => {
    const project = fs.mkdtempSync(path.join(tmp, 'project-'));
    fs.cpSync(FIXTURES, path.join(project, 'environments'), { recursive: true });
    expect(spawnSync(process.execPath, [RUN, 'main'], { cwd: project, encoding: 'utf8' }).status).toBe(0);
    // staging becomes protected in its file, but the tree was not re-synthesized.
    fs.appendFileSync(path.join(project, 'environments', 'staging.yaml'), 'protected: true\n');
    const r = spawnSync(process.execPath, [RUN, 'commands/validate'], { cwd: project, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('staging/apps Application/staging-backend [ARGOCD-PROTECTED-ENVIRONMENT] metadata.finalizers: environment staging is protected');
  }, 120_000);
});

describe('ArgoApplication with protectFromDeletion', () => {
  const application = (props: Partial<ArgoApplicationProps>) => {
    const chart = Testing.chart();
    const project = new ArgoProject(chart, 'P', {
      name: 'p',
      sourceRepos: ['https://example.com/r.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'a' }],
      namespacedKinds: [{ group: '', kind: 'ConfigMap' }],
    });
    new ArgoApplication(chart, 'A', {
      name: 'a',
      project,
      repository: { url: 'https://example.com/r.git', targetRevision: 'main' },
      folders: [{ path: 'gitops/envs/a' }],
      destination: { server: 'https://kubernetes.default.svc', namespace: 'a' },
      ...props,
    });
    return Testing.synth(chart).find((m) => m.kind === 'Application')!;
  };

  test('drops the resources finalizer and waits for a confirmation before it is pruned, keeping other annotations', () => {
    const app = application({ protectFromDeletion: true, annotations: { note: 'kept' } });
    expect(app.metadata.finalizers).toBeUndefined();
    expect(app.metadata.annotations).toEqual({ [SYNC_OPTIONS_ANNOTATION]: 'Delete=false,Prune=confirm', note: 'kept' });
  });

  test('cascades by default', () => {
    const app = application({});
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.metadata.annotations).toBeUndefined();
  });

  test('refuses to be asked to cascade as well', () => {
    expect(() => application({ protectFromDeletion: true, cascadeDelete: true })).toThrow(
      'cascadeDelete: true — false or unset with protectFromDeletion: true',
    );
  });
});
