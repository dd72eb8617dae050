// The Application health check that gates the root's sync waves (argocd/application-health.lua),
// run on the real Lua 5.1 interpreter in Argo CD's sandbox for argocd-cm scripts, against
// Application statuses shaped as Argo CD writes them, on the Applications synth renders.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { renderTree } from '../app/synthesize';
import { findLua51, lua51Missing, runHealthScript } from './support/argocd-lua';
import { describeNeeding } from './support/system-tool';
import { fixtureEnvironments, gitopsConfig } from './support/fixture-project';

const SCRIPT = path.resolve(__dirname, '..', 'argocd', 'application-health.lua');
const VALID_STATUSES = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];
const SHA = 'a3f1c9e0b7d24e6f8a1b2c3d4e5f60718293a4b5';
const OTHER_SHA = '0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5';

const { files } = renderTree(fixtureEnvironments(), gitopsConfig());
const child = parse(files.get('apps/dev/Application-dev-backend.yaml')!);
const root = parse(files.get('bootstrap/Application-chat-platform-root.yaml')!);

const deployment = { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'chat-dev', name: 'backend' };
const service = { version: 'v1', kind: 'Service', namespace: 'chat-dev', name: 'backend' };

/** The status Argo CD writes for an Application that synced `SHA` and is healthy. */
function syncedStatus(app: any): Record<string, any> {
  const multi = app.spec.sources !== undefined;
  return {
    sync: {
      status: 'Synced',
      comparedTo: { destination: app.spec.destination, ...(multi ? { sources: app.spec.sources } : { source: app.spec.source }) },
      ...(multi ? { revisions: app.spec.sources.map(() => SHA) } : { revision: SHA }),
    },
    health: { status: 'Healthy', lastTransitionTime: '2026-11-20T10:04:41Z' },
    reconciledAt: '2026-11-20T10:05:00Z',
    resourceHealthSource: 'appTree',
    sourceType: 'Directory',
    operationState: {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: '2026-11-20T10:04:10Z',
      finishedAt: '2026-11-20T10:04:40Z',
      operation: { sync: multi ? { revisions: app.spec.sources.map(() => SHA) } : { revision: SHA }, initiatedBy: { automated: true } },
      syncResult: multi ? { revision: '', revisions: app.spec.sources.map(() => SHA), sources: app.spec.sources } : { revision: SHA, source: app.spec.source },
    },
    resources: [
      { ...deployment, status: 'Synced' },
      { ...service, status: 'Synced' },
    ],
  };
}

function withStatus(app: any, status: Record<string, any> | undefined): any {
  const { status: _, ...rest } = app;
  return status === undefined ? rest : { ...rest, status };
}

