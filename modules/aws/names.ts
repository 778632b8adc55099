import { DerivedName } from "../core";
import { DjangoTopologyProps } from "../django/spec";
import { BUCKET_SUFFIX_PLACEHOLDER, NameList, namingFacts } from "../naming/derived";
import {
  bucketName, cacheName, databaseSetupName, finalSnapshotName, lambdaLogGroupName, loadBalancerName, parameterGroupPrefix,
  poolHostName, poolName, poolerName, postgresName, postgresReplicaName, rabbitMqBrokerName, scalingPolicyName, secretName, securityGroupPrefix, celeryQueueName,
} from "../naming/resource-names";
import { environmentParameterName } from "./host-delivery";

/**
 * Every name an AWS stack of `spec` gives a resource, with the row of NAME_RULES it
 * answers to, made by the functions the constructs name them with.
 */
export function awsDerivedNames(spec: DjangoTopologyProps): DerivedName[] {
  const facts = namingFacts(spec);
  const n = new NameList();
  const p = facts.prefix;
  if (p !== undefined) {
    for (const role of facts.roles) {
      n.prefixed(poolName(p, role), "aws_launch_template.name", "aws_autoscaling_group.name");
      n.prefixed(securityGroupPrefix(poolName(p, role)), "aws_security_group.name_prefix");
      n.prefixed(poolHostName(p, role), "aws_iam_role.name", "aws_iam_instance_profile.name");
      n.prefixed(scalingPolicyName(p, role), "aws_autoscaling_policy.name");
      n.prefixed(environmentParameterName(p, role), "aws_ssm_parameter.name");
    }
    for (const scheme of facts.layout === "split" ? (["public", "internal"] as const) : (["public"] as const)) {
      n.prefixed(loadBalancerName(p, scheme), "aws_lb.name", "aws_lb_target_group.name");
      n.prefixed(securityGroupPrefix(loadBalancerName(p, scheme)), "aws_security_group.name_prefix");
    }
    const postgres = postgresName(p);
    n.prefixed(postgres, "aws_db_instance.identifier", "aws_db_subnet_group.name");
    n.prefixed(securityGroupPrefix(postgres), "aws_security_group.name_prefix");
    n.prefixed(parameterGroupPrefix(p, facts.postgresVersion), "aws_db_parameter_group.name_prefix");
    for (let i = 1; i <= facts.replicas; i++) n.prefixed(postgresReplicaName(p, i), "aws_db_instance.identifier");
    if (facts.protect) n.prefixed(finalSnapshotName(postgres), "aws_db_instance.final_snapshot_identifier");
    if (facts.pooling) {
      n.prefixed(poolerName(postgres), "aws_db_proxy.name", "aws_iam_role.name");
      n.prefixed(securityGroupPrefix(poolerName(postgres)), "aws_security_group.name_prefix");
    }
    for (const path of ["postgres/credentials", "postgres/application", "cache/auth-token", "application"]) n.prefixed(secretName(p, path), "aws_secretsmanager_secret.name");
    const setup = databaseSetupName(p);
    n.prefixed(setup, "aws_lambda_function.function_name", "aws_iam_role.name");
    n.prefixed(securityGroupPrefix(setup), "aws_security_group.name_prefix");
    n.prefixed(lambdaLogGroupName(setup), "aws_cloudwatch_log_group.name");
    const cache = cacheName(p);
    n.prefixed(cache, "aws_elasticache_replication_group.replication_group_id", "aws_elasticache_subnet_group.name");
    n.prefixed(securityGroupPrefix(cache), "aws_security_group.name_prefix");
    if (facts.protect) n.prefixed(finalSnapshotName(cache), "aws_elasticache_replication_group.final_snapshot_identifier");
    if (facts.queueBroker) n.prefixed(`${celeryQueueName(p)}-dead`, "aws_sqs_queue.name");
    if (facts.rabbitMq) {
      n.prefixed(rabbitMqBrokerName(p), "aws_mq_broker.broker_name", "aws_mq_configuration.name");
      n.prefixed(securityGroupPrefix(rabbitMqBrokerName(p)), "aws_security_group.name_prefix");
      n.prefixed(secretName(p, "broker/credentials"), "aws_secretsmanager_secret.name");
    }
    for (const purpose of ["media", "static", ...(facts.failover ? ["maintenance"] : [])]) {
      n.prefixed(bucketName(p, purpose, BUCKET_SUFFIX_PLACEHOLDER), "aws_s3_bucket.bucket", "aws_cloudfront_origin_access_control.name", "aws_cloudfront_response_headers_policy.name");
    }
  }
  n.other("aws_acm_certificate.domain_name", facts.domain);
  n.other("aws_acm_certificate.domain_name", facts.mediaDomain);
  if (facts.failover) n.other("aws_route53_health_check.resource_path", facts.healthCheckPath);
  return n.names;
}
