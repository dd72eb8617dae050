import {
  BucketLocationConstraint,
  CORSRule,
  CreateBucketCommand,
  GetBucketCorsCommand,
  GetBucketLocationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PublicAccessBlockConfiguration,
  PutBucketCorsCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { browserAccessGaps, describeGap, FRONTEND_METHODS, MANAGED_RULE_ID, withBrowserAccess } from './browser-access';
import { classifyS3Error, S3Failure } from './s3-failure';
import { S3Target } from './s3-target';

export type CheckName = 'bucket' | 'region' | 'cors' | 'public-access';
/**
 * `skip` is given to a check that could not run because an earlier one failed (no bucket, no
 * answer); the run has failed already.
 */
export type CheckStatus = 'pass' | 'fail' | 'unsupported' | 'skip';

export interface CheckResult {
  readonly check: CheckName;
  readonly status: CheckStatus;
  /** Why, in one line. */
  readonly detail: string;
}

/** What `--apply` did, or found already done, to one part of the bucket. */
export interface ChangeResult {
  readonly part: CheckName;
  /** `changed`: written now; `unchanged`: already as required; `not-done`: could not or may not be written. */
  readonly outcome: 'changed' | 'unchanged' | 'not-done';
  readonly detail: string;
}

export interface PreflightReport {
  readonly checks: readonly CheckResult[];
  /** Empty unless the run applied. */
  readonly changes: readonly ChangeResult[];
}

export interface PreflightOptions {
  /** Create the bucket, write CORS rules and block public access where missing. @default false */
  readonly apply?: boolean;
  /** Strings errors must never show (the configured credentials). @default [] */
  readonly secrets?: readonly string[];
}

const BLOCK_ALL_PUBLIC_ACCESS: Required<PublicAccessBlockConfiguration> = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: S3Failure };

/**
 * Checks the bucket of `target`: it exists and answers, it is in the expected region, its CORS rules
 * let the environment's origins use the frontend's methods, and public access is blocked where the
 * service supports the setting. With `apply`, first creates what is missing; it never deletes
 * anything, and an already set-up bucket is left untouched.
 */
export async function runBucketPreflight(client: S3Client, target: S3Target, options: PreflightOptions = {}): Promise<PreflightReport> {
  const secrets = options.secrets ?? [];
  const call: Call = async (operation) => {
    try {
      return { ok: true, value: await operation(client) };
    } catch (error) {
      return { ok: false, failure: classifyS3Error(error, secrets) };
    }
  };
  const checks: CheckResult[] = [];
  const changes: ChangeResult[] = [];

  let head = await call((c) => c.send(new HeadBucketCommand({ Bucket: target.bucket })));
  if (options.apply && !head.ok && head.failure.kind === 'not-found') {
    changes.push(await createBucket(call, target));
    head = await call((c) => c.send(new HeadBucketCommand({ Bucket: target.bucket })));
  } else if (options.apply && head.ok) {
    changes.push({ part: 'bucket', outcome: 'unchanged', detail: `${target.bucket} exists` });
  }
  if (!head.ok) {
    checks.push({ check: 'bucket', status: 'fail', detail: bucketFailure(head.failure, target, options.apply ?? false) });
    const why = head.failure.kind === 'not-found' ? 'the bucket does not exist' : 'the bucket check failed';
    for (const check of ['region', 'cors', 'public-access'] as const) {
      checks.push({ check, status: 'skip', detail: `not checked: ${why}` });
    }
    return { checks, changes };
  }
  checks.push({ check: 'bucket', status: 'pass', detail: `${target.bucket} exists and answers` });

  checks.push(await checkRegion(call, target));

  const cors = await checkCors(call, target, options.apply ?? false);
  changes.push(...cors.changes);
  checks.push(cors.check);

  const publicAccess = await checkPublicAccess(call, target, options.apply ?? false);
  changes.push(...publicAccess.changes);
  checks.push(publicAccess.check);

  return { checks, changes };
}

/** Runs one client call, turning what it throws into an `S3Failure`. */
type Call = <T>(operation: (client: S3Client) => Promise<T>) => Promise<Outcome<T>>;

