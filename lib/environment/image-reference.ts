import {
  IMAGE_DOMAIN_COMPONENT,
  IMAGE_PATH_COMPONENT,
  IMAGE_REGISTRY_PORT,
  IMAGE_SHA256_DIGEST,
  IMAGE_TAG,
  MAX_IMAGE_REPOSITORY_LENGTH,
  MAX_IMAGE_TAG_LENGTH,
} from '../predicates/image-reference-grammar';
import { invalidValue } from '../predicates/invalid-value';
import { LABEL_VALUE_MAX_LENGTH, labelValueProblem } from '../predicates/label-value';

/**
 * Container image references, following the grammar of the distribution project's `reference`
 * package (what `docker pull` and the kubelet accept):
 *
 *   [registry-host[:port]/]path-component[/path-component...][:tag][@sha256:<64 hex digits>]
 *
 * Parsing is strict about syntax only. Whether a reference is acceptable for a deployment
 * (pinned, not `latest`) is `imageReferenceProblem`'s business.
 */

export interface ImageReference {
  /** Registry host (if any) and path, e.g. `registry.example.com/chat/backend`. */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:<64 lowercase hex digits>`. */
  readonly digest?: string;
}

/** Parses an image reference; throws an Error saying what is wrong if its syntax is invalid. */
export function parseImageReference(ref: string): ImageReference {
  function fail(why: string): never {
    throw new Error(invalidValue('image reference', ref, `a well-formed image reference; this one is malformed: ${why}`));
  }
  if (typeof ref !== 'string' || ref === '') {
    fail('it is empty');
  }
  if (/\s/.test(ref)) {
    fail('it contains whitespace');
  }

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!IMAGE_SHA256_DIGEST.test(digest)) {
      if (/^sha256:[A-Fa-f0-9]{64}$/.test(digest)) {
        fail(`digest "${digest}" must be lowercase hex`);
      }
      fail(`digest "${digest}" is not "sha256:" followed by 64 hex digits`);
    }
  }

  // A colon after the last slash separates the tag; one before it belongs to the registry port.
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag.length > MAX_IMAGE_TAG_LENGTH) {
      fail(`tag is ${tag.length} characters long; at most ${MAX_IMAGE_TAG_LENGTH} are allowed`);
    }
    if (!IMAGE_TAG.test(tag)) {
      fail(
        `tag ${JSON.stringify(tag)} may contain only letters, digits, "_", "." and "-", ` +
          'and must not start with "." or "-"',
      );
    }
  }

  if (rest === '') {
    fail('the repository is missing');
  }
  if (rest.length > MAX_IMAGE_REPOSITORY_LENGTH) {
    fail(`the repository is ${rest.length} characters long; at most ${MAX_IMAGE_REPOSITORY_LENGTH} are allowed`);
  }
  const components = rest.split('/');
  if (components.length > 1 && isRegistryHost(components[0])) {
    const registry = components.shift()!;
    const [host, port, ...extra] = registry.split(':');
    if (extra.length > 0 || (port !== undefined && !IMAGE_REGISTRY_PORT.test(port))) {
      fail(`registry "${registry}" has an invalid port`);
    }
    const hostProblem = host.split('.').find((label) => !IMAGE_DOMAIN_COMPONENT.test(label));
    if (hostProblem !== undefined) {
      fail(`registry host "${host}" is not a valid host name`);
    }
  }
  for (const component of components) {
    if (component === '') {
      fail('the repository path has an empty component (a leading, trailing or doubled "/")');
    }
    if (IMAGE_PATH_COMPONENT.test(component.toLowerCase()) && component !== component.toLowerCase()) {
      fail(`repository path "${components.join('/')}" must be lowercase`);
    }
    if (!IMAGE_PATH_COMPONENT.test(component)) {
      fail(
        `repository path component ${JSON.stringify(component)} may contain only lowercase letters and digits, ` +
          'separated by ".", "_", "__" or "-"',
      );
    }
  }

  return { repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * Why a reference must not be deployed, or `undefined` if it may be: it is malformed, or it does
 * not pin what runs (no tag and no digest, or the moving `latest` tag), or it cannot name the
 * version in the `app.kubernetes.io/version` label.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(ref);
  } catch (e) {
    return (e as Error).message;
  }
  if (parsed.tag === undefined && parsed.digest === undefined) {
    return 'untagged: the runtime would pull "latest", so what runs depends on when each node pulled it';
  }
  // Even next to a digest, "latest" would end up as the version label and tell readers nothing.
  if (parsed.tag === 'latest') {
    return 'the tag "latest" is refused: it moves with every push, so deployments are not reproducible';
  }
  if (parsed.digest === undefined && !isLabelValue(parsed.tag!)) {
    return (
      `tag ${JSON.stringify(parsed.tag)} cannot be the app.kubernetes.io/version label (at most ` +
      `${LABEL_VALUE_MAX_LENGTH} characters, starting and ending with a letter or digit); pin a digest as well`
    );
  }
  return undefined;
}

/**
 * The value of the `app.kubernetes.io/version` label for an image: its tag, or the first 12 hex
 * digits of its digest when there is no tag or the tag is not a valid label value.
 */
export function imageVersion(ref: string): string {
  const { tag, digest } = parseImageReference(ref);
  if (tag !== undefined && isLabelValue(tag)) {
    return tag;
  }
  if (digest !== undefined) {
    return digest.slice('sha256:'.length, 'sha256:'.length + 12);
  }
  if (tag !== undefined) {
    throw new Error(`image reference ${JSON.stringify(ref)}: tag ${JSON.stringify(tag)} is not a valid label value`);
  }
  throw new Error(`image reference ${JSON.stringify(ref)} has neither a tag nor a digest`);
}

/**
 * The first path component names a registry only if it looks like a host, as container runtimes
 * decide it: `chat/backend` is a Docker Hub path, `localhost/backend` and
 * `registry.example.com/backend` name registries. (Runtimes also read an uppercase first
 * component as a host; here it is reported as an uppercase repository, the likelier mistake.)
 */
function isRegistryHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

function isLabelValue(value: string): boolean {
  return labelValueProblem(value) === undefined;
}
