import { allowEgress } from '../constructs/network-flow';
import { NetworkPeer, tcpPorts } from '../constructs/network-peer';
import { Environment, networkSettings } from '../lib/environment/environment';

/** RFC 1918 and link-local ranges: the cluster's own networks and the node metadata service. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/**
 * Lets `peer`'s pods reach the environment's object store on its port only: the Egress policy
 * `<peer>-to-object-storage`, for every workload that uses the bucket (the backend, and the
 * services whose `calls.s3` is on).
 *
 * AWS S3 (and STS, for an IAM role) has no fixed addresses, so the rule allows HTTPS to public
 * addresses and nothing private, besides the ranges of the VPC interface endpoints S3 and STS
 * resolve to where there are some (`network.privateEndpoints`); an S3-compatible endpoint
 * (`s3.endpoint`) may live on a private network, so there the rule allows that endpoint's port at
 * any address.
 */
export function allowObjectStorage(peer: NetworkPeer, env: Pick<Environment, 's3' | 'network'>): void {
  const endpoint = env.s3.endpoint ? new URL(env.s3.endpoint) : undefined;
  const port = endpoint ? Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)) : 443;
  allowEgress(peer, {
    name: 'object-storage',
    addresses: endpoint
      ? [{ cidr: '0.0.0.0/0' }]
      : [{ cidr: '0.0.0.0/0', except: PRIVATE_RANGES }, ...networkSettings(env).privateEndpoints.map((cidr) => ({ cidr }))],
    ports: tcpPorts(port),
  });
}
