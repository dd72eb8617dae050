import { CORSRule } from '@aws-sdk/client-s3';

/** The methods the frontend uses on the bucket: reading, probing and uploading images and files. */
export const FRONTEND_METHODS = ['GET', 'PUT', 'POST', 'HEAD'] as const;
export type FrontendMethod = (typeof FRONTEND_METHODS)[number];

/**
 * An upload sends `Content-Type`, which makes the browser ask in a preflight whether that header is
 * allowed: a rule allowing PUT without it still fails every upload.
 */
const UPLOAD_HEADERS: Readonly<Record<FrontendMethod, readonly string[]>> = {
  GET: [],
  HEAD: [],
  PUT: ['content-type'],
  POST: ['content-type'],
};

/** ID of the rule the preflight writes; other rules of the bucket are never changed. */
export const MANAGED_RULE_ID = 'chat-platform-browser-access';

/** What one origin may not do that the frontend needs. */
export interface BrowserAccessGap {
  readonly origin: string;
  /** Methods no rule allows for the origin. */
  readonly methods: readonly FrontendMethod[];
  /** Methods allowed for the origin, but by no rule that also allows the upload headers. */
  readonly headers: readonly { readonly method: FrontendMethod; readonly header: string }[];
}

/**
 * The gaps, per origin in the order given, between what `rules` allow and what the frontend needs;
 * empty when every origin may use every method. Rules are matched the way S3 does: a request is
 * allowed when one rule matches its origin, its method and every header it asks for, with at most
 * one `*` wildcard in an allowed origin or header.
 */
export function browserAccessGaps(rules: readonly CORSRule[], origins: readonly string[]): BrowserAccessGap[] {
  const gaps: BrowserAccessGap[] = [];
  for (const origin of origins) {
    const methods: FrontendMethod[] = [];
    const headers: { method: FrontendMethod; header: string }[] = [];
    for (const method of FRONTEND_METHODS) {
      const forMethod = rules.filter((rule) => allowsOrigin(rule, origin) && (rule.AllowedMethods ?? []).includes(method));
      if (forMethod.length === 0) {
        methods.push(method);
        continue;
      }
      for (const header of UPLOAD_HEADERS[method]) {
        if (!forMethod.some((rule) => UPLOAD_HEADERS[method].every((h) => allowsHeader(rule, h)))) {
          headers.push({ method, header });
        }
      }
    }
    if (methods.length > 0 || headers.length > 0) {
      gaps.push({ origin, methods, headers });
    }
  }
  return gaps;
}

/** One gap in words, e.g. `https://chat.example.com may not PUT, POST`. */
export function describeGap(gap: BrowserAccessGap): string {
  const parts: string[] = [];
  if (gap.methods.length > 0) {
    parts.push(`may not ${gap.methods.join(', ')}`);
  }
  if (gap.headers.length > 0) {
    const methods = [...new Set(gap.headers.map((h) => h.method))];
    const names = [...new Set(gap.headers.map((h) => displayHeader(h.header)))];
    parts.push(`may ${methods.join(', ')} but not with the ${names.join(', ')} header`);
  }
  return `${gap.origin} ${parts.join('; ')}`;
}

/**
 * `rules` with the managed rule extended to close `gaps`; `undefined` when there are none. Every
 * other rule is kept as it is and where it is, and the managed rule only ever gains origins,
 * methods and headers: the preflight never takes away access someone else relies on.
 */
export function withBrowserAccess(rules: readonly CORSRule[], gaps: readonly BrowserAccessGap[]): CORSRule[] | undefined {
  if (gaps.length === 0) {
    return undefined;
  }
  const index = rules.findIndex((rule) => rule.ID === MANAGED_RULE_ID);
  const current: CORSRule | undefined = index >= 0 ? rules[index] : undefined;
  const managed: CORSRule = {
    ID: MANAGED_RULE_ID,
    AllowedOrigins: union(current?.AllowedOrigins, gaps.map((g) => g.origin)),
    AllowedMethods: union(FRONTEND_METHODS, current?.AllowedMethods),
    // Presigned uploads sign headers of their own choosing (Content-Type, x-amz-meta-*, checksums).
    AllowedHeaders: union(current?.AllowedHeaders, ['*']),
    // Multipart uploads read each part's ETag from the response.
    ExposeHeaders: union(current?.ExposeHeaders, ['ETag']),
    MaxAgeSeconds: current?.MaxAgeSeconds ?? 3000,
  };
  return index >= 0 ? rules.map((rule, i) => (i === index ? managed : rule)) : [...rules, managed];
}

function allowsOrigin(rule: CORSRule, origin: string): boolean {
  return (rule.AllowedOrigins ?? []).some((pattern) => wildcardMatch(pattern, origin, false));
}

function allowsHeader(rule: CORSRule, header: string): boolean {
  return (rule.AllowedHeaders ?? []).some((pattern) => wildcardMatch(pattern, header, true));
}

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) {
    return p === v;
  }
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  return v.length >= prefix.length + suffix.length && v.startsWith(prefix) && v.endsWith(suffix);
}

function union(first: readonly string[] | undefined, second: readonly string[] | undefined): string[] {
  return [...new Set([...(first ?? []), ...(second ?? [])])];
}

function displayHeader(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_m, dash: string, letter: string) => dash + letter.toUpperCase());
}
