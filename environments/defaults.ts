import { ApplicationSpec } from "../modules/django/spec";
import { AwsSettings } from "../modules/aws/settings";

/** The application every shipped environment runs. */
export const application: ApplicationSpec = {
  name: "shop",
  image: "ghcr.io/acme/shop:1.0.0",
  wsgiModule: "shop.wsgi:application",
  celeryApp: "shop",
  settingsModule: "shop.settings.production",
};

/** The zone every shipped environment's names live in. */
export const dnsZone = "example.com";

/** AWS settings shared by the shipped environments. */
export const aws: AwsSettings = {
  region: "eu-west-1",
};
