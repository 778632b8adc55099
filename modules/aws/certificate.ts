import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { TerraformIterator, Token } from "cdktf";
import { CertificateProps, CertificateUse, ICertificate, isReference } from "../core";
import { AwsDnsZone, IAwsDnsZone, awsDnsZoneOf } from "./dns-zone";

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
    const zone = awsDnsZoneOf(props.zone);
    if (props.use === "cdn" && !props.cdnProvider) throw new Error("a CloudFront certificate needs the us-east-1 provider");
    const provider = props.use === "cdn" ? props.cdnProvider : undefined;
    const alternatives = props.alternativeNames ?? [];
    this.names = isReference(alternatives) ? [props.domainName] : [props.domainName, ...alternatives];
    this.use = props.use;

    const certificate = new AcmCertificate(this, "certificate", {
      provider,
      domainName: props.domainName,
      subjectAlternativeNames: isReference(alternatives) || alternatives.length > 0 ? [...alternatives] : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      tags: { Name: `${props.namePrefix}-${props.use}` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.arn = new AcmCertificateValidation(this, "validation", {
      provider,
      certificateArn: certificate.arn,
      validationRecordFqdns: validationFqdns(this, zone, certificate, this.names),
    }).certificateArn;
  }
}

/**
 * The DNS records that prove control of a certificate's names: one per name, owned by the
 * zone this stack made (so certificates sharing a name share a record); when the names or
 * the zone come from elsewhere (a module's variables), one record per validation option,
 * made by Terraform (`for_each`) in the certificate's own scope.
 */
function validationFqdns(scope: Construct, zone: IAwsDnsZone, certificate: AcmCertificate, names: readonly string[]): string[] {
  if (zone instanceof AwsDnsZone && !names.some(isReference)) return names.map((name) => zone.validationRecord(name, certificate).fqdn);
  const options = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
  const records = new Route53Record(scope, "validation-record", {
    forEach: options,
    zoneId: zone.zoneId,
    name: options.getString("resource_record_name"),
    type: options.getString("resource_record_type"),
    records: [options.getString("resource_record_value")],
    ttl: 300,
    allowOverwrite: true,
  });
  return Token.asList(TerraformIterator.fromResources(records).pluckProperty("fqdn"));
}
