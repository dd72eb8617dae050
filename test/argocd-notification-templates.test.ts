// The Discord templates of argocd-notifications-cm, rendered as Argo CD renders them: Go's
// text/template with Sprig (test/support/go-template.ts builds the renderer from Debian's
// packages), on Applications shaped as Argo CD hands them to the templates. Each rendered body
// must be a message Discord accepts: its execute-webhook API refuses the whole message when a field
// value is empty or longer than 1024 characters, or the description longer than 4096
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ArgoApplication } from '../constructs/argo-application';
import { ArgoDiscordNotifications } from '../constructs/argo-discord-notifications';
import { ArgoProject } from '../constructs/argo-project';
import { renderTree } from '../app/synthesize';
import { buildTemplateRenderer, goTemplateMissing } from './support/go-template';
import { describeNeeding } from './support/system-tool';
import { fixtureEnvironments, gitopsConfig } from './support/fixture-project';

const SHA_A = 'a3f1c9e0b7d24e6f8a1b2c3d4e5f60718293a4b5';
const SHA_B = '0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5';
const TEMPLATES = ['discord-sync-succeeded', 'discord-sync-failed', 'discord-health-degraded'];

const gitops = gitopsConfig();
const { files } = renderTree(fixtureEnvironments(), gitops);
const cm = parse(files.get('bootstrap/ConfigMap-argocd-notifications-cm.yaml')!);
const child = parse(files.get('apps/dev/Application-dev-backend.yaml')!);
const root = parse(files.get('bootstrap/Application-chat-platform-root.yaml')!);
const context = parse(cm.data.context);

function body(template: string): string {
  return parse(cm.data[`template.${template}`]).webhook.discord.body;
}

/** What Discord checks of an embed, as its API documents the limits. */
function discordProblems(payload: any): string[] {
  const problems: string[] = [];
  const length = (s: unknown) => (typeof s === 'string' ? [...s].length : -1);
  if (!Array.isArray(payload.embeds) || payload.embeds.length !== 1) return ['not exactly one embed'];
  const embed = payload.embeds[0];
  if (length(embed.title) < 1 || length(embed.title) > 256) problems.push(`title length ${length(embed.title)}`);
  if (embed.description !== undefined && (length(embed.description) < 1 || length(embed.description) > 4096)) {
    problems.push(`description length ${length(embed.description)}`);
  }
  if (!Array.isArray(embed.fields) || embed.fields.length > 25) problems.push('fields');
  for (const field of embed.fields ?? []) {
    if (length(field.name) < 1 || length(field.name) > 256) problems.push(`field name ${JSON.stringify(field.name)}`);
    if (length(field.value) < 1 || length(field.value) > 1024 || String(field.value).trim() === '') {
      problems.push(`field ${field.name}: value ${JSON.stringify(field.value)} (length ${length(field.value)})`);
    }
  }
  const total = length(embed.title) + Math.max(0, length(embed.description)) + (embed.fields ?? []).reduce((n: number, f: any) => n + length(f.name) + length(f.value), 0);
  if (total > 6000) problems.push(`${total} characters in all`);
  return problems;
}

/** A single-source Application that synced SHA_A, as the controller has it. */
function syncedChild(overrides: Record<string, any> = {}): any {
  return {
    ...child,
    status: {
      sync: { status: 'Synced', revision: SHA_A },
      health: { status: 'Healthy' },
      operationState: { phase: 'Succeeded', message: 'successfully synced (all tasks run)', syncResult: { revision: SHA_A } },
      ...overrides,
    },
  };
}

/**
 * The multi-source root after a sync: one revision per source in `revisions`, and `revision` the
 * empty string (SyncOperationResult.Revision has no omitempty: pkg/apis/application/v1alpha1/types.go).
 */
function syncedRoot(): any {
  return {
    ...root,
    status: {
      sync: { status: 'Synced', revisions: [SHA_A, SHA_B] },
      health: { status: 'Healthy' },
      operationState: { phase: 'Failed', message: 'one or more objects failed to apply', syncResult: { revision: '', revisions: [SHA_A, SHA_B] } },
    },
  };
}

