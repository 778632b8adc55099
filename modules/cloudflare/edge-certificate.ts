import { CertificateProps, CertificateUse, ICertificate } from "../core";

/**
 * The certificate Cloudflare's edge presents for proxied names: Universal SSL, managed by
 * Cloudflare for the zone, so nothing is created here. The settings' validation keeps
 * proxied names within its coverage (the apex and one level below).
 */
export class EdgeCertificate implements ICertificate {
  public readonly names: readonly string[];
  public readonly use: CertificateUse;

  constructor(props: CertificateProps) {
    this.names = [props.domainName, ...(props.alternativeNames ?? [])];
    this.use = props.use;
  }
}
