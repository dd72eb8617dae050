/**
 * `npm run notify` against a local HTTP server playing Discord's webhook endpoint, including its
 * 429 rate-limit answers.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv';
import { redactor, retryAfterSeconds, sendWebhook } from '../lib/pipeline/discord-webhook';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const SLOW = 120_000;
const TOKEN = `Zx9-secret-webhook-token_${'q'.repeat(40)}`;
const WEBHOOK_PATH = `/api/webhooks/112233445566778899/${TOKEN}`;

/** One canned answer of the fake Discord. */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook endpoint answering each request with the next answer (the last one repeats). */
class FakeDiscord {
  readonly requests: Received[] = [];
  private server!: http.Server;

  constructor(private readonly answers: Answer[]) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: performance.now() });
        const answer = this.answers[Math.min(this.requests.length - 1, this.answers.length - 1)];
        const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
        res.writeHead(answer.status, { ...(text ? { 'content-type': 'application/json' } : {}), ...answer.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${WEBHOOK_PATH}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The payloads of the requests the endpoint accepted (2xx). */
  delivered(): unknown[] {
    return this.requests.filter((_, i) => this.answers[Math.min(i, this.answers.length - 1)].status < 300).map((r) => JSON.parse(r.body));
  }
}

let servers: FakeDiscord[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

async function discord(...answers: Answer[]): Promise<{ fake: FakeDiscord; url: string }> {
  const fake = new FakeDiscord(answers);
  servers.push(fake);
  return { fake, url: await fake.start() };
}

/**
 * Runs the command outside any project (it reads no project file); the server lives in this
 * process, so the child must run asynchronously.
 */
function notify(webhook: string | undefined, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DISCORD_WEBHOOK_URL', 'BUILD_URL', 'JOB_NAME', 'BUILD_NUMBER', 'GIT_COMMIT']) delete env[name];
  if (webhook !== undefined) env.DISCORD_WEBHOOK_URL = webhook;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'run.js'), 'commands/notify', ...args], { cwd: os.tmpdir(), env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Discord's execute-webhook body as documented (JSON params, embed object and limits). Unknown
 * fields are rejected, as Discord ignores or refuses them.
 */
const discordWebhookSchema = {
  type: 'object',
  additionalProperties: false,
  anyOf: [{ required: ['content'] }, { required: ['embeds'] }],
  properties: {
    content: { type: 'string', maxLength: 2000 },
    username: { type: 'string', maxLength: 80 },
    avatar_url: { type: 'string' },
    tts: { type: 'boolean' },
    allowed_mentions: {
      type: 'object',
      additionalProperties: false,
      properties: {
        parse: { type: 'array', items: { enum: ['roles', 'users', 'everyone'] } },
        roles: { type: 'array', items: { type: 'string' } },
        users: { type: 'array', items: { type: 'string' } },
      },
    },
    embeds: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          title: { type: 'string', maxLength: 256 },
          type: { const: 'rich' },
          description: { type: 'string', maxLength: 4096 },
          url: { type: 'string', pattern: '^https?://' },
          timestamp: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' },
          color: { type: 'integer', minimum: 0, maximum: 0xffffff },
          footer: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: { type: 'string', maxLength: 2048 } } },
          fields: {
            type: 'array',
            maxItems: 25,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'value'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 256 },
                value: { type: 'string', minLength: 1, maxLength: 1024 },
                inline: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
  },
};
const isDiscordWebhookPayload = new Ajv({ allErrors: true }).compile(discordWebhookSchema);

