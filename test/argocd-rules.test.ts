import { TreeObject, treeObject } from '../lib/tree/tree-object';
import { ARGOCD_RULES } from '../lib/validation/argocd-rules';
import { validateTree } from '../lib/validation/validate';

// A small tree shaped like what synth writes: a project in bootstrap/, one Application in apps/,
// and the component folder it syncs. It passes every Argo CD rule; each test bends one thing.

const REPO = 'https://github.com/example/chat-platform.git';
const IN_CLUSTER = 'https://kubernetes.default.svc';

function project(spec: Record<string, any> = {}): TreeObject {
  return treeObject('bootstrap/AppProject-chat-platform.yaml', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'chat-platform', namespace: 'argocd' },
    spec: {
      sourceRepos: [REPO],
      destinations: [{ server: IN_CLUSTER, namespace: 'chat-dev' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'chat-dev' }],
      namespaceResourceWhitelist: [
        { group: '', kind: 'ConfigMap' },
        { group: 'apps', kind: 'Deployment' },
      ],
      ...spec,
    },
  });
}

function application(spec: Record<string, any> = {}, name = 'dev-backend'): TreeObject {
  return treeObject(`apps/dev/Application-${name}.yaml`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'chat-platform',
      source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/backend' },
      destination: { server: IN_CLUSTER, namespace: 'chat-dev' },
      ...spec,
    },
  });
}

function object(path: string, apiVersion: string, kind: string, name: string, metadata: Record<string, any> = {}): TreeObject {
  return treeObject(path, { apiVersion, kind, metadata: { name, ...metadata } });
}

function backendFolder(): TreeObject[] {
  return [
    object('envs/dev/backend/Deployment-backend.yaml', 'apps/v1', 'Deployment', 'backend', { namespace: 'chat-dev' }),
    object('envs/dev/backend/ConfigMap-backend-config.yaml', 'v1', 'ConfigMap', 'backend-config', { namespace: 'chat-dev' }),
  ];
}

function tree(...extra: TreeObject[]): TreeObject[] {
  return [project(), ...backendFolder(), ...extra];
}

/** `RULE Kind/name: message` of every finding. */
function findings(objects: TreeObject[]): string[] {
  return validateTree(objects, { rules: ARGOCD_RULES }).findings.map((f) => `${f.rule} ${f.object}: ${f.message}`);
}

function findingsOf(objects: TreeObject[], rule: string): string[] {
  return findings(objects).filter((f) => f.startsWith(`${rule} `));
}

test('the fixture passes every Argo CD rule', () => {
  expect(findings(tree(application()))).toEqual([]);
});

describe('ARGOCD-DESTINATION', () => {
  test('accepts a destination named by cluster name alone', () => {
    const objects = [project({ destinations: [{ name: 'in-cluster', namespace: 'chat-dev' }] }), ...backendFolder()];
    expect(findings([...objects, application({ destination: { name: 'in-cluster', namespace: 'chat-dev' } })])).toEqual([]);
  });

  test('refuses a destination that sets both server and name, as Argo CD does', () => {
    const app = application({ destination: { server: IN_CLUSTER, name: 'in-cluster', namespace: 'chat-dev' } });
    expect(findings(tree(app))).toEqual([
      `ARGOCD-DESTINATION Application/dev-backend: spec.destination: application destination can't have both name and server defined: in-cluster ${IN_CLUSTER}`,
    ]);
  });

  test('refuses a destination with neither server nor name', () => {
    expect(findings(tree(application({ destination: { namespace: 'chat-dev' } })))).toEqual([
      'ARGOCD-DESTINATION Application/dev-backend: spec.destination: Destination server missing from app spec',
    ]);
  });
});

describe('ARGOCD-DESTINATION, absent destination', () => {
  test('leaves an Application without spec.destination to the schema, which requires it', () => {
    const app = application();
    delete app.manifest.spec.destination;
    expect(findingsOf(tree(app), 'ARGOCD-DESTINATION')).toEqual([]);
  });
});

describe('ARGOCD-PROJECT', () => {
  test('accepts an Application without spec.project when the tree holds the default project', () => {
    const { project: _, ...spec } = application().manifest.spec;
    const app = treeObject('apps/dev/Application-dev-backend.yaml', { ...application().manifest, spec });
    const defaultProject = treeObject('bootstrap/AppProject-default.yaml', { ...project().manifest, metadata: { name: 'default', namespace: 'argocd' } });
    expect(findings([defaultProject, ...backendFolder(), app])).toEqual([]);
  });

  test('refuses an Application whose project is not in the tree', () => {
    expect(findings(tree(application({ project: 'chat' })))).toEqual([
      'ARGOCD-PROJECT Application/dev-backend: spec.project: Application referencing project chat which does not exist (no AppProject argocd/chat in the tree)',
    ]);
  });

  test("looks the project up in the Application's namespace only", () => {
    const app = application();
    app.manifest.metadata.namespace = 'argocd-apps';
    const app2 = treeObject(app.path, app.manifest);
    expect(findingsOf(tree(app2), 'ARGOCD-PROJECT')).toEqual([
      'ARGOCD-PROJECT Application/dev-backend: spec.project: Application referencing project chat-platform which does not exist (no AppProject argocd-apps/chat-platform in the tree)',
    ]);
  });
});

