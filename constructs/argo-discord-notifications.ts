import { Construct } from 'constructs';
import { KubeConfigMap } from '../imports/k8s';
import { failFor } from '../lib/predicates/invalid-value';

/** What an Application can be subscribed to. */
export type ArgoNotificationEvent = 'sync-succeeded' | 'sync-failed' | 'health-degraded';

export interface ArgoDiscordNotificationsProps {
  /**
   * Namespace Argo CD runs in, where `argocd-notifications-cm` lives.
   * @default 'argocd'
   */
  readonly argoNamespace?: string;
  /** Base URL of the Argo CD web UI (https, no trailing slash): every message links the Application there. */
  readonly argocdUrl: string;
  /**
   * Key of `argocd-notifications-secret` holding the Discord webhook URL. The URL is a credential
   * (anyone holding it can post), so it lives only in that Secret, created out of band.
   * @default 'discord-webhook-url'
   */
  readonly webhookUrlSecretKey?: string;
  /**
   * Label of an Application whose value the messages show as its environment.
   * @default 'environment'
   */
  readonly environmentLabel?: string;
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

/** Name Argo CD reads notification settings from; fixed by Argo CD. */
export const NOTIFICATIONS_CONFIGMAP = 'argocd-notifications-cm';
/** Name Argo CD resolves `$key` references of the notification settings from; fixed by Argo CD. */
export const NOTIFICATIONS_SECRET = 'argocd-notifications-secret';

const SERVICE = 'discord';

interface EventSpec {
  readonly description: string;
  /** Argo CD notification trigger condition (expr language, evaluated against the Application). */
  readonly when: string;
  /** Sends once per value of this expression; unset, once each time `when` turns true. */
  readonly oncePer?: string;
  readonly title: string;
  /** Embed colour, 0xRRGGBB. */
  readonly color: number;
  /** Go template of the embed's description text (before JSON quoting). */
  readonly detail: string;
  /** The description when the Application says nothing (no message, or an empty one). */
  readonly fallback: string;
}

const EVENTS: Record<ArgoNotificationEvent, EventSpec> = {
  'sync-succeeded': {
    description: 'The Application synced its revision successfully',
    when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded']",
    // A self-heal re-sync of the same revision is not news.
    oncePer: 'app.status.operationState?.syncResult?.revision',
    title: 'synced',
    color: 0x2ecc71,
    detail: `dig "status" "operationState" "message" "" .app`,
    fallback: 'Sync succeeded',
  },
  'sync-failed': {
    description: 'The Application failed to sync (after its retries)',
    // Retries keep the operation Running, so this turns true once per failed sync, not per attempt.
    when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
    title: 'sync failed',
    color: 0xe74c3c,
    detail: `dig "status" "operationState" "message" "" .app`,
    fallback: 'Sync failed',
  },
  'health-degraded': {
    description: 'The Application is degraded',
    when: "app.status.health.status == 'Degraded'",
    title: 'degraded',
    color: 0xe67e22,
    detail: `dig "status" "health" "message" "" .app`,
    fallback: 'A resource of the Application is degraded',
  },
};

/**
 * `argocd-notifications-cm` for Discord: a webhook service whose URL is read from
 * `argocd-notifications-secret` (never from git), one Discord embed template and one trigger per
 * event, and the annotations that subscribe an Application to events.
 *
 * Templates read the Application with `dig` and quote every value with `toJson`, so a missing field
 * or a quote in a message still renders a valid JSON body; no field value or description renders
 * empty or over Discord's limits, which would make Discord refuse the whole message.
 */
export class ArgoDiscordNotifications extends Construct {
  public readonly argoNamespace: string;
  public readonly webhookUrlSecretKey: string;
  public readonly configMap: KubeConfigMap;

