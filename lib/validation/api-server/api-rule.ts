import { POD_TEMPLATE_PATHS, podTemplateOf } from '../../tree/pod-templates';
import { FieldError, FieldPath } from './field-error';

/**
 * One validation function of the Kubernetes 1.28 API server, ported: the objects it applies to and
 * the field errors it returns. One rule per Go function, applied to every kind that calls it, so
 * no rule is written once per kind.
 */
export interface ApiRule {
  /** Stable rule id, e.g. `API-OBJECT-META`. */
  readonly id: string;
  /** The Go function it mirrors and its source file, e.g. `ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go)`. */
  readonly mirrors: string;
  /** What it checks, in a sentence, for the rule catalogue. */
  readonly checks: string;
  /**
   * The kinds it applies to (`kind`, as the tree has one apiVersion per kind), or every object.
   * May be a getter, read when the rule runs or is listed, never at import.
   */
  readonly kinds: readonly string[] | '*';
  /** The field errors of one object; empty when the API server would accept it. */
  validate(manifest: Record<string, any>): FieldError[];
}

/** The pod template of a workload (the Pod itself for a Pod) and its field path; undefined if absent. */
export function podTemplateField(manifest: Record<string, any>): { readonly template: Record<string, any>; readonly path: FieldPath } | undefined {
  const template = podTemplateOf(manifest);
  if (template === undefined) return undefined;
  const [first, ...rest] = POD_TEMPLATE_PATHS[manifest.kind]!;
  return { template, path: first === undefined ? FieldPath.root('') : FieldPath.root(first).child(...rest) };
}
