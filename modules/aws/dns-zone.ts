import { Construct } from "constructs";
import { Fn, TerraformIterator } from "cdktf";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { DnsZoneProps, IDnsZone } from "../core";

export interface AwsDnsZoneProps extends DnsZoneProps {
  /** An existing hosted zone's id; skips creation and lookup. */
  readonly hostedZoneId?: string;
}

/** What AWS tiers need of a hosted zone: its id and name. */
export interface IAwsDnsZone extends IDnsZone {
  readonly zoneId: string;
}

/** A hosted zone made elsewhere, given by its id and name (which may be references). */
export class ExistingAwsDnsZone implements IAwsDnsZone {
  constructor(
    public readonly zoneId: string,
    public readonly zoneName: string,
  ) {}
}

/** Narrows a neutral zone to a Route 53 one; zones of another cloud's factory are refused. */
export function awsDnsZoneOf(zone: IDnsZone): IAwsDnsZone {
  if (zone instanceof AwsDnsZone || zone instanceof ExistingAwsDnsZone) return zone;
  throw new Error("AwsTierFactory was given a DNS zone that another factory created; AWS tiers only combine with AWS tiers");
}

function recordId(domain: string): string {
  return `validation-${domain.replace(/\./g, "-")}`;
}

/**
 * A Route 53 public hosted zone: an existing one (by id, or looked up by name) or one this
 * stack creates and protects. It also owns the ACM validation records of every certificate
 * issued for its names, one record per name, so two certificates covering the same name
 * (regional and CloudFront) share one record instead of fighting over it.
 */
export class AwsDnsZone extends Construct implements IAwsDnsZone {
  public readonly zoneName: string;
  public readonly zoneId: string;
  /** The zone's name servers, when this stack creates it. */
  public readonly nameServers?: string[];
  private readonly validationRecords = new Map<string, Route53Record>();

  constructor(scope: Construct, id: string, props: AwsDnsZoneProps) {
    super(scope, id);
    this.zoneName = props.zoneName;
    if (props.hostedZoneId) {
      this.zoneId = props.hostedZoneId;
    } else if (props.create) {
      const zone = new Route53Zone(this, "zone", {
        name: props.zoneName,
        comment: `${props.namePrefix}: managed by cloudtiers`,
        forceDestroy: false,
        lifecycle: { preventDestroy: props.deletionProtection },
      });
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    } else {
      this.zoneId = new DataAwsRoute53Zone(this, "zone", { name: props.zoneName, privateZone: false }).zoneId;
    }
  }

  /**
   * The DNS validation record of `domain` for `certificate`, created the first time a
   * certificate asks for that name. ACM gives the same record to every certificate of an
   * account for the same name, so later certificates reuse it.
   */
  public validationRecord(domain: string, certificate: AcmCertificate): Route53Record {
    const existing = this.validationRecords.get(domain);
    if (existing) return existing;
    const options = TerraformIterator.fromComplexList(certificate.domainValidationOptions, "domain_name");
    const field = (name: string) => Fn.one(options.forExpressionForList(`val.${name} if val.domain_name == "${domain}"`));
    const record = new Route53Record(this, recordId(domain), {
      zoneId: this.zoneId,
      name: field("resource_record_name"),
      type: field("resource_record_type"),
      records: [field("resource_record_value")],
      ttl: 300,
      allowOverwrite: true,
    });
    this.validationRecords.set(domain, record);
    return record;
  }
}