describeNeeding('the Application health check of argocd/application-health.lua', lua51Missing(), () => {
  const lua = findLua51()!;
  const health = (app: any) => {
    const result = runHealthScript(lua, SCRIPT, app);
    expect(VALID_STATUSES).toContain(result.status);
    return result;
  };

  test('a synced, healthy child is Healthy', () => {
    expect(health(withStatus(child, syncedStatus(child)))).toEqual({ status: 'Healthy', message: '' });
  });

  test('a multi-source Application (the root) that synced every source is Healthy', () => {
    expect(health(withStatus(root, syncedStatus(root))).status).toBe('Healthy');
  });

  test('a child whose objects are not created yet is Progressing, although Argo CD 3.4 reports its health Healthy', () => {
    const status = syncedStatus(child);
    status.sync.status = 'OutOfSync';
    status.resources = [{ ...deployment, status: 'OutOfSync' }, { ...service, status: 'Synced' }];
    expect(health(withStatus(child, status))).toEqual({
      status: 'Progressing',
      message: 'Waiting for 1 resource(s) to be created or synced: Deployment/backend',
    });
  });

  test('missing resources are named as missing where Argo CD persists resource health', () => {
    const status = syncedStatus(child);
    status.sync.status = 'OutOfSync';
    status.resourceHealthSource = undefined;
    status.resources = [
      { ...deployment, status: 'OutOfSync', health: { status: 'Missing' } },
      { ...service, status: 'OutOfSync', health: { status: 'Missing' } },
      { version: 'v1', kind: 'ConfigMap', namespace: 'chat-dev', name: 'a', status: 'OutOfSync' },
      { version: 'v1', kind: 'ConfigMap', namespace: 'chat-dev', name: 'b', status: 'OutOfSync' },
      { version: 'v1', kind: 'ConfigMap', namespace: 'chat-dev', name: 'c', status: 'OutOfSync' },
    ];
    expect(health(withStatus(child, status))).toEqual({
      status: 'Progressing',
      message: 'Waiting for 5 resource(s) to be created or synced: Deployment/backend (missing), Service/backend (missing), ConfigMap/a, and 2 more',
    });
  });

  test('a stale status, describing the spec before the parent changed it, is Progressing', () => {
    const status = syncedStatus(child);
    const moved = { ...child, spec: { ...child.spec, source: { ...child.spec.source, path: 'gitops/envs/dev/backend-v2' } } };
    expect(health(withStatus(moved, status))).toEqual({
      status: 'Progressing',
      message: "Waiting for the Application to compare its current spec (its status describes an earlier one)",
    });
  });

  test('a stale status of a multi-source Application, one of whose sources changed, is Progressing', () => {
    const status = syncedStatus(root);
    const sources = root.spec.sources.map((s: any, i: number) => (i === 1 ? { ...s, directory: { exclude: 'other.yaml' } } : s));
    expect(health(withStatus({ ...root, spec: { ...root.spec, sources } }, status)).status).toBe('Progressing');
  });

  test('a changed destination makes the status stale too', () => {
    const status = syncedStatus(child);
    const moved = { ...child, spec: { ...child.spec, destination: { ...child.spec.destination, namespace: 'chat-qa' } } };
    expect(health(withStatus(moved, status)).status).toBe('Progressing');
  });

  test('a status reconciled before the last sync finished is Progressing', () => {
    const status = syncedStatus(child);
    status.reconciledAt = '2026-11-20T10:04:39Z';
    expect(health(withStatus(child, status))).toEqual({
      status: 'Progressing',
      message: 'Waiting for the Application to reconcile after its sync finished at 2026-11-20T10:04:40Z',
    });
  });

  test('a degraded child is Degraded, with its message', () => {
    const status = syncedStatus(child);
    status.health = { status: 'Degraded', message: 'Deployment "backend" exceeded its progress deadline' };
    expect(health(withStatus(child, status))).toEqual({ status: 'Degraded', message: 'Deployment "backend" exceeded its progress deadline' });
  });

  test('a child whose last sync failed and that is still out of sync is Degraded, so the parent stops instead of waiting for ever', () => {
    const status = syncedStatus(child);
    status.sync = { ...status.sync, status: 'OutOfSync', revision: OTHER_SHA };
    status.operationState = { ...status.operationState, phase: 'Failed', message: 'one or more objects failed to apply' };
    expect(health(withStatus(child, status))).toEqual({ status: 'Degraded', message: 'Sync Failed: one or more objects failed to apply' });
  });

  test('a child with a sync operation running is Progressing', () => {
    const status = syncedStatus(child);
    status.operationState = { ...status.operationState, phase: 'Running', message: 'waiting for healthy state of apps/Deployment/backend', finishedAt: undefined };
    expect(health(withStatus(child, status))).toEqual({
      status: 'Progressing',
      message: 'Sync Running: waiting for healthy state of apps/Deployment/backend',
    });
  });

  test('a new Application with no status at all is Progressing', () => {
    expect(health(withStatus(child, undefined))).toEqual({ status: 'Progressing', message: "Waiting for the Application's first reconciliation" });
  });

  test('a child reporting Missing (none of its objects exists) is Progressing: a parent ignores a Missing child', () => {
    const status = syncedStatus(child);
    status.health = { status: 'Missing' };
    status.resources = [];
    status.operationState = undefined;
    expect(health(withStatus(child, status))).toEqual({ status: 'Progressing', message: 'Health Missing' });
  });

  test('a child whose comparison failed (sync Unknown) is Progressing', () => {
    const status = syncedStatus(child);
    status.sync.status = 'Unknown';
    expect(health(withStatus(child, status))).toEqual({ status: 'Progressing', message: 'Sync status Unknown' });
  });

  test('objects only waiting to be pruned (Prune=confirm) hold no wave', () => {
    const status = syncedStatus(child);
    status.sync.status = 'OutOfSync';
    status.resources = [...status.resources, { version: 'v1', kind: 'ConfigMap', namespace: 'chat-dev', name: 'old', status: 'OutOfSync', requiresPruning: true }];
    expect(health(withStatus(child, status)).status).toBe('Healthy');
  });

  test('the sandbox is as strict as Argo CD: a script calling a string method fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lua-sandbox-'));
    try {
      const script = path.join(dir, 'health.lua');
      fs.writeFileSync(script, 'return { status = ("healthy"):upper(), message = "" }\n');
      expect(() => runHealthScript(lua, script, child)).toThrow(/script error: .*attempt to index a string value/);
      fs.writeFileSync(script, 'return { status = string.upper("healthy") }\n');
      expect(() => runHealthScript(lua, script, child)).toThrow(/attempt to index global 'string'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
