import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { Certificate } from "@cdktf/provider-digitalocean/lib/certificate";
import { CertificateProps, CertificateUse, ICertificate, isReference } from "../core";
import { OriginCertificate } from "../cloudflare/origin-certificate";
import { CERTIFICATE_DIGEST_LENGTH, certificateName } from "../naming/resource-names";

/** What DigitalOcean load balancers need of a certificate: the uploaded certificate's name. */
export interface IDoCertificate extends ICertificate {
  readonly name: string;
}

/** A certificate uploaded elsewhere, given by its name (which may be a reference). */
export class ExistingDoCertificate implements IDoCertificate {
  constructor(
    public readonly name: string,
    public readonly use: CertificateUse,
    public readonly names: readonly string[] = [],
  ) {}
}

/** Narrows a neutral certificate to an uploaded DigitalOcean one; certificates of another cloud's factory are refused. */
export function doCertificateOf(certificate: ICertificate | undefined): IDoCertificate {
  if (certificate instanceof DoCertificate || certificate instanceof ExistingDoCertificate) return certificate;
  throw new Error("DigitalOceanTierFactory was given a certificate that another factory created, or none; DigitalOcean tiers only combine with DigitalOcean tiers");
}

/**
 * The certificate DigitalOcean presents to Cloudflare: a Cloudflare Origin CA certificate
 * for the names, uploaded as a custom certificate for the load balancer or the CDN.
 * Viewers see Cloudflare's edge certificate; the edge verifies this one (SSL strict).
 */
export class DoCertificate extends Construct implements IDoCertificate {
  public readonly names: readonly string[];
  public readonly use: CertificateUse;
  /** The uploaded certificate's name, which load balancers and CDN endpoints refer to. */
  public readonly name: string;
  /** The Cloudflare Origin CA certificate and its key. */
  public readonly origin: OriginCertificate;
  /** The certificate uploaded to DigitalOcean. */
  public readonly certificate: Certificate;

  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    const alternatives = props.alternativeNames ?? [];
    // A module's list variable is one reference: Terraform joins the names.
    this.names = isReference(alternatives) ? Token.asList(Fn.concat([[props.domainName], alternatives])) : [props.domainName, ...alternatives];
    this.use = props.use;
    const origin = (this.origin = new OriginCertificate(this, "origin", { hostnames: this.names }));
    // Named after its content: a replacement (new names, new key) gets a new name, so it
    // can exist before the old one goes; DigitalOcean refuses two with one name.
    const certificate = (this.certificate = new Certificate(this, "certificate", {
      name: certificateName(props.namePrefix, props.use, Fn.substr(Fn.sha1(origin.certificatePem), 0, CERTIFICATE_DIGEST_LENGTH)),
      type: "custom",
      privateKey: origin.privateKeyPem,
      leafCertificate: origin.certificatePem,
      lifecycle: { createBeforeDestroy: true },
    }));
    this.name = certificate.name;
  }
}
