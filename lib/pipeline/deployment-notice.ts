/**
 * The Discord message a pipeline run posts: one embed whose color says how the run ended, with the
 * component, environment, image, commit and a link to the build.
 *
 * Shapes and limits are Discord's execute-webhook API
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook and the embed object):
 * title ≤ 256 characters, description ≤ 4096, at most 25 fields with name ≤ 256 and a non-empty
 * value ≤ 1024, footer text ≤ 2048, 6000 characters over the whole embed.
 */

export const BUILD_STATUSES = ['success', 'failure', 'unstable', 'aborted'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

export interface DeploymentNotice {
  readonly status: BuildStatus;
  /** The component built, e.g. `backend`. */
  readonly component?: string;
  /** The environment it was released to, e.g. `staging`. */
  readonly environment?: string;
  /** The image reference released. */
  readonly image?: string;
  /** The application commit that was built. */
  readonly commit?: string;
  /** A link to that commit. */
  readonly commitUrl?: string;
  /** The build's page (Jenkins' BUILD_URL); becomes the embed's link. */
  readonly buildUrl?: string;
  /** The job's name (Jenkins' JOB_NAME). */
  readonly job?: string;
  /** The build's number (Jenkins' BUILD_NUMBER). */
  readonly buildNumber?: string;
  /** Free text, e.g. which stage failed. */
  readonly message?: string;
}

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: DiscordEmbedField[];
  footer?: { text: string };
  timestamp: string;
}

export interface DiscordWebhookPayload {
  /** Shown above the embed; also what notifications and the channel list preview. */
  content: string;
  embeds: DiscordEmbed[];
  /** Never ping anyone: commit messages and stage names are not a reason to @everyone. */
  allowed_mentions: { parse: [] };
}

const STATUS_STYLE: Record<BuildStatus, { color: number; emoji: string; words: string }> = {
  success: { color: 0x2ecc71, emoji: '✅', words: 'released' },
  failure: { color: 0xe74c3c, emoji: '❌', words: 'failed' },
  unstable: { color: 0xf1c40f, emoji: '⚠️', words: 'unstable' },
  aborted: { color: 0x95a5a6, emoji: '⏹️', words: 'aborted' },
};

const LIMITS = { title: 256, description: 4096, fieldValue: 1024, footer: 2048, content: 2000 } as const;

/** The webhook payload announcing how a pipeline run ended. */
export function discordPayload(notice: DeploymentNotice, now: Date = new Date()): DiscordWebhookPayload {
  const style = STATUS_STYLE[notice.status];
  const what = notice.component ?? notice.job ?? 'pipeline';
  const where = notice.environment ? ` → ${notice.environment}` : '';
  const title = truncate(`${style.emoji} ${what}${where}: ${style.words}`, LIMITS.title);

  const fields: DiscordEmbedField[] = [];
  const add = (name: string, value: string | undefined, inline: boolean) => {
    if (value !== undefined && value.trim() !== '') fields.push({ name, value: truncate(value, LIMITS.fieldValue), inline });
  };
  add('Status', notice.status, true);
  add('Component', notice.component, true);
  add('Environment', notice.environment, true);
  // Checked before quoting: an empty image would otherwise become the non-empty value "``".
  add('Image', notice.image?.trim() ? code(notice.image) : undefined, false);
  if (notice.commit !== undefined && notice.commit !== '') {
    const short = code(notice.commit.slice(0, 12));
    add('Commit', isWebUrl(notice.commitUrl) ? `[${short}](${notice.commitUrl})` : short, true);
  }
  if (isWebUrl(notice.buildUrl)) {
    add('Build', `[${notice.buildNumber ? `#${notice.buildNumber}` : 'open'}](${notice.buildUrl})`, true);
  } else {
    add('Build', notice.buildNumber ? `#${notice.buildNumber}` : undefined, true);
  }

  const description =
    (notice.message?.trim() ? notice.message : undefined) ??
    (notice.status === 'success' && notice.environment
      ? `The image is committed to the GitOps repository; Argo CD rolls it out to ${notice.environment}.`
      : undefined);
  const embed: DiscordEmbed = {
    title,
    ...(description ? { description: truncate(description, LIMITS.description) } : {}),
    ...(isWebUrl(notice.buildUrl) ? { url: notice.buildUrl } : {}),
    color: style.color,
    fields,
    ...(notice.job ? { footer: { text: truncate(`${notice.job}${notice.buildNumber ? ` #${notice.buildNumber}` : ''}`, LIMITS.footer) } } : {}),
    timestamp: now.toISOString(),
  };
  return { content: truncate(title, LIMITS.content), embeds: [embed], allowed_mentions: { parse: [] } };
}

/** Inline code, so image names with `_` or `*` are not read as markdown. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function isWebUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
