import type { CloudSamples } from "../stacks/clouds";

/*
 * DigitalOcean + Cloudflare's sections of the sample specs (modules/stacks/samples.ts), every
 * field set. Only the split sample: DigitalOcean has no store for the full sample's existing
 * secrets.
 */
export const DIGITALOCEAN_SAMPLES: CloudSamples = {
  split: {
    digitalocean: {
      region: "fra1",
      sshKeys: ["3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa", "12345"],
      adminCidrs: ["203.0.113.0/24"],
      projectId: "01234567-89ab-cdef-0123-456789abcdef",
      disasterRecoveryRegion: "ams3",
      loadBalancerSizeUnit: 2,
      logDestination: "logs5.papertrailapp.com:12345",
      sizes: { compute: { large: "c-4" }, postgres: { large: "db-s-4vcpu-8gb" }, cache: { large: "db-s-2vcpu-4gb" } },
    },
    cloudflare: { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210", manageZoneSettings: false, advancedCertificates: true, plan: "business" },
  },
};
