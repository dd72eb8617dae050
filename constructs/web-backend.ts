import { NetworkPeer } from './network-peer';

/**
 * An HTTP service in the cluster that an Ingress or a reverse proxy sends requests to: a
 * `NetworkPeer` (so the path to its pods can be opened) reached through a Service.
 *
 * `WebService` is one; so is any construct exposing these members.
 */
export interface IWebBackend extends NetworkPeer {
  /** Name of the Service. */
  readonly name: string;
  /** The Service's port. */
  readonly port: number;
  /** The Service's in-cluster DNS name. */
  readonly serviceHost: string;
}

/** `http://<service host>:<port>`: where a caller in the cluster reaches a web backend. */
export function webBackendUrl(backend: IWebBackend): string {
  return `http://${backend.serviceHost}:${backend.port}`;
}

/** Whether `value` has the members of an `IWebBackend` a route or an Ingress reads. */
export function isWebBackend(value: unknown): value is IWebBackend {
  const candidate = value as Partial<IWebBackend> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.name === 'string' &&
    typeof candidate.namespace === 'string' &&
    typeof candidate.serviceHost === 'string' &&
    Number.isInteger(candidate.port) &&
    typeof candidate.labels === 'object' &&
    Array.isArray(candidate.podPorts) &&
    typeof candidate.node === 'object'
  );
}
