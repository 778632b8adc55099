import { ApplicationSpec } from "../modules/django/spec";
import { AwsSettings } from "../modules/aws/settings";
import { CloudflareSettings } from "../modules/cloudflare/settings";
import { DigitalOceanSettings } from "../modules/digitalocean/settings";

/** The application every shipped environment runs. */
export const application: ApplicationSpec = {
  name: "shop",
  // Pinned by digest, as production requires; CI gives each release's own (CLOUDTIERS_IMAGE_<ENVIRONMENT>).
  image: "ghcr.io/acme/shop:1.0.0@sha256:ed848f775b63800b8edef92408ea12bde179fd7e5eb2d5bae08ed6416bac1566",
  wsgiModule: "shop.wsgi:application",
  celeryApp: "shop",
  settingsModule: "shop.settings.production",
  // Made by Terraform and kept in its state: the same key across deploys, never in this repository.
  secrets: { DJANGO_SECRET_KEY: { source: "generated" } },
};

/** The zone every shipped environment's names live in. */
export const dnsZone = "example.com";

/** AWS settings shared by the shipped environments. */
export const aws: AwsSettings = {
  region: "eu-west-1",
};

/** DigitalOcean settings shared by the shipped environments (the key is an example fingerprint). */
export const digitalocean: DigitalOceanSettings = {
  region: "fra1",
  sshKeys: ["3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"],
};

/** The Cloudflare account and zone of `example.com` (example ids: use your own). */
export const cloudflare: CloudflareSettings = {
  accountId: "0123456789abcdef0123456789abcdef",
  zoneId: "fedcba9876543210fedcba9876543210",
};
