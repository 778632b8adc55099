import { TierProps } from "./tier";

/** A private network spread over availability zones. */
export interface NetworkProps extends TierProps {
  /** The network's IPv4 block. */
  readonly cidr: string;
  /** How many availability zones to spread over (clouds without zones use one). */
  readonly zones: number;
}

/** A private network. Tiers placed in it reach each other only through `allowFrom`. */
export interface INetwork {
  /** The network's IPv4 block. */
  readonly cidr: string;
  /** How many zones the network actually spans. */
  readonly zones: number;
}
