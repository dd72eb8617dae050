import * as path from 'node:path';
import { App, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { COMPONENT_SYNC_WAVES } from '../charts/argocd-apps-chart';
import { IN_CLUSTER } from '../charts/argocd-bootstrap-chart';
import { addArgoCd } from '../charts/argocd-platform';
import { addChatPlatform } from '../charts/chat-platform';
import { ComponentChart } from '../charts/component-chart';
import { ArgoApplication } from '../constructs/argo-application';
import { ArgoProject } from '../constructs/argo-project';
import { apiGroupOf, isClusterScoped } from '../lib/tree/cluster-scoped-kinds';
import { isProtected } from '../lib/environment/environment';
import { renderApp } from '../app/render';
import { SynthError } from '../lib/validation/validation-error';
import { renderTree } from '../app/synthesize';
import { TreeChart } from '../charts/tree-chart';
import { validateTree } from '../lib/validation/validate';
import { KubeConfigMap } from '../imports/k8s';
import { fixtureEnvironments, gitopsConfig } from './support/fixture-project';

const environments = fixtureEnvironments();
const gitops = gitopsConfig();
const { objects, files } = renderTree(environments, gitops);

type Manifest = Record<string, any>;
const manifestAt = (file: string): Manifest => parseAllDocuments(files.get(file)!)[0]!.toJS();
const under = (folder: string): [string, Manifest][] =>
  [...files.keys()].filter((f) => f.startsWith(folder)).map((f) => [f, manifestAt(f)]);
const componentApps = under('apps/').map(([, m]) => m);
const root = manifestAt(`bootstrap/Application-${gitops.argocd.project}-root.yaml`);
const project = manifestAt(`bootstrap/AppProject-${gitops.argocd.project}.yaml`);
const rootProject = manifestAt(`bootstrap/AppProject-${gitops.argocd.project}-bootstrap.yaml`);
/** `envs/<env>/<component>` folders synth wrote. */
const componentFolders = [...new Set([...files.keys()].filter((f) => f.startsWith('envs/')).map((f) => f.split('/').slice(0, 3).join('/')))].sort();

describe('gitops/bootstrap/', () => {
  test('holds the platform project, the root project, the root Application and the notifications ConfigMap, nothing else', () => {
    expect(under('bootstrap/').map(([f]) => f).sort()).toEqual([
      'bootstrap/AppProject-chat-platform-bootstrap.yaml',
      'bootstrap/AppProject-chat-platform.yaml',
      'bootstrap/Application-chat-platform-root.yaml',
      'bootstrap/ConfigMap-argocd-notifications-cm.yaml',
    ]);
  });

  test('every Argo CD object lives in the Argo CD namespace of the config', () => {
    for (const [, m] of [...under('bootstrap/'), ...under('apps/')]) expect(m.metadata.namespace).toBe(gitops.argocd.namespace);
  });

  test('the root Application syncs gitops/apps/ recursively, and the rest of gitops/bootstrap/ but not itself', () => {
    expect(root.spec.source).toBeUndefined();
    expect(root.spec.sources).toEqual([
      { repoURL: gitops.repository.url, targetRevision: gitops.repository.targetRevision, path: 'gitops/apps', directory: { recurse: true } },
      {
        repoURL: gitops.repository.url,
        targetRevision: gitops.repository.targetRevision,
        path: 'gitops/bootstrap',
        directory: { exclude: 'Application-chat-platform-root.yaml' },
      },
    ]);
    expect(files.has(`bootstrap/${root.spec.sources[1].directory.exclude}`)).toBe(true);
  });

  test('the root Application has no resources finalizer, so deleting it never cascades into the workloads', () => {
    expect(root.metadata.finalizers).toBeUndefined();
  });

  test('the root Application deploys into the Argo CD namespace of the cluster Argo CD runs in, through its own project', () => {
    expect(root.spec.destination).toEqual({ server: IN_CLUSTER, namespace: gitops.argocd.namespace });
    expect(root.spec.project).toBe(rootProject.metadata.name);
    expect(root.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
  });

  test("the root's project grants only Argo CD's own kinds, in Argo CD's namespace, from this repository", () => {
    expect(rootProject.spec.sourceRepos).toEqual([gitops.repository.url]);
    expect(rootProject.spec.destinations).toEqual([{ server: IN_CLUSTER, namespace: gitops.argocd.namespace }]);
    expect(rootProject.spec.clusterResourceWhitelist).toEqual([]);
    expect(rootProject.spec.namespaceResourceWhitelist).toEqual([
      { group: '', kind: 'ConfigMap' },
      { group: 'argoproj.io', kind: 'AppProject' },
      { group: 'argoproj.io', kind: 'Application' },
    ]);
  });

  test("every object the root syncs is of a kind its project grants", () => {
    const granted = new Set(rootProject.spec.namespaceResourceWhitelist.map((k: Manifest) => `${k.group}/${k.kind}`));
    const synced = [...under('apps/'), ...under('bootstrap/')].filter(([f]) => f !== `bootstrap/${root.spec.sources[1].directory.exclude}`);
    for (const [, m] of synced) expect(granted).toContain(`${apiGroupOf(m.apiVersion)}/${m.kind}`);
  });

  test('projects and notification settings come in a wave before every Application', () => {
    for (const [, m] of under('bootstrap/')) {
      if (m.kind === 'Application') continue;
      expect(m.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
    for (const app of componentApps) expect(Number(app.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThanOrEqual(0);
  });
});

describe("the platform's AppProject", () => {
  test('reads from this repository only', () => {
    expect(project.spec.sourceRepos).toEqual([gitops.repository.url]);
  });

  test("deploys only to the environments' clusters and namespaces", () => {
    const expected = environments
      .flatMap((e) => e.clusters.map((c) => ({ server: c.server, namespace: e.namespace })))
      .sort((a, b) => `${a.server} ${a.namespace}`.localeCompare(`${b.server} ${b.namespace}`));
    expect(project.spec.destinations).toEqual(expected);
  });

  test('grants by name exactly the cluster-scoped objects the platform charts create: Namespaces and PriorityClasses', () => {
    const clusterScoped = under('envs/')
      .map(([, m]) => m)
      .filter((m) => isClusterScoped(apiGroupOf(m.apiVersion), m.kind))
      .map((m) => ({ group: apiGroupOf(m.apiVersion), kind: m.kind, name: m.metadata.name }));
    expect(new Set(clusterScoped.map((r) => r.kind))).toEqual(new Set(['Namespace', 'PriorityClass']));
    expect([...project.spec.clusterResourceWhitelist].sort(byJson)).toEqual(clusterScoped.sort(byJson));
    for (const [file] of under('envs/').filter(([, m]) => isClusterScoped(apiGroupOf(m.apiVersion), m.kind))) {
      expect(file.split('/')[2]).toBe('platform');
    }
  });

  test('grants exactly the namespaced kinds the component charts use', () => {
    const kinds = new Set(
      under('envs/')
        .map(([, m]) => m)
        .filter((m) => !isClusterScoped(apiGroupOf(m.apiVersion), m.kind))
        .map((m) => `${apiGroupOf(m.apiVersion)}/${m.kind}`),
    );
    expect(project.spec.namespaceResourceWhitelist.map((k: Manifest) => `${k.group}/${k.kind}`).sort()).toEqual([...kinds].sort());
  });

  test('holds no wildcard anywhere', () => {
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    for (const m of [project, rootProject]) {
      expect(strings(m.spec).length).toBeGreaterThan(5);
      for (const value of strings(m.spec)) expect(value).not.toMatch(/[*?[\]{}]/);
    }
  });

  test('refuses a glob, naming the field and the value', () => {
    expect(
      () =>
        new ArgoProject(Testing.chart(), 'P', {
          name: 'p',
          sourceRepos: ['https://example.com/r.git'],
          destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
          namespacedKinds: [{ group: '', kind: 'ConfigMap' }],
        }),
    ).toThrow('ArgoProject "p": destinations[0].namespace: "*" — an exact, non-empty value');
  });
});

describe('gitops/apps/<env>/', () => {
  test('holds one Application per environment and component, for exactly the component folders synth wrote', () => {
    const paths = componentApps.map((a) => a.spec.source.path.replace(/^gitops\//, '')).sort();
    expect(paths).toEqual(componentFolders);
    expect(componentFolders.filter((f) => f.endsWith('/kafka'))).toHaveLength(environments.length);
    for (const [file, app] of under('apps/')) {
      const [, env, component] = app.spec.source.path.replace(/^gitops\//, '').split('/');
      expect(file).toBe(`apps/${env}/Application-${env}-${component}.yaml`);
    }
  });

  test('every Application path is a folder of the generated tree', () => {
    for (const app of [...componentApps, root]) {
      for (const source of app.spec.sources ?? [app.spec.source]) {
        expect(source.path).toMatch(/^gitops\//);
        const folder = source.path.slice('gitops/'.length);
        expect([...files.keys()].some((f) => f.startsWith(`${folder}/`))).toBe(true);
      }
    }
  });

  test("each Application deploys to its environment file's cluster and namespace", () => {
    for (const env of environments) {
      for (const app of componentApps.filter((a) => a.metadata.labels.environment === env.name)) {
        expect(app.spec.destination).toEqual({ server: env.clusters[0]!.server, namespace: env.namespace });
      }
    }
  });

  test('repository URL and revision come from gitops.config.yaml', () => {
    for (const app of componentApps) {
      expect(app.spec.source.repoURL).toBe(gitops.repository.url);
      expect(app.spec.source.targetRevision).toBe(gitops.repository.targetRevision);
    }
  });

  test('syncs automatically, pruning, self-healing and never to an empty set of objects', () => {
    for (const app of componentApps) expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
  });

  test('retries a failed sync with exponential backoff, on the newest revision', () => {
    for (const app of componentApps) {
      expect(app.spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' }, refresh: true });
    }
  });

  test('leaves the Namespace to the platform chart, prunes last and refuses to take over objects of another Application', () => {
    for (const app of componentApps) {
      expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'FailOnSharedResource=true', 'PruneLast=true']);
    }
  });

  test('carries the resources finalizer unless its environment is protected, whose Applications never cascade', () => {
    for (const app of componentApps) {
      const env = environments.find((e) => e.name === app.metadata.labels.environment)!;
      if (isProtected(env)) expect(app.metadata.finalizers).toBeUndefined();
      else expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    }
  });

  test('waves bring up the platform, then Kafka, then the backend, then the frontend', () => {
    for (const env of environments) {
      const wave = (component: string) =>
        Number(manifestAt(`apps/${env.name}/Application-${env.name}-${component}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave']);
      expect(wave('platform')).toBeLessThan(wave('kafka'));
      expect(wave('kafka')).toBeLessThan(wave('backend'));
      expect(wave('backend')).toBeLessThan(wave('frontend'));
    }
  });

  test('a component with no sync wave stops synth, naming the component and the known ones', () => {
    class CacheChart extends ComponentChart {
      constructor(scope: App) {
        super(scope, 'cache', { environment: environments[0]! });
        new KubeConfigMap(this, 'Config', { metadata: { name: 'cache', namespace: environments[0]!.namespace }, data: {} });
      }
    }
    const app = new App({ outdir: 'dist' });
    addChatPlatform(app, environments[0]!);
    new CacheChart(app);
    addArgoCd(app, { environments: [environments[0]!], gitops });
    expect(() => renderApp(app)).toThrow(SynthError);
    expect(() => renderApp(app)).toThrow(`component "cache" of environment ${environments[0]!.name} has no sync wave; allowed: ${Object.keys(COMPONENT_SYNC_WAVES).join(', ')}`);
  });

  test('an Application whose destination its project does not grant stops synth', () => {
    const chart = Testing.chart();
    const p = new ArgoProject(chart, 'P', {
      name: 'p',
      sourceRepos: ['https://example.com/r.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'a' }],
      namespacedKinds: [{ group: '', kind: 'ConfigMap' }],
    });
    new ArgoApplication(chart, 'A', {
      name: 'a',
      project: p,
      repository: { url: 'https://example.com/r.git', targetRevision: 'main' },
      folders: [{ path: 'gitops/envs/a' }],
      destination: { server: 'https://kubernetes.default.svc', namespace: 'b' },
    });
    expect(() => renderApp(chart.node.root as App)).toThrow('destination https://kubernetes.default.svc namespace b is not a destination of project "p"');
  });

  test('no Deployment sets spec.replicas, so the HPA never leaves an Application OutOfSync and no ignoreDifferences is needed', () => {
    const deployments = under('envs/').filter(([, m]) => m.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const [, d] of deployments) expect(d.spec).not.toHaveProperty('replicas');
    for (const app of [...componentApps, root]) {
      expect(app.spec.ignoreDifferences).toBeUndefined();
      expect(app.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    }
  });

  test('every HorizontalPodAutoscaler scales a Deployment that leaves its replicas to it', () => {
    const hpas = under('envs/').filter(([, m]) => m.kind === 'HorizontalPodAutoscaler');
    expect(hpas.length).toBeGreaterThan(0);
    for (const [file, hpa] of hpas) {
      const target = hpa.spec.scaleTargetRef;
      const workload = manifestAt(`${path.posix.dirname(file)}/${target.kind}-${target.name}.yaml`);
      expect(workload.spec).not.toHaveProperty('replicas');
    }
  });
});

describe('tree charts', () => {
  class Folder extends TreeChart {}

  test('render each object to <treePath>/<Kind>-<name>.yaml, with its sources in the header', () => {
    const app = new App();
    const chart = new Folder(app, 'f', { treePath: 'apps/qa', sources: ['environments/qa.yaml', 'gitops.config.yaml'] });
    new KubeConfigMap(chart, 'C', { metadata: { name: 'settings', namespace: 'argocd' }, data: {} });
    const [object] = renderApp(app);
    expect(object).toMatchObject({ path: 'apps/qa/ConfigMap-settings.yaml', environment: 'qa', component: 'apps' });
    expect(object!.sources).toEqual(['environments/qa.yaml', 'gitops.config.yaml']);
  });

  test('may not write into envs/, which belongs to the component charts', () => {
    expect(() => new Folder(new App(), 'f', { treePath: 'envs/dev/argocd', sources: ['x'] })).toThrow('TreeChart "f": treePath: "envs/dev/argocd" — "/"-separated lowercase segments');
  });
});

test('every Argo CD object of the tree passes validation: CRD schemas, REF-ARGO-PATH and the policy rules', () => {
  const argo = objects.filter((o) => o.path.startsWith('bootstrap/') || o.path.startsWith('apps/'));
  expect(argo.length).toBe(4 + componentFolders.length);
  expect(validateTree(objects).findings).toEqual([]);
});

function byJson(a: unknown, b: unknown): number {
  const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
