import { redactSecrets } from './redact-secrets';

/**
 * Why an S3 operation failed, as far as the preflight's decisions go:
 * - `unreachable`, `timeout`: nothing answered; every further call would wait the same way
 * - `credentials`: the default chain found no credentials, so nothing was sent
 * - `not-found`, `access-denied`: the service answered 404 or 403
 * - `not-implemented`: the service does not support the operation (S3-compatible stores)
 * - `service`: any other answer of the service
 */
export type S3FailureKind = 'unreachable' | 'timeout' | 'credentials' | 'not-found' | 'access-denied' | 'not-implemented' | 'service';

export interface S3Failure {
  readonly kind: S3FailureKind;
  /** The service's error code, e.g. `NoSuchCORSConfiguration`, when it sent one. */
  readonly code?: string;
  /** HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** What happened, one line, credentials and signatures redacted. */
  readonly message: string;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EPROTO',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/**
 * Sorts an error thrown by an S3 client call into an `S3Failure`. Only the error's name, code,
 * status and message are read: the error object also holds the raw response and request details,
 * which are never to be printed.
 */
export function classifyS3Error(error: unknown, secrets: readonly string[] = []): S3Failure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as {
    name?: unknown;
    code?: unknown;
    Code?: unknown;
    message?: unknown;
    errors?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const redact = (text: string) => redactSecrets(oneLine(text), secrets);

  if (status === undefined) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = redact(messageOf(e) || code || name);
    if (name === 'CredentialsProviderError') {
      return { kind: 'credentials', message: `no AWS credentials found by the default chain (${message})` };
    }
    if (name === 'TimeoutError' || code === 'ETIMEDOUT' || name === 'AbortError') {
      return { kind: 'timeout', code, message: `no answer in time (${message})` };
    }
    if (code !== undefined && NETWORK_CODES.has(code)) {
      return { kind: 'unreachable', code, message };
    }
    return { kind: 'service', code, message: `${name}: ${message}` };
  }

  // HEAD answers carry no body, so the SDK can only name them after the status ("NotFound").
  const code = typeof e.Code === 'string' ? e.Code : name !== 'Error' && name !== 'UnknownError' && name !== 'Unknown' ? name : undefined;
  const raw = messageOf(e);
  const text = raw && raw !== 'UnknownError' && raw !== code ? redact(raw) : undefined;
  const message = `HTTP ${status}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}`;
  if (code === 'NotImplemented' || status === 501) {
    return { kind: 'not-implemented', code, status, message };
  }
  if (status === 404) {
    return { kind: 'not-found', code, status, message };
  }
  if (status === 403) {
    return { kind: 'access-denied', code, status, message };
  }
  return { kind: 'service', code, status, message };
}

function messageOf(e: { message?: unknown; errors?: unknown }): string {
  const message = typeof e.message === 'string' ? e.message : '';
  // Node's AggregateError (several addresses tried) has an empty message of its own.
  if (message === '' && Array.isArray(e.errors)) {
    return e.errors.map((inner) => (typeof inner?.message === 'string' ? inner.message : String(inner))).join('; ');
  }
  return message;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
