import * as fs from 'node:fs';
import * as path from 'node:path';
import { Git } from '../git/git';
import { environmentFile } from './environment-file';
import { APPLICATION_COMPONENTS, ImageComponent, imageComponents, imageField, readImage, serviceComponents } from './image-edit';
import { ImageChange, ImageUpdate, updateImages, UpdateImagesResult } from './image-update';
import { PipelineError } from './pipeline-error';
import { Resynthesize } from './resynthesize';

export interface RollbackOptions {
  /** The project root, inside a git working tree. @default process.cwd() */
  readonly root?: string;
  /** Re-synthesizes `gitops/` from the edited files. */
  readonly synthesize: Resynthesize;
  /** The environment to roll back. */
  readonly environment: string;
  /** A git revision (commit, tag, `HEAD~2`, …) whose images to restore. */
  readonly to: string;
  /**
   * The components to roll back: built-in ones, or services the file declares.
   * @default APPLICATION_COMPONENTS (backend and frontend) and every service the file declares now and at `to`
   */
  readonly components?: readonly ImageComponent[];
}

export interface RollbackResult extends UpdateImagesResult {
  /** The commit `to` resolved to. */
  readonly commit: string;
  /** Images that differ at that commit but were left alone because they were not asked for. */
  readonly leftAlone: ImageChange[];
}

/**
 * Restores an environment's images, and nothing else, to what its file held at a git revision,
 * then re-synthesizes. The result is a change in the working tree like any other, published as a
 * new commit on top of history: rolling back never rewrites history, so Argo CD keeps auto-syncing
 * the branch it follows and the rollback itself can be rolled back.
 */
export function rollback(options: RollbackOptions): RollbackResult {
  const root = path.resolve(options.root ?? process.cwd());
  const file = environmentFile(root, options.environment);
  const git = new Git(root);
  git.topLevel();
  const commit = git.commitOf(options.to);
  if (commit === undefined) {
    throw new PipelineError(`--to ${JSON.stringify(options.to)} names no commit of this repository (fetch it first if it is on a remote)`);
  }
  const then = git.showFile(commit, file.relative);
  if (then === undefined) {
    throw new PipelineError(`${file.relative} did not exist at ${options.to} (${commit.slice(0, 12)}); pick a revision where ${options.environment} was deployed`);
  }
  const label = `${file.relative} at ${commit.slice(0, 12)}`;
  const explicit = options.components !== undefined;
  const now = fs.readFileSync(file.absolute, 'utf8');
  // A service declared since `to` has no image to go back to; one removed since is not brought back.
  const services = serviceComponents(now, file.relative).filter((s) => serviceComponents(then, label).includes(s));
  const components = options.components ?? [...APPLICATION_COMPONENTS, ...services];
  const updates: ImageUpdate[] = [];
  for (const component of components) {
    const image = readImage(then, label, component);
    if (image === undefined) {
      if (explicit) throw new PipelineError(`${label}: ${imageField(component)} is not set; nothing to roll back to`);
      continue;
    }
    updates.push({ environment: options.environment, component, image });
  }
  if (updates.length === 0) throw new PipelineError(`${label} sets no image of ${components.join(', ')}`);

  const leftAlone: ImageChange[] = [];
  const known = imageComponents(now, file.relative).filter((c) => imageComponents(then, label).includes(c));
  for (const component of known.filter((c) => !components.includes(c))) {
    const was = readImage(then, label, component);
    const is = readImage(now, file.relative, component);
    if (was !== undefined && is !== undefined && was !== is) {
      leftAlone.push({ environment: options.environment, component, from: is, to: was });
    }
  }

  // Old references were accepted when they were deployed; a repository move since is part of what
  // is being undone.
  const result = updateImages(updates, { root, synthesize: options.synthesize, allowRepositoryChange: true });
  return { ...result, commit, leftAlone };
}
