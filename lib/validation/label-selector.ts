/**
 * Label selectors as the API server reads them (metav1.LabelSelectorAsSelector, labels.Selector):
 * the one place the tree's selectors are matched against labels, by validation and by the diff.
 */
import { isLabelValue, isQualifiedName } from './api-server/meta';
import { isObject, isSet } from './manifest-values';


export interface Requirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** `nothing` for an absent selector (matches no labels), the requirements otherwise (none: matches all). */
export type Selector = { readonly nothing: true } | { readonly nothing: false; readonly requirements: readonly Requirement[] };

/** LabelSelectorAsSelector: the selector, or `undefined` where Go returns an error. */
export function labelSelectorAsSelector(selector: unknown): Selector | undefined {
  if (!isSet(selector)) return { nothing: true };
  if (!isObject(selector)) return undefined;
  const requirements: Requirement[] = [];
  const matchLabels = selector.matchLabels ?? {};
  if (!isObject(matchLabels)) return undefined;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== 'string' || isQualifiedName(key).length > 0 || isLabelValue(value).length > 0) return undefined;
    requirements.push({ key, operator: 'In', values: [value] });
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) return undefined;
  for (const e of expressions) {
    if (!isObject(e) || typeof e.key !== 'string' || isQualifiedName(e.key).length > 0) return undefined;
    const values: unknown[] = e.values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string' || isLabelValue(v).length > 0)) return undefined;
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        break;
      default:
        return undefined;
    }
    requirements.push({ key: e.key, operator: e.operator, values: values as string[] });
  }
  return { nothing: false, requirements };
}

/** labels.Selector.Empty(): a selector with no requirements (not the absent one). */
export const selectsEverything = (s: Selector): boolean => !s.nothing && s.requirements.length === 0;

/** labels.Selector.Matches. */
export function matches(s: Selector, labels: Readonly<Record<string, unknown>>): boolean {
  if (s.nothing) return false;
  return s.requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(String(value));
      case 'NotIn':
        return !has || !r.values.includes(String(value));
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
    }
  });
}

const PARSED = new WeakMap<object, Selector | undefined>();

/**
 * Whether a selector (`matchLabels` / `matchExpressions`) selects the labels: an absent or invalid
 * selector selects nothing, an empty one everything.
 */
export function selects(selector: unknown, labels: Readonly<Record<string, unknown>>): boolean {
  if (!isObject(selector)) return false;
  let parsed = PARSED.get(selector);
  if (parsed === undefined && !PARSED.has(selector)) {
    parsed = labelSelectorAsSelector(selector);
    PARSED.set(selector, parsed);
  }
  return parsed !== undefined && matches(parsed, labels);
}
