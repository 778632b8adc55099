import { Construct } from "constructs";
import { Fn, TerraformCount } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { DEFAULTS, IComputePool, IObjectStoreCdn, ObjectStoreProps, negate } from "../core";
import { BucketDistribution } from "./bucket-distribution";
import { awsCertificateOf } from "./certificate";
import { AwsComputePool } from "./compute-pool";
import { awsDnsZoneOf } from "./dns-zone";
import { uniqueBucketName } from "../naming/bucket-name";
import { asAws, policyDocument } from "./shared";

export interface AwsObjectStoreProps extends ObjectStoreProps {
  readonly region: string;
  readonly priceClass: string;
}

/**
 * An S3 bucket for Django's media or static files behind CloudFront on its own host name
 * (A and AAAA alias records). The bucket is private; hosts get read/write through their
 * instance role, viewers read through the CDN only.
 */
export class AwsObjectStore extends Construct implements IObjectStoreCdn {
  public readonly purpose: "media" | "static";
  public readonly region: string;
  public readonly endpointUrl: string;
  public readonly cdnDomain: string;
  /** CloudFront reads through origin access control, so objects stay private. */
  public readonly objectAcl = "private";
  public readonly store: BucketDistribution;

  constructor(scope: Construct, id: string, props: AwsObjectStoreProps) {
    super(scope, id);
    const zone = awsDnsZoneOf(props.zone);
    const certificate = awsCertificateOf(props.certificate);
    this.purpose = props.purpose;
    this.region = props.region;
    this.endpointUrl = `https://s3.${props.region}.amazonaws.com`;
    this.cdnDomain = props.cdnDomain;

    this.store = new BucketDistribution(this, "store", {
      bucketName: uniqueBucketName(this, props.namePrefix, props.purpose, props.deletionProtection),
      forceDestroy: negate(props.deletionProtection),
      preventDestroy: props.deletionProtection,
      noncurrentVersionDays: props.noncurrentVersionDays ?? DEFAULTS.objectStore.noncurrentVersionDays,
      corsOrigins: props.corsOrigins ?? [],
      distribution: { aliases: [props.cdnDomain], certificateArn: certificate.arn, priceClass: props.priceClass, comment: `${props.namePrefix} ${props.purpose}` },
    });
    const distribution = this.store.distribution!;
    for (const type of ["A", "AAAA"]) {
      new Route53Record(this, `alias-${type.toLowerCase()}`, {
        zoneId: zone.zoneId,
        name: props.cdnDomain,
        type,
        alias: {
          name: distribution.domainName,
          zoneId: distribution.hostedZoneId,
          evaluateTargetHealth: false,
        },
      });
    }
  }

  public get bucketName(): string {
    return this.store.bucket.bucket;
  }

  /** An inline policy on the pool's instance role: list the bucket, read, write and delete objects. */
  public grantReadWrite(pool: IComputePool): void {
    const hosts = asAws(pool, AwsComputePool, "compute pool");
    new IamRolePolicy(this, `${hosts.role}-read-write`, { name: `${this.purpose}-read-write`, role: hosts.instanceRole.id, policy: this.readWritePolicy() });
  }

  /**
   * The same policy on every role in `roleIds`, which may be a reference: one per role,
   * counted (role names made by other resources may be unknown at plan; a count needs
   * only the list's length).
   */
  public grantReadWriteToRoles(roleIds: string[]): void {
    const count = TerraformCount.of(Fn.lengthOf(roleIds));
    new IamRolePolicy(this, "roles-read-write", { count, name: `${this.purpose}-read-write`, role: Fn.element(roleIds, count.index), policy: this.readWritePolicy() });
  }

  private readWritePolicy(): string {
    const bucket = this.store.bucket;
    return policyDocument([
      { Sid: "List", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucket.arn] },
      { Sid: "Objects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${bucket.arn}/*`] },
    ]);
  }
}
