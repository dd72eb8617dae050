// Entry point of `npm run notify`: posts how a pipeline run ended to a Discord webhook.
import { oneOf, readCommandLine, wholeNumber } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { BUILD_STATUSES, discordPayload } from '../lib/pipeline/deployment-notice';
import { parseWebhookUrl, sendWebhook } from '../lib/pipeline/discord-webhook';

const WEBHOOK_VARIABLE = 'DISCORD_WEBHOOK_URL';

const USAGE = `usage: npm run notify -- --status <${BUILD_STATUSES.join('|')}> [--component <name>] [--env <env>]
       [--image <ref>] [--commit <sha>] [--commit-url <url>] [--build-url <url>] [--job <name>]
       [--build-number <n>] [--message <text>] [--attempts <n>] [--strict]

Posts a Discord message (an embed colored by status) to the webhook in $${WEBHOOK_VARIABLE}, whose
value is never printed. Rate limits (429 retry_after) and server errors (5xx) are retried, bounded.
  --status <status>    how the run ended: ${BUILD_STATUSES.join(', ')}
  --component <name>   the component built, e.g. backend
  --env <env>          the environment released to, e.g. staging
  --image <ref>        the image released
  --commit <sha>       the application commit built (default: $GIT_COMMIT)
  --commit-url <url>   a link to that commit
  --build-url <url>    the build's page (default: $BUILD_URL)
  --job <name>         the job's name (default: $JOB_NAME)
  --build-number <n>   the build's number (default: $BUILD_NUMBER)
  --message <text>     a line of detail, e.g. the stage that failed
  --attempts <n>       requests to try in all (default: 5)
  --strict             exit 1 when the message cannot be delivered
  -h, --help           show this help

Exit status (docs/exit-statuses.md): 0 delivered, or not delivered without --strict (reported on
stderr); 1 not delivered with --strict; 2 usage error; 3 internal error.`;

async function main(argv: string[]): Promise<number> {
  const input = readCommandLine(
    'notify',
    USAGE,
    argv,
    {
      options: {
        status: { type: 'string' },
        component: { type: 'string' },
        env: { type: 'string' },
        image: { type: 'string' },
        commit: { type: 'string', default: process.env.GIT_COMMIT || undefined },
        'commit-url': { type: 'string' },
        'build-url': { type: 'string', default: process.env.BUILD_URL || undefined },
        job: { type: 'string', default: process.env.JOB_NAME || undefined },
        'build-number': { type: 'string', default: process.env.BUILD_NUMBER || undefined },
        message: { type: 'string' },
        attempts: { type: 'string', default: '5' },
        strict: { type: 'boolean', default: false },
      },
    },
    ({ values }) => ({ values, status: oneOf('--status', values.status, BUILD_STATUSES), attempts: wholeNumber('--attempts', values.attempts, 1, 10) }),
  );
  if (typeof input === 'number') return input;
  const { values, status, attempts } = input;

  const payload = discordPayload({
    status,
    component: values.component,
    environment: values.env,
    image: values.image,
    commit: values.commit,
    commitUrl: values['commit-url'],
    buildUrl: values['build-url'],
    job: values.job,
    buildNumber: values['build-number'],
    message: values.message,
  });
  try {
    const url = parseWebhookUrl(process.env[WEBHOOK_VARIABLE], WEBHOOK_VARIABLE);
    const delivery = await sendWebhook(url, payload, { attempts, log: (line) => console.error(`notify: ${line}`) });
    console.log(`notify: ${status} message delivered to Discord (HTTP ${delivery.status}, ${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'})`);
    return EXIT.ok;
  } catch (e) {
    // The webhook module redacts its messages; anything else never saw the URL.
    console.error(`notify: could not deliver the ${status} message to Discord: ${(e as Error).message}`);
    if (values.strict) return EXIT.failed;
    console.error('notify: carrying on (pass --strict to fail on this)');
    return EXIT.ok;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`notify: ${(e as Error).stack ?? e}`);
    process.exitCode = EXIT.internal;
  },
);