async function createBucket(call: Call, target: S3Target): Promise<ChangeResult> {
  // us-east-1 is the one region S3 refuses as a LocationConstraint: it is the default.
  const configuration =
    target.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint } };
  const created = await call((c) => c.send(new CreateBucketCommand({ Bucket: target.bucket, ...configuration })));
  if (created.ok) {
    return { part: 'bucket', outcome: 'changed', detail: `created ${target.bucket} in ${target.region}` };
  }
  if (created.failure.code === 'BucketAlreadyOwnedByYou') {
    return { part: 'bucket', outcome: 'unchanged', detail: `${target.bucket} exists (created meanwhile)` };
  }
  return { part: 'bucket', outcome: 'not-done', detail: `could not create ${target.bucket}: ${created.failure.message}` };
}

function bucketFailure(failure: S3Failure, target: S3Target, applied: boolean): string {
  const where = target.endpoint ? target.endpoint.url : `AWS S3 in ${target.region}`;
  switch (failure.kind) {
    case 'not-found':
      return `${target.bucket} does not exist at ${where}` + (applied ? '' : '; run with --apply to create it');
    case 'access-denied':
      return (
        `${target.bucket}: access denied (${failure.message}); the credentials lack s3:ListBucket on it, ` +
        'they are not valid, or the bucket belongs to another account'
      );
    case 'unreachable':
      return `endpoint ${where} unreachable: ${failure.message}`;
    case 'timeout':
      return `endpoint ${where} did not answer: ${failure.message}`;
    case 'credentials':
      return failure.message;
    default:
      return `HeadBucket ${target.bucket} failed: ${failure.message}`;
  }
}

async function checkRegion(call: Call, target: S3Target): Promise<CheckResult> {
  const location = await call((c) => c.send(new GetBucketLocationCommand({ Bucket: target.bucket })));
  if (!location.ok) {
    if (location.failure.kind === 'not-implemented') {
      return { check: 'region', status: 'unsupported', detail: `the service does not implement GetBucketLocation (${location.failure.message})` };
    }
    return { check: 'region', status: 'fail', detail: `GetBucketLocation failed: ${location.failure.message}` };
  }
  const actual = bucketRegion(location.value.LocationConstraint);
  if (actual !== target.region) {
    return {
      check: 'region',
      status: 'fail',
      detail: `${target.bucket} is in ${actual}, but ${target.file} says s3.region: ${target.region}`,
    };
  }
  return { check: 'region', status: 'pass', detail: `${target.bucket} is in ${actual}` };
}

/** GetBucketLocation's answer as a region: empty means us-east-1, and `EU` is eu-west-1's old name. */
export function bucketRegion(locationConstraint: string | undefined | null): string {
  if (!locationConstraint) {
    return 'us-east-1';
  }
  return locationConstraint === 'EU' ? 'eu-west-1' : locationConstraint;
}

async function checkCors(call: Call, target: S3Target, apply: boolean): Promise<{ check: CheckResult; changes: ChangeResult[] }> {
  const read = async (): Promise<Outcome<CORSRule[]>> => {
    const got = await call((c) => c.send(new GetBucketCorsCommand({ Bucket: target.bucket })));
    if (got.ok) return { ok: true, value: got.value.CORSRules ?? [] };
    return got.failure.code === 'NoSuchCORSConfiguration' ? { ok: true, value: [] } : got;
  };
  const fail = (detail: string, changes: ChangeResult[] = []) => ({ check: { check: 'cors' as const, status: 'fail' as const, detail }, changes });

  let rules = await read();
  if (!rules.ok) {
    return fail(`GetBucketCors failed: ${rules.failure.message}`);
  }
  const changes: ChangeResult[] = [];
  if (apply) {
    const before = browserAccessGaps(rules.value, target.origins);
    const merged = withBrowserAccess(rules.value, before);
    if (!merged) {
      changes.push({ part: 'cors', outcome: 'unchanged', detail: `already allows ${target.origins.join(', ')}` });
    } else {
      const written = await call((c) => c.send(new PutBucketCorsCommand({ Bucket: target.bucket, CORSConfiguration: { CORSRules: merged } })));
      if (!written.ok) {
        changes.push({ part: 'cors', outcome: 'not-done', detail: `PutBucketCors failed: ${written.failure.message}` });
      } else {
        const kept = merged.filter((rule) => rule.ID !== MANAGED_RULE_ID).length;
        changes.push({
          part: 'cors',
          outcome: 'changed',
          detail:
            `rule ${MANAGED_RULE_ID} now lets ${before.map((g) => g.origin).join(', ')} ${FRONTEND_METHODS.join(', ')}` +
            (kept > 0 ? `; the ${kept} other rule${kept === 1 ? '' : 's'} kept as ${kept === 1 ? 'it was' : 'they were'}` : ''),
        });
        rules = await read();
        if (!rules.ok) {
          return fail(`GetBucketCors failed after writing: ${rules.failure.message}`, changes);
        }
      }
    }
  }
  const gaps = browserAccessGaps(rules.value, target.origins);
  if (gaps.length > 0) {
    const hint = apply ? '' : '; run with --apply to add them';
    return fail(
      (rules.value.length === 0 ? 'no CORS rules: ' : '') + gaps.map(describeGap).join('; ') + hint,
      changes,
    );
  }
  return {
    check: { check: 'cors', status: 'pass', detail: `${target.origins.join(', ')} may ${FRONTEND_METHODS.join(', ')}` },
    changes,
  };
}

