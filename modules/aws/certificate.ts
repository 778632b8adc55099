import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CertificateProps, CertificateUse, ICertificate } from "../core";
import { AwsDnsZone } from "./dns-zone";
import { asAws } from "./shared";

export interface AwsCertificateProps extends CertificateProps {
  /** The provider of us-east-1, where CloudFront reads certificates from. Required for `cdn`. */
  readonly cdnProvider?: AwsProvider;
}

/**
 * An ACM certificate validated through Route 53. `cdn` certificates are issued in
 * us-east-1 through the second provider alias, as CloudFront requires.
 */
export class AwsCertificate extends Construct implements ICertificate {
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
