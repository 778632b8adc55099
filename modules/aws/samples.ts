import type { CloudSamples } from "../stacks/clouds";

/*
 * AWS's sections of the sample specs (modules/stacks/samples.ts): between them, every field
 * of the aws section is set. The full sample's existing secrets are held in Secrets Manager;
 * the split sample has a stack on AWS too, so the full one can promote from it.
 */
export const AWS_SAMPLES: CloudSamples = {
  split: { aws: { region: "eu-west-1" } },
  full: {
    policy: { suppress: [{ rule: "CT-DB-004", cloud: "aws", resource: "aws_db_instance.sample", reason: "a sample suppression, for the tests" }] },
    aws: {
      region: "eu-west-1",
      allowedAccountIds: ["123456789012"],
      natGateways: "single",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      imageId: "ami-0123456789abcdef0",
      sizes: { compute: { large: "m7i.xlarge" }, postgres: { large: "db.r7g.large" }, cache: { large: "cache.r7g.large" } },
      cdnPriceClass: "PriceClass_100",
      disasterRecoveryRegion: "eu-central-1",
      disasterRecoveryCidr: "10.130.0.0/16",
      secrets: {
        STRIPE_API_KEY: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf", jsonKey: "api_key" },
        REGISTRY_PASSWORD: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/ghcr-AbCdEf" },
      },
    },
  },
};
