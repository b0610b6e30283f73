/** IPv4 CIDR arithmetic for the overlap and globalnet rules. Pure, no dependencies. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
  readonly text: string;
}

/** Parses `a.b.c.d/p`; returns a message instead of a value when it is not a valid network. */
export function parseCidr(text: string): Cidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return `${JSON.stringify(text)} is not an IPv4 CIDR such as 10.128.0.0/14`;
  // Go's net.ParseCIDR (Submariner, Kubernetes, OpenShift) refuses octets with leading zeros since Go 1.17,
  // because other parsers read them as octal (https://github.com/golang/go/issues/30999, CVE-2021-29923).
  const zero = m.slice(1, 6).find((part) => part.length > 1 && part.startsWith('0'));
  if (zero !== undefined) return `${text}: "${zero}" has a leading zero, which Go parsers refuse (and others read as octal); write ${m.slice(1, 5).map(Number).join('.')}/${Number(m[5])}`;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return `${text}: every octet must be 0..255`;
  const prefix = Number(m[5]);
  if (prefix > 32) return `${text}: the prefix length must be 0..32`;
  const addr = (((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!) >>> 0;
  const base = prefix === 0 ? 0 : (addr & (0xffffffff << (32 - prefix))) >>> 0;
  if (base !== addr) return `${text} has host bits set; did you mean ${format(base, prefix)}?`;
  return { base, prefix, text };
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function format(base: number, prefix: number): string {
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}

/** The `index`-th block of `blockSize` addresses inside `supernet`, or undefined when it does not fit. */
export function carve(supernet: Cidr, blockSize: number, index: number): string | undefined {
  if ((index + 1) * blockSize > size(supernet)) return undefined;
  return format((supernet.base + index * blockSize) >>> 0, 32 - Math.log2(blockSize));
}
