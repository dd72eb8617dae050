import { TreeObject } from '../tree/tree-object';
import { Workload, WorkloadIndex } from './workloads';

/** What a rule sees: the whole tree, indexed, and a way to report a problem on an object. */
export interface RuleContext {
  readonly objects: readonly TreeObject[];
  readonly workloads: readonly Workload[];
  /** The workloads by namespace and pod label, for selector look-ups. */
  readonly workloadIndex: WorkloadIndex;
  /** The object of a kind with a name in the same environment and namespace as `scope`. */
  findInNamespace(kind: string, name: string, scope: TreeObject): TreeObject | undefined;
  /** Objects of one kind, across the tree. */
  ofKind(kind: string): readonly TreeObject[];
  report(object: TreeObject, message: string): void;
  /** Whether retiring the environment needs a person's confirmation in Argo CD. */
  isProtected(environment: string): boolean;
}

/** A check with a stable id and a hint on how to fix what it finds. */
export interface Rule {
  readonly id: string;
  readonly hint: string;
  check(ctx: RuleContext): void;
}
