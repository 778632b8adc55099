import { parse } from "yaml";
import { DatabaseUser } from "@cdktf/provider-digitalocean/lib/database-user";
import { DO_IMAGE } from "../../modules/digitalocean/sizes";
import { TERRAFORM_STATE } from "../../modules/digitalocean/shared";
import { doFixture, dropletUserData, fetchScriptHost, ref, synth } from "../helpers";

function pool(overrides: { min?: number; max?: number; adminCidrs?: string[] } = {}) {
  const f = doFixture({ adminCidrs: overrides.adminCidrs });
  const lb = f.factory.createLoadBalancer(f.stack, "lb", {
    namePrefix: f.namePrefix,
    network: f.network,
    scheme: "public",
    certificate: f.certificate,
    targetPort: 80,
    healthCheck: { path: "/healthz" },
  });
  // A real reference, as the database tier gives: a literal "${...}" would be escaped.
  const holder = new DatabaseUser(f.stack, "user", { clusterId: "c", name: "app" });
  const configuration = {
    settings: [{ name: "SITE_URL", value: "https://www.example.com" }, { name: "NOTE", value: "literal ${HOME} stays text" }],
    secrets: [{ name: "DATABASE_PASSWORD", secret: { store: TERRAFORM_STATE, id: holder.password } }],
  };
  f.factory.createComputePool(f.stack, "web", {
    namePrefix: f.namePrefix,
    network: f.network,
    role: "web",
    size: "medium",
    minInstances: overrides.min ?? 2,
    maxInstances: overrides.max ?? 6,
    cpuTargetPercent: 55,
    port: 80,
    loadBalancer: lb,
    host: fetchScriptHost(configuration),
  });
  return synth(f.stack);
}

describe("DigitalOcean compute pool", () => {
  it("autoscales droplets of the size's slug on CPU, in the VPC, with the monitoring agent and the account's SSH key", () => {
    const s = pool();
    const p = s.one("digitalocean_droplet_autoscale", "web");
    expect(p.name).toBe("shop-test-web");
    expect(p.config).toEqual({ min_instances: 2, max_instances: 6, target_cpu_utilization: 0.55, cooldown_minutes: 10 });
    expect(p.droplet_template).toMatchObject({
      image: DO_IMAGE,
      size: "s-2vcpu-4gb",
      region: "fra1",
      vpc_uuid: ref(s.address("digitalocean_vpc"), "id"),
      tags: [ref(s.address("digitalocean_tag", "web/tag"), "name"), ref(s.address("digitalocean_tag", "web/revision"), "name")],
      ssh_keys: ["12345"],
      with_droplet_agent: true,
      ipv6: false,
    });
  });

  it("tags the droplets of each version of the user data (npm run rollout tells new from old by it)", () => {
    const s = pool();
    const template = s.one("digitalocean_droplet_autoscale", "web").droplet_template.user_data;
    const local = /^\$\{local\.([\w-]+)\}$/.exec(template)![1];
    // Terraform hashes the text the droplets boot with, references resolved: a new image, setting or password is a new revision.
    expect(s.one("digitalocean_tag", "web/revision")).toEqual({ name: `shop-test-web-rev-\${substr(sha256(local.${local}), 0, 12)}`, lifecycle: { create_before_destroy: true } });
    expect(dropletUserData(s, "web")).toMatch(/^#!\/bin\/sh\n# packages: /);
  });

  it("a pool of fixed size asks for that many droplets rather than a CPU target", () => {
    expect(pool({ min: 1, max: 1 }).one("digitalocean_droplet_autoscale", "web").config).toEqual({ target_number_instances: 1 });
  });

  it("boots the shared user data, with the environment and its secrets inline (no secret store on DigitalOcean)", () => {
    const s = pool();
    const userData = dropletUserData(s, "web");
    expect(userData).toContain(
      `cat > "$1" <<'CLOUDTIERS_ENV'\nSITE_URL=https://www.example.com\nNOTE=literal $\${HOME} stays text\nDATABASE_PASSWORD=${ref(s.address("digitalocean_database_user"), "password")}\nCLOUDTIERS_ENV\n`,
    );
  });

  it("closes the metadata service, which serves the secrets with the user data, to regular users' processes at every start", () => {
    const userData = dropletUserData(pool(), "web");
    const rule = "-d 169.254.169.254 -p tcp -m owner --uid-owner 1000-4294967294 -j REJECT";
    expect(userData).toMatch(new RegExp(`\\n\\s*iptables -C OUTPUT ${rule} 2>/dev/null \\|\\| iptables -I OUTPUT ${rule}\\n\\s*umask 077\\n\\s*cat > "\\$1"`));
  });

  it("firewalls its tag: the pool's port from its load balancer only, no SSH, everything out", () => {
    const s = pool();
    const fw = s.one("digitalocean_firewall", "web");
    expect(fw.tags).toEqual([ref(s.address("digitalocean_tag", "web/tag"), "name")]);
    expect(fw.inbound_rule).toEqual([{ protocol: "tcp", port_range: "80", source_load_balancer_uids: [ref(s.address("digitalocean_loadbalancer", "lb"), "id")] }]);
    expect(fw.outbound_rule.map((r: { protocol: string }) => r.protocol)).toEqual(["tcp", "udp", "icmp"]);
  });

  it("opens SSH only from the admin addresses given", () => {
    const fw = pool({ adminCidrs: ["203.0.113.0/24"] }).one("digitalocean_firewall", "web");
    expect(fw.inbound_rule).toContainEqual({ protocol: "tcp", port_range: "22", source_addresses: ["203.0.113.0/24"] });
  });

  it("refuses secrets it cannot deliver", () => {
    const f = doFixture();
    expect(() =>
      f.factory.createComputePool(f.stack, "worker", {
        namePrefix: f.namePrefix,
        network: f.network,
        role: "worker",
        size: "small",
        minInstances: 1,
        maxInstances: 1,
        host: fetchScriptHost({ settings: [], secrets: [{ name: "X", secret: { store: "aws-secrets-manager", id: "arn" } }] }),
      }),
    ).toThrow('DigitalOcean hosts can only receive secrets held in terraform-state, not "aws-secrets-manager"');
  });

  it("renders user data cloud-init can parse, Terraform references left intact", () => {
    const userData = dropletUserData(pool(), "web");
    expect(userData.startsWith("#!/bin/sh")).toBe(true);
    expect(() => parse(userData.replace(/^#!\/bin\/sh\n/, ""))).not.toThrow();
  });
});
