import { S3Client } from '@aws-sdk/client-s3';
import { S3Target } from './s3-target';

/** How long one S3 operation may take, retries included. */
export interface RequestLimits {
  /** Time to open a TCP (and TLS) connection. @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** Time for one whole request and its response, connecting included. @default 4000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per operation, the first included. @default 2 */
  readonly maxAttempts?: number;
}

/**
 * A black-holed endpoint must fail in about ten seconds, not after the SDK's default of no timeout
 * and three attempts: two attempts of at most four seconds each, plus the retry back-off.
 */
export const DEFAULT_REQUEST_LIMITS: Required<RequestLimits> = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 4000,
  maxAttempts: 2,
};

/**
 * A client for `target`, with the default credential chain (environment, shared files, SSO, web
 * identity, container and instance metadata). An endpoint override implies path-style addressing:
 * S3-compatible stores rarely have a DNS name per bucket.
 */
export function createS3Client(target: S3Target, limits: RequestLimits = {}): S3Client {
  quietNodeVersionNotice();
  const { connectionTimeoutMs, requestTimeoutMs, maxAttempts } = { ...DEFAULT_REQUEST_LIMITS, ...limits };
  for (const [field, value] of Object.entries({ connectionTimeoutMs, requestTimeoutMs, maxAttempts })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`RequestLimits.${field}: ${value} — allowed: a positive integer`);
    }
  }
  return new S3Client({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint.url, forcePathStyle: true } : {}),
    // A bucket in another region answers 301; following it lets the region check say where it is.
    followRegionRedirects: true,
    maxAttempts,
    requestHandler: {
      connectionTimeout: connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without it the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * The SDK's clients print a multi-line NodeVersionSupportWarning on every run under Node < 22
 * (package.json's engines allow Node 20): a notice about SDK releases to come, with nothing for
 * an s3-preflight user to do. The SDK skips it when AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
 * is "true" (@aws-sdk/core, emitWarningIfUnsupportedVersion), which is set here unless the
 * environment already decides.
 */
export function quietNodeVersionNotice(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
