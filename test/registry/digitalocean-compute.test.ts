import { PoolRole, Size } from "../../modules/core";
import { encodedEnvironmentDelivery } from "../../modules/digitalocean/host-delivery";
import { READ_TOKEN, tagDiscovery } from "../../modules/digitalocean/compute-pool";
import { renderUserData } from "../../modules/django/host";
import { Layout } from "../../modules/django/spec";
import { checkValues, evaluateUserData, expectRefused, expr, problemsIn, useModule } from "./support";

describe("the DigitalOcean compute pool module", () => {
  const { module, read, hcl } = useModule("cloudtiers-compute-pool", "digitalocean");
  const application = { name: "shop-production", image: "ghcr.io/acme/shop:1.4.2", wsgiModule: "shop.wsgi:application", celeryApp: "shop" };
  const values = {
    name_prefix: "shop-production",
    vpc_uuid: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ssh_keys: ["12345678"],
    container_image: application.image,
    wsgi_module: application.wsgiModule,
    celery_app: application.celeryApp,
    domain: "www.example.com",
    environment: { DJANGO_SETTINGS_MODULE: "shop.settings" },
    secrets: { SECRET_KEY: "s3cr3t value" },
    admin_cidrs: ["203.0.113.0/24", "198.51.100.7/32"],
  };
  const environmentLines = "DJANGO_SETTINGS_MODULE=shop.settings\nSECRET_KEY=s3cr3t value\n";
  const sshLoop = '      for cidr in 203.0.113.0/24 198.51.100.7/32; do ufw allow proto tcp from "$cidr" to any port 22; done\n';

  const appTag = "shop-production-app";
  const userData = (role: PoolRole, layout: string, size: string) =>
    evaluateUserData(read, role === "web" ? `web-${layout}` : role === "app" && layout === "nginx-balanced" ? "app-nginx-balanced" : role, "data.digitalocean_vpc.vpc.ip_range", "10.40.0.0/16", {
      ...values,
      role,
      layout,
      size,
      app_tag: appTag,
    });

  it("gives each role the user data the stacks render for it, the environment inline and SSH admitted from admin_cidrs, through Terraform", () => {
    const cases: [PoolRole, Layout, Size][] = [
      ["web", "colocated", "small"],
      ["web", "split", "medium"],
      ["web", "nginx-balanced", "small"],
      ["app", "split", "large"],
      ["app", "nginx-balanced", "medium"],
      ["worker", "colocated", "xlarge"],
      ["beat", "colocated", "small"],
    ];
    for (const [role, layout, size] of cases) {
      const actual = userData(role, layout, size);
      expect(actual).toContain(sshLoop);
      const expected = renderUserData(
        { role, layout, size, application, domain: values.domain, healthCheckPath: "/healthz", allowFrom: ["10.40.0.0/16"], appDiscovery: role === "web" && layout === "nginx-balanced" ? tagDiscovery(appTag) : undefined },
        encodedEnvironmentDelivery(Buffer.from(environmentLines).toString("base64")),
      );
      // The stacks write one ufw command per block they know; the module loops over the list Terraform knows.
      expect({ role, layout, userData: actual.replace(sshLoop, "") }).toEqual({ role, layout, userData: expected });
    }
  });

  it("scales on CPU between min and max, or keeps a fixed number, and keeps beat to one droplet", () => {
    const pool = hcl("main.tf").one("digitalocean_droplet_autoscale");
    expect(pool.config).toEqual([
      expect.objectContaining({
        target_number_instances: expr("(var.min_instances == var.max_instances) ? var.min_instances : null"),
        target_cpu_utilization: expr("(var.min_instances == var.max_instances) ? null : (var.cpu_target_percent / 100)"),
      }),
    ]);
    expect(pool.droplet_template).toEqual([expect.objectContaining({ vpc_uuid: expr("var.vpc_uuid"), region: expr("data.digitalocean_vpc.vpc.region"), with_droplet_agent: true })]);
    expect(pool.lifecycle[0].precondition.map((p: { condition: string }) => p.condition).sort()).toEqual([expr('(!(var.role == "beat") || (var.max_instances == 1))'), expr("(var.min_instances <= var.max_instances)")]);
  });

  it("admits SSH only from admin_cidrs and the role's port only from the load balancers and tags named", () => {
    const main = hcl("main.tf");
    const firewall = main.one("digitalocean_firewall");
    // Every inbound rule is made from the variables: no fixed one.
    expect(firewall.inbound_rule).toBeUndefined();
    const inbound = firewall.dynamic.inbound_rule[0].for_each;
    expect(inbound).toContain('(length(var.admin_cidrs) >= 1) ? [{ "port_range" = "22", "source_addresses" = var.admin_cidrs');
    expect(inbound).toContain(
      '(contains(["web", "app"], var.role) && ((length(var.load_balancer_ids) + length(var.allowed_droplet_tags)) >= 1)) ? [{ "port_range" = tostring(contains(["web", "app"], var.role) ? { "web" = 80, "app" = 8000 }[var.role] : null), "source_addresses" = [], "source_load_balancer_uids" = var.load_balancer_ids, "source_tags" = var.allowed_droplet_tags }] : []',
    );
    expect(main.resources("digitalocean_tag").pool_tag.lifecycle[0].precondition.map((p: { condition: string }) => p.condition)).toEqual([
      expr('(((var.role != "web") || (var.layout != "split")) || contains(keys(var.environment), "APP_UPSTREAM"))'),
      expect.any(String),
    ]);
    // nginx-balanced web droplets need the app pool's tag, and a read token among their secrets (a null one is none), as Terraform decides.
    const condition = String(main.resources("digitalocean_tag").pool_tag.lifecycle[0].precondition[1].condition).slice(2, -1);
    const token = { [READ_TOKEN.setting]: "dop_v1_read" };
    const cases: [string, Record<string, unknown>, boolean][] = [
      ["listing web droplets", { role: "web", layout: "nginx-balanced", app_tag: appTag, secrets: token }, true],
      ["no tag", { role: "web", layout: "nginx-balanced", secrets: token }, false],
      ["no token", { role: "web", layout: "nginx-balanced", app_tag: appTag, secrets: {} }, false],
      ["a null token", { role: "web", layout: "nginx-balanced", app_tag: appTag, secrets: { [READ_TOKEN.setting]: null } }, false],
      ["app droplets", { role: "app", layout: "nginx-balanced", secrets: {} }, true],
    ];
    for (const [what, given, holds] of cases) {
      expect({ what, holds: checkValues(module, { ...values, ...given }, `nonsensitive(${condition})`).trim().endsWith(String(holds)) }).toEqual({ what, holds: true });
    }
  });

  it("refuses what the spec refuses", () => {
    expectRefused(module, { ...values, ssh_keys: [], min_instances: 0, admin_cidrs: ["everyone"], droplet_size: "Big", secrets: { "secret-key": "x" }, app_tag: "shop app" }, [
      "The app_tag must be a droplet tag (letters, digits, colons, dashes and underscores).",
      "The ssh_keys must hold at least 1 key.",
      "The min_instances must be a whole number between 1 and 100.",
      'Every item of admin_cidrs must be an IPv4 CIDR block such as "203.0.113.0/24".',
      'The droplet_size must be a droplet size slug such as "s-2vcpu-4gb".',
      "Every key of secrets must be named like an environment variable (A-Z, 0-9, _; not starting with a digit).",
    ]);
    expect(problemsIn(checkValues(module, { ...values, role: "app", layout: "split", min_instances: 2, max_instances: 6, load_balancer_ids: ["0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"] }))).toEqual([]);
  });
});
