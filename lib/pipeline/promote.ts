import * as fs from 'node:fs';
import * as path from 'node:path';
import { environmentFile } from './environment-file';
import { APPLICATION_COMPONENTS, ImageComponent, checkComponent, imageField, readImage, serviceComponents } from './image-edit';
import { updateImages, UpdateImagesResult } from './image-update';
import { PipelineError } from './pipeline-error';
import { Resynthesize } from './resynthesize';

export interface PromoteOptions {
  /** The project root. @default process.cwd() */
  readonly root?: string;
  /** Re-synthesizes `gitops/` from the edited files. */
  readonly synthesize: Resynthesize;
  /** The environment whose images are copied, e.g. `staging`. */
  readonly from: string;
  /** The environment that receives them, e.g. `prod`. */
  readonly to: string;
  /**
   * The components to promote: built-in ones, or services both files declare.
   * @default APPLICATION_COMPONENTS (backend and frontend) and every service both files declare
   */
  readonly components?: readonly ImageComponent[];
  /** See `UpdateImagesOptions.allowRepositoryChange`. @default false */
  readonly allowRepositoryChange?: boolean;
}

/**
 * Copies the images of `components` from one environment file to another and re-synthesizes, all
 * or nothing (see `updateImages`). Only images move: sizes, hosts and every other setting of the
 * target stay its own.
 */
export function promote(options: PromoteOptions): UpdateImagesResult {
  const root = path.resolve(options.root ?? process.cwd());
  if (options.from === options.to) {
    throw new PipelineError(`--from and --to are both ${JSON.stringify(options.from)}; promote copies images between two environments`);
  }
  const source = environmentFile(root, options.from);
  const target = environmentFile(root, options.to);
  const text = fs.readFileSync(source.absolute, 'utf8');
  const targetText = fs.readFileSync(target.absolute, 'utf8');
  // Only images move: a service the target does not declare is not created by a promotion.
  const shared = serviceComponents(text, source.relative).filter((s) => serviceComponents(targetText, target.relative).includes(s));
  const components = options.components ?? [...APPLICATION_COMPONENTS, ...shared];
  for (const component of components) checkComponent(text, source.relative, component);
  const updates = components.map((component) => {
    const image = readImage(text, source.relative, component);
    if (image === undefined) throw new PipelineError(`${source.relative}: ${imageField(component)} is not set; nothing to promote`);
    return { environment: options.to, component, image };
  });
  return updateImages(updates, { root, synthesize: options.synthesize, allowRepositoryChange: options.allowRepositoryChange ?? false });
}