describeNeeding('the Discord templates of argocd-notifications-cm, rendered by Go text/template and Sprig', goTemplateMissing(), () => {
  let renderer: ReturnType<typeof buildTemplateRenderer>;
  beforeAll(() => {
    renderer = buildTemplateRenderer();
  }, 300_000);
  afterAll(() => renderer?.dispose());

  const rendered = (template: string, app: any) => {
    const text = renderer.render(body(template), { app, context });
    const payload = JSON.parse(text);
    expect(discordProblems(payload)).toEqual([]);
    return payload;
  };
  const field = (payload: any, name: string) => payload.embeds[0].fields.find((f: any) => f.name === name)?.value;

  test.each(TEMPLATES)('%s renders a message Discord accepts for a synced single-source Application', (template) => {
    const payload = rendered(template, syncedChild());
    expect(payload.embeds[0].url).toBe(`${gitops.argocd.url}/applications/argocd/dev-backend`);
    expect(field(payload, 'Application')).toBe('dev-backend');
    expect(field(payload, 'Environment')).toBe('dev');
    expect(field(payload, 'Status')).toBe('sync Synced, health Healthy');
    expect(field(payload, 'Revision')).toBe(SHA_A);
    expect(field(payload, 'Destination')).toBe(`${child.spec.destination.server} / ${child.spec.destination.namespace}`);
  });

  test.each(TEMPLATES)('%s shows every revision of the multi-source root, whose syncResult.revision is empty', (template) => {
    const payload = rendered(template, syncedRoot());
    expect(field(payload, 'Revision')).toBe(`${SHA_A}, ${SHA_B}`);
    expect(field(payload, 'Environment')).toBe('all');
  });

  test('sync-failed of the root carries the failure as its description', () => {
    expect(rendered('discord-sync-failed', syncedRoot()).embeds[0].description).toBe('one or more objects failed to apply');
  });

  test('before any sync, the revision is the one the Application compared against', () => {
    const app = syncedChild({ operationState: undefined, sync: { status: 'OutOfSync', revision: SHA_B } });
    expect(field(rendered('discord-health-degraded', app), 'Revision')).toBe(SHA_B);
  });

  test.each(TEMPLATES)('%s never sends an empty field or description, even for an Application with no status and an empty environment label', (template) => {
    const bare = { ...child, metadata: { ...child.metadata, labels: { ...child.metadata.labels, environment: '' } } };
    delete bare.status;
    const payload = rendered(template, bare);
    expect(field(payload, 'Revision')).toBe('-');
    expect(field(payload, 'Environment')).toBe('-');
    expect(field(payload, 'Status')).toBe('sync Unknown, health Unknown');
    expect(payload.embeds[0].description.trim()).not.toBe('');
  });

  test('an empty or blank message falls back to words of its own', () => {
    const app = syncedChild({ health: { status: 'Degraded', message: '   ' } });
    expect(rendered('discord-health-degraded', app).embeds[0].description).toBe('A resource of the Application is degraded');
    expect(rendered('discord-sync-succeeded', syncedChild({ operationState: { phase: 'Succeeded', message: '' } })).embeds[0].description).toBe('Sync succeeded');
  });

  test('quotes, newlines and a very long message still make valid JSON within Discord\'s limits', () => {
    const message = `object "backend" failed:\n${'x'.repeat(5000)}`;
    const long = 'r'.repeat(3000);
    const app = syncedChild({ operationState: { phase: 'Failed', message, syncResult: { revision: long } } });
    const payload = rendered('discord-sync-failed', app);
    expect(payload.embeds[0].description.startsWith('object "backend" failed:\n')).toBe(true);
    expect(payload.embeds[0].description).toHaveLength(2000);
    expect(field(payload, 'Revision')).toHaveLength(1024);
  });

  test('the renderer is Argo CD\'s: a template calling a function Sprig does not have fails to parse', () => {
    expect(() => renderer.render('{{ nosuchfunction .app }}', { app: child, context })).toThrow(/function "nosuchfunction" not defined/);
    expect(() => renderer.render('{{ env "HOME" }}', { app: child, context })).toThrow(/function "env" not defined/);
  });
});

describe('subscriptions of a multi-source Application', () => {
  test('refuses sync-succeeded, which Argo CD would announce only once for an Application of several folders', () => {
    const chart = Testing.chart();
    const notifications = new ArgoDiscordNotifications(chart, 'N', { argocdUrl: 'https://argocd.example.com' });
    const project = new ArgoProject(chart, 'P', {
      name: 'p',
      sourceRepos: ['https://github.com/example/chat-platform.git'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'argocd' }],
      namespacedKinds: [{ group: 'argoproj.io', kind: 'Application' }],
    });
    const props = {
      name: 'two-folders',
      project,
      repository: { url: 'https://github.com/example/chat-platform.git', targetRevision: 'main' },
      folders: [{ path: 'gitops/apps' }, { path: 'gitops/bootstrap' }],
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
    };
    expect(() => new ArgoApplication(chart, 'A', { ...props, notifications: { config: notifications, events: ['sync-failed', 'sync-succeeded'] } })).toThrow(
      'ArgoApplication "two-folders": notifications.events: ["sync-failed","sync-succeeded"] — sync-failed and health-degraded for an Application of several folders',
    );
    expect(() => new ArgoApplication(chart, 'B', { ...props, notifications: { config: notifications, events: ['sync-failed', 'health-degraded'] } })).not.toThrow();
  });
});