describe('ARGOCD-PROJECT-DESTINATION', () => {
  test('accepts a destination a glob of the project matches', () => {
    const objects = [project({ destinations: [{ server: 'https://*.svc', namespace: 'chat-*' }] }), ...backendFolder()];
    expect(findings([...objects, application()])).toEqual([]);
  });

  test('refuses a namespace the project does not list', () => {
    const app = application({ destination: { server: IN_CLUSTER, namespace: 'chat-prod' } });
    expect(findingsOf(tree(app), 'ARGOCD-PROJECT-DESTINATION')).toEqual([
      `ARGOCD-PROJECT-DESTINATION Application/dev-backend: spec.destination: application destination server '${IN_CLUSTER}' and namespace 'chat-prod' do not match any of the allowed destinations in project 'chat-platform'`,
    ]);
  });

  test('names the cluster by name when the Application does', () => {
    const app = application({ destination: { name: 'prod', namespace: 'chat-dev' } });
    expect(findingsOf(tree(app), 'ARGOCD-PROJECT-DESTINATION')).toEqual([
      "ARGOCD-PROJECT-DESTINATION Application/dev-backend: spec.destination: application destination server 'prod' and namespace 'chat-dev' do not match any of the allowed destinations in project 'chat-platform'",
    ]);
  });

  test('lets a "!" destination deny what another entry allows', () => {
    const objects = [
      project({ destinations: [{ server: '*', namespace: '*' }, { server: '*', namespace: '!chat-dev' }] }),
      ...backendFolder(),
    ];
    expect(findingsOf([...objects, application()], 'ARGOCD-PROJECT-DESTINATION')).toHaveLength(1);
    const other = application({ destination: { server: IN_CLUSTER, namespace: 'chat-staging' } });
    expect(findingsOf([...objects, other], 'ARGOCD-PROJECT-DESTINATION')).toEqual([]);
  });

  test('ignores a trailing "/" on the server, which Argo CD trims', () => {
    expect(findings(tree(application({ destination: { server: `${IN_CLUSTER}/`, namespace: 'chat-dev' } })))).toEqual([]);
  });
});

