/**
 * The pieces of a container image reference, following the grammar of the distribution project's
 * `reference` package (what `docker pull` and the kubelet accept):
 *
 *   [registry-host[:port]/]path-component[/path-component...][:tag][@sha256:<64 hex digits>]
 */

export const MAX_IMAGE_REPOSITORY_LENGTH = 255;
export const MAX_IMAGE_TAG_LENGTH = 128;

/** One dot-separated label of a registry host. */
export const IMAGE_DOMAIN_COMPONENT = /^(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;
export const IMAGE_REGISTRY_PORT = /^[0-9]+$/;
export const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export const IMAGE_SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
