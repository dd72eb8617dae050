import { parseAllDocuments, stringify } from 'yaml';

/** One Kubernetes object of a gitops tree, identified independently of the file it sits in. */
export interface TreeResource {
  /** `env/component/Kind/namespace/name`: what the diff pairs the two sides by. */
  readonly key: string;
  readonly environment: string;
  readonly component: string;
  readonly kind: string;
  /** Empty for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  /** The file it was read from, relative to the gitops root. */
  readonly path: string;
  readonly manifest: Record<string, any>;
}

/** A tree's file cannot be read as Kubernetes objects. */
export class TreeParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeParseError';
  }
}

/**
 * Where a file sits decides its environment and component:
 * - `envs/<env>/<component>/…` as synth writes the manifests;
 * - `apps/<env>/…` (the Argo CD Applications of an environment) → component `apps`;
 * - anything else (`bootstrap/…`): the first folder, component `-`.
 */
export function placeOf(rel: string): { environment: string; component: string } {
  const folders = rel.split('/').slice(0, -1);
  if (folders[0] === 'envs' && folders.length >= 3) return { environment: folders[1]!, component: folders[2]! };
  if (folders[0] === 'apps' && folders.length >= 2) return { environment: folders[1]!, component: 'apps' };
  return { environment: folders[0] ?? '-', component: '-' };
}

/** `prod/backend`, or just `bootstrap` for objects outside any component. */
export function placeLabel(r: { environment: string; component: string }): string {
  return r.component === '-' ? r.environment : `${r.environment}/${r.component}`;
}

/** `Kind/name`, or `Kind namespace/name` when namespaced: how a resource is named to readers. */
export function resourceLabel(r: Pick<TreeResource, 'kind' | 'namespace' | 'name'>): string {
  return r.namespace === '' ? `${r.kind}/${r.name}` : `${r.kind} ${r.namespace}/${r.name}`;
}

/**
 * Parses every `*.yaml` file of a tree (relative path → content) into resources keyed by
 * {@link TreeResource.key}. `where` names the tree in error messages (`HEAD:gitops`, `gitops`).
 */
export function resourcesOf(files: ReadonlyMap<string, string>, where: string): Map<string, TreeResource> {
  const out = new Map<string, TreeResource>();
  const paths = [...files.keys()].filter((p) => p.endsWith('.yaml')).sort(compare);
  for (const rel of paths) {
    const { environment, component } = placeOf(rel);
    for (const [index, doc] of parseAllDocuments(files.get(rel)!).entries()) {
      const error = doc.errors[0];
      if (error) {
        const line = error.linePos?.[0].line;
        throw new TreeParseError(`${where}/${rel}${line !== undefined ? `:${line}` : ''}: invalid YAML: ${error.message.trimEnd()}`);
      }
      const manifest: unknown = doc.toJS();
      if (manifest === null || manifest === undefined) continue;
      if (typeof manifest !== 'object' || Array.isArray(manifest)) {
        throw new TreeParseError(`${where}/${rel}: document ${index + 1} is not a mapping, so not a Kubernetes object`);
      }
      const m = manifest as Record<string, any>;
      const kind = typeof m.kind === 'string' ? m.kind : '(no kind)';
      const name = typeof m.metadata?.name === 'string' ? m.metadata.name : '(unnamed)';
      const namespace = typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : '';
      let key = [environment, component, kind, namespace, name].join('/');
      // Two documents claiming one identity: keep both visible rather than silently dropping one.
      if (out.has(key)) key = `${key}#${rel}:${index + 1}`;
      out.set(key, { key, environment, component, kind, namespace, name, path: rel, manifest: m });
    }
  }
  return out;
}

/** A manifest as YAML, formatted the way synth writes it, so a diff shows only real changes. */
export function manifestYaml(manifest: unknown): string {
  return stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
