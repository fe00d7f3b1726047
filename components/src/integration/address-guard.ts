// The private-address guard (SSRF protection): refuses connections to loopback, private,
// link-local, shared, documentation, multicast and reserved addresses unless the node allows them
// explicitly. Host names are checked at connect time, on the very addresses the socket is about to
// use (a DNS answer cannot change between the check and the connection); IP literals before that.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ActorflowError } from '@actorflow/network';

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry). */
const NON_PUBLIC_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

/** IPv6 ranges that are not the public internet (IPv4-mapped addresses are checked as IPv4). */
const NON_PUBLIC_V6: readonly [string, number][] = [
  ['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
];

const NAT64 = /^64:ff9b::(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/i;

const nonPublic = new BlockList();
for (const [net, prefix] of NON_PUBLIC_V4) nonPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of NON_PUBLIC_V6) nonPublic.addSubnet(net, prefix, 'ipv6');

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/** The IPv4 address a NAT64 (64:ff9b::/96) address embeds, or undefined. */
function nat64Embedded(address: string): string | undefined {
  const m = NAT64.exec(address);
  if (!m) return undefined;
  if (m[3]) return m[3];
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True when `address` (an IP literal) is loopback, private, link-local or otherwise not public. */
export function isNonPublicAddress(address: string): boolean {
  const embedded = nat64Embedded(address);
  if (embedded !== undefined) return nonPublic.check(embedded, 'ipv4');
  return nonPublic.check(address, family(address));
}

/** The error for a refused address. */
export class BlockedAddressError extends ActorflowError {
  override name = 'BlockedAddressError';
  constructor(host: string, address: string) {
    super('HTTP_BLOCKED_ADDRESS', `refused to connect to ${host === address ? address : `${host} (${address})`}: it is a private, loopback or otherwise non-public address`,
      `if the node must reach it, add "${address}" (or its network, e.g. "${address}/32") to allowAddresses, or set blockPrivateAddresses to false`);
  }
}

/**
 * Parses allow-list entries (`"127.0.0.1"`, `"10.0.0.0/8"`, `"::1"`) into a BlockList. Throws an
 * INVALID_CONFIG error naming the first bad entry (`field` is the config key it came from).
 */
export function parseAddressList(entries: readonly string[], field: string): BlockList {
  const list = new BlockList();
  for (const [i, entry] of entries.entries()) {
    const [address, prefixText, extra] = entry.trim().split('/');
    const kind = isIP(address);
    const max = kind === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (kind === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) {
      throw new ActorflowError('INVALID_CONFIG', `${field}[${i}] is ${JSON.stringify(entry)}, not an IP address or CIDR network`,
        'write an address like "127.0.0.1" or "::1", or a network like "10.0.0.0/8" or "fd00::/8"');
    }
    list.addSubnet(address, prefix, kind === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

const IPV4 = '(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** JSON Schema of an IP address or a CIDR network (IPv6 prefixes are range-checked when the node starts). */
export const ADDRESS_OR_NETWORK = {
  anyOf: [
    { type: 'string', pattern: `^${IPV4}(?:/(?:3[0-2]|[12]?\\d))?$`, description: 'an IPv4 address or network, e.g. "127.0.0.1" or "10.0.0.0/8"' },
    { type: 'string', pattern: '^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?:/\\d{1,3})?$', description: 'an IPv6 address or network, e.g. "::1" or "fd00::/8"' },
  ],
};
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Decides which addresses a node may connect to. */
export class AddressGuard {
  readonly #allowed: BlockList;
  readonly #blockPrivate: boolean;

  constructor(options: { blockPrivateAddresses: boolean; allowAddresses: BlockList }) {
    this.#blockPrivate = options.blockPrivateAddresses;
    this.#allowed = options.allowAddresses;
  }

  /** Whether a connection to this IP address is permitted. */
  permits(address: string): boolean {
    if (!this.#blockPrivate || this.#allowed.check(address, family(address))) return true;
    return !isNonPublicAddress(address);
  }

  /** Throws BlockedAddressError when `hostname` is an IP literal the guard refuses (names are checked at connect time). */
  checkHost(hostname: string): void {
    const address = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    if (isIP(address) !== 0 && !this.permits(address)) throw new BlockedAddressError(address, address);
  }

  /** A `dns.lookup` replacement for sockets: resolves, then fails if any resolved address is refused. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !this.permits(a.address));
      if (refused) return callback(new BlockedAddressError(hostname, refused.address), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return callback(null, first.address, first.family);
    });
  };
}
