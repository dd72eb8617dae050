import * as path from 'node:path';
import { App } from 'cdk8s';
import { addArgoCd } from '../charts/argocd-platform';
import { addChatPlatform } from '../charts/chat-platform';
import { GitopsConfig, loadGitopsConfig } from '../lib/environment/gitops-config';
import { Environment, isProtected } from '../lib/environment/environment';
import { loadEnvironments } from '../lib/environment/load-environments';
import { deploymentsOf, Removal, removalsBetween } from '../lib/gitops/deployments';
import { guardRemovals } from '../lib/gitops/removal-guard';
import { TreePlan, TreeWriteResult, writeTree } from '../lib/gitops/write-tree';
import { ValidationReport } from '../lib/validation/finding';
import { validateTree } from '../lib/validation/validate';
import { ValidationError } from '../lib/validation/validation-error';
import { isManifestFile } from '../lib/tree/manifest-file';
import { TREE_PREFIX } from '../lib/tree/layout';
import { parseTree, TreeReadError } from '../lib/tree/read-tree';
import { TreeObject } from '../lib/tree/tree-object';
import { applyPatches, PatchedObject } from './patch';
import { renderApp, treeFiles } from './render';

export interface SynthesizeOptions {
  /** Project root; relative paths below resolve against it. @default process.cwd() */
  readonly root?: string;
  /** Folder of environment files. @default 'environments' */
  readonly environmentsDir?: string;
  /** The gitops tree to write. @default 'gitops' */
  readonly outDir?: string;
  /** Compute the result without writing anything. @default false */
  readonly dryRun?: boolean;
  /**
   * The file saying where Argo CD reads the tree from (repository URL, revision, Argo CD).
   * @default - the project's own gitops.config.yaml
   */
  readonly gitopsConfig?: string;
  /**
   * What the new tree may drop of what the tree on disk deploys: `<env>`, `<env>/<component>`,
   * `<env>@<cluster>`, `<env>/<component>@<cluster>`, or `'any'` for a comparison that writes
   * nothing (the diff). Any other removal refuses the whole write (`RemovalRefusedError`), dry
   * runs included, so a dry run says what the real one would do.
   * @default - nothing may be removed
   */
  readonly allowRemoval?: readonly string[] | 'any';
}

export interface SynthesizeResult {
  readonly environments: Environment[];
  readonly objects: TreeObject[];
  /** Every file of the tree, by path relative to the gitops root. */
  readonly files: Map<string, string>;
  readonly validation: ValidationReport;
  readonly write: TreeWriteResult;
  /** What the written tree no longer deploys of the tree that was there (all of it allowed). */
  readonly removals: readonly Removal[];
  /** Milliseconds spent in each phase. */
  readonly timings: { readonly load: number; readonly render: number; readonly validate: number; readonly write: number };
}

/**
 * The first object of a file on disk, read as every reader of the tree reads it; undefined where
 * the file is gone or holds no object (a file that is not YAML is replaced, not counted).
 */
function manifestOf(rel: string, text: string | undefined): Record<string, any> | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTree(new Map([[rel, text]]), '')[0]?.manifest;
  } catch (e) {
    if (e instanceof TreeReadError) return undefined;
    throw e;
  }
}

function since(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Builds the cdk8s app of the given environments in memory: every component chart of every
 * environment, then the Argo CD objects that deploy them (which look at the component charts the
 * app holds, so they must come last).
 */
export function buildApp(environments: readonly Environment[], gitops: GitopsConfig = loadGitopsConfig()): App {
  // cdk8s's default outdir: CDK8S_OUTDIR under `cdk8s synth`, else dist/.
  const app = new App();
  for (const environment of environments) addChatPlatform(app, environment);
  addArgoCd(app, { environments, gitops });
  return app;
}

/**
 * Renders the whole gitops tree in memory, each environment's `patches` applied to its objects
 * (throws `PatchError` for any that cannot apply): the objects, and relative path → file content.
 */
export function renderTree(
  environments: readonly Environment[],
  gitops: GitopsConfig = loadGitopsConfig(),
): { objects: PatchedObject[]; files: Map<string, string> } {
  const objects = applyPatches(renderApp(buildApp(environments, gitops)), environments);
  return { objects, files: treeFiles(objects) };
}

/**
 * Validates the objects of a tree of these environments, each protected or not as its file says;
 * throws `ValidationError` on any finding.
 */
export function validateRendered(objects: readonly TreeObject[], environments: readonly Environment[]): ValidationReport {
  const protectedEnvironments = new Set(environments.filter(isProtected).map((e) => e.name));
  const report = validateTree(objects, { isProtected: (name) => protectedEnvironments.has(name) });
  if (report.findings.length > 0) throw new ValidationError(report);
  return report;
}

/**
 * environments/ → validated environments → cdk8s app → manifests → gitops/.
 * Any error leaves the existing tree exactly as it was: the tree is written only after every
 * step succeeded, and then replaced as a whole.
 */
export function synthesize(options: SynthesizeOptions = {}): SynthesizeResult {
  const root = path.resolve(options.root ?? process.cwd());
  let t = process.hrtime.bigint();
  const environments = loadEnvironments(path.resolve(root, options.environmentsDir ?? 'environments'), { root });
  const gitops = options.gitopsConfig ? loadGitopsConfig(path.resolve(root, options.gitopsConfig), { root }) : loadGitopsConfig();
  const load = since(t);
  t = process.hrtime.bigint();
  const { objects, files } = renderTree(environments, gitops);
  const render = since(t);
  t = process.hrtime.bigint();
  const validation = validateRendered(objects, environments);
  const validate = since(t);
  t = process.hrtime.bigint();
  let removals: Removal[] = [];
  const byPath = new Map(objects.map((o) => [o.path, o.manifest]));
  const checkRemovals = (plan: TreePlan) => {
    // Files whose bytes are unchanged hold what synth rendered; only the others are parsed.
    const before = deploymentsOf(plan.existing, (rel) => (plan.unchanged.has(rel) ? byPath.get(rel) : manifestOf(rel, plan.read(rel))));
    removals = removalsBetween(before, deploymentsOf(files.keys(), (rel) => byPath.get(rel)));
    if (options.allowRemoval !== 'any') guardRemovals(removals, options.allowRemoval ?? []);
  };
  // Only ever replaces a tree synth wrote: pointed at another folder, it would delete its files.
  const write = writeTree(path.resolve(root, options.outDir ?? TREE_PREFIX), files, {
    dryRun: options.dryRun ?? false,
    owns: isManifestFile,
    beforeReplace: checkRemovals,
  });
  return { environments, objects, files, validation, write, removals, timings: { load, render, validate, write: since(t) } };
}

/** What the pipeline steps call after editing environment files: the whole synth of a project root. */
export function resynthesize(root: string): SynthesizeResult {
  return synthesize({ root });
}
