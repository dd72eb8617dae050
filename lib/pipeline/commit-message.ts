import { imageVersion } from '../environment/image-reference';
import { Git, lines } from '../git/git';
import { ENVIRONMENTS_DIR, GITOPS_DIR } from './environment-file';
import { ImageComponent, imageComponents, readImage, replaceImage } from './image-edit';
import { formatChange, ImageChange } from './image-update';

/** What the staged change does, read back from git, and the commit message that says so. */
export interface StagedChange {
  readonly images: ImageChange[];
  /** Environment files whose change is not (only) an image: added, removed or other settings. */
  readonly otherEnvironmentChanges: string[];
  /** Number of changed files below gitops/. */
  readonly gitopsFiles: number;
  readonly message: string;
}

export interface DescribeOptions {
  /** The build that produced the change (Jenkins' BUILD_URL), named in the message. */
  readonly buildUrl?: string;
  /** A subject line to use instead of the generated one. */
  readonly title?: string;
}

/**
 * Describes what is staged below `environments/` and `gitops/` compared with HEAD, from the files
 * themselves rather than from what a command says it did, so the message is right however the
 * change was made (set-image, promote, rollback or a hand edit).
 */
export function describeStagedChange(git: Git, options: DescribeOptions = {}): StagedChange {
  const changed = lines(git.run(['diff', '--cached', '--name-only', '--relative', '--', ENVIRONMENTS_DIR, GITOPS_DIR]));
  const images: ImageChange[] = [];
  const otherEnvironmentChanges: string[] = [];
  for (const file of changed.filter((f) => f.startsWith(`${ENVIRONMENTS_DIR}/`) && f.endsWith('.yaml'))) {
    const environment = file.slice(ENVIRONMENTS_DIR.length + 1, -'.yaml'.length);
    const before = git.showFile('HEAD', file);
    const after = git.showFile('', file);
    if (before === undefined || after === undefined) {
      otherEnvironmentChanges.push(`${file}: ${before === undefined ? 'added' : 'removed'}`);
      continue;
    }
    let imageChanged = false;
    for (const component of componentsOf([before, after], file)) {
      const from = safeReadImage(before, file, component);
      const to = safeReadImage(after, file, component);
      if (to !== undefined && from !== to) {
        images.push({ environment, component, from, to });
        imageChanged = true;
      }
    }
    if (!imageChanged || withoutImages(before, file) !== withoutImages(after, file)) {
      otherEnvironmentChanges.push(`${file}: ${imageChanged ? 'images and other settings' : 'settings other than images'} changed`);
    }
  }
  const gitopsFiles = changed.filter((f) => f.startsWith(`${GITOPS_DIR}/`)).length;

  const subject = options.title ?? subjectLine(images, otherEnvironmentChanges);
  const body = [
    ...images.map(formatChange),
    ...otherEnvironmentChanges,
    `${GITOPS_DIR}/: ${gitopsFiles} generated file${gitopsFiles === 1 ? '' : 's'} changed`,
  ];
  const trailers = options.buildUrl ? [`Build: ${options.buildUrl}`] : [];
  const message = [subject, '', ...body, ...(trailers.length > 0 ? ['', ...trailers] : [])].join('\n') + '\n';
  return { images, otherEnvironmentChanges, gitopsFiles, message };
}

/** `Deploy staging: backend 1.4.3`, `Deploy prod: backend 1.4.2, frontend 1.4.2`, … */
function subjectLine(images: readonly ImageChange[], other: readonly string[]): string {
  if (images.length > 0) {
    const byEnvironment = new Map<string, string[]>();
    for (const change of images) {
      const list = byEnvironment.get(change.environment) ?? [];
      list.push(`${change.component} ${shortVersion(change.to)}`);
      byEnvironment.set(change.environment, list);
    }
    return [...byEnvironment].map(([env, list]) => `Deploy ${env}: ${list.join(', ')}`).join('; ');
  }
  if (other.length > 0) {
    return `Update ${other.map((o) => o.slice(0, o.indexOf(':'))).join(', ')}`;
  }
  return `Regenerate ${GITOPS_DIR}/`;
}

function shortVersion(image: string): string {
  try {
    return imageVersion(image);
  } catch {
    return image;
  }
}

function safeReadImage(text: string, file: string, component: ImageComponent): string | undefined {
  try {
    return readImage(text, file, component);
  } catch {
    return undefined;
  }
}

/** The components with an image in any of the texts (a file that does not parse has the built-in ones). */
function componentsOf(texts: readonly string[], file: string): ImageComponent[] {
  const all = new Set<ImageComponent>();
  for (const text of texts) {
    let components: ImageComponent[];
    try {
      components = imageComponents(text, file);
    } catch {
      components = imageComponents('{}', file);
    }
    for (const c of components) all.add(c);
  }
  return [...all];
}

/** The file with every image value blanked, to tell an image bump from other edits. */
function withoutImages(text: string, file: string): string {
  let result = text;
  for (const component of componentsOf([text], file)) {
    const image = safeReadImage(result, file, component);
    if (image === undefined) continue;
    try {
      result = replaceImage(result, file, component, 'x:x');
    } catch {
      // An image that cannot be rewritten is compared as it is.
    }
  }
  return result;
}
