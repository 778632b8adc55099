import { IDnsZone } from "./dns";
import { TierProps } from "./tier";

/** Where a certificate is presented: on the regional load balancer or at the CDN edge. */
export type CertificateUse = "load-balancer" | "cdn";

/** A TLS certificate for names inside one zone, validated through that zone. */
export interface CertificateProps extends TierProps {
  /** The zone whose records prove control of the names. */
  readonly zone: IDnsZone;
  /** The certificate's main name. */
  readonly domainName: string;
  /**
   * Further names it covers.
   * @default []
   */
  readonly alternativeNames?: readonly string[];
  /** Where it is presented. */
  readonly use: CertificateUse;
}

/** A TLS certificate ready to be attached. */
export interface ICertificate {
  /** Every name it covers, the main name first. */
  readonly names: readonly string[];
  /** Where it is presented. */
  readonly use: CertificateUse;
}
