import { AwsSettings } from "../aws/settings";
import { CloudflareSettings } from "../cloudflare/settings";
import { DigitalOceanSettings } from "../digitalocean/settings";
import { DjangoTopologyProps } from "../django/spec";

/**
 * One environment: the neutral topology plus one section per cloud it is deployed to.
 * A stack `<environment>-<cloud>` is synthesised for each cloud section present.
 */
export interface EnvironmentSpec extends DjangoTopologyProps {
  /** Settings of the AWS stack (`<environment>-aws`). */
  readonly aws?: AwsSettings;
  /** Settings of the DigitalOcean stack (`<environment>-do`); it needs `cloudflare` too. */
  readonly digitalocean?: DigitalOceanSettings;
  /** The Cloudflare edge of the DigitalOcean stack: account, zone, TLS settings. */
  readonly cloudflare?: CloudflareSettings;
}
