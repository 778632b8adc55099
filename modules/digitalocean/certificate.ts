import { Fn } from "cdktf";
import { Construct } from "constructs";
import { Certificate } from "@cdktf/provider-digitalocean/lib/certificate";
import { CertificateProps, CertificateUse, ICertificate } from "../core";
import { OriginCertificate } from "../cloudflare/origin-certificate";

/**
 * The certificate DigitalOcean presents to Cloudflare: a Cloudflare Origin CA certificate
 * for the names, uploaded as a custom certificate for the load balancer or the CDN.
 * Viewers see Cloudflare's edge certificate; the edge verifies this one (SSL strict).
 */
export class DoCertificate extends Construct implements ICertificate {
  public readonly names: readonly string[];
  public readonly use: CertificateUse;
  /** The uploaded certificate's name, which load balancers and CDN endpoints refer to. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    this.names = [props.domainName, ...(props.alternativeNames ?? [])];
    this.use = props.use;
    const origin = new OriginCertificate(this, "origin", { hostnames: this.names });
    // Named after its content: a replacement (new names, new key) gets a new name, so it
    // can exist before the old one goes; DigitalOcean refuses two with one name.
    const certificate = new Certificate(this, "certificate", {
      name: `${props.namePrefix}-${props.use}-${Fn.substr(Fn.sha1(origin.certificatePem), 0, 8)}`,
      type: "custom",
      privateKey: origin.privateKeyPem,
      leafCertificate: origin.certificatePem,
      lifecycle: { createBeforeDestroy: true },
    });
    this.name = certificate.name;
  }
}
