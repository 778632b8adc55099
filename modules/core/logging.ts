import { TierProps } from "./tier";

/** Where the hosts' logs go, kept for how long. */
export interface LoggingProps extends TierProps {
  /** Days the cloud keeps them, where it keeps them. */
  readonly retentionDays: number;
}

/** The place the hosts ship their logs to; each cloud's pools know their own kind. */
export interface ILogging {
  /** Where the logs go, in words safe to print (`npm run settings`, docs). */
  readonly destination: string;
}
