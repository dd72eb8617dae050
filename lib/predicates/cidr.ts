/**
 * IP addresses and CIDR ranges, accepted as Go's `net.ParseCIDR` accepts them, since that is what
 * the API server parses a NetworkPolicy's `ipBlock.cidr` with: dotted-decimal IPv4 without leading
 * zeros, IPv6 with at most one `::` (standing for at least one zero group) and an optional trailing
 * dotted IPv4, no zone; a decimal prefix length from 0 to 32 (IPv4) or 128 (IPv6).
 */

export interface Cidr {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
}

export const CIDR_DESCRIPTION = 'an IPv4 or IPv6 address range (CIDR) such as "10.0.0.0/16" or "::/0", its prefix length at most 32 for IPv4 and 128 for IPv6';

const IPV4_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const PREFIX_LENGTH = /^[0-9]+$/;

/** 4 or 6 for an IP address of that family, 0 for anything else. */
export function ipFamily(address: string): 0 | 4 | 6 {
  if (IPV4.test(address)) return 4;
  return isIpv6(address) ? 6 : 0;
}

/** The parts of a CIDR, or `undefined` when `value` is not one. */
export function parseCidr(value: unknown): Cidr | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  const family = ipFamily(address);
  if (family === 0 || !PREFIX_LENGTH.test(prefix)) return undefined;
  const prefixLength = Number(prefix);
  if (prefixLength > (family === 4 ? 32 : 128)) return undefined;
  return { family, address, prefixLength };
}

/** What a CIDR allows, or `undefined` if `value` is one. */
export function cidrProblem(value: unknown): string | undefined {
  return parseCidr(value) ? undefined : CIDR_DESCRIPTION;
}

function isIpv6(address: string): boolean {
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  const all = groups.flat();
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i];
    if (HEX_GROUP.test(group)) count += 1;
    // A dotted IPv4 address may only end the address, where it stands for the last two groups.
    else if (i === all.length - 1 && IPV4.test(group) && (halves.length === 1 || halves[1] !== '')) count += 2;
    else return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** The address of a CIDR as a number, with its width in bits. */
function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, octet) => (n << 8n) | BigInt(Number(octet)), 0n);
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = addressBits(dotted[1], 4);
    text = `${text.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** A CIDR as a number range: its family, prefix length and masked base address. */
export interface CidrNetwork {
  readonly family: 4 | 6;
  readonly prefixLength: number;
  readonly base: bigint;
}

/** The network of a CIDR (its address masked to the prefix), or `undefined` when `cidr` is none. */
export function cidrNetwork(cidr: string): CidrNetwork | undefined {
  const c = parseCidr(cidr);
  if (c === undefined) return undefined;
  const width = BigInt(c.family === 4 ? 32 : 128);
  const hostBits = width - BigInt(c.prefixLength);
  return { family: c.family, prefixLength: c.prefixLength, base: (addressBits(c.address, c.family) >> hostBits) << hostBits };
}

/** Whether `inner`'s masked address lies in `outer`, as Go's `net.IPNet.Contains` tells. */
export function cidrContains(outer: CidrNetwork, inner: CidrNetwork): boolean {
  if (outer.family !== inner.family) return false;
  const hostBits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefixLength);
  return inner.base >> hostBits === outer.base >> hostBits;
}
