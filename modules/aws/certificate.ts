import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CertificateProps, CertificateUse, ICertificate } from "../core";
import { AwsDnsZone } from "./dns-zone";
import { asAws } from "./shared";

/** What AWS tiers need of a certificate: its ARN, once validated. */
export interface IAwsCertificate extends ICertificate {
  readonly arn: string;
}

/** A certificate issued elsewhere, given by its ARN (which may be a reference). */
export class ExistingAwsCertificate implements IAwsCertificate {
  constructor(
    public readonly arn: string,
    public readonly use: CertificateUse,
    public readonly names: readonly string[] = [],
  ) {}
}

/** Narrows a neutral certificate to an ACM one; certificates of another cloud's factory are refused. */
export function awsCertificateOf(certificate: ICertificate | undefined): IAwsCertificate {
  if (certificate instanceof AwsCertificate || certificate instanceof ExistingAwsCertificate) return certificate;
  throw new Error("AwsTierFactory was given a certificate that another factory created, or none; AWS tiers only combine with AWS tiers");
}

export interface AwsCertificateProps extends CertificateProps {
  /** The provider of us-east-1, where CloudFront reads certificates from. Required for `cdn`. */
  readonly cdnProvider?: AwsProvider;
}

/**
 * An ACM certificate validated through Route 53. `cdn` certificates are issued in
 * us-east-1 through the second provider alias, as CloudFront requires.
 */
export class AwsCertificate extends Construct implements IAwsCertificate {
  public readonly names: readonly string[];
  public readonly use: CertificateUse;
  /** The ARN, available once validation succeeded: attach this one. */
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: AwsCertificateProps) {
    super(scope, id);
    const zone = asAws(props.zone, AwsDnsZone, "DNS zone");
    if (props.use === "cdn" && !props.cdnProvider) throw new Error("a CloudFront certificate needs the us-east-1 provider");
    const provider = props.use === "cdn" ? props.cdnProvider : undefined;
    this.names = [props.domainName, ...(props.alternativeNames ?? [])];
    this.use = props.use;

    const certificate = new AcmCertificate(this, "certificate", {
      provider,
      domainName: props.domainName,
      subjectAlternativeNames: props.alternativeNames?.length ? [...props.alternativeNames] : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      tags: { Name: `${props.namePrefix}-${props.use}` },
      lifecycle: { createBeforeDestroy: true },
    });
    const records = this.names.map((name) => zone.validationRecord(name, certificate));
    this.arn = new AcmCertificateValidation(this, "validation", {
      provider,
      certificateArn: certificate.arn,
      validationRecordFqdns: records.map((r) => r.fqdn),
    }).certificateArn;
  }
}
