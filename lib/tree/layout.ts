/**
 * The layout of the gitops tree: where each kind of object lands, how its file is named, and
 * what a path says about the object in it. Every reader and writer of the tree asks here.
 *
 * ```
 * bootstrap/                                  applied by hand once (AppProject, root Application)
 * apps/<env>/<Kind>-<name>.yaml               the Argo CD Applications of one environment
 * envs/<env>/<component>/<Kind>-<name>.yaml   the manifests one Application syncs
 * ```
 */

/** The tree's folder in the repository, as Argo CD's source paths name it. */
export const TREE_PREFIX = 'gitops';

/** The folder of objects applied by hand once: the AppProject, the root Application, notifications. */
export const BOOTSTRAP_FOLDER = 'bootstrap';

/** The folder of one component of one environment: what one Argo CD Application syncs. */
export function componentFolder(environment: string, component: string): string {
  return `envs/${environment}/${component}`;
}

/** The folder of every environment's Applications, which the root Application syncs. */
export const APPS_ROOT = 'apps';

/** The folder of an environment's Argo CD Applications, which the root Application syncs. */
export function applicationsFolder(environment: string): string {
  return `apps/${environment}`;
}

/** An object's file name: `<Kind>-<name>.yaml`. */
export function manifestFileName(kind: string, name: string): string {
  return `${kind}-${name}.yaml`;
}

/** Where manifests live in the tree: envs/<env>/<component>/, apps/<env>/ and bootstrap/. */
const MANIFEST_PATH = /^(?:envs\/[^/]+\/[^/]+|apps\/[^/]+|bootstrap)\/[^/]+\.yaml$/;

/** Whether a relative path is one where synth writes manifests. */
export function isManifestPath(rel: string): boolean {
  return MANIFEST_PATH.test(rel);
}

/** What a file's place in the tree says about the objects in it. */
export interface Place {
  /** Which part of the layout: a component folder, an environment's Applications, or elsewhere. */
  readonly area: 'envs' | 'apps' | 'other';
  /** `envs/<env>/…` and `apps/<env>/…`: `<env>`; elsewhere the first folder (`bootstrap`), or `-`. */
  readonly environment: string;
  /** `envs/<env>/<component>/…`: `<component>`; `apps/<env>/…`: `apps`; elsewhere `-`. */
  readonly component: string;
}

/** Component name reported for an environment's Applications. */
export const APPLICATIONS_COMPONENT = 'apps';

/** The place of a file, from its path relative to the tree's root (posix separators). */
export function placeOf(rel: string): Place {
  const folders = rel.split('/').slice(0, -1);
  if (folders[0] === 'envs' && folders.length >= 3) return { area: 'envs', environment: folders[1]!, component: folders[2]! };
  if (folders[0] === 'apps' && folders.length >= 2) return { area: 'apps', environment: folders[1]!, component: APPLICATIONS_COMPONENT };
  return { area: 'other', environment: folders[0] ?? '-', component: '-' };
}

/** `prod/backend`, or just `bootstrap` for objects outside any component. */
export function placeLabel(place: { readonly environment: string; readonly component: string }): string {
  return place.component === '-' ? place.environment : `${place.environment}/${place.component}`;
}

/**
 * The path inside the tree that an Argo CD source path (relative to the repository) points at:
 * `gitops/envs/dev/backend` → `envs/dev/backend`, `gitops` → ``; undefined outside the tree.
 */
export function treePathOfSource(sourcePath: string): string | undefined {
  if (sourcePath === TREE_PREFIX) return '';
  return sourcePath.startsWith(`${TREE_PREFIX}/`) ? sourcePath.slice(TREE_PREFIX.length + 1) : undefined;
}

/** The Argo CD source path of a folder of the tree: `envs/dev/backend` → `gitops/envs/dev/backend`. */
export function sourcePathOf(treePath: string): string {
  return treePath === '' ? TREE_PREFIX : `${TREE_PREFIX}/${treePath}`;
}

/**
 * The component an Argo CD source path syncs for an environment: `…envs/<env>/<component>`, with
 * any prefix (the tree's folder in another repository); undefined for any other path.
 */
export function componentOfSource(sourcePath: string, environment: string): string | undefined {
  const segments = sourcePath.split('/');
  const n = segments.length;
  return n >= 3 && segments[n - 3] === 'envs' && segments[n - 2] === environment && segments[n - 1] !== '' ? segments[n - 1] : undefined;
}
