import { Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { ArgoDiscordNotifications } from '../constructs/argo-discord-notifications';
import { renderTree } from '../app/synthesize';
import { validateTree } from '../lib/validation/validate';
import { fixtureEnvironments, gitopsConfig } from './support/fixture-project';

const gitops = gitopsConfig();
const { objects, files } = renderTree(fixtureEnvironments(), gitops);
const manifestAt = (file: string) => parseAllDocuments(files.get(file)!)[0]!.toJS();
const cm = manifestAt('bootstrap/ConfigMap-argocd-notifications-cm.yaml');
const applications = [...files.keys()].filter((f) => /(^apps\/|^bootstrap\/Application-)/.test(f)).map(manifestAt);

/**
 * A template body with every `{{ … }}` action replaced by a JSON string, as the notifications
 * controller's `toJson` would render it: the shape of the JSON around the actions, with no Go
 * toolchain needed. test/argocd-notification-templates.test.ts renders the actions themselves.
 */
function renderedBody(templateKey: string): any {
  const template = parse(cm.data[templateKey]);
  const body: string = template.webhook.discord.body;
  return JSON.parse(body.replace(/\{\{.*?\}\}/g, '"value"'));
}

describe('argocd-notifications-cm', () => {
  test('sends to a Discord webhook whose URL is a reference into argocd-notifications-secret, never a URL in git', () => {
    const service = parse(cm.data['service.webhook.discord']);
    expect(service.url).toBe('$discord-webhook-url');
    expect(service.headers).toEqual([{ name: 'Content-Type', value: 'application/json' }]);
    expect(JSON.stringify(cm.data)).not.toMatch(/discord(app)?\.com\/api\/webhooks/);
  });

  test('a webhook URL written into the ConfigMap fails validation (NO-SECRET-VALUES)', () => {
    const leaked = objects.map((o) =>
      o.path === 'bootstrap/ConfigMap-argocd-notifications-cm.yaml'
        ? {
            ...o,
            manifest: {
              ...o.manifest,
              data: { ...o.manifest.data, 'service.webhook.discord': 'url: https://discord.com/api/webhooks/123456/abcDEF-ghi\n' },
            },
          }
        : o,
    );
    const findings = validateTree(leaked).findings;
    expect(findings.map((f) => `${f.rule} ${f.object}`)).toEqual(['NO-SECRET-VALUES ConfigMap/argocd-notifications-cm']);
  });

  test('links messages to the Argo CD of gitops.config.yaml', () => {
    expect(parse(cm.data.context)).toEqual({ argocdUrl: gitops.argocd.url });
  });

  test.each([
    ['on-sync-succeeded', "app.status.operationState.phase in ['Succeeded']", 'discord-sync-succeeded'],
    ['on-sync-failed', "app.status.operationState.phase in ['Error', 'Failed']", 'discord-sync-failed'],
    ['on-health-degraded', "app.status.health.status == 'Degraded'", 'discord-health-degraded'],
  ])('trigger %s fires when %s and sends %s', (trigger, condition, template) => {
    const [rule] = parse(cm.data[`trigger.${trigger}`]);
    expect(rule.when).toContain(condition);
    expect(rule.send).toEqual([template]);
    expect(cm.data[`template.${template}`]).toBeDefined();
  });

  test('a successful sync is announced once per revision, not again on a self-heal of the same revision', () => {
    expect(parse(cm.data['trigger.on-sync-succeeded'])[0].oncePer).toBe('app.status.operationState?.syncResult?.revision');
  });

  test.each(['discord-sync-succeeded', 'discord-sync-failed', 'discord-health-degraded'])(
    'template %s posts one Discord embed with application, environment, status, revision and a link',
    (name) => {
      const body = renderedBody(`template.${name}`);
      expect(body.embeds).toHaveLength(1);
      const embed = body.embeds[0];
      expect(Object.keys(embed).sort()).toEqual(['color', 'description', 'fields', 'title', 'url']);
      expect(Number.isInteger(embed.color)).toBe(true);
      expect(embed.fields.map((f: any) => f.name)).toEqual(['Application', 'Environment', 'Status', 'Revision', 'Destination']);
      const template = parse(cm.data[`template.${name}`]).webhook.discord;
      expect(template.method).toBe('POST');
      expect(template.body).toContain('printf "%s/applications/%s/%s" .context.argocdUrl .app.metadata.namespace .app.metadata.name');
      expect(template.body).toContain('dig "metadata" "labels" "environment" "-" .app');
    },
  );

  test('every interpolated value is JSON-quoted, so a quote in a message cannot break the body', () => {
    for (const key of Object.keys(cm.data).filter((k) => k.startsWith('template.'))) {
      const actions = parse(cm.data[key]).webhook.discord.body.match(/\{\{.*?\}\}/g) as string[];
      expect(actions.length).toBeGreaterThan(5);
      for (const action of actions) expect(action).toMatch(/\| toJson \}\}$/);
    }
  });

  test('every component Application subscribes to the three events; the root to failed syncs', () => {
    for (const app of applications) {
      const subscriptions = Object.keys(app.metadata.annotations).filter((k) => k.startsWith('notifications.argoproj.io/subscribe.')).sort();
      const expected = app.metadata.name.endsWith('-root')
        ? ['on-sync-failed']
        : ['on-health-degraded', 'on-sync-failed', 'on-sync-succeeded'];
      expect(subscriptions).toEqual(expected.map((t) => `notifications.argoproj.io/subscribe.${t}.discord`));
      for (const key of subscriptions) {
        expect(app.metadata.annotations[key]).toBe('');
        const trigger = key.slice('notifications.argoproj.io/subscribe.'.length, -'.discord'.length);
        expect(cm.data[`trigger.${trigger}`]).toBeDefined();
      }
    }
  });

  test('every Application carries the environment label the messages show', () => {
    for (const app of applications) expect(typeof app.metadata.labels.environment).toBe('string');
  });

  test('refuses an Argo CD URL with a trailing slash, which would double the slash in every link', () => {
    expect(() => new ArgoDiscordNotifications(Testing.chart(), 'N', { argocdUrl: 'https://argocd.example.com/' })).toThrow(
      'ArgoDiscordNotifications "N": argocdUrl: "https://argocd.example.com/" — an https:// URL without a trailing slash',
    );
  });

  test('refuses a subscription to an event it has no trigger for', () => {
    const notifications = new ArgoDiscordNotifications(Testing.chart(), 'N', { argocdUrl: 'https://argocd.example.com' });
    expect(() => notifications.subscriptions(['deployed' as any])).toThrow('events: "deployed" — sync-succeeded, sync-failed, health-degraded');
  });
});
