import { TerraformResource } from "cdktf";
import { IPeer, SecretRef } from "../core";

/**
 * DigitalOcean has no secret store: secrets are Terraform attributes (in state) that reach
 * hosts inside their user data. A `SecretRef` of this store holds the value's reference.
 */
export const TERRAFORM_STATE = "terraform-state";

/** A secret that is a Terraform value; `location` says where it lives, without the value. */
export function stateSecret(value: string, location: string): SecretRef {
  return { store: TERRAFORM_STATE, id: value, location: `${TERRAFORM_STATE}:${location}` };
}

/**
 * A secret that is an attribute of a resource: its location is the resource's address as
 * `terraform state show` takes it (`digitalocean_database_user.django_postgres_user_12A14ECB`)
 * and the attribute, built from the resource's plain name, never from a reference that
 * Terraform would evaluate into the value.
 */
export function resourceSecret(value: string, resource: TerraformResource, attribute: string): SecretRef {
  return stateSecret(value, `${resource.terraformResourceType}.${resource.friendlyUniqueId}.${attribute}`);
}

/** What a DigitalOcean firewall rule names as the source of a peer's traffic. */
export interface FirewallSources {
  readonly loadBalancerUids?: string[];
  readonly tags?: string[];
}

/** A peer DigitalOcean firewalls can name: a load balancer (by uid) or a pool (by tag). */
export interface IDoPeer extends IPeer {
  readonly firewallSources: FirewallSources;
}

/** The firewall sources of a peer; peers from another cloud's factory are refused. */
export function firewallSourcesOf(peer: IPeer): FirewallSources {
  const sources = (peer as Partial<IDoPeer>).firewallSources;
  if (!sources) throw new Error(`DigitalOcean tiers can only admit peers created by DigitalOceanTierFactory; "${peer.peerName}" has no firewall identity`);
  return sources;
}

/** The droplet tag of a pool peer, for database firewalls (which name tags, not load balancers). */
export function tagOf(peer: IPeer): string {
  const tag = firewallSourcesOf(peer).tags?.[0];
  if (!tag) throw new Error(`"${peer.peerName}" has no droplet tag a database firewall can name`);
  return tag;
}

/** Narrows a neutral tier to the DigitalOcean class that must have created it. */
export function asDo<T>(value: unknown, type: abstract new (...args: never[]) => T, what: string): T {
  if (!(value instanceof type)) {
    throw new Error(`DigitalOceanTierFactory was given a ${what} that another factory created; DigitalOcean tiers only combine with DigitalOcean tiers`);
  }
  return value;
}
