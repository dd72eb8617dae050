/**
 * URLs of a cluster's API server as Argo CD names destinations: Argo CD matches the destination
 * server against its cluster list as a plain string, so a trailing slash or a default port spelled
 * out would point at a cluster it does not know.
 */
export const HTTPS_SERVER_URL_PATTERN =
  '^https://(?:[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[-A-Za-z0-9]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])' +
  '(?::[0-9]{1,5})?(?:/[^\\s/?#]+)*$';
