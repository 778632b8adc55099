import { DerivedName } from "../core";
import { DjangoTopologyProps } from "../django/spec";
import { BUCKET_SUFFIX_PLACEHOLDER, NameList, hexPlaceholder, namingFacts } from "../naming/derived";
import {
  CERTIFICATE_DIGEST_LENGTH, REVISION_DIGEST_LENGTH, bucketName, cacheName, certificateName, databaseSetupName, edgeWorkerName,
  loadBalancerName, poolName, postgresDisasterRecoveryName, postgresName, postgresReplicaName, revisionTagName,
} from "../naming/resource-names";

/**
 * Every name a DigitalOcean + Cloudflare stack of `spec` gives a resource, with the row of
 * NAME_RULES it answers to, made by the functions the constructs name them with.
 * `disasterRecovery`: whether the spec asks for a replica in another region.
 */
export function digitalOceanDerivedNames(spec: DjangoTopologyProps, disasterRecovery: boolean): DerivedName[] {
  const facts = namingFacts(spec);
  const n = new NameList();
  const p = facts.prefix;
  if (p !== undefined) {
    n.prefixed(p, "digitalocean_vpc.name", "digitalocean_tag.name");
    for (const role of facts.roles) {
      n.prefixed(poolName(p, role), "digitalocean_droplet_autoscale.name", "digitalocean_firewall.name", "digitalocean_tag.name");
      n.prefixed(revisionTagName(poolName(p, role), hexPlaceholder(REVISION_DIGEST_LENGTH)), "digitalocean_tag.name");
    }
    for (const scheme of facts.layout === "split" ? (["public", "internal"] as const) : (["public"] as const)) {
      n.prefixed(loadBalancerName(p, scheme), "digitalocean_loadbalancer.name");
    }
    n.prefixed(certificateName(p, "load-balancer", hexPlaceholder(CERTIFICATE_DIGEST_LENGTH)), "digitalocean_certificate.name");
    n.prefixed(postgresName(p), "digitalocean_database_cluster.name");
    for (let i = 1; i <= facts.replicas; i++) n.prefixed(postgresReplicaName(p, i), "digitalocean_database_replica.name");
    if (disasterRecovery) n.prefixed(postgresDisasterRecoveryName(p), "digitalocean_database_replica.name");
    n.prefixed(cacheName(p), "digitalocean_database_cluster.name");
    n.prefixed(databaseSetupName(p), "digitalocean_droplet.name", "digitalocean_firewall.name", "digitalocean_tag.name");
    for (const purpose of ["media", "static"]) {
      n.prefixed(bucketName(p, purpose, BUCKET_SUFFIX_PLACEHOLDER), "digitalocean_spaces_bucket.name", "digitalocean_spaces_key.name");
    }
    if (facts.failover) n.prefixed(edgeWorkerName(p), "cloudflare_workers_script.script_name");
  }
  n.other("cloudflare_dns_record.name", facts.domain);
  n.other("tls_cert_request.subject.common_name", facts.domain);
  return n.names;
}
