// The address a login attempt comes from. Behind the gateway every request arrives from the
// gateway, so its X-Forwarded-For is believed, but only when the direct peer is a trusted proxy.
import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

export type ClientIp = (request: FastifyRequest) => string;

function parseTrusted(list: string): BlockList {
  const trusted = new BlockList();
  for (const entry of list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(bits), family);
  }
  return trusted;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const kind = isIP(address);
  if (kind === 0) return false;
  return trusted.check(address, kind === 6 ? 'ipv6' : 'ipv4');
}

export function clientIpResolver(trustedProxies: string): ClientIp {
  const trusted = parseTrusted(trustedProxies);
  return (request) => {
    const peer = (request.socket.remoteAddress ?? request.ip).replace(/^::ffff:/, '');
    if (!isTrusted(trusted, peer)) return peer;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim().replace(/^::ffff:/, ''))
      .filter((h) => isIP(h) !== 0);
    // Walk from the nearest hop outwards: the first address that is not a trusted proxy is the client.
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] as string;
      if (!isTrusted(trusted, hop)) return hop;
    }
    return hops[0] ?? peer;
  };
}
