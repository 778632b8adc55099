import { IAliasTarget, IPeer, SecretRef } from "../core";

/** The secret store AWS tiers put their secrets in. */
export const SECRETS_MANAGER = "aws-secrets-manager";

/**
 * The addresses CloudFront connects to origins from: AWS's managed prefix list, global
 * (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html).
 * Its maximum entries count against the security group's rules quota, so the load balancer
 * behind the CDN admits it in one rule, on 443 only.
 */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";

/** A peer with a security group: every AWS tier that makes or takes connections. */
export interface IAwsPeer extends IPeer {
  readonly securityGroupId: string;
}

/** An alias target with its Route 53 hosted zone (ALB, CloudFront). */
export interface IAwsAliasTarget extends IAliasTarget {
  readonly aliasZoneId: string;
}

/** The security group behind a peer; peers from another cloud's factory are refused. */
export function securityGroupOf(peer: IPeer): string {
  const id = (peer as Partial<IAwsPeer>).securityGroupId;
  if (typeof id !== "string") {
    throw new Error(`AWS tiers can only admit peers created by AwsTierFactory; "${peer.peerName}" has no security group`);
  }
  return id;
}

/** The hosted zone of an alias target; targets from another cloud's factory are refused. */
export function aliasZoneOf(target: IAliasTarget): string {
  const zone = (target as Partial<IAwsAliasTarget>).aliasZoneId;
  if (typeof zone !== "string") {
    throw new Error(`Route 53 can only alias targets created by AwsTierFactory; "${target.hostname}" has no hosted zone id`);
  }
  return zone;
}

/** Narrows a neutral tier to the AWS class that must have created it. */
export function asAws<T>(value: unknown, type: abstract new (...args: never[]) => T, what: string): T {
  if (!(value instanceof type)) {
    throw new Error(`AwsTierFactory was given a ${what} that another factory created; AWS tiers only combine with AWS tiers`);
  }
  return value;
}

/** The ARNs of secrets held in Secrets Manager, each once (several values may share a secret); other stores are refused. */
export function secretArns(secrets: readonly SecretRef[]): string[] {
  return [
    ...new Set(
      secrets.map((s) => {
        if (s.store !== SECRETS_MANAGER) throw new Error(`AWS hosts can only read secrets from ${SECRETS_MANAGER}, not from "${s.store}"`);
        return s.id;
      }),
    ),
  ];
}


/** An IAM policy document as JSON (may contain tokens). */
export function policyDocument(statements: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The trust policy that lets an AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);
}