  constructor(scope: Construct, id: string, props: ArgoDiscordNotificationsProps) {
    super(scope, id);
    const fail = failFor('ArgoDiscordNotifications', id);
    if (!/^https:\/\/[^\s/?#]+(?:\/[^\s?#]*[^\s?#/])?$/.test(props.argocdUrl)) {
      fail('argocdUrl', props.argocdUrl, 'an https:// URL without a trailing slash, query or fragment');
    }
    this.webhookUrlSecretKey = props.webhookUrlSecretKey ?? 'discord-webhook-url';
    if (!/^[-._a-zA-Z0-9]+$/.test(this.webhookUrlSecretKey)) {
      fail('webhookUrlSecretKey', this.webhookUrlSecretKey, 'a Secret key of letters, digits, "-", "_" and "."');
    }
    const environmentLabel = props.environmentLabel ?? 'environment';
    if (!/^[a-zA-Z0-9](?:[-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(environmentLabel)) {
      fail('environmentLabel', environmentLabel, 'a label name without a prefix');
    }
    this.argoNamespace = props.argoNamespace ?? 'argocd';

    const data: Record<string, string> = {
      context: `argocdUrl: ${props.argocdUrl}\n`,
      [`service.webhook.${SERVICE}`]: [
        `url: $${this.webhookUrlSecretKey}`,
        'headers:',
        '- name: Content-Type',
        '  value: application/json',
        '',
      ].join('\n'),
    };
    for (const [event, spec] of Object.entries(EVENTS) as [ArgoNotificationEvent, EventSpec][]) {
      data[`template.${templateName(event)}`] = template(spec, environmentLabel);
      data[`trigger.${triggerName(event)}`] = [
        `- description: ${spec.description}`,
        ...(spec.oncePer ? [`  oncePer: ${spec.oncePer}`] : []),
        `  send: [${templateName(event)}]`,
        `  when: ${spec.when}`,
        '',
      ].join('\n');
    }
    this.configMap = new KubeConfigMap(this, 'Resource', {
      metadata: {
        name: NOTIFICATIONS_CONFIGMAP,
        namespace: this.argoNamespace,
        ...(props.labels ? { labels: props.labels } : {}),
        ...(props.annotations ? { annotations: props.annotations } : {}),
      },
      data,
    });
  }

  /**
   * The annotations that subscribe an Application to `events` on the Discord webhook. A webhook
   * has no recipients, so each value is empty.
   */
  public subscriptions(events: readonly ArgoNotificationEvent[]): Record<string, string> {
    const fail = failFor('ArgoDiscordNotifications', this.node.id);
    if (events.length === 0) fail('events', events, `one or more of ${Object.keys(EVENTS).join(', ')}`);
    const annotations: Record<string, string> = {};
    for (const event of events) {
      if (!(event in EVENTS)) fail('events', event, Object.keys(EVENTS).join(', '));
      annotations[`notifications.argoproj.io/subscribe.${triggerName(event)}.${SERVICE}`] = '';
    }
    return annotations;
  }
}

function triggerName(event: ArgoNotificationEvent): string {
  return `on-${event}`;
}

function templateName(event: ArgoNotificationEvent): string {
  return `${SERVICE}-${event}`;
}

/**
 * The Go template of one embed field's value: trimmed, never empty (`-` instead) and at most 1024
 * bytes, since Discord refuses the whole message (HTTP 400, "Must be between 1 and 1024 in
 * length") when any field value is empty or longer.
 */
function fieldValue(expression: string): string {
  return `{{ ${expression} | toString | trim | default "-" | trunc 1024 | toJson }}`;
}

/**
 * What the Application synced: `syncResult.revision` for a single-source Application, the list
 * `syncResult.revisions` for a multi-source one (whose `revision` is empty), before any sync the
 * revision it compared against (`sync.revision` or `sync.revisions`); Argo CD's notification docs
 * (docs/operator-manual/notifications/troubleshooting-errors.md) describe the list.
 */
const REVISION = [
  'coalesce',
  '(dig "status" "operationState" "syncResult" "revision" "" .app)',
  '(join ", " (dig "status" "operationState" "syncResult" "revisions" (list) .app))',
  '(dig "status" "sync" "revision" "" .app)',
  '(join ", " (dig "status" "sync" "revisions" (list) .app))',
  '"-"',
].join(' ');

/**
 * A Discord webhook body with one embed; every interpolated value goes through `toJson`, and no
 * field value or description can render empty.
 */
function template(spec: EventSpec, environmentLabel: string): string {
  const field = (name: string, value: string, inline: boolean) =>
    `        {"name": "${name}", "value": ${fieldValue(value)}, "inline": ${inline}}`;
  const body = [
    '{',
    '  "username": "Argo CD",',
    '  "embeds": [',
    '    {',
    `      "title": {{ printf "%s ${spec.title}" (dig "metadata" "name" "-" .app) | toJson }},`,
    '      "url": {{ printf "%s/applications/%s/%s" .context.argocdUrl .app.metadata.namespace .app.metadata.name | toJson }},',
    `      "color": ${spec.color},`,
    // Discord caps a description at 4096 characters.
    `      "description": {{ ${spec.detail} | toString | trim | default ${JSON.stringify(spec.fallback)} | trunc 2000 | toJson }},`,
    '      "fields": [',
    [
      field('Application', 'dig "metadata" "name" "-" .app', true),
      field('Environment', `dig "metadata" "labels" "${environmentLabel}" "-" .app`, true),
      field('Status', 'printf "sync %v, health %v" (dig "status" "sync" "status" "Unknown" .app) (dig "status" "health" "status" "Unknown" .app)', true),
      field('Revision', REVISION, false),
      field(
        'Destination',
        'printf "%v / %v" (dig "spec" "destination" "server" (dig "spec" "destination" "name" "-" .app) .app) (dig "spec" "destination" "namespace" "-" .app)',
        false,
      ),
    ].join(',\n'),
    '      ]',
    '    }',
    '  ]',
    '}',
  ].join('\n');
  return ['webhook:', `  ${SERVICE}:`, '    method: POST', '    body: |', ...body.split('\n').map((l) => `      ${l}`), ''].join('\n');
}
