/**
 * The DNS-based names of Kubernetes, as the API server checks them
 * (k8s.io/apimachinery/pkg/util/validation): most object names are DNS-1123 subdomains, namespaces
 * and Service-derived names DNS-1123 labels, a few (Service names under some policies) DNS-1035
 * labels. Each comes as a predicate, the pattern for JSON schemas, and a description of what is
 * allowed that both quote.
 */

export const DNS_1123_LABEL_MAX_LENGTH = 63;
export const DNS_1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS_1035_LABEL_MAX_LENGTH = 63;

/** One label, unanchored: for building names of several parts (`<env>/<component>`). */
export const DNS_1123_LABEL_FORMAT = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const DNS_1035_LABEL_FORMAT = '[a-z](?:[-a-z0-9]*[a-z0-9])?';

export const DNS_1123_LABEL_PATTERN = `^${DNS_1123_LABEL_FORMAT}$`;
export const DNS_1123_SUBDOMAIN_PATTERN = `^${DNS_1123_LABEL_FORMAT}(?:\\.${DNS_1123_LABEL_FORMAT})*$`;
export const DNS_1035_LABEL_PATTERN = `^${DNS_1035_LABEL_FORMAT}$`;
/** A host name: a subdomain whose every label also fits DNS's 63 characters. */
export const HOST_NAME_PATTERN = '^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$';

export const DNS_1123_LABEL_DESCRIPTION = dns1123LabelDescription(DNS_1123_LABEL_MAX_LENGTH);
export const DNS_1123_SUBDOMAIN_DESCRIPTION =
  'a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits, "-" and ".", ' +
  'each dot-separated part starting and ending with a letter or digit';
export const DNS_1035_LABEL_DESCRIPTION =
  'a DNS-1035 label: at most 63 characters, lowercase letters, digits and "-", starting with a letter and ending with a letter or digit';
export const HOST_NAME_DESCRIPTION =
  'a lowercase DNS host name such as chat.example.com: dot-separated labels of at most 63 letters, ' +
  'digits and "-", without scheme, port or path';

const DNS_1123_LABEL = new RegExp(DNS_1123_LABEL_PATTERN);
const DNS_1123_SUBDOMAIN = new RegExp(DNS_1123_SUBDOMAIN_PATTERN);
const DNS_1035_LABEL = new RegExp(DNS_1035_LABEL_PATTERN);
const HOST_NAME = new RegExp(HOST_NAME_PATTERN);

/**
 * What a DNS-1123 label allows, or `undefined` if `value` is one. `maxLength` is lower than 63
 * where the name gets a suffix that must still fit in a label (`-headless`, a pod ordinal).
 */
export function dns1123LabelProblem(value: unknown, maxLength: number = DNS_1123_LABEL_MAX_LENGTH): string | undefined {
  return typeof value === 'string' && value.length <= maxLength && DNS_1123_LABEL.test(value) ? undefined : dns1123LabelDescription(maxLength);
}

/** What a DNS-1123 subdomain (the name of most objects) allows, or `undefined` if `value` is one. */
export function dns1123SubdomainProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= DNS_1123_SUBDOMAIN_MAX_LENGTH && DNS_1123_SUBDOMAIN.test(value)
    ? undefined
    : DNS_1123_SUBDOMAIN_DESCRIPTION;
}

/** What a DNS-1035 label allows, or `undefined` if `value` is one. */
export function dns1035LabelProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= DNS_1035_LABEL_MAX_LENGTH && DNS_1035_LABEL.test(value) ? undefined : DNS_1035_LABEL_DESCRIPTION;
}

/** What a host name allows, or `undefined` if `value` is one. */
export function hostNameProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= DNS_1123_SUBDOMAIN_MAX_LENGTH && HOST_NAME.test(value) ? undefined : HOST_NAME_DESCRIPTION;
}

function dns1123LabelDescription(maxLength: number): string {
  return `a DNS-1123 label: at most ${maxLength} characters, lowercase letters, digits and "-", starting and ending with a letter or digit`;
}