describe('ARGOCD-PROJECT-SOURCE', () => {
  test('accepts a repository spelled differently but equal once normalized (case, .git suffix)', () => {
    const app = application({ source: { repoURL: 'https://GitHub.com/example/chat-platform', targetRevision: 'main', path: 'gitops/envs/dev/backend' } });
    expect(findings(tree(app))).toEqual([]);
  });

  test('accepts a repository a glob of the project matches', () => {
    const objects = [project({ sourceRepos: ['https://github.com/example/*'] }), ...backendFolder()];
    expect(findings([...objects, application()])).toEqual([]);
  });

  test('refuses a repository the project does not list, naming the source', () => {
    const app = application({
      source: undefined,
      sources: [
        { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/backend' },
        { repoURL: 'https://github.com/example/other.git', targetRevision: 'main', path: 'gitops/envs/dev/backend' },
      ],
    });
    delete app.manifest.spec.source;
    expect(findings(tree(app))).toEqual([
      "ARGOCD-PROJECT-SOURCE Application/dev-backend: spec.sources[1].repoURL: application repo https://github.com/example/other.git is not permitted in project 'chat-platform'",
    ]);
  });

  test('does not let "*" cross a "/" of the URL, as Argo CD matches with "/" as separator', () => {
    const objects = [project({ sourceRepos: ['https://github.com/*'] }), ...backendFolder()];
    expect(findingsOf([...objects, application()], 'ARGOCD-PROJECT-SOURCE')).toHaveLength(1);
  });

  test('lets a "!" repository deny what another entry allows', () => {
    const objects = [project({ sourceRepos: ['*', `!${REPO}`] }), ...backendFolder()];
    expect(findingsOf([...objects, application()], 'ARGOCD-PROJECT-SOURCE')).toHaveLength(1);
  });
});

describe('ARGOCD-SOURCE', () => {
  test('accepts spec.sources alone', () => {
    const app = application({ sources: [{ repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/backend' }] });
    delete app.manifest.spec.source;
    expect(findings(tree(app))).toEqual([]);
  });

  test('refuses both source and sources', () => {
    const app = application({ sources: [{ repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/backend' }] });
    expect(findings(tree(app))).toEqual([
      'ARGOCD-SOURCE Application/dev-backend: spec: both source and sources are set: Argo CD syncs spec.sources and silently ignores spec.source',
    ]);
  });

  test('refuses neither source nor sources', () => {
    const app = application();
    delete app.manifest.spec.source;
    expect(findings(tree(app))).toEqual([
      'ARGOCD-SOURCE Application/dev-backend: spec.source: spec.source.repoURL and either spec.source.path or spec.source.chart are required',
    ]);
  });

  test('refuses a source without a repoURL', () => {
    const app = application({ source: { targetRevision: 'main', path: 'gitops/envs/dev/backend' } });
    expect(findingsOf(tree(app), 'ARGOCD-SOURCE')).toEqual([
      'ARGOCD-SOURCE Application/dev-backend: spec.source: spec.source.repoURL and either spec.source.path or spec.source.chart are required',
    ]);
  });
});

describe('REF-ARGO-PATH', () => {
  test('accepts an Application whose path is a folder of the tree', () => {
    expect(findingsOf(tree(application()), 'REF-ARGO-PATH')).toEqual([]);
  });

  test('reports an Application whose path is not in the tree', () => {
    const app = application({ source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/kafka' } });
    expect(findings(tree(app))).toEqual(['REF-ARGO-PATH Application/dev-backend: spec.source.path: source path "gitops/envs/dev/kafka" is not a folder of the tree']);
  });

  test('checks every source of a multi-source Application', () => {
    const app = application({
      sources: [
        { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/backend' },
        { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/web/' },
      ],
    });
    delete app.manifest.spec.source;
    expect(findings(tree(app))).toEqual(['REF-ARGO-PATH Application/dev-backend: spec.sources[1].path: source path "gitops/envs/dev/web/" is not a folder of the tree']);
  });

  test('leaves paths outside the tree (another repository) alone', () => {
    const app = application({ source: { repoURL: REPO, targetRevision: 'main', path: 'charts/ingress-nginx' } });
    expect(findings(tree(app))).toEqual([]);
  });
});

describe('ARGOCD-PROJECT-RESOURCES', () => {
  const platform = (name = 'chat-dev') => object(`envs/dev/platform/Namespace-${name}.yaml`, 'v1', 'Namespace', name);
  const platformApp = () => application({ source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev/platform' } }, 'dev-platform');

  test('accepts a cluster-scoped object the cluster whitelist names', () => {
    expect(findings(tree(platform(), platformApp()))).toEqual([]);
  });

  test('refuses a cluster-scoped object of another name, reported on the object', () => {
    expect(findings(tree(platform('chat-prod'), platformApp()))).toEqual([
      'ARGOCD-PROJECT-RESOURCES Namespace/chat-prod: kind: resource :Namespace is not permitted in project chat-platform (clusterResourceWhitelist/clusterResourceBlacklist; synced by Application dev-platform from spec.source)',
    ]);
  });

  test('refuses every cluster-scoped object when the cluster whitelist is empty', () => {
    const objects = [project({ clusterResourceWhitelist: [] }), ...backendFolder(), platform(), platformApp()];
    expect(findingsOf(objects, 'ARGOCD-PROJECT-RESOURCES')).toHaveLength(1);
  });

  test('refuses a namespaced kind the namespace whitelist leaves out', () => {
    const job = object('envs/dev/backend/Job-migrate.yaml', 'batch/v1', 'Job', 'migrate', { namespace: 'chat-dev' });
    expect(findings(tree(job, application()))).toEqual([
      'ARGOCD-PROJECT-RESOURCES Job/migrate: kind: resource batch:Job is not permitted in project chat-platform (namespaceResourceWhitelist/namespaceResourceBlacklist; synced by Application dev-backend from spec.source)',
    ]);
  });

  test('allows every namespaced kind when the namespace whitelist is absent, except what the blacklist names', () => {
    const objects = [project({ namespaceResourceWhitelist: undefined, namespaceResourceBlacklist: [{ group: '*', kind: 'Config*' }] }), ...backendFolder()];
    expect(findings([...objects, application()])).toEqual([
      'ARGOCD-PROJECT-RESOURCES ConfigMap/backend-config: kind: resource :ConfigMap is not permitted in project chat-platform (namespaceResourceWhitelist/namespaceResourceBlacklist; synced by Application dev-backend from spec.source)',
    ]);
  });

  test('refuses every namespaced kind when the namespace whitelist is empty', () => {
    const objects = [project({ namespaceResourceWhitelist: [] }), ...backendFolder()];
    expect(findingsOf([...objects, application()], 'ARGOCD-PROJECT-RESOURCES')).toHaveLength(2);
  });

  test("refuses a namespaced object in a namespace that is no destination of the project", () => {
    const stray = object('envs/dev/backend/ConfigMap-stray.yaml', 'v1', 'ConfigMap', 'stray', { namespace: 'kube-system' });
    expect(findings(tree(stray, application()))).toEqual([
      "ARGOCD-PROJECT-RESOURCES ConfigMap/stray: metadata.namespace: namespace kube-system is not permitted in project 'chat-platform' (synced by Application dev-backend from spec.source)",
    ]);
  });

  test("gives an object without a namespace the Application's destination namespace", () => {
    const plain = object('envs/dev/backend/ConfigMap-plain.yaml', 'v1', 'ConfigMap', 'plain');
    expect(findings(tree(plain, application()))).toEqual([]);
  });

  test('reads sub-folders only with directory.recurse, and honours directory.exclude', () => {
    const job = object('envs/dev/backend/jobs/Job-migrate.yaml', 'batch/v1', 'Job', 'migrate', { namespace: 'chat-dev' });
    const flat = application({ source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev' } });
    expect(findingsOf(tree(job, flat), 'ARGOCD-PROJECT-RESOURCES')).toEqual([]);
    const deep = application({ source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev', directory: { recurse: true } } });
    expect(findingsOf(tree(job, deep), 'ARGOCD-PROJECT-RESOURCES')).toHaveLength(1);
    const excluded = application({
      source: { repoURL: REPO, targetRevision: 'main', path: 'gitops/envs/dev', directory: { recurse: true, exclude: '{*/jobs/*,nothing}' } },
    });
    expect(findingsOf(tree(job, excluded), 'ARGOCD-PROJECT-RESOURCES')).toEqual([]);
  });
});

describe('ARGOCD-SYNC-WAVE', () => {
  const annotated = (value: unknown) => object('envs/dev/backend/ConfigMap-waved.yaml', 'v1', 'ConfigMap', 'waved', {
    namespace: 'chat-dev',
    annotations: { 'argocd.argoproj.io/sync-wave': value },
  });

  test('accepts signed integers', () => {
    expect(findings(tree(annotated('-1'), annotated('+2'), annotated('10'), application()))).toEqual([]);
  });

  test('refuses a wave strconv.Atoi cannot parse', () => {
    expect(findings(tree(annotated('1.5'), application()))).toEqual([
      'ARGOCD-SYNC-WAVE ConfigMap/waved: metadata.annotations[argocd.argoproj.io/sync-wave]: "1.5" is not an integer: Argo CD\'s strconv.Atoi fails on it and the object silently falls back to wave 0',
    ]);
    expect(findingsOf(tree(annotated(' 1'), annotated(''), annotated('99999999999999999999'), application()), 'ARGOCD-SYNC-WAVE')).toHaveLength(3);
  });
});

describe('ARGOCD-HOOK', () => {
  const hook = (annotations: Record<string, string>) =>
    object('envs/dev/backend/Job-migrate.yaml', 'batch/v1', 'Job', 'migrate', { namespace: 'chat-dev', annotations });

  test('accepts known hook types and delete policies, comma-separated', () => {
    const job = hook({ 'argocd.argoproj.io/hook': 'PreSync, PostSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation,HookSucceeded' });
    expect(findingsOf(tree(job), 'ARGOCD-HOOK')).toEqual([]);
  });

  test('accepts the deletion hooks of Argo CD 3.3', () => {
    expect(findingsOf(tree(hook({ 'argocd.argoproj.io/hook': 'PreDelete,PostDelete' })), 'ARGOCD-HOOK')).toEqual([]);
  });

  test('refuses a misspelt hook type', () => {
    expect(findingsOf(tree(hook({ 'argocd.argoproj.io/hook': 'PreSync,Postsync' })), 'ARGOCD-HOOK')).toEqual([
      'ARGOCD-HOOK Job/migrate: metadata.annotations[argocd.argoproj.io/hook]: "Postsync" is not a hook type: Argo CD silently ignores it (allowed: PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete)',
    ]);
  });

  test('refuses an unknown delete policy', () => {
    expect(findingsOf(tree(hook({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'OnSuccess' })), 'ARGOCD-HOOK')).toEqual([
      'ARGOCD-HOOK Job/migrate: metadata.annotations[argocd.argoproj.io/hook-delete-policy]: "OnSuccess" is not a hook delete policy: Argo CD silently ignores it (allowed: HookSucceeded, HookFailed, BeforeHookCreation)',
    ]);
  });

  test('refuses an empty hook annotation, which makes a hook of no type', () => {
    expect(findingsOf(tree(hook({ 'argocd.argoproj.io/hook': ' , ' })), 'ARGOCD-HOOK')).toEqual([
      'ARGOCD-HOOK Job/migrate: metadata.annotations[argocd.argoproj.io/hook]: " , " names no hook type (allowed: PreSync, Sync, PostSync, SyncFail, Skip, PreDelete, PostDelete)',
    ]);
  });
});
