import { Construct } from "constructs";
import { Fn, ITerraformDependable, Op } from "cdktf";
import { Droplet } from "@cdktf/provider-digitalocean/lib/droplet";
import { Firewall } from "@cdktf/provider-digitalocean/lib/firewall";
import { Tag } from "@cdktf/provider-digitalocean/lib/tag";
import { DatabaseRoleSetup, terraformTemplate } from "../core";
import { DO_IMAGE } from "./sizes";
import { databaseSetupName } from "../naming/resource-names";

/** The one-off droplet's size: the smallest sold in every region. */
export const DATABASE_SETUP_DROPLET_SIZE = "s-1vcpu-1gb";

export interface DoDatabaseSetupProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly vpcUuid: string;
  readonly sshKeys: readonly string[];
  readonly projectId?: string;
  /** The cluster's private host and port, the application's database, and the admin's login (references). */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly admin: string;
  readonly adminPassword: string;
  /** What to run, as the admin, in the application's database, and the one-off host that runs it. */
  readonly setup: DatabaseRoleSetup;
  /** What must exist before the droplet runs the setup (the database and the user). */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The database setup on DigitalOcean: a one-off droplet in the VPC, carrying its own tag
 * (which the database's trusted sources admit) and a firewall admitting nothing, that runs
 * the setup SQL with psql as `doadmin` at its first boot and then powers itself off. A new
 * setup (the SQL or the cluster changed) replaces the droplet, which runs it again.
 *
 * PROVIDER GAP: DigitalOcean runs no code inside a VPC that Terraform can invoke and wait
 * for, so the apply does not wait for the setup, and a failed setup shows only in the
 * droplet's journal (the application's hosts then cannot create tables: their logs say
 * "permission denied for schema public"). A powered-off droplet is still billed.
 */
export class DoDatabaseSetup extends Construct {
  public readonly tag: Tag;
  public readonly droplet: Droplet;

  constructor(scope: Construct, id: string, props: DoDatabaseSetupProps) {
    super(scope, id);
    const name = databaseSetupName(props.namePrefix);
    this.tag = new Tag(this, "tag", { name });
    const firewall = new Firewall(this, "firewall", {
      name,
      tags: [this.tag.name],
      outboundRule: [
        { protocol: "tcp", portRange: "1-65535", destinationAddresses: ["0.0.0.0/0", "::/0"] },
        { protocol: "udp", portRange: "53", destinationAddresses: ["0.0.0.0/0", "::/0"] },
      ],
    });
    this.droplet = new Droplet(this, "droplet", {
      name,
      image: DO_IMAGE,
      size: DATABASE_SETUP_DROPLET_SIZE,
      region: props.region,
      vpcUuid: props.vpcUuid,
      tags: [this.tag.name],
      sshKeys: [...props.sshKeys],
      ipv6: false,
      monitoring: false,
      userData: terraformTemplate(props.setup.renderHost({ host: props.host, port: props.port, database: props.database, admin: props.admin, adminPassword: props.adminPassword })),
      dependsOn: [firewall, ...props.dependsOn],
      lifecycle: {
        // The cluster's password is empty when the token may not read database credentials:
        // the setup would fail on the droplet, where no apply sees it.
        precondition: [
          {
            condition: Fn.nonsensitive(Op.gte(Fn.lengthOf(props.adminPassword), 1)),
            errorMessage: "DigitalOcean returned no password for the database cluster's admin: the token may not read database credentials (a custom-scoped token needs database:view_credentials).",
          },
        ],
      },
    });
  }
}
