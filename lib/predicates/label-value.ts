/** Kubernetes label values, as the API server checks them (k8s.io/apimachinery/pkg/util/validation). */

export const LABEL_VALUE_MAX_LENGTH = 63;
export const LABEL_VALUE_PATTERN = '^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
export const LABEL_VALUE_DESCRIPTION = 'at most 63 characters, alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric';

const LABEL_VALUE = new RegExp(LABEL_VALUE_PATTERN);

/** What a label value allows, or `undefined` if `value` is one (the empty string is). */
export function labelValueProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= LABEL_VALUE_MAX_LENGTH && LABEL_VALUE.test(value) ? undefined : LABEL_VALUE_DESCRIPTION;
}
