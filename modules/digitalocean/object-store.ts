import { Annotations, Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { Cdn } from "@cdktf/provider-digitalocean/lib/cdn";
import { ProjectResources } from "@cdktf/provider-digitalocean/lib/project-resources";
import { SpacesBucket } from "@cdktf/provider-digitalocean/lib/spaces-bucket";
import { SpacesBucketCorsConfiguration } from "@cdktf/provider-digitalocean/lib/spaces-bucket-cors-configuration";
import { SpacesKey } from "@cdktf/provider-digitalocean/lib/spaces-key";
import { DEFAULTS, IComputePool, IObjectStoreCdn, ObjectStoreProps, SecretRef, given, isReference, negate, optional } from "../core";
import { bucketLifecycle, uniqueBucketName } from "../naming/bucket-name";
import { resourceSecret } from "./shared";

/** The neutral props but the zone and the certificate, which DigitalOcean's CDN cannot use (see the class's gaps). */
export interface DoObjectStoreProps extends Omit<ObjectStoreProps, "zone" | "certificate"> {
  readonly region: string;
  /** The project the bucket joins; a reference that is null joins none. @default - the account's default project */
  readonly projectId?: string;
}

/**
 * A Spaces bucket (listing private, versioned, old versions expired, CORS for the site)
 * behind DigitalOcean's CDN. The application signs with a Spaces key limited to this
 * bucket.
 *
 * PROVIDER GAPS: the CDN serves on its own endpoint name, not `cdnDomain` (a warning says
 * so): a custom name needs a publicly trusted certificate, DigitalOcean's CDN refuses
 * Cloudflare Origin CA certificates (terraform-provider-digitalocean#1135), and rewriting
 * the Host header at Cloudflare needs an Enterprise plan. Spaces has no origin access
 * control, so the CDN reads objects anonymously and objects must be `public-read` (their
 * keys are not listable). Keys are per bucket, not per host: every host given the
 * configuration holds the key.
 */
export class DoObjectStore extends Construct implements IObjectStoreCdn {
  public readonly purpose: "media" | "static";
  public readonly region: string;
  public readonly endpointUrl: string;
  public readonly cdnDomain: string;
  public readonly objectAcl = "public-read";
  public readonly accessKey: { readonly id: string; readonly secret: SecretRef };
  public readonly bucket: SpacesBucket;
  public readonly cdn: Cdn;

  constructor(scope: Construct, id: string, props: DoObjectStoreProps) {
    super(scope, id);
    this.purpose = props.purpose;
    this.region = props.region;
    this.endpointUrl = `https://${props.region}.digitaloceanspaces.com`;
    const name = uniqueBucketName(this, props.namePrefix, props.purpose, props.deletionProtection);

    this.bucket = new SpacesBucket(this, "bucket", {
      name,
      region: props.region,
      acl: "private",
      forceDestroy: negate(props.deletionProtection),
      versioning: { enabled: true },
      lifecycleRule: [
        {
          id: "expire-old-versions",
          enabled: true,
          abortIncompleteMultipartUploadDays: 7,
          noncurrentVersionExpiration: { days: props.noncurrentVersionDays ?? DEFAULTS.objectStore.noncurrentVersionDays },
        },
      ],
      lifecycle: bucketLifecycle(props.deletionProtection, "name"),
    });
    const origins = props.corsOrigins ?? [];
    const withCors = isReference(origins) ? (Op.gte(Fn.lengthOf(origins), 1) as unknown as boolean) : origins.length > 0;
    optional(withCors, (meta) =>
      new SpacesBucketCorsConfiguration(this, "cors", {
        ...meta,
        bucket: this.bucket.name,
        region: props.region,
        corsRule: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: [...origins], allowedHeaders: ["*"], maxAgeSeconds: 3600 }],
      }),
    );
    this.cdn = new Cdn(this, "cdn", { origin: this.bucket.bucketDomainName, ttl: 3600 });
    this.cdnDomain = this.cdn.endpoint;
    if (!isReference(props.cdnDomain)) {
      Annotations.of(this).addWarning(
        `PROVIDER GAP: DigitalOcean's CDN serves ${props.purpose} on its own endpoint name, not "${props.cdnDomain}" (it refuses Cloudflare Origin CA certificates)`,
      );
    }

    const key = new SpacesKey(this, "key", { name, grant: [{ bucket: this.bucket.name, permission: "readwrite" }] });
    this.accessKey = { id: key.accessKey, secret: resourceSecret(key.secretKey, key, "secret_key") };

    const projectId = props.projectId;
    optional(given(projectId), (meta) => new ProjectResources(this, "project", { ...meta, project: projectId!, resources: [this.bucket.urn] }));
  }

  public get bucketName(): string {
    return this.bucket.name;
  }

  /** Hosts use the bucket's key, which every host with the configuration holds (see the class's gaps). */
  public grantReadWrite(_pool: IComputePool): void {}
}
