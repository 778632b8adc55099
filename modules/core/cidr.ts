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
  const range = (cidr: string): [number, number] => {
    const [address, prefix] = cidr.split("/");
    const size = 2 ** (32 - Number(prefix));
    const first = toInt(address) - (toInt(address) % size);
    return [first, first + size - 1];
  };
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}
