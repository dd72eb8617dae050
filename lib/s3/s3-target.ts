import { Environment } from '../environment/environment';

/** Where an endpoint override came from, in the words a user would search for. */
export type EndpointSource = 'AWS_ENDPOINT_URL_S3' | 'AWS_ENDPOINT_URL' | 's3.endpoint';

/** The bucket one environment points at, and how to reach it. */
export interface S3Target {
  /** Environment name, e.g. `staging`. */
  readonly environment: string;
  /** The environment file, relative to the project root. */
  readonly file: string;
  readonly bucket: string;
  /** The region the environment expects the bucket in. */
  readonly region: string;
  /** An S3-compatible endpoint instead of AWS S3 of `region`. @default - AWS S3 of `region` */
  readonly endpoint?: { readonly url: string; readonly source: EndpointSource };
  /** Browser origins that must be allowed to read and upload. */
  readonly origins: readonly string[];
}

/** A setting outside the environment file (an `AWS_*` variable) that cannot be used. */
export class S3TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'S3TargetError';
  }
}

/**
 * The bucket of `environment` and the endpoint to reach it by. The endpoint follows the SDK's
 * standard settings: `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`, both ignored when
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. The variables win over the file's `s3.endpoint` so
 * that an operator can point a run at a tunnel or a local store without editing the file.
 */
export function resolveS3Target(environment: Environment, processEnv: NodeJS.ProcessEnv): S3Target {
  const s3 = environment.s3;
  return {
    environment: environment.name,
    file: environment.file,
    bucket: s3.bucket,
    region: s3.region,
    endpoint: resolveEndpoint(s3.endpoint, processEnv),
    origins: [...(s3.allowedOrigins ?? [`https://${environment.host}`])],
  };
}

function resolveEndpoint(fileEndpoint: string | undefined, processEnv: NodeJS.ProcessEnv): S3Target['endpoint'] {
  if (processEnv.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() !== 'true') {
    for (const variable of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'] as const) {
      const value = processEnv[variable];
      if (value !== undefined && value !== '') {
        return { url: checkedEndpoint(variable, value), source: variable };
      }
    }
  }
  // The file's value was checked against the environment schema when it was loaded.
  return fileEndpoint === undefined ? undefined : { url: fileEndpoint, source: 's3.endpoint' };
}

function checkedEndpoint(variable: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
    // The value may hold credentials (user:password@host), so it is not echoed.
    throw new S3TargetError(
      `${variable}: not a usable endpoint; allowed: an http:// or https:// URL without user or password, ` +
        'e.g. http://127.0.0.1:4568 (unset it to use the environment file\'s s3.endpoint or AWS S3)',
    );
  }
  return value;
}

/** One line naming what a run talks to. */
export function describeTarget(target: S3Target): string {
  const endpoint = target.endpoint
    ? `${target.endpoint.url} (from ${target.endpoint.source}, path-style)`
    : `AWS S3 in ${target.region}`;
  return (
    `s3-preflight: ${target.environment} (${target.file}): bucket ${target.bucket}, region ${target.region}, ` +
    `endpoint ${endpoint}, origins ${target.origins.join(', ')}`
  );
}
