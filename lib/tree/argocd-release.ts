/**
 * Argo CD releases, as the tree states the oldest one it is written for: `gitops.config.yaml`
 * (`argocd.minVersion`) names it, synth writes it onto the root Application, and validation
 * compares it with the release each version-gated field of the tree needs.
 */

/**
 * Annotation of the root Application naming the oldest Argo CD release (`MAJOR.MINOR.PATCH`) the
 * tree's Argo CD objects are written for. It travels with the tree, so that validating a
 * committed tree checks the same floor synth checked.
 */
export const ARGOCD_MIN_VERSION_ANNOTATION = 'argocd-min-version';

/** An Argo CD release: `MAJOR.MINOR.PATCH`, without a `v` or a pre-release suffix. */
export const ARGOCD_RELEASE_PATTERN = '^(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})$';

const RELEASE = new RegExp(ARGOCD_RELEASE_PATTERN);

/** The numbers of a release, or undefined when `text` is not `MAJOR.MINOR.PATCH`. */
export function parseRelease(text: string): readonly [number, number, number] | undefined {
  const m = RELEASE.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Negative when release `a` is older than `b`, positive when newer, 0 when the same. Both must parse. */
export function compareReleases(a: string, b: string): number {
  const x = parseRelease(a);
  const y = parseRelease(b);
  if (!x || !y) throw new Error(`not a MAJOR.MINOR.PATCH release: ${x ? b : a}`);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}
