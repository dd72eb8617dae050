/**
 * Delivers a message to a Discord webhook, the way Discord asks clients to behave: a 429 is
 * retried after the `retry_after` it names (seconds, possibly fractional, in the JSON body; the
 * `Retry-After` header carries it too), a 5xx or a network failure after an exponential backoff,
 * and anything else is final. Every wait and the number of tries are bounded.
 *
 * The webhook URL is a credential (anyone holding it can post), so it never appears in a message
 * this module produces: errors are passed through `redactor` first.
 */

export interface WebhookOptions {
  /** Requests to try in all. @default 5 */
  readonly attempts?: number;
  /** First backoff after a 5xx or network error; doubled each time. @default 1000 */
  readonly backoffMs?: number;
  /** The longest rate-limit wait accepted; a longer one gives up instead. @default 60 */
  readonly maxRetryAfterSeconds?: number;
  /** Per-request timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** Receives a line per retry. @default no output */
  readonly log?: (line: string) => void;
}

export interface WebhookDelivery {
  /** HTTP status of the accepted request (204, or 200 with `?wait=true`). */
  readonly status: number;
  readonly attempts: number;
}

/** The message could not be delivered; the message names no secret. */
export class WebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookError';
  }
}

/** Checks a webhook URL without ever echoing it. */
export function parseWebhookUrl(value: string | undefined, variable: string): URL {
  if (value === undefined || value.trim() === '') throw new WebhookError(`${variable} is not set`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new WebhookError(`${variable} is not a valid URL (value not shown)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookError(`${variable} must be an http(s) URL, not ${url.protocol} (value not shown)`);
  }
  return url;
}

/**
 * A function that removes every form of the URL's secret parts from a text: the whole URL, its
 * path, and each long path segment (the webhook token), also percent-encoded.
 */
export function redactor(url: URL): (text: string) => string {
  const secrets = new Set<string>([url.href, `${url.origin}${url.pathname}`, url.pathname]);
  for (const segment of url.pathname.split('/')) {
    if (segment.length >= 16) {
      secrets.add(segment);
      secrets.add(encodeURIComponent(segment));
    }
  }
  if (url.search.length > 1) secrets.add(url.search.slice(1));
  const ordered = [...secrets].filter((s) => s.length > 1).sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

export async function sendWebhook(url: URL, payload: unknown, options: WebhookOptions = {}): Promise<WebhookDelivery> {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1000;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const log = options.log ?? (() => undefined);
  const redact = redactor(url);
  const body = JSON.stringify(payload);
  let lastProblem = '';

  for (let attempt = 1; attempt <= attempts; attempt++) {
    const last = attempt === attempts;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'chat-platform-gitops-notify (+https://discord.com/developers/docs)' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      lastProblem = redact(describeFetchError(e));
      if (last) break;
      const wait = backoffMs * 2 ** (attempt - 1);
      log(`webhook request failed (${lastProblem}); retrying in ${seconds(wait)}`);
      await delay(wait);
      continue;
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { status: response.status, attempts: attempt };

    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(text, response.headers);
      lastProblem = `rate limited (429, retry_after ${retryAfter ?? 'not given'})`;
      if (retryAfter !== undefined && retryAfter > maxRetryAfter) {
        throw new WebhookError(`Discord rate-limited the webhook for ${retryAfter} s, longer than the ${maxRetryAfter} s this command waits`);
      }
      if (last) break;
      const wait = retryAfter !== undefined ? retryAfter * 1000 : backoffMs * 2 ** (attempt - 1);
      log(`rate limited by Discord; retrying in ${seconds(wait)}`);
      await delay(wait);
      continue;
    }
    const detail = redact(discordMessage(text));
    lastProblem = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    if (response.status >= 500) {
      if (last) break;
      const wait = backoffMs * 2 ** (attempt - 1);
      log(`Discord answered ${response.status}; retrying in ${seconds(wait)}`);
      await delay(wait);
      continue;
    }
    // 400 (a payload Discord rejects), 401/403/404 (a revoked or wrong webhook): retrying cannot help.
    throw new WebhookError(`Discord refused the message: ${lastProblem}`);
  }
  throw new WebhookError(`gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastProblem}`);
}

/**
 * Seconds to wait from a 429: the body's `retry_after` (fractional, the precise one), else the
 * `Retry-After` header (whole seconds or an HTTP date), else Discord's `X-RateLimit-Reset-After`.
 */
export function retryAfterSeconds(body: string, headers: Headers, now: number = Date.now()): number | undefined {
  try {
    const parsed = JSON.parse(body) as { retry_after?: unknown };
    if (typeof parsed.retry_after === 'number' && Number.isFinite(parsed.retry_after) && parsed.retry_after >= 0) {
      return parsed.retry_after;
    }
  } catch {
    // Not JSON (a proxy's page): fall back to the headers.
  }
  const header = headers.get('retry-after');
  if (header !== null) {
    const value = Number(header.trim());
    if (header.trim() !== '' && Number.isFinite(value) && value >= 0) return value;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, (date - now) / 1000);
  }
  const reset = Number(headers.get('x-ratelimit-reset-after') ?? NaN);
  return Number.isFinite(reset) && reset >= 0 ? reset : undefined;
}

function discordMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === 'string') return `${parsed.message}${parsed.code !== undefined ? ` (code ${String(parsed.code)})` : ''}`;
  } catch {
    // fall through
  }
  return text.trim().slice(0, 200);
}

function describeFetchError(e: unknown): string {
  const error = e as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause?.code ?? error.cause?.message;
  return cause ? `${error.message}: ${cause}` : error.message;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
