import { parse } from "yaml";
import { DATABASE_SETUP_DROPLET_SIZE } from "../../modules/digitalocean/database-setup";
import { DATABASE_SETUP_PATHS, databaseRoleSetup } from "../../modules/django/database";
import { DATABASE_NAME, DATABASE_USER } from "../../modules/django/topology";
import { production } from "../../environments/production";
import { Synth, dropletUserData, synthDoEnvironment } from "../helpers";

describe("the database setup on DigitalOcean, in the synthesised stack", () => {
  let s: Synth;
  beforeAll(() => {
    s = synthDoEnvironment(production);
  });
  const ref = (type: string, path: string, attribute: string) => `\${${s.address(type, path)}.${attribute}}`;

  it("runs on a one-off droplet in the VPC, after the API's database and user exist, with a firewall that admits nothing", () => {
    const droplet = s.one("digitalocean_droplet", "postgres/setup");
    expect(droplet).toMatchObject({
      name: "shop-production-database-setup",
      size: DATABASE_SETUP_DROPLET_SIZE,
      image: "ubuntu-24-04-x64",
      region: "fra1",
      vpc_uuid: ref("digitalocean_vpc", "network", "id"),
      tags: [ref("digitalocean_tag", "postgres/setup/tag", "name")],
      ipv6: false,
    });
    expect(droplet.depends_on).toEqual(
      expect.arrayContaining([s.address("digitalocean_firewall", "postgres/setup"), s.address("digitalocean_database_db", "postgres/database"), s.address("digitalocean_database_user", "postgres/user")]),
    );
    const firewall = s.one("digitalocean_firewall", "postgres/setup");
    expect(firewall.inbound_rule).toBeUndefined();
    expect(firewall.tags).toEqual([ref("digitalocean_tag", "postgres/setup/tag", "name")]);
  });

  it("powers itself off when the setup is done or has failed, and refuses to start without the admin's password", () => {
    const droplet = s.one("digitalocean_droplet", "postgres/setup");
    const unit: string = parse(droplet.user_data.replace(/\$\$\{/g, "${")).write_files.find((f: { path: string }) => f.path === DATABASE_SETUP_PATHS.unit).content;
    expect(unit).toContain("SuccessAction=poweroff\nFailureAction=poweroff\n");
    // A one-shot unit that remains active after its run never succeeds in systemd's eyes: SuccessAction would never act.
    expect(unit).toMatch(/^Type=oneshot$/m);
    expect(unit).not.toMatch(/^RemainAfterExit=/m);
    expect(droplet.lifecycle.precondition).toEqual([
      {
        condition: `\${nonsensitive((length(${s.address("digitalocean_database_cluster", "postgres/cluster")}.password) >= 1))}`,
        error_message: expect.stringContaining("DigitalOcean returned no password for the database cluster's admin"),
      },
    ]);
  });

  it("is admitted by the primary's trusted sources, beside the hosts that run Django", () => {
    const primary = s.one("digitalocean_database_firewall", "postgres/trusted-sources/firewall");
    expect(primary.rule).toContainEqual({ type: "tag", value: ref("digitalocean_tag", "postgres/setup/tag", "name") });
  });

  it("carries the admin's login as references Terraform fills in, and the SQL, in its user data only", () => {
    const userData: string = s.one("digitalocean_droplet", "postgres/setup").user_data;
    const files = Object.fromEntries(parse(userData.replace(/\$\$\{/g, "${")).write_files.map((f: { path: string; content: string }) => [f.path, f.content]));
    const cluster = (attribute: string) => ref("digitalocean_database_cluster", "postgres/cluster", attribute);
    expect(files[DATABASE_SETUP_PATHS.env]).toBe(
      `PGHOST='${cluster("private_host")}'\nPGPORT='25060'\nPGDATABASE='${DATABASE_NAME}'\nPGUSER='${cluster("user")}'\nPGPASSWORD='${cluster("password")}'\nPGSSLMODE='require'\nPGCONNECT_TIMEOUT='10'\nPGAPPNAME='cloudtiers-database-setup'\n`,
    );
    expect(files[DATABASE_SETUP_PATHS.sql]).toBe(databaseRoleSetup(DATABASE_NAME, DATABASE_USER).ownerSql);
    // No application host gets the admin's password.
    for (const [id] of s.entries("digitalocean_droplet_autoscale")) expect(dropletUserData(s, id)).not.toContain(cluster("password"));
  });
});
