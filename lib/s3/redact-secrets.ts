const REDACTED = '[REDACTED]';

/**
 * What a signed request or an error about one can carry: presigned-URL query parameters, the parts
 * of a SigV4 Authorization header, session tokens and AWS access key ids.
 */
const PATTERNS: readonly RegExp[] = [
  /\b(X-Amz-(?:Signature|Credential|Security-Token))(=)[^&\s"'<>]+/gi,
  /\b(x-amz-security-token)(\s*:\s*)[^\s"'<>,]+/gi,
  /\b(Signature|Credential)(=)[^,\s"'<>&]+/g,
  /\b(AWSAccessKeyId|aws_access_key_id|aws_secret_access_key|aws_session_token|accessKeyId|secretAccessKey|sessionToken)(["']?\s*[:=]\s*["']?)[^\s"'<>,&}]+/gi,
];
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA|ABIA|ACCA)[A-Z0-9]{16}\b/g;

/**
 * `text` with anything that looks like a credential or a request signature replaced, and with
 * every literal of `secrets` (the credentials actually configured) replaced wherever it appears.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  // Longest first, so that a secret containing another is replaced whole.
  const literals = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
  for (const literal of literals) {
    out = out.split(literal).join(REDACTED);
  }
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`);
  }
  return out.replace(ACCESS_KEY_ID, REDACTED);
}

/** The credentials of the default chain's first source, which errors could echo. */
export function configuredSecrets(processEnv: NodeJS.ProcessEnv): string[] {
  return [processEnv.AWS_ACCESS_KEY_ID, processEnv.AWS_SECRET_ACCESS_KEY, processEnv.AWS_SESSION_TOKEN].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}
