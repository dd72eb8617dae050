import { TreeWriteResult } from '../gitops/write-tree';

/**
 * Re-synthesizes the tree of a project root (load, render, validate, write, all or nothing) and
 * says what it wrote. The pipeline steps call it after editing environment files; the commands
 * hand in the app's own synth, so these modules never depend on the charts.
 */
export type Resynthesize = (root: string) => { readonly write: TreeWriteResult };
