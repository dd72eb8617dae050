/**
 * Kubernetes label keys, as the API server checks them (`IsQualifiedName` in
 * k8s.io/apimachinery/pkg/util/validation/validation.go): an optional DNS-1123 subdomain prefix of
 * at most 253 characters and a `/`, then a name of at most 63 alphanumerics, `-`, `_` and `.`,
 * starting and ending with an alphanumeric.
 */
import { DNS_1123_SUBDOMAIN_MAX_LENGTH, dns1123SubdomainProblem } from './dns-names';

export const LABEL_KEY_NAME_MAX_LENGTH = 63;
export const LABEL_KEY_DESCRIPTION =
  'a label key: an optional DNS-1123 subdomain prefix of at most 253 characters and "/", then a name of at most 63 ' +
  'alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric, e.g. "app.kubernetes.io/name"';

/** The name part of a label key (a qualified name's name): `IsQualifiedName`'s `qualifiedNameFmt`. */
export const QUALIFIED_NAME_PATTERN = '^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$';

const NAME = new RegExp(QUALIFIED_NAME_PATTERN);

/** What a label key allows, or `undefined` if `value` is one. */
export function labelKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return LABEL_KEY_DESCRIPTION;
  const parts = value.split('/');
  if (parts.length > 2) return LABEL_KEY_DESCRIPTION;
  const name = parts[parts.length - 1]!;
  if (name.length > LABEL_KEY_NAME_MAX_LENGTH || !NAME.test(name)) return LABEL_KEY_DESCRIPTION;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length > DNS_1123_SUBDOMAIN_MAX_LENGTH || dns1123SubdomainProblem(prefix) !== undefined) return LABEL_KEY_DESCRIPTION;
  }
  return undefined;
}
