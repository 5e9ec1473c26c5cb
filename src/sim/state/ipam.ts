/** IPv4 helpers for fixed-IP allocation from a subnet's allocation pools. */

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`invalid IPv4 address: ${ip}`);
  }
  return (((parts[0] as number) << 24) | ((parts[1] as number) << 16) | ((parts[2] as number) << 8) | (parts[3] as number)) >>> 0;
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function parseCidr(cidr: string): { network: number; prefix: number; size: number } {
  const [addr, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  if (!addr || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid CIDR: ${cidr}`);
  const size = 2 ** (32 - prefix);
  const network = (ipToInt(addr) & ~(size - 1)) >>> 0;
  return { network, prefix, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { network, size } = parseCidr(cidr);
  const value = ipToInt(ip);
  return value >= network && value < network + size;
}

/** Neutron's default pool: every host address except the gateway (first host) and broadcast. */
export function defaultPool(cidr: string): { gateway: string; start: string; end: string } {
  const { network, size } = parseCidr(cidr);
  return { gateway: intToIp(network + 1), start: intToIp(network + 2), end: intToIp(network + size - 2) };
}
