import { Fn } from "cdktf";
import { isReference } from "./decide";
import { isIpv4Cidr } from "./validation";

function toInt(address: string): number {
  return address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * The `index`-th subnet of `newBits` extra prefix bits inside `cidr`, like Terraform's
 * `cidrsubnet()`, computed at synth time so plans show literal blocks; Terraform's own
 * `cidrsubnet()` when the block or the index is a reference.
 */
export function cidrSubnet(cidr: string, newBits: number, index: number): string {
  if (isReference(cidr) || isReference(index)) return Fn.cidrsubnet(cidr, newBits, index);
  if (!isIpv4Cidr(cidr)) throw new Error(`cidrSubnet: ${JSON.stringify(cidr)} is not an IPv4 CIDR block`);
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText) + newBits;
  if (prefix > 32) throw new Error(`cidrSubnet: ${cidr} has no room for ${newBits} more prefix bits`);
  if (index < 0 || index >= 2 ** newBits) {
    throw new Error(`cidrSubnet: ${cidr} holds ${2 ** newBits} subnets of /${prefix}, index ${index} is out of range`);
  }
  return `${toAddress(toInt(address) + index * 2 ** (32 - prefix))}/${prefix}`;
}

/** Whether two IPv4 CIDR blocks share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return rangesOverlap(cidrRange(a), cidrRange(b));
}

/** Whether two address ranges (`cidrRange`'s) share an address. */
export function rangesOverlap([a0, a1]: readonly [number, number], [b0, b1]: readonly [number, number]): boolean {
  return a0 <= b1 && b0 <= a1;
}

/** The first and last address of an IPv4 CIDR block, as numbers. */
export function cidrRange(cidr: string): [number, number] {
  const [address, prefix] = cidr.split("/");
  const size = 2 ** (32 - Number(prefix));
  const first = toInt(address) - (toInt(address) % size);
  return [first, first + size - 1];
}

/** Whether every address of `inner` is in `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [i0, i1] = cidrRange(inner);
  const [o0, o1] = cidrRange(outer);
  return o0 <= i0 && i1 <= o1;
}

/** Whether the IPv4 CIDR blocks together hold every IPv4 address (`0.0.0.0/0`), however they are split. */
export function cidrsCoverAll(blocks: readonly string[]): boolean {
  const ranges = blocks.map(cidrRange).sort((a, b) => a[0] - b[0]);
  let next = 0; // the first address not yet covered
  for (const [first, last] of ranges) {
    if (first > next) return false;
    next = Math.max(next, last + 1);
  }
  return next > 2 ** 32 - 1;
}
