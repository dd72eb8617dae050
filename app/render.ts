import { ApiObject, App } from 'cdk8s';
import { ComponentChart } from '../charts/component-chart';
import { TreeChart } from '../charts/tree-chart';
import { componentFolder, manifestFileName } from '../lib/tree/layout';
import { ManifestFileContent, manifestFile } from '../lib/tree/manifest-file';
import { compareCodePoints, TreeObject, treeObject } from '../lib/tree/tree-object';
import { SynthError } from '../lib/validation/validation-error';

/**
 * Runs every construct validation, then turns each object of each chart into its manifest and its
 * place in the tree: `envs/<environment>/<component>/<Kind>-<name>.yaml` for component charts,
 * `<treePath>/<Kind>-<name>.yaml` for tree charts (Argo CD's `bootstrap/` and `apps/<env>/`).
 */
export function renderApp(app: App): TreeObject[] {
  const problems: string[] = [];
  const all = app.node.findAll();
  for (const construct of all) {
    for (const message of construct.node.validate()) problems.push(`[${construct.node.path}] ${message}`);
  }
  if (problems.length > 0) throw new SynthError(problems);

  const rendered: TreeObject[] = [];
  const seen = new Map<string, string>();
  for (const chart of all) {
    let place: { folder: string; sources: readonly string[] };
    if (ComponentChart.isComponentChart(chart)) {
      const { environment, component } = chart;
      place = { folder: componentFolder(environment.name, component), sources: [environment.file] };
    } else if (TreeChart.isTreeChart(chart)) {
      const { treePath, sources } = chart;
      place = { folder: treePath, sources };
    } else {
      continue;
    }
    for (const child of chart.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const manifest = child.toJson() as Record<string, any>;
      const path = `${place.folder}/${manifestFileName(child.kind, child.name)}`;
      const previous = seen.get(path);
      if (previous !== undefined) {
        problems.push(`[${child.node.path}] ${child.kind} "${child.name}" is also defined by ${previous}: names must be unique per folder of the tree`);
        continue;
      }
      seen.set(path, child.node.path);
      rendered.push(treeObject(path, manifest, place.sources));
    }
  }
  if (problems.length > 0) throw new SynthError(problems);
  return rendered.sort((a, b) => compareCodePoints(a.path, b.path));
}

/** The objects of an app, and the tree's files they make: relative path → file content. */
export function renderFiles(app: App): { objects: TreeObject[]; files: Map<string, string> } {
  const objects = renderApp(app);
  return { objects, files: treeFiles(objects) };
}

/** The tree's files of its objects (patched or not): relative path → file content. */
export function treeFiles(objects: readonly (Pick<TreeObject, 'path'> & ManifestFileContent)[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const object of objects) files.set(object.path, manifestFile(object));
  return files;
}
