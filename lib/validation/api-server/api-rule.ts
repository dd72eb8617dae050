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
  /** The kinds it applies to (`kind`, as the tree has one apiVersion per kind), or every object. */
  readonly kinds: readonly string[] | '*';
  /** The field errors of one object; empty when the API server would accept it. */
  validate(manifest: Record<string, any>): FieldError[];
}

/** Where each workload kind keeps its pod template, so pod rules run once for every kind. */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  ReplicationController: ['spec', 'template'],
  PodTemplate: ['template'],
  Pod: [],
};

/** The pod template of a workload (the Pod itself for a Pod) and its field path; undefined if absent. */
export function podTemplateOf(manifest: Record<string, any>): { readonly template: Record<string, any>; readonly path: FieldPath } | undefined {
  const segments = POD_TEMPLATE_PATHS[manifest.kind];
  if (segments === undefined) return undefined;
  let node: any = manifest;
  for (const s of segments) node = node?.[s];
  if (node === null || typeof node !== 'object') return undefined;
  const [first, ...rest] = segments;
  return { template: node, path: first === undefined ? FieldPath.root('') : FieldPath.root(first).child(...rest) };
}
