import { Construct } from "constructs";
import { TerraformIterator, Token } from "cdktf";
import { DataCloudflareIpRanges } from "@cdktf/provider-cloudflare/lib/data-cloudflare-ip-ranges";

/**
 * Cloudflare's IPv4 address ranges, read from Cloudflare when Terraform plans (so they
 * follow Cloudflare's list), as DigitalOcean load balancer firewall sources (`cidr:...`):
 * the only sources a public load balancer behind Cloudflare admits.
 */
export function cloudflareEdgeCidrs(scope: Construct, id = "cloudflare-ip-ranges"): string[] {
  const ranges = new DataCloudflareIpRanges(scope, id, {});
  return Token.asList(TerraformIterator.fromList(ranges.ipv4Cidrs).forExpressionForList('"cidr:${val}"'));
}
