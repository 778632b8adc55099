import { StackDocument } from "../policy";
import { CloudAdapter } from "./clouds";

/** Per stack, the Terraform address of every resource that holds data. */
export type AddressBook = Record<string, string[]>;

/** The file that records the shipped stacks' stateful addresses (written by scripts/addresses.ts). */
export const ADDRESS_BOOK = "stateful-addresses.json";

/** The stack's stateful addresses (databases, replicas, caches, buckets, zones, secrets), sorted. */
export function statefulAddresses(doc: StackDocument, cloud: CloudAdapter): string[] {
  return doc.all(cloud.policy.statefulTypes).map((r) => r.address).sort();
}

/**
 * How a stack's stateful addresses differ from the recorded ones. A recorded address may
 * disappear only through a `moved` block to an address the stack has (Terraform then
 * carries the state over instead of destroying the resource); an address that is neither
 * recorded nor the target of such a move must be recorded, so the change is reviewed.
 */
export function addressProblems(stack: string, recorded: readonly string[], doc: StackDocument, cloud: CloudAdapter): string[] {
  const current = statefulAddresses(doc, cloud);
  const moves = doc.moves().filter((m) => current.includes(m.to));
  const problems: string[] = [];
  for (const address of recorded) {
    if (current.includes(address) || moves.some((m) => m.from === address)) continue;
    problems.push(
      `${stack}: ${address} is gone: Terraform would destroy it and create a new one. Keep its construct id, or move its state: newResource.moveFromId("${address}")`,
    );
  }
  for (const address of current) {
    if (recorded.includes(address) || moves.some((m) => m.to === address && recorded.includes(m.from))) continue;
    problems.push(`${stack}: ${address} is a stateful resource not recorded in ${ADDRESS_BOOK}: review it, then record it`);
  }
  return problems;
}
