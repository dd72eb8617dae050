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
  /**
   * The text of a tree file (path relative to the tree, as {@link TreeObject.path}), for rules on
   * how the file reads rather than what it holds. Absent when the objects were not read from files
   * (synth checks what it renders).
   */
  readonly sourceText?: (path: string) => string | undefined;
}

/** A check with a stable id and a hint on how to fix what it finds. */
export interface Rule {
  readonly id: string;
  readonly hint: string;
  /** What it checks, in a sentence, for the rule catalogue (`npm run validate -- --rules`). */
  readonly checks: string;
  /** The kinds it looks at. @default any */
  readonly kinds?: readonly string[] | '*';
  /** The API server function or Argo CD source it mirrors. @default - a rule of this project's own */
  readonly mirrors?: string;
  check(ctx: RuleContext): void;
}