async function checkPublicAccess(
  call: Call,
  target: S3Target,
  apply: boolean,
): Promise<{ check: CheckResult; changes: ChangeResult[] }> {
  const read = async (): Promise<Outcome<PublicAccessBlockConfiguration>> => {
    const got = await call((c) => c.send(new GetPublicAccessBlockCommand({ Bucket: target.bucket })));
    if (got.ok) return { ok: true, value: got.value.PublicAccessBlockConfiguration ?? {} };
    return got.failure.code === 'NoSuchPublicAccessBlockConfiguration' ? { ok: true, value: {} } : got;
  };
  const unsupported = (failure: S3Failure, changes: ChangeResult[]) => ({
    check: {
      check: 'public-access' as const,
      status: 'unsupported' as const,
      detail: `the service does not implement GetPublicAccessBlock (${failure.message}); check the store's own access settings`,
    },
    changes,
  });

  let current = await read();
  const changes: ChangeResult[] = [];
  if (!current.ok) {
    if (current.failure.kind === 'not-implemented') {
      if (apply) {
        changes.push({ part: 'public-access', outcome: 'not-done', detail: 'not supported by the service; left as it is' });
      }
      return unsupported(current.failure, changes);
    }
    return { check: { check: 'public-access', status: 'fail', detail: `GetPublicAccessBlock failed: ${current.failure.message}` }, changes };
  }
  if (apply) {
    if (openSettings(current.value).length === 0) {
      changes.push({ part: 'public-access', outcome: 'unchanged', detail: 'all public access already blocked' });
    } else {
      const written = await call((c) =>
        c.send(new PutPublicAccessBlockCommand({ Bucket: target.bucket, PublicAccessBlockConfiguration: BLOCK_ALL_PUBLIC_ACCESS })),
      );
      if (written.ok) {
        changes.push({ part: 'public-access', outcome: 'changed', detail: `set ${openSettings(current.value).join(', ')}` });
        current = await read();
        if (!current.ok) {
          return {
            check: { check: 'public-access', status: 'fail', detail: `GetPublicAccessBlock failed after writing: ${current.failure.message}` },
            changes,
          };
        }
      } else if (written.failure.kind === 'not-implemented') {
        changes.push({ part: 'public-access', outcome: 'not-done', detail: 'not supported by the service; left as it is' });
        return unsupported(written.failure, changes);
      } else {
        changes.push({ part: 'public-access', outcome: 'not-done', detail: `PutPublicAccessBlock failed: ${written.failure.message}` });
      }
    }
  }
  const open = openSettings(current.value);
  if (open.length > 0) {
    return {
      check: {
        check: 'public-access',
        status: 'fail',
        detail: `not blocked on ${target.bucket}: ${open.map((s) => `${s} is not true`).join(', ')}` + (apply ? '' : '; run with --apply to block it'),
      },
      changes,
    };
  }
  return { check: { check: 'public-access', status: 'pass', detail: 'all four public access block settings are on' }, changes };
}

/** The settings of the bucket's public access block that are not on, in S3's order. */
function openSettings(configuration: PublicAccessBlockConfiguration): string[] {
  return (Object.keys(BLOCK_ALL_PUBLIC_ACCESS) as (keyof PublicAccessBlockConfiguration)[]).filter((key) => configuration[key] !== true);
}