function expectDiscordPayload(payload: unknown): void {
  const valid = isDiscordWebhookPayload(payload);
  expect(isDiscordWebhookPayload.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

const IMAGE = `registry.example.com/chat/backend:1f0c2d4e@sha256:${'ab'.repeat(32)}`;
const BUILD = 'https://ci.example.com/job/chat-backend/42/';
const RELEASE_ARGS = ['--component', 'backend', '--env', 'staging', '--image', IMAGE, '--commit', '1f0c2d4e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d', '--build-url', BUILD, '--build-number', '42', '--job', 'chat-backend'];

describe('npm run notify', () => {
  test('waits out a 429 for its retry_after, then delivers exactly one message', async () => {
    const { fake, url } = await discord(
      // Discord's body carries the precise wait; its header the same rounded up to whole seconds.
      { status: 429, headers: { 'retry-after': '1' }, body: { message: 'You are being rate limited.', retry_after: 0.4, global: false } },
      { status: 204 },
    );
    const result = await notify(url, '--status', 'success', ...RELEASE_ARGS);

    expect(result.status).toBe(0);
    expect(result.stdout).toBe('notify: success message delivered to Discord (HTTP 204, 2 attempts)\n');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].body).toBe(fake.requests[0].body);
    const waited = fake.requests[1].at - fake.requests[0].at;
    expect(waited).toBeGreaterThanOrEqual(380);
    expect(waited).toBeLessThan(1000);
    expect(fake.delivered()).toHaveLength(1);
    expectDiscordPayload(fake.delivered()[0]);
  }, SLOW);

  test('posts an embed with the status color, component, environment, image, commit and build link', async () => {
    const { fake, url } = await discord({ status: 204 });
    expect((await notify(url, '--status', 'success', ...RELEASE_ARGS)).status).toBe(0);
    expect((await notify(url, '--status', 'failure', ...RELEASE_ARGS, '--message', 'stage Test failed')).status).toBe(0);

    expect(fake.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', WEBHOOK_PATH, 'application/json'],
      ['POST', WEBHOOK_PATH, 'application/json'],
    ]);
    const [success, failure] = fake.delivered() as any[];
    for (const payload of [success, failure]) expectDiscordPayload(payload);

    expect(success.allowed_mentions).toEqual({ parse: [] });
    expect(success.embeds).toHaveLength(1);
    const embed = success.embeds[0];
    expect(embed.title).toBe('✅ backend → staging: released');
    expect(embed.color).toBe(0x2ecc71);
    expect(embed.url).toBe(BUILD);
    expect(embed.fields).toEqual([
      { name: 'Status', value: 'success', inline: true },
      { name: 'Component', value: 'backend', inline: true },
      { name: 'Environment', value: 'staging', inline: true },
      { name: 'Image', value: `\`${IMAGE}\``, inline: false },
      { name: 'Commit', value: '`1f0c2d4e9a8b`', inline: true },
      { name: 'Build', value: `[#42](${BUILD})`, inline: true },
    ]);
    expect(embed.footer).toEqual({ text: 'chat-backend #42' });

    expect(failure.embeds[0].title).toBe('❌ backend → staging: failed');
    expect(failure.embeds[0].color).toBe(0xe74c3c);
    expect(failure.embeds[0].description).toBe('stage Test failed');
  }, SLOW);

  test('retries a 5xx with backoff and reports a message that never got through without failing', async () => {
    const { fake, url } = await discord({ status: 503, body: { message: 'Service Unavailable' } });
    const lenient = await notify(url, '--status', 'failure', '--component', 'frontend', '--attempts', '2');
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(900);
    expect(lenient.stderr).toContain('notify: could not deliver the failure message to Discord: gave up after 2 attempts: HTTP 503: Service Unavailable');
    expect(lenient.stderr).toContain('notify: carrying on (pass --strict to fail on this)');
    expect(lenient.status).toBe(0);

    const strict = await notify(url, '--status', 'failure', '--attempts', '1', '--strict');
    expect(strict.status).toBe(1);
  }, SLOW);

  test('never prints the webhook URL, even when Discord refuses it', async () => {
    const { fake, url } = await discord({ status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
    const result = await notify(url, '--status', 'success', ...RELEASE_ARGS, '--strict');
    expect(fake.requests).toHaveLength(1);
    expect(result.stderr).toContain('Discord refused the message: HTTP 404: Unknown Webhook (code 10015)');
    expect(result.status).toBe(1);
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain('112233445566778899');
    }
  }, SLOW);

  test('reports an unreachable webhook without its URL', async () => {
    const { url } = await discord({ status: 204 });
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    const result = await notify(url, '--status', 'success', '--attempts', '1');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/could not deliver the success message to Discord: gave up after 1 attempt: fetch failed: ECONNREFUSED/);
    expect(result.stderr).not.toContain(TOKEN);
  }, SLOW);

  test('reports a missing DISCORD_WEBHOOK_URL, exiting 0, or 1 with --strict', async () => {
    const lenient = await notify(undefined, '--status', 'success');
    expect(lenient.stderr).toContain('DISCORD_WEBHOOK_URL is not set');
    expect(lenient.status).toBe(0);
    expect((await notify(undefined, '--status', 'success', '--strict')).status).toBe(1);
  }, SLOW);

  test('rejects an unknown status as a usage error', async () => {
    const result = await notify('http://127.0.0.1:9/x', '--status', 'ok');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--status must be one of success, failure, unstable, aborted, not "ok"');
  }, SLOW);
});

describe('the webhook client', () => {
  test('takes the wait from the body, else from Retry-After in seconds or as a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('{"retry_after": 0.25}', new Headers({ 'retry-after': '1' }), now)).toBe(0.25);
    expect(retryAfterSeconds('<html>', new Headers({ 'retry-after': '3' }), now)).toBe(3);
    expect(retryAfterSeconds('', new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:02 GMT' }), now)).toBe(2);
    expect(retryAfterSeconds('{}', new Headers({ 'x-ratelimit-reset-after': '1.5' }), now)).toBe(1.5);
    expect(retryAfterSeconds('{}', new Headers(), now)).toBeUndefined();
  });

  test('retries 5xx answers with a doubling backoff until one is accepted', async () => {
    const { fake, url } = await discord({ status: 502 }, { status: 500 }, { status: 204 });
    const delivery = await sendWebhook(new URL(url), { content: 'x' }, { backoffMs: 50 });
    expect(delivery).toEqual({ status: 204, attempts: 3 });
    expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(45);
    expect(fake.requests[2].at - fake.requests[1].at).toBeGreaterThanOrEqual(95);
  });

  test('gives up at once when Discord asks for a wait longer than allowed', async () => {
    const { fake, url } = await discord({ status: 429, body: { retry_after: 120, global: true } });
    await expect(sendWebhook(new URL(url), { content: 'x' }, { maxRetryAfterSeconds: 60 })).rejects.toThrow(
      'Discord rate-limited the webhook for 120 s, longer than the 60 s this command waits',
    );
    expect(fake.requests).toHaveLength(1);
  });

  test('redacts the URL, its path and its token from any text', () => {
    const url = new URL(`https://discord.com${WEBHOOK_PATH}?thread_id=9`);
    const redact = redactor(url);
    expect(redact(`POST ${url.href} failed; token ${TOKEN}; path ${WEBHOOK_PATH}`)).toBe(
      'POST [redacted] failed; token [redacted]; path [redacted]',
    );
  });
});
