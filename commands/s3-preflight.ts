// Entry point of `npm run s3-preflight`: checks (and with --apply sets up) an environment's bucket.
import { readCommandLine } from '../lib/cli/command-line';
import { EXIT } from '../lib/cli/exit-status';
import { ConfigError } from '../lib/environment/config-error';
import { loadEnvironments } from '../lib/environment/load-environments';
import { runBucketPreflight } from '../lib/s3/bucket-preflight';
import { formatPreflightReport, preflightExitCode } from '../lib/s3/preflight-report';
import { configuredSecrets, redactSecrets } from '../lib/s3/redact-secrets';
import { createS3Client } from '../lib/s3/s3-client';
import { describeTarget, resolveS3Target, S3Target, S3TargetError } from '../lib/s3/s3-target';

const USAGE = `usage: npm run s3-preflight -- --env <env> [--apply] [--environments <dir>]

Checks the S3 bucket of environments/<env>.yaml: it exists and answers, its region, its CORS rules
for the environment's origins (GET, PUT, POST, HEAD) and its public access block.
  --env <env>           the environment to check (required)
  --apply               create the bucket, add the missing CORS rule and block public access;
                        never deletes anything, and changes nothing when all is in place
  --environments <dir>  folder of environment files (default: environments)

Credentials come from the AWS SDK's default chain. AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (or the
file's s3.endpoint) point it at an S3-compatible store. Exit status (docs/exit-statuses.md): 0 every
check passed or is unsupported by the service; 1 a check failed, or the environment is unknown or
its file or the endpoint is wrong; 2 usage error; 3 internal error.`;

async function main(argv: string[]): Promise<number> {
  const args = readCommandLine(
    's3-preflight',
    USAGE,
    argv,
    {
      options: { env: { type: 'string' }, apply: { type: 'boolean', default: false }, environments: { type: 'string', default: 'environments' } },
      paths: ['environments'],
    },
    ({ values }) => {
      if (!values.env) throw new Error('--env is required');
      return { ...values, env: values.env };
    },
  );
  if (typeof args === 'number') return args;

  const secrets = configuredSecrets(process.env);
  let target: S3Target;
  try {
    const [environment] = loadEnvironments(args.environments, { only: [args.env] });
    target = resolveS3Target(environment, process.env);
  } catch (e) {
    // A bad file lists its problems itself; an unknown environment or folder is one sentence.
    console.error(e instanceof ConfigError || e instanceof S3TargetError ? e.message : `s3-preflight: ${(e as Error).message}`);
    console.error('s3-preflight: nothing checked');
    return EXIT.failed;
  }

  console.log(redactSecrets(describeTarget(target), secrets));
  try {
    const report = await runBucketPreflight(createS3Client(target), target, { apply: args.apply, secrets });
    for (const line of formatPreflightReport(report, { apply: args.apply, secrets })) console.log(line);
    return preflightExitCode(report);
  } catch (e) {
    // Only text, redacted, reaches the terminal: never the error's request or response objects.
    console.error(`s3-preflight: ${redactSecrets((e as Error).stack ?? String(e), secrets)}`);
    return EXIT.internal;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
