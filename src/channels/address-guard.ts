/**
 * Server-side request forgery guard for webhooks: a journey's URL must not reach the machine Waymark runs on,
 * its private network or a cloud metadata service. The host is resolved first and every address it resolves
 * to is checked; the request then connects to the checked address (no second lookup an attacker's DNS could
 * answer differently). Hosts on the provider's allow-list skip the check (tests use 127.0.0.1).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const BLOCKED = new BlockList();
// IPv4 rules also match IPv4-mapped IPv6 addresses (::ffff:127.0.0.1).
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) BLOCKED.addSubnet(net, bits, 'ipv4');
BLOCKED.addAddress('::', 'ipv6');
BLOCKED.addAddress('::1', 'ipv6');
BLOCKED.addSubnet('fc00::', 7, 'ipv6'); // unique local, AWS's IPv6 metadata (fd00:ec2::254)
BLOCKED.addSubnet('fe80::', 10, 'ipv6'); // link-local
BLOCKED.addSubnet('ff00::', 8, 'ipv6'); // multicast

/** Whether an IP address (v4 or v6 text) is one a webhook may not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type Resolved = { ok: true; address: string; family: 4 | 6 } | { ok: false; blocked: boolean; reason: string };

/**
 * The address to connect to for `hostname` (as URL gives it: IPv6 in brackets), or why not: blocked (a
 * permanent refusal) or unresolvable (worth trying again: DNS may be failing for a while).
 */
export async function resolveHost(hostname: string, allowHosts: readonly string[], resolve = lookupAll): Promise<Resolved> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const allowed = allowHosts.some((h) => h.toLowerCase() === host);
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (error) {
      return { ok: false, blocked: false, reason: `dns_failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
    }
  }
  if (addresses.length === 0) return { ok: false, blocked: false, reason: 'dns_failed: no address' };
  // One blocked address refuses the host: a name that resolves to both a public and a private address
  // could be answered either way on the next lookup.
  if (!allowed && addresses.some((a) => isBlockedAddress(a.address))) return { ok: false, blocked: true, reason: 'blocked_address' };
  const first = addresses[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}

function lookupAll(host: string): Promise<Array<{ address: string; family: number }>> {
  return lookup(host, { all: true, verbatim: true });
}
