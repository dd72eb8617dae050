import { placeOf } from './layout';

/**
 * One Kubernetes object of a gitops tree, and where it sits: the one type synth renders,
 * validation checks, the writer writes and the diff compares.
 */
export interface TreeObject {
  /** Path relative to the tree's root, e.g. `envs/dev/backend/Deployment-backend.yaml`. */
  readonly path: string;
  /** From the path: see {@link placeOf}. */
  readonly environment: string;
  readonly component: string;
  /** `kind`, `metadata.namespace` (empty for cluster-scoped objects) and `metadata.name`. */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The manifest as Kubernetes receives it. */
  readonly manifest: Record<string, any>;
  /** The files the object is made from, named in its file's provenance header; empty when read back. */
  readonly sources: readonly string[];
}

/** The tree object of a manifest at a path; environment, component and identity follow from them. */
export function treeObject(path: string, manifest: Record<string, any>, sources: readonly string[] = []): TreeObject {
  const { environment, component } = placeOf(path);
  const kind = typeof manifest.kind === 'string' ? manifest.kind : '(no kind)';
  const name = typeof manifest.metadata?.name === 'string' ? manifest.metadata.name : '(unnamed)';
  const namespace = typeof manifest.metadata?.namespace === 'string' ? manifest.metadata.namespace : '';
  return { path, environment, component, kind, namespace, name, manifest, sources };
}

/** `env/component/Kind/namespace/name`: what identifies an object across two trees. */
export function objectKey(o: Pick<TreeObject, 'environment' | 'component' | 'kind' | 'namespace' | 'name'>): string {
  return [o.environment, o.component, o.kind, o.namespace, o.name].join('/');
}

/** `Kind/name` of a manifest as it is now: how findings name an object. */
export function objectId(manifest: Record<string, any>): string {
  return `${manifest.kind}/${manifest.metadata?.name ?? '(unnamed)'}`;
}

/** `Kind/name`, or `Kind namespace/name` when namespaced: how a resource is named to readers. */
export function resourceLabel(o: Pick<TreeObject, 'kind' | 'namespace' | 'name'>): string {
  return o.namespace === '' ? `${o.kind}/${o.name}` : `${o.kind} ${o.namespace}/${o.name}`;
}

/** Code-point order (not locale), so every listing of the tree sorts the same everywhere. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
