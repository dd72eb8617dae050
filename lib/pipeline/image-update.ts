import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireLock } from '../gitops/tree-lock';
import { imageReferenceProblem, parseImageReference } from '../environment/image-reference';
import { TreeWriteError } from '../gitops/tree-write-error';
import { environmentFile, replaceFile } from './environment-file';
import { ImageComponent, checkComponent, imageField, readImage, replaceImage } from './image-edit';
import { PipelineError } from './pipeline-error';
import { Resynthesize } from './resynthesize';

/** One image to put into one environment. */
export interface ImageUpdate {
  readonly environment: string;
  readonly component: ImageComponent;
  readonly image: string;
}

/** What an update did (or would do) to one environment's component. */
export interface ImageChange {
  readonly environment: string;
  readonly component: ImageComponent;
  /** The image before; `undefined` if the file did not set one. */
  readonly from: string | undefined;
  readonly to: string;
}

export interface UpdateImagesOptions {
  /** The project root: `environments/` and `gitops/` are below it. @default process.cwd() */
  readonly root?: string;
  /** Re-synthesizes `gitops/` from the edited files. */
  readonly synthesize: Resynthesize;
  /**
   * Accept an image from another repository than the one the component runs now. Off by default:
   * a backend image in the frontend's field is a pipeline misconfiguration, not a release.
   * @default false
   */
  readonly allowRepositoryChange?: boolean;
}

export interface UpdateImagesResult {
  /** Every requested update, in the order given; `from === to` where nothing changed. */
  readonly changes: ImageChange[];
  readonly synth: ReturnType<Resynthesize>;
}

/**
 * Puts the images into their environment files and re-synthesizes `gitops/`, as one step: if any
 * image is refused, or the synth or its validation fails, every environment file is put back byte
 * for byte and the tree is left as it was (synth writes nothing unless everything validates).
 *
 * Re-running the same updates changes nothing: the files already hold the images, and a synth of
 * unchanged input writes no file.
 */
export function updateImages(updates: readonly ImageUpdate[], options: UpdateImagesOptions): UpdateImagesResult {
  const root = path.resolve(options.root ?? process.cwd());
  for (const update of updates) checkImage(update);

  // Two pipeline runs editing environments/ at once would each write back what they read, and one
  // change would be lost: read, edit, synthesize and (on failure) restore under one lock.
  const release = acquireLock(path.join(root, 'environments'));
  try {
    return updateLocked(root, updates, options);
  } finally {
    release();
  }
}

function updateLocked(root: string, updates: readonly ImageUpdate[], options: UpdateImagesOptions): UpdateImagesResult {
  // Every edit is computed in memory first, so a refusal on the third file has touched none.
  const originals = new Map<string, { relative: string; text: string }>();
  const edited = new Map<string, string>();
  const changes: ImageChange[] = [];
  for (const update of updates) {
    const file = environmentFile(root, update.environment);
    if (!originals.has(file.absolute)) {
      const text = fs.readFileSync(file.absolute, 'utf8');
      originals.set(file.absolute, { relative: file.relative, text });
      edited.set(file.absolute, text);
    }
    const current = edited.get(file.absolute)!;
    checkComponent(current, file.relative, update.component);
    const from = readImage(current, file.relative, update.component);
    if (from !== undefined && from !== update.image && !options.allowRepositoryChange) {
      checkSameRepository(file.relative, update, from);
    }
    edited.set(file.absolute, from === update.image ? current : replaceImage(current, file.relative, update.component, update.image));
    changes.push({ environment: update.environment, component: update.component, from, to: update.image });
  }

  const written: string[] = [];
  try {
    for (const [file, text] of edited) {
      if (text === originals.get(file)!.text) continue;
      replaceFile(file, text);
      written.push(file);
    }
    return { changes, synth: options.synthesize(root) };
  } catch (e) {
    // A write that put the new tree in place (only its cleanup failed) deploys these edits: the
    // files must stay with it, or environments/ and gitops/ would disagree.
    if (e instanceof TreeWriteError && e.tree !== 'old') throw e;
    for (const file of written) replaceFile(file, originals.get(file)!.text);
    throw e;
  }
}

/** `prod/backend: <old> → <new>`, or `prod/backend: <image> (unchanged)`. */
export function formatChange(change: ImageChange): string {
  const where = `${change.environment}/${change.component}`;
  if (change.from === change.to) return `${where}: ${change.to} (unchanged)`;
  return `${where}: ${change.from ?? '(none)'} → ${change.to}`;
}

/** Refuses references a deployment must not use, with the rule they break. */
export function checkImage(update: ImageUpdate): void {
  const problem = imageReferenceProblem(update.image);
  if (problem !== undefined) {
    throw new PipelineError(
      `refusing image ${JSON.stringify(update.image)} for ${update.environment}/${update.component} ` +
        `(${imageField(update.component)}): ${problem}. Allowed: [registry[:port]/]path:tag, ` +
        `[registry[:port]/]path@sha256:<64 hex digits> or both, with a tag other than "latest"`,
    );
  }
}

function checkSameRepository(file: string, update: ImageUpdate, current: string): void {
  let currentRepository: string;
  try {
    currentRepository = parseImageReference(current).repository;
  } catch {
    // The current value is broken; replacing it is the fix, whatever its repository was.
    return;
  }
  const repository = parseImageReference(update.image).repository;
  if (repository !== currentRepository) {
    throw new PipelineError(
      `refusing image ${JSON.stringify(update.image)} for ${update.environment}/${update.component}: ` +
        `${file} runs ${update.component} from ${currentRepository}, not ${repository}. ` +
        'If the component really moved, pass --allow-repository-change',
    );
  }
}
